package io.scalpel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.decode.Addresses;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traffic-shaped workload ({@link TrafficCapture}) against libpcap and Wireshark: every
 * conn.log row counts, per direction, exactly the frames tcpdump finds for its 5-tuple in its
 * window, its ts is the first of them and its duration ends where Zeek ends it (the packet that
 * closed the second endpoint of a TCP connection, else the last packet); tcpdump's own 5-tuple
 * filters agree on a sample of rows of every kind; tshark finds every checksum right; and the
 * capture has the shape the benchmarks rely on, written in a heap far smaller than itself.
 */
class TrafficCaptureTest {
    private static final long CLOSE_DELAY_MICROS = 5_000_000;
    private static final Pattern TIME = Pattern.compile("\\d{10}\\.\\d{6}");

    @TempDir
    Path dir;

    @Tag("external")
    @Test
    void shouldLogForEveryConnectionTheFramesTcpdumpFindsInItsWindow() throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        final Path pcap = dir.resolve("t.pcap");
        final Path tsv = dir.resolve("conn.log");
        final SyntheticCapture.Written w = SyntheticCapture.write(pcap, traffic(12_000, 5).withConnLog(tsv));
        final List<ConnRecord> rows = ConnLogs.readStrictly(tsv);
        assertEquals(w.flows(), rows.size());

