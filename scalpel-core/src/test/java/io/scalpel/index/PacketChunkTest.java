package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The chunk's arrays: full leaves room for one more frame's rows, rows copied for a fragment's
 * inner keys repeat the frame's columns with no flow, and a burst of them beyond the chunk's size
 * grows the arrays and is handed to the writer whole.
 */
class PacketChunkTest {
    private static final int CAPACITY = 2 * PacketChunk.MAX_ROWS_PER_FRAME;

    @Test
    void shouldCopyRowsOfAFrameAndGrowPastItsSizeForABurst() {
        final PacketChunk chunk = new PacketChunk(CAPACITY);
        for (int i = 0; i < CAPACITY - PacketChunk.MAX_ROWS_PER_FRAME; i++) {
            assertEquals(i, chunk.add(1000 + i, 24 + 100L * i, 0, i));
        }
        assertFalse(chunk.full(), "room for the rows of one more frame");
        chunk.add(2000, 9000, 0, 7);
        assertTrue(chunk.full());

        // Fragments that came before their datagram's first one: a row each for two inner keys.
        final int before = chunk.size;
        for (int row = 0; row < before; row++) {
            final long copy = chunk.copyRow(row);
            chunk.copyRow(row);
            assertEquals(before + 2L * row, copy, "the copies of a row are consecutive");
        }
        assertEquals(3 * before, chunk.size);
        assertEquals(CAPACITY, chunk.capacity(), "the chunk's size stays what it was made for");
        for (int row = 0; row < before; row++) {
            for (int k = 0; k < 2; k++) {
                final int copy = before + 2 * row + k;
                assertEquals(chunk.ts[row], chunk.ts[copy]);
                assertEquals(chunk.offset[row], chunk.offset[copy]);
                assertEquals(IndexBuilder.NO_FLOW, chunk.flow[copy]);
                assertEquals(PacketChunk.NO_DGRAM_TS, chunk.dgramTs[copy]);
            }
        }

        final PacketChunk batch = new PacketChunk(CAPACITY);
        chunk.copyPrefixTo(batch, chunk.size);
        assertEquals(chunk.size, batch.size);
        assertEquals(chunk.offset[chunk.size - 1], batch.offset[batch.size - 1]);
        assertEquals(9000, batch.offset[before - 1]);
        chunk.discardPrefix(chunk.size);
        assertEquals(0, chunk.size);
        assertEquals(3L * before, chunk.baseRow);
        assertFalse(chunk.full());
    }
}
