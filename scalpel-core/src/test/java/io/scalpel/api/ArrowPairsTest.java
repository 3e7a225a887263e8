package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Conn rows paired with their packets as Arrow batches, judged by the generator's ground truth:
 * each uid's frames (record offset, timestamp, lengths, link type) and the frame bytes cut out of
 * the capture file by the test's own reading of the record layout.
 */
class ArrowPairsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_LE", "PCAP_NSEC_BE", "PCAPNG_LE", "PCAPNG_MIXED_ENDIAN"})
    void shouldStreamEveryConnRowWithEachOfItsPacketsInBoundedBatches(final CaptureFileFormat format) throws IOException {
        final Path capture = dir.resolve("cap." + format.extension());
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(format.ordinal() + 4242).withFormat(format)
            .withConnections(40), capture, dir.resolve("conn.log"));
        final List<ConnRecord> rows = ConnLogs.readStrictly(dir.resolve("conn.log"));
        final byte[] file = Files.readAllBytes(capture);
        final int maxRows = 7;
        final long maxFrameBytes = 2000;
        final List<String> got = new ArrayList<>();
        final long delivered;
        final long peak;
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")));
             BufferAllocator allocator = new RootAllocator()) {
            final long[][] offsets = scalpel.select(rows).offsets();
            delivered = ArrowPairs.stream(scalpel, rows, offsets, allocator, maxRows, maxFrameBytes, batch -> {
                assertTrue(batch.getRowCount() >= 1 && batch.getRowCount() <= maxRows, "rows in a batch: " + batch.getRowCount());
                final VarBinaryVector frames = (VarBinaryVector) batch.getVector(ArrowPairs.FRAME);
                long bytes = 0;
                for (int r = 0; r < batch.getRowCount(); r++) {
                    bytes += frames.get(r).length;
                }
                assertTrue(batch.getRowCount() == 1 || bytes <= maxFrameBytes, "frame bytes in a batch of several rows: " + bytes);
                got.addAll(describe(batch));
            });
            peak = allocator.getPeakMemoryAllocation();
        }
        final List<String> expected = expected(truth, rows, file, format);
        assertEquals(expected.size(), delivered, "rows delivered");
        assertSamePairs(expected, got);
        assertTrue(expected.size() > 5 * maxRows, "several batches: " + expected.size() + " rows");
        // The vectors' first allocation (Arrow's default of 3970 values each) is never outgrown by
        // batches of 7 rows: the peak does not depend on the number of pairs.
        assertTrue(peak <= 1024 * 1024, "direct memory peak " + peak + " bytes");
    }

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_LE", "PCAPNG_BE"})
    void shouldWriteTheSamePairsAsAnArrowIpcFile(final CaptureFileFormat format) throws IOException {
        final Path capture = dir.resolve("cap." + format.extension());
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(format.ordinal() + 77).withFormat(format),
            capture, dir.resolve("conn.log"));
        final List<ConnRecord> rows = ConnLogs.readStrictly(dir.resolve("conn.log"));
        final Path out = dir.resolve("pairs.arrow");
        final long written;
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            written = scalpel.writePairs(rows, out);
        }
        final List<String> got = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ArrowFileReader reader = new ArrowFileReader(new SeekableReadChannel(Files.newByteChannel(out)), allocator)) {
            assertEquals(ArrowPairs.schema(), reader.getVectorSchemaRoot().getSchema());
            while (reader.loadNextBatch()) {
                got.addAll(describe(reader.getVectorSchemaRoot()));
            }
        }
        final List<String> expected = expected(truth, rows, Files.readAllBytes(capture), format);
        assertEquals(expected.size(), written);
        assertSamePairs(expected, got);
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains(".tmp-")).toList(), "no temporary file left");
        }
    }

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_BE", "PCAPNG_MIXED_ENDIAN"})
    void shouldWriteManySmallBatchesThatArrowReadsBackInOrder(final CaptureFileFormat format) throws IOException {
        final Path capture = dir.resolve("cap." + format.extension());
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(format.ordinal() + 99).withFormat(format),
            capture, dir.resolve("conn.log"));
        final List<ConnRecord> rows = ConnLogs.readStrictly(dir.resolve("conn.log"));
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            ArrowPairs.write(scalpel, rows, scalpel.select(rows).offsets(), out, 5, 700);
        }
        final List<String> got = new ArrayList<>();
        int batches = 0;
        try (BufferAllocator allocator = new RootAllocator();
             ArrowFileReader reader = new ArrowFileReader(new SeekableReadChannel(
                 new org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel(out.toByteArray())), allocator)) {
            while (reader.loadNextBatch()) {
                assertTrue(reader.getVectorSchemaRoot().getRowCount() <= 5);
                got.addAll(describe(reader.getVectorSchemaRoot()));
                batches++;
            }
        }
        final List<String> expected = expected(truth, rows, Files.readAllBytes(capture), format);
        assertSamePairs(expected, got);
        assertTrue(batches >= expected.size() / 5, batches + " batches for " + expected.size() + " rows");
    }

    /** Equal lists of pairs, or the first pair that differs. */
    static void assertSamePairs(final List<String> expected, final List<String> got) {
        for (int i = 0; i < Math.min(expected.size(), got.size()); i++) {
            assertEquals(expected.get(i), got.get(i), "pair " + i);
        }
        assertEquals(expected.size(), got.size(), "pairs");
    }

    /** One line per pair from the truth: the conn row's logged columns, then the frame's. */
    static List<String> expected(final Generated truth, final List<ConnRecord> rows, final byte[] file, final CaptureFileFormat format) {
        final List<String> lines = new ArrayList<>();
        for (ConnRecord row : rows) {
            final TruthConn c = truth.conn(row.uid());
            for (int number : truth.framesOf(row.uid())) {
                final TruthFrame f = truth.frame(number);
                final int data = (int) f.recordOffset() + dataOffset(f, format);
                lines.add(line(c.uid(), micros(c.tsNanos()), c.origH(), c.origP(), c.respH(), c.respP(), c.proto(),
                    micros(c.durationNanos()), f.hasTimestamp() ? f.tsNanos() : null, f.capturedLength(), f.originalLength(),
                    f.linkType(), f.recordOffset(), Arrays.copyOfRange(file, data, data + f.capturedLength())));
            }
        }
        return lines;
    }

    /** Nanoseconds rounded to the microseconds the conn.log prints (%.6f). */
    private static long micros(final long nanos) {
        return (nanos + 500) / 1000;
    }

    /** Where a frame's bytes start in its record: after the pcap record header or the pcapng block's fixed fields. */
    private static int dataOffset(final TruthFrame f, final CaptureFileFormat format) {
        if (!format.isPcapng()) {
            return 16; // ts_sec, ts_frac, incl_len, orig_len
        }
        return switch (f.recordType()) {
            case "EPB" -> 28; // type, length, interface, ts high, ts low, captured, original
            case "OPB" -> 28; // type, length, interface(16) drops(16), ts high, ts low, captured, original
            case "SPB" -> 12; // type, length, original
            default -> throw new AssertionError(f.recordType());
        };
    }

    /** One line per row of a batch, in the form of {@link #expected}; conn times in µs as the log prints them. */
    static List<String> describe(final VectorSchemaRoot batch) {
        final VarCharVector uid = (VarCharVector) batch.getVector(ArrowPairs.UID);
        final TimeStampNanoTZVector ts = (TimeStampNanoTZVector) batch.getVector(ArrowPairs.TS);
        final VarCharVector origH = (VarCharVector) batch.getVector(ArrowPairs.ORIG_H);
        final IntVector origP = (IntVector) batch.getVector(ArrowPairs.ORIG_P);
        final VarCharVector respH = (VarCharVector) batch.getVector(ArrowPairs.RESP_H);
        final IntVector respP = (IntVector) batch.getVector(ArrowPairs.RESP_P);
        final VarCharVector proto = (VarCharVector) batch.getVector(ArrowPairs.PROTO);
        final DurationVector duration = (DurationVector) batch.getVector(ArrowPairs.DURATION);
        final TimeStampNanoTZVector packetTs = (TimeStampNanoTZVector) batch.getVector(ArrowPairs.PACKET_TS);
        final IntVector caplen = (IntVector) batch.getVector(ArrowPairs.CAPLEN);
        final IntVector wirelen = (IntVector) batch.getVector(ArrowPairs.WIRELEN);
        final IntVector linktype = (IntVector) batch.getVector(ArrowPairs.LINKTYPE);
        final BigIntVector offset = (BigIntVector) batch.getVector(ArrowPairs.RECORD_OFFSET);
        final VarBinaryVector frame = (VarBinaryVector) batch.getVector(ArrowPairs.FRAME);
        final List<String> lines = new ArrayList<>();
        for (int r = 0; r < batch.getRowCount(); r++) {
            lines.add(line(uid.getObject(r).toString(), ts.get(r) / 1000, origH.getObject(r).toString(), origP.get(r),
                respH.getObject(r).toString(), respP.get(r), proto.getObject(r).toString(),
                DurationVector.get(duration.getDataBuffer(), r) / 1000, packetTs.isNull(r) ? null : packetTs.get(r),
                caplen.get(r), wirelen.get(r), linktype.get(r), offset.get(r), frame.get(r)));
        }
        return lines;
    }

    private static String line(final String uid, final long tsMicros, final String origH, final int origP, final String respH,
                               final int respP, final String proto, final long durationMicros, final Long packetTs, final int caplen,
                               final int wirelen, final int linktype, final long offset, final byte[] frame) {
        return uid + " ts=" + tsMicros + " " + origH + ":" + origP + " > " + respH + ":" + respP + " " + proto + " dur=" + durationMicros
            + " | @" + offset + " pts=" + packetTs + " caplen=" + caplen + " len=" + wirelen + " lt=" + linktype + " "
            + HexFormat.of().formatHex(frame);
    }
}
