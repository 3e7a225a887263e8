package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.index.CaptureSetBuilder;
import io.scalpel.index.IndexBuilder;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.ExternalTools;
import io.scalpel.testing.PcapFile;
import io.scalpel.testing.PcapngFile;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * A generated capture cut into rotated files by time (connections crossing the cuts), indexed as
 * one capture set: every uid's extract is exactly the generator's frames of the uid, in timestamp
 * order, byte for byte, read back by the test's own pcap/pcapng walk (and by tcpdump).
 */
class CaptureSetSliceTest {
    @TempDir
    Path dir;

    /** A rotated set: the source's truth, the pieces, and the set directory. */
    private record Fixture(Generated truth, byte[] source, List<RotatedCaptures.Piece> pieces, Path set, Path conn) {
    }

    private Fixture rotated(final long seed, final boolean[] pcapng) throws IOException {
        final Path source = dir.resolve("source.pcap");
        final Path conn = dir.resolve("conn.log");
        final GeneratorSpec spec = GeneratorSpec.defaults(seed).withFormat(CaptureFileFormat.PCAP_USEC_LE).withConnections(40);
        final Generated truth = CaptureGenerator.generate(spec, source, conn);
        final Path set = Files.createDirectories(dir.resolve("set"));
        final List<RotatedCaptures.Piece> pieces = RotatedCaptures.cutEvenly(source, truth, set, "trace-%02d.%s", pcapng);
        Files.writeString(set.resolve("notes.txt"), "not a capture\n");
        return new Fixture(truth, Files.readAllBytes(source), pieces, set, conn);
    }

