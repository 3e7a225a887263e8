package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
                assertEquals(e, table.add(hash, key, DecodedPacket.NO_VLAN, DecodedPacket.NO_VLAN, e, 1, 1, 60, false));
            }
            final Integer[] expected = new Integer[flows];
            Arrays.setAll(expected, e -> e);
            Arrays.sort(expected, Comparator.comparingLong(e -> hashes[e])); // stable
            assertArrayEquals(Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), table.hashOrder(), flows + " flows");
        }
    }

    /**
     * The sizes of a row group's bloom filters are the distinct values the flows table stores in each
     * column (the stored flow hash, the addresses' texts, the ports that are not null), counted here
     * by sets of those values as written.
     */
    @Test
    void shouldCountTheDistinctValuesOfEachBloomColumn() {
        final SplittableRandom random = new SplittableRandom(11);
        final FlowKey key = new FlowKey();
        for (int flows : new int[] {0, 1, 5, 300, 5000}) {
            final FlowAccumulator table = new FlowAccumulator(16);
            table.reset(0);
            final List<Set<Object>> expected = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>());
            for (int e = 0; e < flows; e++) {
                final int src = 0x0A000000 | random.nextInt(40);
                final int dst = 0x0A000000 | random.nextInt(400);
                key.reset();
                if (random.nextInt(4) == 0) {
                    key.setIpv6(0x2001_0db8_0000_0000L, src, 0x2001_0db8_0000_0000L, dst, FlowKey.PROTO_UDP);
                } else {
                    key.setIpv4(src, dst, FlowKey.PROTO_TCP);
                }
                final boolean ports = random.nextInt(8) != 0; // else a key without its ports: null in both port columns
                if (ports) {
                    key.setPorts(1024 + random.nextInt(3000), random.nextInt(30));
                }
                final long hash = random.nextLong() >> random.nextInt(40); // some equal in their stored 32 bits
                table.add(hash, key, DecodedPacket.NO_VLAN, DecodedPacket.NO_VLAN, 0, e, 1, 60, false);
                expected.get(0).add(IndexSchema.storedFlowHash(hash));
                expected.get(1).add(Addresses.format(key.ipVersion(), key.srcHi(), key.srcLo()));
                expected.get(2).add(Addresses.format(key.ipVersion(), key.dstHi(), key.dstLo()));
                if (ports) {
                    expected.get(3).add(key.srcPort());
                    expected.get(4).add(key.dstPort());
                }
            }
            assertEquals(flows, table.size(), "each flow its own hash");
            final long[] counts = table.distinctBloomValues();
            for (int c = 0; c < PartWriter.BLOOM_COLUMNS.size(); c++) {
                assertEquals(expected.get(c).size(), counts[c], PartWriter.BLOOM_COLUMNS.get(c) + " of " + flows + " flows");
            }
        }
    }
}
