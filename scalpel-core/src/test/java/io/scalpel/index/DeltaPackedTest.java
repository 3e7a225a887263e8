package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.column.values.delta.DeltaBinaryPackingValuesWriterForInteger;
import org.apache.parquet.column.values.delta.DeltaBinaryPackingValuesWriterForLong;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.apache.parquet.io.ParquetDecodingException;
import org.junit.jupiter.api.Test;

/**
 * The page decoders a query uses instead of parquet-java's readers ({@link DeltaPacked},
 * {@link BitPacked#hybrid}), against parquet-java's own writers of the encodings: every value
 * written comes back, for runs of equal deltas (miniblocks of bit width 0, whose packer writes
 * nothing), small and wrapping deltas, page lengths around the block and group sizes, and a page
 * cut short is refused.
 */
class DeltaPackedTest {
    private static final int[] LENGTHS = {0, 1, 2, 7, 8, 9, 31, 32, 33, 127, 128, 129, 255, 256, 1000, 1024, 4096};

    private static long[] values(final Random rnd, final int n, final int shape) {
        final long[] v = new long[n];
        long x = rnd.nextLong();
        for (int i = 0; i < n; i++) {
            switch (shape) {
                case 0 -> x += 0; // constant: every miniblock of width 0
                case 1 -> x += 1_000; // even steps: width 0 after the minimum delta
                case 2 -> x += rnd.nextInt(64); // small steps, as ts and offset within a flow group
                case 3 -> x = rnd.nextLong(); // anything: deltas wrap
                case 4 -> x = i % 300 < 200 ? x + 3 : rnd.nextInt(1 << 20); // runs of even steps among jumps
                default -> x = i % 2 == 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            v[i] = x;
        }
        return v;
    }

    /**
     * Every bit width, a group of eight values packed by parquet-java's own packer, unpacked where the
     * group lies far from the array's end (each value one eight-byte read, the bytes after the group
     * arbitrary) and where it ends the array or nearly (read byte by byte, past the end as zeros).
     */
    @Test
    void shouldUnpackEveryWidthAsParquetsPackerPacksWhereverTheGroupLies() {
        final Random rnd = new Random(10);
        for (int width = 0; width <= 64; width++) {
            for (int round = 0; round < 40; round++) {
                final long[] v = new long[8];
                for (int j = 0; j < 8; j++) {
                    v[j] = width == 64 ? rnd.nextLong() : rnd.nextLong() & (1L << width) - 1;
                }
                final int before = rnd.nextInt(5);
                final int after = round % 12; // 0 to 11 bytes after the group: both ways of reading it
                final byte[] bytes = new byte[before + width + after];
                rnd.nextBytes(bytes);
                Packer.LITTLE_ENDIAN.newBytePackerForLong(width).pack8Values(v, 0, bytes, before);
                final long[] out = new long[8];
                BitPacked.unpack8(bytes, before, width, out);
                assertArrayEquals(v, out, "width " + width + ", " + after + " bytes after the group");
                final int kept = width - width / 3; // the group cut short: its last third of bytes missing
                BitPacked.unpack8(Arrays.copyOf(bytes, before + kept), before, width, out);
                for (int j = 0; j < 8; j++) { // zero-padded: a value wholly before the cut is kept
                    if ((j + 1) * width <= kept * 8) {
                        assertEquals(v[j], out[j], "width " + width + ", value " + j + " of a group cut to " + kept + " bytes");
                    } else if (j * width >= kept * 8) {
                        assertEquals(0, out[j], "width " + width + ", value " + j + " past the cut");
                    }
                }
            }
        }
    }

    @Test
    void shouldDecodeWhatParquetWritesForLongs() throws IOException {
        final Random rnd = new Random(8);
        for (int shape = 0; shape < 6; shape++) {
            for (int n : LENGTHS) {
                final long[] v = values(rnd, n, shape);
                final DeltaBinaryPackingValuesWriterForLong w = new DeltaBinaryPackingValuesWriterForLong(128, 4, 64, 64,
                    new HeapByteBufferAllocator());
                for (long x : v) {
                    w.writeLong(x);
                }
                final long[] out = new long[n];
                DeltaPacked.decode(w.getBytes().toByteArray(), n, out);
                assertArrayEquals(v, out, "shape " + shape + ", " + n + " values");
            }
        }
    }

    @Test
    void shouldDecodeWhatParquetWritesForInts() throws IOException {
        final Random rnd = new Random(9);
        for (int shape = 0; shape < 6; shape++) {
            for (int n : LENGTHS) {
                final long[] v = values(rnd, n, shape);
                final int[] ints = new int[n];
                final DeltaBinaryPackingValuesWriterForInteger w = new DeltaBinaryPackingValuesWriterForInteger(128, 4, 64, 64,
                    new HeapByteBufferAllocator());
                for (int i = 0; i < n; i++) {
                    ints[i] = shape == 2 ? i % 1024 - 1 : (int) v[i]; // flow numbers of a group, -1 among them
                    w.writeInteger(ints[i]);
                }
                final long[] out = new long[n];
                DeltaPacked.decode(w.getBytes().toByteArray(), n, out);
                final int[] narrowed = Arrays.stream(out).mapToInt(x -> (int) x).toArray();
                assertArrayEquals(ints, narrowed, "shape " + shape + ", " + n + " values");
            }
        }
    }

    @Test
    void shouldRefuseAPageCutShortOrOfAnotherCount() throws IOException {
        final long[] v = values(new Random(10), 1000, 3);
        final DeltaBinaryPackingValuesWriterForLong w = new DeltaBinaryPackingValuesWriterForLong(128, 4, 64, 64, new HeapByteBufferAllocator());
        for (long x : v) {
            w.writeLong(x);
        }
        final byte[] page = w.getBytes().toByteArray();
        assertThrows(ParquetDecodingException.class, () -> DeltaPacked.decode(Arrays.copyOf(page, page.length / 2), 1000, new long[1000]));
        assertThrows(ParquetDecodingException.class, () -> DeltaPacked.decode(page, 999, new long[1000]));
    }

    @Test
    void shouldRefuseHybridValuesCutShortOrOfAWidthBeyond32() throws IOException {
        final RunLengthBitPackingHybridEncoder e = new RunLengthBitPackingHybridEncoder(7, 64, 64 * 1024, new HeapByteBufferAllocator());
        final Random rnd = new Random(12);
        for (int i = 0; i < 1000; i++) {
            e.writeInt(rnd.nextInt(128));
        }
        final byte[] bytes = e.toBytes().toByteArray();
        final ParquetDecodingException cut = assertThrows(ParquetDecodingException.class,
            () -> BitPacked.hybrid(Arrays.copyOf(bytes, bytes.length / 2), 0, 7, 1000, new int[1000]));
        org.junit.jupiter.api.Assertions.assertTrue(cut.getMessage().contains("past the end") || cut.getMessage().contains("end after"),
            cut.getMessage());
        assertThrows(ParquetDecodingException.class, () -> BitPacked.hybrid(bytes, 0, 33, 1000, new int[1000]));
    }

    @Test
    void shouldDecodeWhatParquetWritesInTheHybridEncoding() throws IOException {
        final Random rnd = new Random(11);
        for (int width = 0; width <= 20; width++) {
            for (int n : LENGTHS) {
                final int[] v = new int[n];
                final int bound = width == 0 ? 1 : 1 << Math.min(width, 30);
                int run = 0;
                int x = 0;
                for (int i = 0; i < n; i++) {
                    if (run-- <= 0) {
                        x = rnd.nextInt(bound);
                        run = rnd.nextBoolean() ? rnd.nextInt(40) : 0; // runs (RLE) among random values (bit-packed)
                    }
                    v[i] = x;
                }
                final RunLengthBitPackingHybridEncoder e = new RunLengthBitPackingHybridEncoder(width, 64, 64 * 1024, new HeapByteBufferAllocator());
                for (int i : v) {
                    e.writeInt(i);
                }
                final byte[] bytes = e.toBytes().toByteArray();
                final int[] out = new int[n];
                Arrays.fill(out, 12345);
                BitPacked.hybrid(bytes, 0, width, n, out);
                assertArrayEquals(v, out, "width " + width + ", " + n + " values");
            }
        }
    }
}
