package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.apache.parquet.column.values.bloomfilter.BlockSplitBloomFilter;
import org.junit.jupiter.api.Test;

/**
 * The bloom filter test a lookup makes from one block ({@link FlowHashBloom}) against parquet-java's
 * own filter, the one the index's writer fills: the same XXH64 of every value, and for filters of
 * several sizes the same answer, from the block alone, for every value inserted (yes) and for
 * random values (mostly no, and exactly parquet-java's answer).
 */
class FlowHashBloomTest {
    @Test
    void shouldAnswerAsParquetJavasFilterFromOneBlock() throws IOException {
        final Random rnd = new Random(31);
        for (int bytes : new int[] {32, 1024, 64 * 1024}) {
            final BlockSplitBloomFilter filter = new BlockSplitBloomFilter(bytes);
            final long[] inserted = new long[Math.max(1, bytes / 64)];
            for (int i = 0; i < inserted.length; i++) {
                inserted[i] = rnd.nextInt(); // a stored flow hash: 32 bits, sign-extended
                assertEquals(filter.hash(inserted[i]), FlowHashBloom.hash(inserted[i]), () -> "XXH64 of a long");
                filter.insertHash(filter.hash(inserted[i]));
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            filter.writeTo(out);
            final byte[] bitset = out.toByteArray();
            assertEquals(bytes, bitset.length);
            for (long v : inserted) {
                final long h = FlowHashBloom.hash(v);
                assertTrue(FlowHashBloom.mightContain(bitset, FlowHashBloom.block(h, bytes) * FlowHashBloom.BLOCK_BYTES, h), () -> "inserted " + v);
            }
            int no = 0;
            for (int i = 0; i < 20_000; i++) {
                final long v = rnd.nextLong();
                final long h = FlowHashBloom.hash(v);
                final boolean mine = FlowHashBloom.mightContain(bitset, FlowHashBloom.block(h, bytes) * FlowHashBloom.BLOCK_BYTES, h);
                assertEquals(filter.findHash(filter.hash(v)), mine, () -> "value " + v + " in a filter of " + bytes + " bytes");
                no += mine ? 0 : 1;
            }
            assertTrue(no > 10_000, "most random values are not in the filter: " + no);
        }
    }
}
