package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ExternalTools;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel index DIR} and {@code scalpel slice DIR} on a generated capture cut into rotated
 * files by time: extracts judged against the generator's truth with the test's own pcap walk and
 * with tcpdump/tshark; {@code --json} says which member files were opened.
 */
class CaptureSetCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Generated truth;
    byte[] source;
    List<RotatedCaptures.Piece> pieces;
    Path set;
    Path conn;

    private void rotated(final long seed, final boolean... pcapng) throws IOException {
        final Path src = dir.resolve("source.pcap");
        conn = dir.resolve("conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(seed).withFormat(CaptureFileFormat.PCAP_USEC_LE).withConnections(40),
            src, conn);
        source = Files.readAllBytes(src);
        set = Files.createDirectories(dir.resolve("rotated"));
        pieces = RotatedCaptures.cutEvenly(src, truth, set, "trace.%02d.%s", pcapng);
    }

    @Test
    void shouldIndexADirectoryOnceAndOnlyTheNewFileAfterARotation() throws Exception {
        rotated(8101, false, false, false, false);
        final Path newest = pieces.get(3).file();
        final Path aside = Files.move(newest, dir.resolve("later.pcap"));

        final Cli first = Cli.run("index", "--json", set.toString());
        assertEquals(0, first.exit(), first::toString);
        final JsonNode a = JSON.readTree(first.out());
        assertEquals(3, a.get("members").size(), first::toString);
        assertEquals(3, a.get("files_scanned").size());
        assertTrue(Files.isRegularFile(set.resolve(".scalpel/set.json")));

        Files.move(aside, newest);
        final Cli second = Cli.run("index", "--json", set.toString());
        assertEquals(0, second.exit(), second::toString);
        final JsonNode b = JSON.readTree(second.out());
        assertEquals(List.of(newest.getFileName().toString()), strings(b.get("files_scanned")), second::toString);
        assertEquals("unchanged", b.get("members").get(0).get("mode").asText());
        assertEquals("built", b.get("members").get(3).get("mode").asText());
        assertEquals(pieces.get(3).frames().size(), b.get("members").get(3).get("records_scanned").asLong());
        assertEquals(truth.frames().size(), b.get("packets").asLong(), "every frame of the source, once");
    }

    @Tag("external")
    @Test
    void shouldSliceAConnectionCrossingARotationFromBothFilesInTimestampOrder() throws Exception {
        rotated(8102, false, false, false, false);
        final TruthConn crossing = truth.conns().stream().filter(c -> piecesOf(c.uid()).size() > 1).findFirst().orElseThrow();
        final Path out = dir.resolve("out.pcap");

        final Cli r = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--uid", crossing.uid(), "-w", out.toString(), "--json");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final JsonNode j = JSON.readTree(r.out());
        assertEquals(piecesMet(crossing), strings(j.get("files_opened")),
            "the members the connection's window meets (and, for a closed TCP connection, its close delay)");
        assertSameFrames(expected(crossing.uid()), PcapFile.read(out), crossing.uid());
        assertEquals(expected(crossing.uid()).size(), tcpdumpTimestamps(out).size(), "tcpdump reads them all");
    }

    @Test
    void shouldOpenOnlyTheOneMemberThatHoldsAConnection() throws Exception {
        rotated(8103, false, false, false, false);
        Cli.run("index", "-q", set.toString());
        TruthConn inside = null;
        for (TruthConn c : truth.conns()) {
            final List<String> in = piecesOf(c.uid());
            if (in.size() == 1) {
                final RotatedCaptures.Piece p = pieces.stream().filter(x -> x.file().getFileName().toString().equals(in.get(0)))
                    .findFirst().orElseThrow();
                final long lo = p.frames().get(0).tsNanos();
                final long hi = p.frames().get(p.frames().size() - 1).tsNanos();
                if (c.tsNanos() - 5_000 > lo && c.endNanos() + 5_000 < hi) {
                    inside = c;
                    break;
                }
            }
        }
        assertTrue(inside != null, "a connection well inside one file");
        final Path out = dir.resolve("one.pcap");

        final Cli r = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--uid", inside.uid(), "-w", out.toString(), "--json");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertEquals(piecesOf(inside.uid()), strings(JSON.readTree(r.out()).get("files_opened")));
        assertSameFrames(expected(inside.uid()), PcapFile.read(out), inside.uid());
    }

    @Tag("external")
    @Test
    void shouldNarrowASetsSliceWithBpfAsTcpdumpFiltersTheUnnarrowedExtract() throws Exception {
        io.scalpel.testing.ExternalTools.require(io.scalpel.testing.ExternalTools.TCPDUMP);
        rotated(8106, false, false, false);
        final Path all = dir.resolve("all.pcap");
        final Path udp = dir.resolve("udp.pcap");
        final Path oracle = dir.resolve("oracle.pcap");

        final Cli whole = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--all", "-w", all.toString());
        final Cli narrowed = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--all", "--bpf", "udp", "-w", udp.toString());
        io.scalpel.testing.ExternalTools.run(List.of("tcpdump", "-r", all.toString(), "-w", oracle.toString(), "udp"));

        assertEquals(ExitCode.OK.code(), whole.exit(), whole::toString);
        assertTrue(narrowed.exit() == ExitCode.OK.code() || narrowed.exit() == ExitCode.PARTIAL.code(), narrowed::toString);
        final PcapFile want = PcapFile.read(oracle);
        final PcapFile got = PcapFile.read(udp);
        assertTrue(!want.records.isEmpty() && want.records.size() < PcapFile.read(all).records.size(), "udp is some of the frames");
        assertEquals(want.records.size(), got.records.size(), "frames --bpf udp keeps, against tcpdump's filter");
        for (int i = 0; i < want.records.size(); i++) {
            assertArrayEquals(want.recordBytes(want.records.get(i)), got.recordBytes(got.records.get(i)), "record " + i);
        }
    }

    @Test
    void shouldSliceAQueryAcrossTheMembersAndListTheConnectionsOnce() throws Exception {
        rotated(8107, false, false, false);
        final TruthConn crossing = truth.conns().stream()
            .filter(c -> piecesOf(c.uid()).size() > 1 && c.proto().equals("tcp") && !c.origH().contains(":")).findFirst().orElseThrow();
        final String host = crossing.origH();
        final List<TruthFrame> expected = truth.frames().stream()
            .filter(f -> f.ipProto() == 6 && (host.equals(f.srcAddr()) || host.equals(f.dstAddr())))
            .sorted(Comparator.comparingLong(TruthFrame::tsNanos).thenComparingInt(TruthFrame::number)).toList();
        final Path out = dir.resolve("query.pcap");

        final Cli r = Cli.run("slice", set.toString(), "--query", "tcp and host " + host, "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertSameFrames(expected, PcapFile.read(out), "tcp and host " + host);
        final Cli flows = Cli.run("flows", set.toString(), "--json", "--query", "tcp and host " + host);
        assertEquals(ExitCode.OK.code(), flows.exit(), flows::toString);
        final long conns = truth.conns().stream().filter(c -> c.proto().equals("tcp") && (host.equals(c.origH()) || host.equals(c.respH())))
            .count();
        assertEquals(conns, flows.out().lines().count(), "one line per connection, the one crossing a rotation once: " + flows);
    }

    @Test
    void shouldSplitMergedExtractsPerUid() throws Exception {
        rotated(8104, false, false, false);
        final List<String> uids = truth.conns().stream().map(TruthConn::uid).filter(u -> piecesOf(u).size() > 1).limit(3).toList();
        assertFalse(uids.isEmpty());
        final Path split = dir.resolve("split");

        final Cli r = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--uid", String.join(",", uids),
            "--split-dir", split.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        for (String u : uids) {
            assertSameFrames(expected(u), PcapFile.read(split.resolve(u + ".pcap")), u);
        }
    }

    @Tag("external")
    @Test
    void shouldMergePcapAndPcapngMembersIntoAPcapngThatTsharkReadsInOrder() throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        rotated(8105, false, true, false, true);
        final Path out = dir.resolve("all.pcapng");

        final Cli r = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--all", "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<TruthFrame> every = truth.frames().stream().filter(t -> !t.uids().isEmpty())
            .sorted(Comparator.comparingLong(TruthFrame::tsNanos).thenComparingInt(TruthFrame::number)).toList();
        final String listing = ExternalTools.run(List.of("tshark", "-n", "-r", out.toString(), "-T", "fields",
            "-e", "frame.time_epoch", "-e", "frame.cap_len"));
        final List<String> lines = listing.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(every.size(), lines.size(), "tshark reads every frame");
        for (int i = 0; i < lines.size(); i++) {
            final String[] f = lines.get(i).split("\t");
            final long ts = new java.math.BigDecimal(f[0]).movePointRight(9).longValueExact();
            assertEquals(every.get(i).tsNanos(), ts, "timestamp of frame " + i);
            assertEquals(every.get(i).capturedLength(), Integer.parseInt(f[1]), "length of frame " + i);
        }
    }

    @Test
    void shouldRefuseOnePcapFromMembersOfDifferentLinkTypes() throws Exception {
        final Path mixed = Files.createDirectories(dir.resolve("mixed"));
        CaptureGenerator.generate(GeneratorSpec.defaults(8106).withStartNanos(1_700_000_000_000_000_000L), mixed.resolve("eth.pcap"), null);
        CaptureGenerator.generate(GeneratorSpec.defaults(8107).withLinkType(101).withStartNanos(1_700_000_000_000_000_000L),
            mixed.resolve("raw.pcap"), null);
        final Path out = dir.resolve("x.pcap");

        final Cli r = Cli.run("slice", mixed.toString(), "--from", "1600000000", "--format", "pcap", "-w", out.toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: cannot write one pcap from capture set members of different link types: "
            + mixed.resolve("eth.pcap") + " has link type 1, " + mixed.resolve("raw.pcap") + " has link type 101"), r::toString);
        assertFalse(Files.exists(out), "nothing written");
        final Cli ng = Cli.run("slice", mixed.toString(), "--from", "1600000000", "-w", dir.resolve("x.pcapng").toString());
        assertEquals(ExitCode.OK.code(), ng.exit(), ng::toString);
    }

    /** The member files holding frames of {@code uid}, in name order. */
    private List<String> piecesOf(final String uid) {
        final List<String> names = new ArrayList<>();
        for (RotatedCaptures.Piece p : pieces) {
            if (p.frames().stream().anyMatch(t -> t.uids().contains(uid))) {
                names.add(p.file().getFileName().toString());
            }
        }
        return names;
    }

    /**
     * The pieces whose frames' time range meets the connection's window, or for a TCP connection
     * whose endpoints both closed, the 5 s after it in which Zeek still counts its packets.
     */
    private List<String> piecesMet(final TruthConn c) {
        final boolean closed = c.proto().equals("tcp") && (c.connState().equals("RSTR")
            || c.history().contains("F") && c.history().contains("f"));
        final long to = c.endNanos() + 5_000 + (closed ? 5_000_000_000L : 0);
        final List<String> names = new ArrayList<>();
        for (RotatedCaptures.Piece p : pieces) {
            final long first = p.frames().stream().mapToLong(TruthFrame::tsNanos).min().orElse(Long.MAX_VALUE);
            final long last = p.frames().stream().mapToLong(TruthFrame::tsNanos).max().orElse(Long.MIN_VALUE);
            if (first <= to && last >= c.tsNanos() - 5_000) {
                names.add(p.file().getFileName().toString());
            }
        }
        return names;
    }

    private List<TruthFrame> expected(final String uid) {
        return truth.framesOf(uid).stream().map(truth::frame)
            .sorted(Comparator.comparingLong(TruthFrame::tsNanos).thenComparingInt(TruthFrame::number)).toList();
    }

    private void assertSameFrames(final List<TruthFrame> expected, final PcapFile out, final String what) {
        assertEquals(expected.size(), out.records.size(), what + ": frames");
        for (int i = 0; i < expected.size(); i++) {
            final TruthFrame t = expected.get(i);
            final PcapFile.Record rec = out.records.get(i);
            assertEquals(t.tsNanos(), rec.tsNanos(), what + ": timestamp of frame " + i);
            assertArrayEquals(Arrays.copyOfRange(source, (int) t.recordOffset(), (int) t.recordOffset() + t.recordLength()),
                out.recordBytes(rec), what + ": record " + i + " byte for byte");
        }
    }

    private static List<String> tcpdumpTimestamps(final Path file) throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        final String listing = ExternalTools.run(List.of("tcpdump", "-n", "-tt", "-r", file.toString()));
        final List<String> ts = listing.lines().filter(l -> !l.isBlank() && !l.startsWith("reading from"))
            .map(l -> l.substring(0, l.indexOf(' '))).toList();
        for (int i = 1; i < ts.size(); i++) {
            assertTrue(Double.parseDouble(ts.get(i)) >= Double.parseDouble(ts.get(i - 1)), "tcpdump: timestamps in order");
        }
        return ts;
    }

    private static List<String> strings(final JsonNode array) {
        final List<String> s = new ArrayList<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }
}