    @Tag("external")
    @Test
    void shouldSliceEveryUidAcrossRotatedPcapFilesInTimestampOrder() throws Exception {
        final Fixture f = rotated(7101, new boolean[] {false, false, false, false});
        final List<ConnRecord> rows = ConnLogs.readStrictly(f.conn());
        int crossing = 0;
        try (CaptureSet set = CaptureSet.open(f.set())) {
            assertEquals(4, set.manifest().members().size(), "members (notes.txt is not one)");
            final CaptureSet.Selection all = set.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                final List<TruthFrame> expected = expected(f.truth(), uid);
                if (piecesOf(f, uid) > 1) {
                    crossing++;
                }
                final Path out = dir.resolve(uid + ".pcap");
                final long n = set.write(all, i, ExtractOptions.defaults(), out);
                assertEquals(expected.size(), n, uid);
                assertRecords(f, expected, readCapture(out), uid);
                assertEquals(CaptureFormat.PCAP, set.defaultFormat(all, i));
            }
            final Path union = dir.resolve("all.pcap");
            set.write(all, -1, ExtractOptions.defaults(), union);
            final List<TruthFrame> every = f.truth().frames().stream().filter(t -> !t.uids().isEmpty())
                .sorted(Comparator.comparingLong(TruthFrame::tsNanos).thenComparingInt(TruthFrame::number)).toList();
            assertRecords(f, every, readCapture(union), "union");
            ExternalTools.require(ExternalTools.TCPDUMP);
            final String listing = ExternalTools.run(List.of("tcpdump", "-n", "-tt", "-r", union.toString()));
            final List<String> lines = listing.lines().filter(l -> !l.isBlank() && !l.startsWith("reading from")).toList();
            assertEquals(every.size(), lines.size(), "tcpdump reads every packet of the merged extract");
            double previous = 0;
            for (String l : lines) {
                final double ts = Double.parseDouble(l.substring(0, l.indexOf(' ')));
                assertTrue(ts >= previous, "tcpdump sees timestamps in order: " + l);
                previous = ts;
            }
        }
        assertTrue(crossing > 0, "some connection crosses a rotation boundary");
    }

    @Test
    void shouldOpenOnlyTheMembersWhoseTimeRangeMeetsTheConnection() throws Exception {
        final Fixture f = rotated(7102, new boolean[] {false, false, false, false});
        final List<ConnRecord> rows = ConnLogs.readStrictly(f.conn());
        final io.scalpel.api.CaptureSetIndexReport built = CaptureSet.index(f.set(), null, io.scalpel.api.Progress.NONE, false);
        // A connection whose window (with the 5 µs slack) lies strictly inside the time range of one
        // piece; not TCP, whose packets may run on past its window for Zeek's close delay.
        ConnRecord inside = null;
        int piece = -1;
        for (ConnRecord r : rows) {
            if ("tcp".equals(r.proto())) {
                continue;
            }
            for (int k = 0; k < f.pieces().size() && inside == null; k++) {
                final var m = built.members().get(k).report();
                if (r.tsNanos() - 5_000 > m.firstTimestampNanos()
                    && r.tsNanos() + Math.max(0, r.durationNanos()) + 5_000 < m.lastTimestampNanos()) {
                    inside = r;
                    piece = k;
                }
            }
        }
        assertTrue(inside != null, "a connection inside one piece");
        try (CaptureSet set = CaptureSet.open(f.set())) {
            final CaptureSet.Selection s = set.select(List.of(inside));
            assertEquals(List.of(f.pieces().get(piece).file().getFileName().toString()), set.filesOpened());
            assertEquals(expected(f.truth(), inside.uid()).size(), s.frames(0));
        }
    }

    /**
     * A TCP connection that closed just before a rotation has its last ACK in the next file: the
     * close seen in the first file opens the tail in the second, which is opened for it.
     */
    @Test
    void shouldFollowAClosedTcpConnectionsLastAckIntoTheNextFile() throws Exception {
        final Path source = dir.resolve("source.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(7105).withConnections(40), source, conn);
        final List<ConnRecord> rows = ConnLogs.readStrictly(conn);
        ConnRecord closed = null;
        long cut = 0;
        for (ConnRecord r : rows) {
            final long end = r.tsNanos() + r.durationNanos();
            final List<TruthFrame> after = expected(truth, r.uid()).stream().filter(t -> t.tsNanos() > end + 10_000).toList();
            if ("tcp".equals(r.proto()) && !after.isEmpty()) {
                closed = r;
                cut = end + (after.get(0).tsNanos() - end) / 2; // between the closing FIN and the last ACK
                break;
            }
        }
        assertTrue(closed != null, "a closed TCP connection whose last ACK comes more than 10 µs after its duration");
        final Path set = Files.createDirectories(dir.resolve("tail-set"));
        final List<RotatedCaptures.Piece> pieces = RotatedCaptures.cut(source, truth,
            List.of(set.resolve("a.pcap"), set.resolve("b.pcap")), new long[] {cut}, new boolean[] {false, false});
        try (CaptureSet s = CaptureSet.open(set)) {
            final CaptureSet.Selection selection = s.select(List.of(closed));
            assertEquals(List.of("a.pcap", "b.pcap"), s.filesOpened().stream().sorted().toList());
            assertEquals(expected(truth, closed.uid()).size(), selection.frames(0), closed.uid() + " with its last ACK");
            final Path out = dir.resolve("tail.pcap");
            s.write(selection, 0, ExtractOptions.defaults(), out);
            assertRecords(new Fixture(truth, Files.readAllBytes(source), pieces, set, conn), expected(truth, closed.uid()),
                readCapture(out), closed.uid());
        }
    }

    /**
     * A capture set's per-query files are committed together: when one cannot be written (here its
     * member was cut short after the selection), none of them appears, and no temporary file is
     * left.
     */
    @Test
    void shouldCommitASetsPerQueryFilesTogether() throws Exception {
        final Fixture f = rotated(7106, new boolean[] {false, false});
        final List<ConnRecord> rows = ConnLogs.readStrictly(f.conn());
        ConnRecord inFirst = null;
        ConnRecord inSecond = null;
        for (ConnRecord r : rows) {
            final int n = piecesOf(f, r.uid());
            final boolean first = f.pieces().get(0).frames().stream().anyMatch(t -> t.uids().contains(r.uid()));
            if (n == 1 && first && inFirst == null) {
                inFirst = r;
            } else if (n == 1 && !first && inSecond == null) {
                inSecond = r;
            }
        }
        assertTrue(inFirst != null && inSecond != null, "a uid in each piece");
        final Path out = Files.createDirectory(dir.resolve("split"));
        try (CaptureSet set = CaptureSet.open(f.set())) {
            final CaptureSet.Selection s = set.select(List.of(inFirst, inSecond));
            final Path second = f.pieces().get(1).file();
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(second, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(24); // the second file keeps its 24-byte pcap header and loses every record
            }
            final Path[] outputs = {out.resolve(inFirst.uid() + ".pcap"), out.resolve(inSecond.uid() + ".pcap")};
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> set.writeEach(s, outputs, out, ExtractOptions.defaults()));
        }
        try (var left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), "no file of the batch, and no temporary file");
        }
    }

    @Test
    void shouldIndexOnlyTheNewRotatedFileAndDropARemovedOne() throws Exception {
        final Fixture f = rotated(7103, new boolean[] {false, false, false, false});
        final Path last = f.pieces().get(3).file();
        final Path aside = Files.move(last, dir.resolve("aside.pcap"));
        final io.scalpel.api.CaptureSetIndexReport first = CaptureSet.index(f.set(), null, io.scalpel.api.Progress.NONE, false);
        assertEquals(3, first.members().size());
        Files.move(aside, last);
        final io.scalpel.api.CaptureSetIndexReport second = CaptureSet.index(f.set(), null, io.scalpel.api.Progress.NONE, false);
        assertEquals(List.of("UNCHANGED", "UNCHANGED", "UNCHANGED", "BUILT"),
            second.members().stream().map(m -> m.report().mode().name()).toList());
        assertEquals(f.pieces().get(3).frames().size(), second.members().get(3).report().recordsScanned(), "only the new file scanned");
        assertEquals(0, second.members().get(0).report().recordsScanned());
        Files.delete(f.pieces().get(0).file());
        final io.scalpel.api.CaptureSetIndexReport third = CaptureSet.index(f.set(), null, io.scalpel.api.Progress.NONE, false);
        assertEquals(List.of(f.pieces().get(0).file().getFileName().toString()), third.removed());
        assertEquals(3, third.members().size());
        assertTrue(!Files.exists(third.indexDirectory().resolve("members/trace-00.pcap.scalpel")), "its index is gone");
    }

    @Test
    void shouldMergePcapAndPcapngMembersIntoPcapng() throws Exception {
        final Fixture f = rotated(7104, new boolean[] {false, true, false, true});
        final List<ConnRecord> rows = ConnLogs.readStrictly(f.conn());
        try (CaptureSet set = CaptureSet.open(f.set())) {
            final CaptureSet.Selection all = set.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                if (piecesOf(f, uid) < 2) {
                    continue;
                }
                final Path out = dir.resolve(uid + ".pcapng");
                set.write(all, i, ExtractOptions.defaults(), out);
                assertEquals(CaptureFormat.PCAPNG, set.defaultFormat(all, i));
                assertRecords(f, expected(f.truth(), uid), readCapture(out), uid);
            }
        }
    }

    @Test
    void shouldRefuseAPcapOfMembersOfDifferentLinkTypesNamingBoth() throws Exception {
        final Path set = Files.createDirectories(dir.resolve("mixed"));
        final Generated eth = CaptureGenerator.generate(GeneratorSpec.defaults(7105).withStartNanos(1_700_000_000_000_000_000L),
            set.resolve("a.pcap"), dir.resolve("a.log"));
        CaptureGenerator.generate(GeneratorSpec.defaults(7106).withLinkType(101).withStartNanos(1_700_000_000_000_000_000L),
            set.resolve("b.pcap"), null);
        try (CaptureSet s = CaptureSet.open(set)) {
            final CaptureSet.Selection window = s.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.write(window, 0, ExtractOptions.defaults().withFormat(CaptureFormat.PCAP), dir.resolve("x.pcap")));
            assertTrue(e.getMessage().contains("a.pcap has link type 1") && e.getMessage().contains("b.pcap has link type 101"),
                e.getMessage());
            assertTrue(!Files.exists(dir.resolve("x.pcap")));
            final Path out = dir.resolve("x.pcapng");
            final long n = s.write(window, 0, ExtractOptions.defaults(), out);
            assertEquals(CaptureFormat.PCAPNG, s.defaultFormat(window, 0));
            final List<Rec> recs = readCapture(out);
            assertEquals(n, recs.size());
            assertTrue(eth.frames().size() < n, "frames of both members");
            for (int i = 1; i < recs.size(); i++) {
                assertTrue(recs.get(i).ts >= recs.get(i - 1).ts, "timestamp order at " + i);
            }
        }
    }

    /** The truth frames of {@code uid}, in timestamp order (frame number on a tie). */
    private static List<TruthFrame> expected(final Generated truth, final String uid) {
        return truth.framesOf(uid).stream().map(truth::frame)
            .sorted(Comparator.comparingLong(TruthFrame::tsNanos).thenComparingInt(TruthFrame::number)).toList();
    }

    private static int piecesOf(final Fixture f, final String uid) {
        int n = 0;
        for (RotatedCaptures.Piece p : f.pieces()) {
            if (p.frames().stream().anyMatch(t -> t.uids().contains(uid))) {
                n++;
            }
        }
        return n;
    }

    private static void assertRecords(final Fixture f, final List<TruthFrame> expected, final List<Rec> actual, final String what) {
        assertEquals(expected.size(), actual.size(), what + ": frames");
        for (int i = 0; i < expected.size(); i++) {
            final TruthFrame t = expected.get(i);
            assertEquals(t.tsNanos(), actual.get(i).ts, what + ": timestamp of frame " + i);
            final byte[] data = Arrays.copyOfRange(f.source(), (int) t.recordOffset() + 16, (int) t.recordOffset() + 16 + t.capturedLength());
            assertArrayEquals(data, actual.get(i).data, what + ": bytes of frame " + i);
        }
    }

    /** One frame of an extract: timestamp and bytes. */
    private record Rec(long ts, byte[] data) {
    }

    /** The test's own walk of a little-endian pcap or pcapng (one section, EPBs; if_tsresol 6 or 9). */
    private static List<Rec> readCapture(final Path file) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        final List<Rec> recs = new ArrayList<>();
        if (ByteBuffer.wrap(bytes).getInt(0) == PcapngFile.SECTION_HEADER) {
            for (PcapngFile.Packet p : PcapngFile.parse(bytes).packets) {
                recs.add(new Rec(p.tsNanos(), p.data()));
            }
            return recs;
        }
        final PcapFile pcap = PcapFile.parse(bytes);
        assertEquals(ByteOrder.LITTLE_ENDIAN, pcap.order, "little-endian pcap magic");
        for (PcapFile.Record r : pcap.records) {
            recs.add(new Rec(r.tsNanos(), pcap.frameBytes(r)));
        }
        return recs;
    }
}
