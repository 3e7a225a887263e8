package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel flows} ({@link Flows}) against the generator's connections (Zeek's split, reused
 * 5-tuples included: a new connection where a SYN follows a close) and against tshark's
 * conversations for the keys used once; a query narrows the list to the connections it accepts a
 * frame of; a capture set lists a connection cut by a rotation once.
 */
class FlowsTest {
    private static final long NOW = 0;

    @TempDir
    Path dir;

    @Test
    void shouldListTheGeneratorsConnections() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.defaults(8101).withVlan(true).withReuseTuples(true).withConnections(60);
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve("conn.log"));
        try (Captures captures = Captures.open(capture, Scalpel.Options.defaults())) {
            assertSame(expected(truth, null), described(Flows.list(captures, null, NOW)));
        }
    }

    @Test
    void shouldListOnlyTheConnectionsAQueryAcceptsAFrameOf() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(8102), capture, dir.resolve("conn.log"));
        final TruthConn some = truth.conns().get(3);
        try (Captures captures = Captures.open(capture, Scalpel.Options.defaults())) {
            assertSame(expected(truth, "tcp"), described(Flows.list(captures, "tcp", NOW)));
            final List<Flows.Row> ofHost = Flows.list(captures, "host " + some.origH(), NOW);
            assertEquals(expected(truth, null).entrySet().stream()
                    .filter(e -> e.getKey().contains(" " + canonical(some.origH()) + "/")).count(),
                ofHost.size(), "connections of " + some.origH());
            assertTrue(ofHost.stream().allMatch(r -> r.src().equals(canonical(some.origH())) || r.dst().equals(canonical(some.origH()))));
            assertTrue(Flows.list(captures, "host 192.0.2.254", NOW).isEmpty());
        }
    }

    @Test
    void shouldSortByPacketsAndBytes() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(8103), capture, dir.resolve("conn.log"));
        try (Captures captures = Captures.open(capture, Scalpel.Options.defaults())) {
            final List<Flows.Row> rows = Flows.list(captures, null, NOW);
            for (int i = 1; i < rows.size(); i++) {
                assertTrue(rows.get(i - 1).firstTs() <= rows.get(i).firstTs(), "by time");
            }
            final List<Flows.Row> byPackets = Flows.sorted(rows, Flows.Sort.PACKETS);
            final List<Flows.Row> byBytes = Flows.sorted(rows, Flows.Sort.BYTES);
            for (int i = 1; i < rows.size(); i++) {
                assertTrue(byPackets.get(i - 1).packets() >= byPackets.get(i).packets(), "by packets");
                assertTrue(byBytes.get(i - 1).bytes() >= byBytes.get(i).bytes(), "by bytes");
            }
        }
    }

    @Test
    void shouldRefuseAnExpressionItCannotReadNamingTheColumn() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Flows.check("host 10.0.0.1 and prot 80", NOW));
        assertEquals("--query 'host 10.0.0.1 and prot 80': column 19: unknown term 'prot' (expected host, net, port, portrange,"
            + " src, dst, tcp, udp, icmp, ip proto, vlan, after, before, not or '(')", e.getMessage());
    }

    @Test
    void shouldListAConnectionCutByARotationOnce() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(8104).withConnections(40), capture, dir.resolve("conn.log"));
        final Path set = Files.createDirectories(dir.resolve("set"));
        RotatedCaptures.cutEvenly(capture, truth, set, "trace-%02d.%s", false, true, false);
        try (Captures captures = Captures.open(set, Scalpel.Options.defaults())) {
            assertSame(expected(truth, null), described(Flows.list(captures, null, NOW)));
        }
    }

    @Tag("external")
    @Test
    void shouldAgreeWithTsharkConversationsForKeysUsedOnce() throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        final Path capture = dir.resolve("cap.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(8105).withConnections(50), capture, dir.resolve("conn.log"));
        final List<Flows.Row> rows;
        try (Captures captures = Captures.open(capture, Scalpel.Options.defaults())) {
            rows = Flows.list(captures, null, NOW);
        }
        final Map<String, Integer> uses = new HashMap<>();
        for (Flows.Row r : rows) {
            uses.merge(key(r.proto(), r.src(), r.srcPort(), r.dst(), r.dstPort()), 1, Integer::sum);
        }
        int compared = 0;
        for (String proto : List.of("tcp", "udp")) {
            final Map<String, long[]> conv = tsharkConversations(capture, proto);
            for (Flows.Row r : rows) {
                final String k = key(r.proto(), r.src(), r.srcPort(), r.dst(), r.dstPort());
                if (r.proto().equals(proto) && uses.get(k) == 1) {
                    final long[] t = conv.get(k);
                    assertTrue(t != null, "tshark has a conversation for " + k);
                    assertEquals(t[0], r.packets(), "frames of " + k);
                    if (t[1] >= 0) {
                        assertEquals(t[1], r.bytes(), "bytes of " + k);
                    }
                    compared++;
                }
            }
        }
        assertTrue(compared >= 20, "connections compared with tshark: " + compared);
    }

    /** The same connections, or the lines only one side has. */
    private static void assertSame(final Map<String, Integer> expected, final Map<String, Integer> actual) {
        final Map<String, Integer> missing = new TreeMap<>(expected);
        actual.forEach((k, n) -> missing.computeIfPresent(k, (x, m) -> m - n <= 0 ? null : m - n));
        final Map<String, Integer> extra = new TreeMap<>(actual);
        expected.forEach((k, n) -> extra.computeIfPresent(k, (x, m) -> m - n <= 0 ? null : m - n));
        assertTrue(missing.isEmpty() && extra.isEmpty(), "only the generator has " + missing + "\nonly flows has " + extra);
    }

    /** tshark's conversations of {@code proto}, by key: frames and bytes (-1 when shown in other units). */
    private static Map<String, long[]> tsharkConversations(final Path capture, final String proto) throws Exception {
        final String out = ExternalTools.run(List.of("tshark", "-r", capture.toString(), "-q", "-z", "conv," + proto));
        final Pattern line = Pattern.compile("^(\\S+):(\\d+)\\s+<->\\s+(\\S+):(\\d+)\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\d+\\s+\\S+\\s+\\S+\\s+"
            + "(\\d+)\\s+([\\d,]+)\\s+(\\S+)");
        final Map<String, long[]> found = new HashMap<>();
        for (String l : out.split("\n")) {
            final Matcher m = line.matcher(l.trim());
            if (m.find()) {
                final long bytes = m.group(7).equals("bytes") ? Long.parseLong(m.group(6).replace(",", "")) : -1;
                found.put(key(proto, canonical(m.group(1)), Integer.parseInt(m.group(2)), canonical(m.group(3)),
                    Integer.parseInt(m.group(4))), new long[] {Long.parseLong(m.group(5)), bytes});
            }
        }
        return found;
    }

    /** A key in either direction. */
    private static String key(final String proto, final String a, final int aPort, final String b, final int bPort) {
        final String x = a + "/" + aPort;
        final String y = b + "/" + bPort;
        return proto + " " + (x.compareTo(y) <= 0 ? x + " " + y : y + " " + x);
    }

    /** Each connection of the truth (of {@code proto}, or all) as the line {@link #described} makes, counted. */
    private static Map<String, Integer> expected(final Generated truth, final String proto) {
        final Map<String, Integer> out = new TreeMap<>();
        for (TruthConn c : truth.conns()) {
            if (proto != null && !c.proto().equals(proto)) {
                continue;
            }
            final List<Integer> frames = truth.framesOf(c.uid());
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            long bytes = 0;
            for (int n : frames) {
                final TruthFrame f = truth.frame(n);
                first = Math.min(first, f.tsNanos());
                last = Math.max(last, f.tsNanos());
                bytes += f.originalLength();
            }
            final String proto0 = c.proto().equals("icmp") ? "icmp" : c.proto();
            out.merge(line(proto0, key(proto0, canonical(c.origH()), c.origP(), canonical(c.respH()), c.respP()), first, last,
                frames.size(), bytes), 1, Integer::sum);
        }
        return out;
    }

    private static Map<String, Integer> described(final List<Flows.Row> rows) {
        final Map<String, Integer> out = new TreeMap<>();
        for (Flows.Row r : rows) {
            out.merge(line(r.proto(), key(r.proto(), r.src(), r.srcPort(), r.dst(), r.dstPort()), r.firstTs(), r.lastTs(), r.packets(),
                r.bytes()), 1, Integer::sum);
        }
        return out;
    }

    private static String line(final String proto, final String key, final long first, final long last, final long packets,
                               final long bytes) {
        return key + " " + first + "-" + last + " " + packets + " packets " + bytes + " bytes";
    }

    /** An address as Java writes it, so that the generator's and tshark's text compare with the API's. */
    private static String canonical(final String address) {
        try {
            return InetAddress.getByName(address).getHostAddress().replaceAll("(^|:)0(:0)+(:|$)", "::");
        } catch (IOException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
