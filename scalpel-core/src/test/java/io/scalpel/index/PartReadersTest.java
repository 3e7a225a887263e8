package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.CaptureFile;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers of part files kept open from one lookup to the next: lookups through them select the
 * generator's frames again and again (more row groups than a reader caches, so readers are
 * replaced on the way), at most {@link PartReaders#MAX_OPEN} stay open, a busy reader is never
 * shared, and a failed read closes its reader. The dictionary pages read through them are kept
 * for the next query, until a part's file changes.
 */
class PartReadersTest {
    /** Small chunks: many row groups in each part, more than a reader caches the indexes of. */
    private static final int CHUNK_ROWS = 32;

    @TempDir
    Path dir;

    private Generated truth;
    private Path capture;
    private Path index;
    private IndexManifest manifest;

    private void build() throws IOException {
        build(CHUNK_ROWS);
    }

    private void build(final int chunkRows) throws IOException {
        capture = dir.resolve("c.pcap");
        final Path conn = dir.resolve("conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.everything(7301).withConnections(300), capture, conn);
        index = dir.resolve("c.idx");
        manifest = new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, chunkRows).build().manifest();
    }

    @Test
    void shouldSelectTheTruthUidByUidTwiceThroughReadersKeptOpen() throws IOException {
        build();
        final long rowGroups = manifest.resume().nextChunk(); // one packets row group per chunk, the chunks shared by two parts
        assertTrue(rowGroups / 2 > PartReaders.MAX_ROW_GROUPS, "row groups of each part: " + rowGroups / 2);
        final List<ConnRecord> rows = ConnLogs.readStrictly(dir.resolve("conn.log"));
        try (Scalpel s = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false))) {
            for (int pass = 0; pass < 2; pass++) {
                for (ConnRecord row : rows) {
                    final long[] expected = truth.framesOf(row.uid()).stream().mapToLong(f -> truth.frame(f).recordOffset())
                        .sorted().toArray();
                    final int p = pass;
                    assertArrayEquals(expected, s.select(List.of(row)).offsets(0), () -> "pass " + p + ": " + row.uid());
                }
            }
        }
    }

    @Test
    void shouldKeepAtMostMaxOpenReadersAndNeverShareABusyOne() throws IOException {
        build();
        final List<IndexPart> parts = new ArrayList<>();
        for (IndexManifest.Part part : manifest.parts()) {
            parts.add(new IndexPart(index.resolve(IndexSchema.PACKETS_DIR).resolve(part.file()), part.packetsFile(), "rebuild"));
            parts.add(new IndexPart(index.resolve(IndexSchema.FLOWS_DIR).resolve(part.file()), part.flowsFile(), "rebuild"));
        }
        try (PartReaders readers = new PartReaders()) {
            final PartReaders.Lease first = readers.acquire(parts.get(0), null);
            final PartReaders.Lease twin = readers.acquire(parts.get(0), null);
            assertNotSame(first.reader, twin.reader, "a busy reader is not handed out again");
            assertFalse(readers.isKept(twin), "the twin is closed after its read");
            readers.release(twin, false);
            readers.release(first, false);
            assertSame(first.reader, reacquire(readers, parts.get(0)).reader, "an idle kept reader is reused");
            for (IndexPart part : parts) {
                readers.release(readers.acquire(part, null), false);
                readers.release(readers.acquire(part, FlowRows.JOIN_COLUMNS), false);
                readers.release(readers.acquire(part, FlowRows.KEY_COLUMNS), false);
            }
            assertTrue(parts.size() * 3 > PartReaders.MAX_OPEN, "more readers asked for than kept");
            assertEquals(PartReaders.MAX_OPEN, readers.kept());
            final PartReaders.Lease failing = readers.acquire(parts.get(parts.size() - 1), FlowRows.JOIN_COLUMNS);
            readers.release(failing, true);
            assertEquals(PartReaders.MAX_OPEN - 1, readers.kept(), "a failed read's reader is closed and forgotten");
        }
    }

    @Test
    void shouldOpenNoReaderForAQueryExpressionAskedAgain() throws IOException {
        build(1024); // fewer row groups than a reader caches the indexes of
        assertTrue(manifest.resume().nextChunk() / 2 < PartReaders.MAX_ROW_GROUPS);
        assertEquals(2, manifest.parts().size(), "two parts of each table, as an index of one scan has");
        final SliceRequest request = SliceRequest.builder().query("tcp or udp").write(dir.resolve("q.pcap")).build();
        try (CaptureFile file = CaptureFile.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false))) {
            final long frames = Slices.run(file, request, SliceListener.QUIET).packets();
            final long opened = file.scalpel().index().readersOpened();
            // the flows' two parts with two projections each (the packets' rows are read through the lookup file)
            assertTrue(opened >= 4 && opened <= PartReaders.MAX_OPEN, opened + " readers");

            assertEquals(frames, Slices.run(file, request, SliceListener.QUIET).packets());

            assertEquals(opened, file.scalpel().index().readersOpened(), "the readers of the first query are kept for the second");
        }
    }

    @Test
    void shouldReadEachDictionaryOnceForAQueryAskedAgainUntilItsPartChanges() throws IOException {
        build(1024);
        final ConnRecord row = ConnLogs.readStrictly(dir.resolve("conn.log")).stream()
            .filter(r -> r.ipVersion() == 4 && r.respPort() > 0).findFirst().orElseThrow();
        final String host = io.scalpel.decode.Addresses.format(4, row.respHi(), row.respLo());
        final SliceRequest request = SliceRequest.builder().query("host " + host + " and port " + row.respPort())
            .write(dir.resolve("q.pcap")).build();
        try (CaptureFile file = CaptureFile.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false))) {
            final PacketIndex opened = file.scalpel().index();
            assertTrue(Slices.run(file, request, SliceListener.QUIET).packets() > 0, "frames of " + host);
            final byte[] first = Files.readAllBytes(dir.resolve("q.pcap")); // what the files' dictionaries give
            final long read = opened.dictionariesRead();
            assertTrue(read > 0, "the host's dictionaries are read");

            Slices.run(file, request, SliceListener.QUIET);
            assertArrayEquals(first, Files.readAllBytes(dir.resolve("q.pcap")), "the kept dictionaries give the same frames");
            assertEquals(read, opened.dictionariesRead(), "the second query reads no dictionary page of the files");

            for (IndexManifest.Part part : manifest.parts()) { // the flows parts rewritten as they were: other files now
                final Path flows = index.resolve(IndexSchema.FLOWS_DIR).resolve(part.file());
                final byte[] bytes = Files.readAllBytes(flows);
                Files.delete(flows);
                Files.write(flows, bytes);
                Files.setLastModifiedTime(flows, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
            }
            Slices.run(file, request, SliceListener.QUIET);
            assertArrayEquals(first, Files.readAllBytes(dir.resolve("q.pcap")));
            assertEquals(2 * read, opened.dictionariesRead(), "a changed part's dictionaries are read again, not answered from what was kept");
        }
    }

    private static PartReaders.Lease reacquire(final PartReaders readers, final IndexPart part) throws IOException {
        final PartReaders.Lease l = readers.acquire(part, null);
        readers.release(l, false);
        return l;
    }

    @Test
    void shouldRefuseAPageDamagedAfterItsPartWasReadThroughAKeptReader() throws IOException {
        build();
        final IndexManifest.Part part = manifest.parts().get(0);
        final Path file = index.resolve(IndexSchema.PACKETS_DIR).resolve(part.file());
        try (PacketIndex opened = PacketIndex.open(capture, index)) {
            opened.scan(Long.MIN_VALUE, Long.MAX_VALUE, (ts, offset, chunk, flow, dgramTs) -> { });
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                final long at = part.packetsFile().footerOffset() / 2; // inside the pages
                f.seek(at);
                final int b = f.read();
                f.seek(at);
                f.write(b ^ 0x5A);
            }
            final IndexException e = assertThrows(IndexException.class,
                () -> opened.scan(Long.MIN_VALUE, Long.MAX_VALUE, (ts, offset, chunk, flow, dgramTs) -> { }));
            assertEquals(IndexException.Kind.CORRUPT, e.kind());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
    }

    @Test
    void shouldReadNothingThroughNoneThatItKeeps() throws IOException {
        build();
        final IndexManifest.Part part = manifest.parts().get(0);
        final IndexPart packets = new IndexPart(index.resolve(IndexSchema.PACKETS_DIR).resolve(part.file()), part.packetsFile(), "rebuild");
        final long[] rows = {0};
        PacketRows.scan(PartReaders.NONE, List.of(packets), null, FilterCompat.NOOP, PacketRows.RowTest.ALL,
            (ts, offset, chunk, flow, dgramTs) -> rows[0]++);
        assertEquals(part.packets(), rows[0]);
        assertEquals(0, PartReaders.NONE.kept());
    }
}
