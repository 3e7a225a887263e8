package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A chunk's flows are written in flow-hash order (signed, as Parquet compares INT64), flows of
 * equal hash (other VLANs or depths) in the order they were first seen: checked against the JDK's
 * stable sort of the same numbers, on tables of every size up to a few thousand flows.
 */
class FlowAccumulatorTest {
    @Test
    void shouldOrderFlowsByHashAndEqualHashesByFirstSeen() {
        final SplittableRandom random = new SplittableRandom(5);
        final FlowKey key = new FlowKey();
        key.setIpv4(0x0A000001, 0x0A000002, FlowKey.PROTO_TCP);
        key.setPorts(40000, 443);
        for (int flows : new int[] {0, 1, 2, 3, 7, 64, 65, 1000, 4099}) {
            final FlowAccumulator table = new FlowAccumulator(16);
            table.reset(0);
            final long[] hashes = new long[flows];
            for (int e = 0; e < flows; e++) {
                // few distinct hashes, negative ones among them: ties at every size; a new depth makes each a new flow
                final long hash = random.nextInt(Math.max(1, flows / 3)) - flows / 6L;
                hashes[e] = hash;
                assertEquals(e, table.add(hash, key, DecodedPacket.NO_VLAN, DecodedPacket.NO_VLAN, e, 1, 1, 60));
            }
            final Integer[] expected = new Integer[flows];
            Arrays.setAll(expected, e -> e);
            Arrays.sort(expected, Comparator.comparingLong(e -> hashes[e])); // stable
            assertArrayEquals(Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), table.hashOrder(), flows + " flows");
        }
    }
}