        final List<TcpdumpFrames.Frame> frames = TcpdumpFrames.read(pcap);
        assertEquals(w.packets(), frames.size(), "frames libpcap reads");
        final Map<String, List<TcpdumpFrames.Frame>> byKey = new HashMap<>();
        long previous = 0;
        for (TcpdumpFrames.Frame f : frames) {
            assertTrue(f.tsMicros() >= previous, "frames in time order, at " + f);
            previous = f.tsMicros();
            byKey.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f);
        }

        final Set<String> keys = new HashSet<>();
        long counted = 0;
        for (ConnRecord r : rows) {
            final String key = key(r);
            assertTrue(keys.add(key), r.uid() + ": a second row with the 5-tuple " + key);
            final List<TcpdumpFrames.Frame> ofKey = byKey.getOrDefault(key, List.of());
            final long ts = r.tsNanos() / 1000;
            final long end = ts + r.durationNanos() / 1000 + ("tcp".equals(r.proto()) ? CLOSE_DELAY_MICROS : 0);
            final List<TcpdumpFrames.Frame> window = ofKey.stream().filter(f -> f.tsMicros() >= ts && f.tsMicros() <= end).toList();
            assertEquals(ofKey.size(), window.size(), r.uid() + ": frames of its 5-tuple outside its window");
            final byte[] orig = Addresses.toBytes(r.ipVersion(), r.origHi(), r.origLo());
            final String origHex = HexFormat.of().formatHex(orig);
            final long fromOrig = window.stream().filter(f -> f.src().equals(origHex)).count();
            assertEquals(List.of(r.origPkts(), r.respPkts()), List.of(fromOrig, window.size() - fromOrig),
                r.uid() + ": orig_pkts and resp_pkts against tcpdump's frames of " + key);
            assertEquals(ts, window.get(0).tsMicros(), r.uid() + ": ts is its first frame");
            assertEquals(zeekDuration(r.proto(), window), r.durationNanos() / 1000, r.uid() + ": duration");
            final TcpdumpFrames.Frame first = window.get(0);
            assertEquals(List.of(r.vlan(), r.innerVlan()), List.of(first.outerVlan(), first.innerVlan()), r.uid() + ": VLAN tags");
            for (TcpdumpFrames.Frame f : window) {
                assertEquals(List.of(first.outerVlan(), first.innerVlan()), List.of(f.outerVlan(), f.innerVlan()), r.uid() + ": tags of " + f);
            }
            counted += window.size();
        }
        assertEquals(frames.size(), counted, "every frame belongs to exactly one row");
    }

    @Tag("external")
    @Test
    void shouldMatchTcpdumpsFiveTupleFiltersOnRowsOfEveryKind() throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        final Path pcap = dir.resolve("t.pcap");
        final Path tsv = dir.resolve("conn.log");
        SyntheticCapture.write(pcap, traffic(12_000, 9).withConnLog(tsv));
        // one row of each kind: protocol, IP version, tagging, and for TCP how it ended
        final Map<String, ConnRecord> sample = new LinkedHashMap<>();
        final Map<String, String> states = connStates(tsv);
        for (ConnRecord r : ConnLogs.readStrictly(tsv)) {
            final String tags = r.innerVlan() >= 0 ? "qinq" : r.vlan() >= 0 ? "vlan" : "untagged";
            sample.putIfAbsent(r.proto() + " v" + r.ipVersion() + " " + tags, r);
            if ("tcp".equals(r.proto())) {
                sample.putIfAbsent(states.get(r.uid()), r);
            }
        }
        assertTrue(sample.keySet().containsAll(List.of("tcp v4 untagged", "tcp v6 vlan", "tcp v4 qinq", "udp v6 untagged",
            "udp v4 vlan", "icmp v4 untagged", "SF", "RSTO", "RSTR", "S1")), "kinds sampled: " + sample.keySet());
        for (Map.Entry<String, ConnRecord> e : sample.entrySet()) {
            final ConnRecord r = e.getValue();
            final String filter = ConnLogAssertions.fiveTupleFilter(r);
            final long ts = r.tsNanos() / 1000;
            final long end = ts + r.durationNanos() / 1000 + ("tcp".equals(r.proto()) ? CLOSE_DELAY_MICROS : 0);
            final long inWindow = ExternalTools.run(List.of("tcpdump", "-tt", "-n", "-r", pcap.toString(), filter)).lines()
                .mapToLong(l -> micros(l.substring(0, l.indexOf(' ')))).filter(t -> t >= ts && t <= end).count();
            assertEquals(r.origPkts() + r.respPkts(), inWindow, e.getKey() + " row " + r.uid() + ": " + filter);
        }
    }

    @Tag("external")
    @Test
    void shouldWriteTheSameFramesAsPcapAndPcapngWithTheSameLogAsTsvAndJson() throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        final Path pcap = dir.resolve("t.pcap");
        final Path pcapng = dir.resolve("t.pcapng");
        final Path tsv = dir.resolve("conn.log");
        final Path json = dir.resolve("conn.json");
        final SyntheticCapture.Written w = SyntheticCapture.write(pcap, traffic(3000, 4).withConnLog(tsv).withConnLogJson(json));
        SyntheticCapture.write(pcapng, traffic(3000, 4).withFormat(CaptureFormat.PCAPNG));
        assertEquals(Files.size(pcap), w.bytes());
        final String fromPcap = ExternalTools.run(List.of("tcpdump", "-tt", "-n", "-xx", "-r", pcap.toString()));
        assertEquals(fromPcap, ExternalTools.run(List.of("tcpdump", "-tt", "-n", "-xx", "-r", pcapng.toString())),
            "libpcap's reading of the pcapng (timestamps and bytes) differs from the pcap's");

        ConnLogAssertions.assertSameRows(ConnLogs.readStrictly(tsv), ConnLogs.readStrictly(json));
    }

    @Tag("external")
    @Test
    void shouldHaveEveryChecksumRightForWireshark() throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        final Path pcap = dir.resolve("t.pcap");
        final SyntheticCapture.Written w = SyntheticCapture.write(pcap, traffic(6000, 6));
        final String all = ExternalTools.run(List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields", "-e", "frame.number"));
        assertEquals(w.packets(), all.lines().count(), "frames tshark reads");
        final String bad = ExternalTools.run(List.of("tshark", "-n", "-r", pcap.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" || udp.checksum.status == \"Bad\""
                + " || icmp.checksum.status == \"Bad\" || icmpv6.checksum.status == \"Bad\" || _ws.malformed",
            "-T", "fields", "-e", "frame.number"));
        assertEquals("", bad.trim(), "frames with a bad checksum or malformed for tshark");
        final String dns = ExternalTools.run(List.of("tshark", "-n", "-r", pcap.toString(), "-Y", "dns.qry.name", "-T", "fields",
            "-e", "frame.number"));
        assertTrue(dns.lines().count() > 100, "DNS messages tshark decodes: " + dns.lines().count());
    }

    @Test
    void shouldLookLikeRealTrafficInItsSizesCountsAndKinds() throws Exception {
        final Path pcap = dir.resolve("t.pcap");
        final Path tsv = dir.resolve("conn.log");
        final SyntheticCapture.Written w = SyntheticCapture.write(pcap,
            SyntheticCapture.Spec.defaults().withShape(SyntheticCapture.Shape.TRAFFIC).withBytes(48L << 20).withSeed(7).withConnLog(tsv));
        final long[] lengths = frameLengths(pcap);
        assertEquals(w.packets(), lengths[0], "records in the file");
        final double meanFrame = (double) lengths[1] / lengths[0];
        assertTrue(meanFrame > 500 && meanFrame < 620, "mean frame length " + meanFrame);
        final List<ConnRecord> rows = ConnLogs.readStrictly(tsv);
        final double perGib = rows.size() * (double) (1L << 30) / Files.size(pcap);
        assertTrue(perGib >= 80_000, rows.size() + " connections in " + Files.size(pcap) + " bytes: " + perGib + " per GiB");
        final long fewPackets = rows.stream().filter(r -> r.origPkts() + r.respPkts() <= 40).count();
        final long brief = rows.stream().filter(r -> r.durationNanos() < 10_000_000_000L).count();
        assertTrue(fewPackets > rows.size() * 0.85 && brief > rows.size() * 0.85,
            "of " + rows.size() + " rows " + fewPackets + " with at most 40 packets, " + brief + " shorter than 10 s");
        final long longOnes = rows.stream().filter(r -> r.origPkts() + r.respPkts() >= 1000).count();
        assertTrue(longOnes >= 3, longOnes + " rows with 1000 packets or more");
        final long v6 = rows.stream().filter(r -> r.ipVersion() == 6).count();
        final long tagged = rows.stream().filter(r -> r.vlan() >= 0).count();
        final long qinq = rows.stream().filter(r -> r.innerVlan() >= 0).count();
        assertTrue(v6 > rows.size() * 0.1 && tagged > rows.size() * 0.2 && qinq > 0,
            "of " + rows.size() + " rows " + v6 + " IPv6, " + tagged + " tagged, " + qinq + " QinQ");
        final long dns = rows.stream().filter(r -> r.respPort() == 53 && "udp".equals(r.proto())).count();
        assertTrue(dns > rows.size() * 0.3, dns + " DNS rows of " + rows.size());
        assertTrue(connStates(tsv).values().containsAll(List.of("SF", "S0", "REJ", "RSTO", "RSTR", "S1")),
            "conn_state values " + new HashSet<>(connStates(tsv).values()));

        // ts and duration as Zeek prints them: seconds with six decimals, a zero duration unset
        final List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        final List<String> fields = List.of(lines.stream().filter(l -> l.startsWith("#fields\t")).findFirst().orElseThrow()
            .substring("#fields\t".length()).split("\t"));
        final int durationColumn = fields.indexOf("duration");
        for (String line : lines) {
            if (!line.startsWith("#")) {
                final String[] v = line.split("\t", -1);
                assertTrue(TIME.matcher(v[0]).matches(), "ts " + v[0]);
                final String duration = v[durationColumn];
                assertTrue("-".equals(duration) || Pattern.matches("\\d+\\.\\d{6}", duration) && !"0.000000".equals(duration),
                    "duration " + duration);
            }
        }
    }

    @Tag("e2e")
    @Test
    void shouldWriteACaptureTwelveTimesItsHeapInThatHeap() throws Exception {
        final long heap = 16L << 20;
        final Path pcap = dir.resolve("big.pcap");
        final Path tsv = dir.resolve("conn.log");
        final Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + (heap >> 20) + "m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
            SyntheticCapture.class.getName(), pcap.toString(), Long.toString(12 * heap), "3", tsv.toString(), "--shape", "traffic")
            .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the generator did not finish in 5 minutes");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("out.txt")));
        assertTrue(Files.size(pcap) > 11 * heap, Files.size(pcap) + " bytes written");
        final long rows = Files.readAllLines(tsv).stream().filter(l -> !l.startsWith("#")).count();
        assertTrue(rows * (double) (1L << 30) / Files.size(pcap) >= 80_000, rows + " rows");
    }

    private static SyntheticCapture.Spec traffic(final long packets, final long seed) {
        return SyntheticCapture.Spec.defaults().withShape(SyntheticCapture.Shape.TRAFFIC).withPackets(packets).withSeed(seed);
    }

    private static String key(final ConnRecord r) {
        return TcpdumpFrames.key(r.proto(), Addresses.toBytes(r.ipVersion(), r.origHi(), r.origLo()), r.origPort(),
            Addresses.toBytes(r.ipVersion(), r.respHi(), r.respLo()), r.respPort());
    }

    /**
     * Zeek's duration of a connection's frames (DOMAIN-NOTES section 2): for TCP, up to the frame
     * after which both endpoints had sent a FIN or an RST, if they did; else up to the last frame.
     */
    private static long zeekDuration(final String proto, final List<TcpdumpFrames.Frame> frames) {
        final long first = frames.get(0).tsMicros();
        if ("tcp".equals(proto)) {
            final Set<String> closed = new HashSet<>();
            for (TcpdumpFrames.Frame f : frames) {
                if (f.closes()) {
                    closed.add(f.src() + "/" + f.sport());
                    if (closed.size() == 2) {
                        return f.tsMicros() - first;
                    }
                }
            }
        }
        return frames.get(frames.size() - 1).tsMicros() - first;
    }

    /** conn_state by uid, read from the TSV by its header. */
    private static Map<String, String> connStates(final Path tsv) throws IOException {
        final Map<String, String> states = new HashMap<>();
        List<String> fields = List.of();
        for (String line : Files.readAllLines(tsv, StandardCharsets.UTF_8)) {
            if (line.startsWith("#fields\t")) {
                fields = List.of(line.substring("#fields\t".length()).split("\t"));
            } else if (!line.startsWith("#")) {
                final String[] v = line.split("\t", -1);
                states.put(v[fields.indexOf("uid")], v[fields.indexOf("conn_state")]);
            }
        }
        return states;
    }

    /** Records and the sum of their captured lengths, walking the classic pcap's record headers. */
    private static long[] frameLengths(final Path pcap) throws IOException {
        long records = 0;
        long bytes = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(pcap), 1 << 16)) {
            in.readNBytes(24);
            final byte[] header = new byte[16];
            while (in.readNBytes(header, 0, 16) == 16) {
                final int caplen = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
                in.skipNBytes(caplen);
                records++;
                bytes += caplen;
            }
        }
        return new long[] {records, bytes};
    }

    private static long micros(final String seconds) {
        final int dot = seconds.indexOf('.');
        return Long.parseLong(seconds.substring(0, dot)) * 1_000_000 + Long.parseLong(seconds.substring(dot + 1));
    }
}
