package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The writer threads open their parts while the scan starts and close them behind their last
 * batches: a part that cannot be opened fails the build where the scan hands rows over or waits
 * for the writers, with the file system's own exception, and the pipeline still shuts down; the
 * parts written are complete Parquet files, each written by its own thread, or both by the one
 * writer thread of a build told to use one. A build asked for another number of writer threads is
 * refused.
 */
class PartPipelineTest {
    private static final int CHUNK_ROWS = 64;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} writer thread(s)")
    @ValueSource(ints = {0, 1, 2})
    void shouldFailTheBuildWhenAWriterCannotOpenItsPart(final int writerThreads) throws IOException {
        // no packets/ and flows/ directories: the writer threads cannot create their files
        final PartPipeline pipeline = new PartPipeline(dir, 0, 0, CHUNK_ROWS, TimestampUnit.NANOS, writerThreads);
        final PacketChunk chunk = rowsWithoutFlow(10);
        final NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> {
            pipeline.emit(chunk, chunk.size, pipeline.firstFlowTable());
            pipeline.emit(chunk, 0, pipeline.firstFlowTable());
            pipeline.finish();
        });
        assertTrue(e.getMessage().contains(dir.resolve(IndexSchema.PACKETS_DIR).toString()), e.getMessage());
        pipeline.drainAndClose(); // the scan's exception is the one reported: shutting down adds none
        pipeline.close();
    }

    @ParameterizedTest(name = "{0} writer thread(s)")
    @ValueSource(ints = {0, 1, 2})
    void shouldCloseBothPartsBehindTheirBatches(final int writerThreads) throws IOException {
        Files.createDirectories(dir.resolve(IndexSchema.PACKETS_DIR));
        Files.createDirectories(dir.resolve(IndexSchema.FLOWS_DIR));
        final PartPipeline pipeline = new PartPipeline(dir, 0, 0, CHUNK_ROWS, TimestampUnit.NANOS, writerThreads);
        final FlowKey key = new FlowKey();
        key.setIpv4(0x0A000001, 0x0A000002, FlowKey.PROTO_UDP);
        key.setPorts(5353, 53);
        FlowAccumulator table = pipeline.firstFlowTable();
        for (int k = 0; k < 5; k++) {
            final PacketChunk chunk = rowsWithoutFlow(CHUNK_ROWS / 2);
            table.add(key.flowHash(), key, DecodedPacket.NO_VLAN, DecodedPacket.NO_VLAN, 0, 1, 1, 100, false);
            table = pipeline.emit(chunk, chunk.size, table);
        }
        pipeline.finish();
        pipeline.drainAndClose();
        try (IndexDirectory.Staging staging = IndexDirectory.stage(dir.resolve("unused.idx"))) {
            final List<IndexManifest.Part> parts = new ArrayList<>();
            assertEquals(2, pipeline.commit(staging, parts, 0));
            assertEquals(2, parts.size());
            assertEquals(3 * CHUNK_ROWS / 2, parts.get(0).packets(), "flushes 0, 2 and 4 on writer 0");
            assertEquals(2 * CHUNK_ROWS / 2, parts.get(1).packets(), "flushes 1 and 3 on writer 1");
            assertEquals(3, parts.get(0).flows());
            for (IndexManifest.Part p : parts) {
                // a closed Parquet file ends in its footer's length and the magic
                final byte[] packets = Files.readAllBytes(dir.resolve(IndexSchema.PACKETS_DIR).resolve(p.file()));
                assertEquals("PAR1", new String(packets, packets.length - 4, 4, java.nio.charset.StandardCharsets.US_ASCII));
                assertEquals(packets.length, p.packetsFile().size());
            }
        }
        assertFalse(Files.exists(dir.resolve(IndexSchema.PACKETS_DIR).resolve(IndexSchema.partFile(2))), "no open tail");
    }

    @ParameterizedTest(name = "{0} writer thread(s)")
    @ValueSource(ints = {0, 1, 2})
    void shouldWriteOnTheScanThreadWithoutWriterThreads(final int writerThreads) throws IOException {
        Files.createDirectories(dir.resolve(IndexSchema.PACKETS_DIR));
        Files.createDirectories(dir.resolve(IndexSchema.FLOWS_DIR));
        final List<Thread> before = writerThreads();
        final PartPipeline pipeline = new PartPipeline(dir, 0, 0, CHUNK_ROWS, TimestampUnit.NANOS, writerThreads);
        try {
            final PacketChunk chunk = rowsWithoutFlow(CHUNK_ROWS / 2);
            pipeline.emit(chunk, chunk.size, pipeline.firstFlowTable());
            // a writer thread lives from the pipeline's first task to its shutdown
            final List<Thread> started = writerThreads();
            started.removeAll(before);
            assertEquals(writerThreads, started.size(), () -> "writer threads running: " + started);
            pipeline.finish();
        } finally {
            pipeline.drainAndClose();
        }
        try (IndexDirectory.Staging staging = IndexDirectory.stage(dir.resolve("unused.idx"))) {
            final List<IndexManifest.Part> parts = new ArrayList<>();
            pipeline.commit(staging, parts, 0);
            assertEquals(CHUNK_ROWS / 2, parts.get(0).packets());
        }
    }

    /** The live threads named as the pipeline's writer threads. */
    private static List<Thread> writerThreads() {
        final List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("scalpel-index-writer-") && t.isAlive()) {
                found.add(t);
            }
        }
        return found;
    }

    @ParameterizedTest
    @ValueSource(ints = {3, -1})
    void shouldRefuseAnotherNumberOfWriterThreads(final int writerThreads) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new PartPipeline(dir, 0, 0, CHUNK_ROWS, TimestampUnit.NANOS, writerThreads));
        assertEquals("an index build writes with 0, 1 or 2 writer threads, not " + writerThreads, e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IndexBuilder(dir.resolve("c.pcap"), dir.resolve("i")).writerThreads(writerThreads));
    }

    /** {@code n} rows of frames of no flow, 100 bytes apart. */
    private static PacketChunk rowsWithoutFlow(final int n) {
        final PacketChunk chunk = new PacketChunk(CHUNK_ROWS);
        for (int i = 0; i < n; i++) {
            chunk.add(1_000L * i, 24 + 100L * i, 0, IndexBuilder.NO_FLOW);
        }
        return chunk;
    }
}
