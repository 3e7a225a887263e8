package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The write order of a batch of packet rows: by chunk, then flow group (flow numbers divided by
 * 256, rows without a flow first), then capture order. The expected order is computed with a
 * comparison sort of the rows, independently of the two counting sorts under test.
 */
class PacketOrderTest {
    private static int[] expected(final PacketChunk b) {
        return IntStream.range(0, b.size).boxed()
            .sorted(Comparator.<Integer>comparingInt(i -> b.chunk[i])
                .thenComparingInt(i -> Math.floorDiv(b.flow[i], 1 << PacketOrder.GROUP_SHIFT))
                .thenComparingInt(i -> i))
            .mapToInt(Integer::intValue).toArray();
    }

    @Test
    void shouldGroupRowsByChunkAndFlowGroupKeepingCaptureOrderWithin() {
        final Random rnd = new Random(42);
        final PacketChunk b = new PacketChunk(20_000);
        for (int i = 0; i < 20_000; i++) {
            // Mostly the batch's own chunk 7; some rows carried over from chunk 6; some without a flow.
            final int chunk = rnd.nextInt(10) == 0 ? 6 : 7;
            final int flow = rnd.nextInt(20) == 0 ? IndexBuilder.NO_FLOW : rnd.nextInt(3000);
            b.add(1_000_000L + i, 24 + 100L * i, chunk, flow);
        }
        assertArrayEquals(expected(b), PacketOrder.of(b));
    }

    @Test
    void shouldHandleSparseChunkNumbersAndTinyBatches() {
        final PacketChunk b = new PacketChunk(8);
        b.add(1, 100, 2_000_000_000, 5);
        b.add(2, 200, 3, 1700);
        b.add(3, 300, 2_000_000_000, IndexBuilder.NO_FLOW);
        b.add(4, 400, 3, 1);
        assertArrayEquals(new int[] {3, 1, 2, 0}, PacketOrder.of(b));
        final PacketChunk one = new PacketChunk(8);
        one.add(1, 100, 0, 0);
        assertArrayEquals(new int[] {0}, PacketOrder.of(one));
    }
}
