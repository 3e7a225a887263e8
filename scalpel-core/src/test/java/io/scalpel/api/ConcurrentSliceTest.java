package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.capture.Frame;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One {@link Scalpel} serves slices from several threads at once: every uid sliced by 8 threads
 * together (each through all uids, in its own shuffled order) gives files byte-identical to
 * slicing them one after the other, and visiting packets concurrently gives the same frames.
 */
class ConcurrentSliceTest {
    private static final int THREADS = 8;
    private static final int CONNECTIONS = 60;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_LE", "PCAPNG_MIXED_ENDIAN"})
    void shouldWriteByteIdenticalSlicesFromEightThreadsAtOnce(final CaptureFileFormat format) throws Exception {
        final Path capture = dir.resolve("cap." + format.extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(9100 + format.ordinal())
            .withFormat(format).withConnections(CONNECTIONS), capture, conn);
        final List<ConnRecord> rows = readConnLog(conn);

        try (Scalpel scalpel = Scalpel.open(capture)) {
            final Path sequential = Files.createDirectory(dir.resolve("sequential"));
            final Map<String, byte[]> expected = new HashMap<>();
            for (ConnRecord row : rows) {
                final Path out = sequential.resolve(row.uid() + "." + format.extension());
                final long frames = scalpel.write(scalpel.select(List.of(row)).union(), null, out, w -> { });
                assertEquals(truth.framesOf(row.uid()).size(), frames, row.uid() + ": frames");
                expected.put(row.uid(), Files.readAllBytes(out));
            }

            final List<Path> written = inThreads(thread -> {
                final Path mine = Files.createDirectory(dir.resolve("thread-" + thread));
                final List<Path> files = new ArrayList<>();
                for (ConnRecord row : shuffled(rows, thread)) {
                    final Path out = mine.resolve(row.uid() + "." + format.extension());
                    scalpel.write(scalpel.select(List.of(row)).union(), null, out, w -> { });
                    files.add(out);
                }
                return files;
            });

            assertEquals(THREADS * rows.size(), written.size());
            for (Path file : written) {
                final String uid = file.getFileName().toString().replaceFirst("\\.pcap(ng)?$", "");
                assertArrayEquals(expected.get(uid), Files.readAllBytes(file), file + " vs the sequential slice");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_NSEC_BE", "PCAPNG_MIXED_ENDIAN"})
    void shouldVisitTheSameFramesFromEightThreadsAtOnce(final CaptureFileFormat format) throws Exception {
        final Path capture = dir.resolve("cap." + format.extension());
        final Path conn = dir.resolve("conn.log");
        CaptureGenerator.generate(GeneratorSpec.everything(9200 + format.ordinal()).withFormat(format)
            .withConnections(CONNECTIONS), capture, conn);
        final List<ConnRecord> rows = readConnLog(conn);

        try (Scalpel scalpel = Scalpel.open(capture)) {
            final Map<String, List<String>> expected = new HashMap<>();
            for (ConnRecord row : rows) {
                expected.put(row.uid(), visit(scalpel, row));
            }

            final List<Map.Entry<String, List<String>>> seen = inThreads(thread -> {
                final List<Map.Entry<String, List<String>>> mine = new ArrayList<>();
                for (ConnRecord row : shuffled(rows, thread)) {
                    mine.add(Map.entry(row.uid(), visit(scalpel, row)));
                }
                return mine;
            });

            assertEquals(THREADS * rows.size(), seen.size());
            for (Map.Entry<String, List<String>> e : seen) {
                assertEquals(expected.get(e.getKey()), e.getValue(), e.getKey() + ": frames visited concurrently");
            }
        }
    }

    /** Each frame of the connection as text: where it is, its timestamp, lengths, link type and bytes. */
    private static List<String> visit(final Scalpel scalpel, final ConnRecord row) throws IOException {
        final List<String> frames = new ArrayList<>();
        scalpel.forEachPacket(row, (Frame f) -> {
            final byte[] data = new byte[f.capturedLength()];
            f.buffer().get(f.dataOffset(), data);
            frames.add(f.recordOffset() + " " + f.timestampNanos() + " " + f.capturedLength() + "/" + f.originalLength()
                + " lt" + f.linkType() + " " + java.util.HexFormat.of().formatHex(data));
        });
        return frames;
    }

    /** Runs {@code work} on {@link #THREADS} threads released together; returns all their results. */
    private static <T> List<T> inThreads(final ThreadWork<T> work) throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final List<Future<List<T>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                final Callable<List<T>> task = () -> {
                    start.await(30, TimeUnit.SECONDS);
                    return work.run(thread);
                };
                futures.add(pool.submit(task));
            }
            final List<T> all = new ArrayList<>();
            for (Future<List<T>> f : futures) {
                all.addAll(f.get(5, TimeUnit.MINUTES));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface ThreadWork<T> {
        List<T> run(int thread) throws Exception;
    }

    private static List<ConnRecord> shuffled(final List<ConnRecord> rows, final int thread) {
        final List<ConnRecord> order = new ArrayList<>(rows);
        Collections.shuffle(order, new Random(thread));
        return order;
    }

    private static List<ConnRecord> readConnLog(final Path conn) throws IOException {
        final List<ConnRecord> rows = io.scalpel.testing.ConnLogs.readStrictly(conn);
        assertEquals(CONNECTIONS, rows.size(), "conn.log rows");
        return rows;
    }
}
