package io.scalpel.index;

import io.scalpel.decode.CommunityId;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import java.util.Arrays;

/**
 * The distinct flows of one chunk of packets, keyed by flow hash, VLAN tags, depth (0 for a
 * frame's innermost IP layer, n for the n-th encapsulating layer outward) and what else sets
 * their Community ID apart ({@link CommunityId#distinction}), with the first key seen, time
 * range, packet and byte counts, and what its frames say about where its key's connections split
 * ({@link FlowFacts}; the Community ID is not stored: readers compute it from the key).
 * Open addressing over primitive arrays; cleared when the chunk is written, so memory is
 * bounded by the chunk, not by the capture.
 */
final class FlowAccumulator {
    private static final int EMPTY = -1;

    private int[] slots;
    private int mask;
    private int size;
    private int chunk;

    private long[] hash;
    private long[] distinction;
    private int[] vlan;
    private int[] innerVlan;
    private int[] depth;
    private int[] ipVersion;
    private int[] proto;
    private long[] srcHi;
    private long[] srcLo;
    private long[] dstHi;
    private long[] dstLo;
    private int[] srcPort;
    private int[] dstPort;
    private long[] firstTs;
    private long[] lastTs;
    private long[] packets;
    private long[] bytes;
    /** What the row's frames say about where its key's connections split ({@link FlowFacts}). */
    private int[] facts;

    FlowAccumulator(final int initialCapacity) {
        final int cap = Integer.highestOneBit(Math.max(16, initialCapacity) - 1) << 1;
        slots = new int[cap * 2];
        Arrays.fill(slots, EMPTY);
        mask = slots.length - 1;
        allocate(cap);
    }

    private void allocate(final int cap) {
        hash = grow(hash, cap);
        distinction = grow(distinction, cap);
        vlan = grow(vlan, cap);
        innerVlan = grow(innerVlan, cap);
        depth = grow(depth, cap);
        ipVersion = grow(ipVersion, cap);
        proto = grow(proto, cap);
        srcHi = grow(srcHi, cap);
        srcLo = grow(srcLo, cap);
        dstHi = grow(dstHi, cap);
        dstLo = grow(dstLo, cap);
        srcPort = grow(srcPort, cap);
        dstPort = grow(dstPort, cap);
        firstTs = grow(firstTs, cap);
        lastTs = grow(lastTs, cap);
        packets = grow(packets, cap);
        bytes = grow(bytes, cap);
        facts = grow(facts, cap);
    }

    private static long[] grow(final long[] a, final int cap) {
        return a == null ? new long[cap] : Arrays.copyOf(a, cap);
    }

    private static int[] grow(final int[] a, final int cap) {
        return a == null ? new int[cap] : Arrays.copyOf(a, cap);
    }

    int size() {
        return size;
    }

    int chunk() {
        return chunk;
    }

    /**
     * Counts {@code frames} frames of flow {@code flowHash} whose IP layer at {@code layerDepth}
     * (0: innermost) has {@code key}; returns the flow's number in this chunk. {@code datagram}:
     * the frames are an IP datagram's fragments, counted when it resolved, at its time.
     */
    int add(final long flowHash, final FlowKey key, final int outerVlan, final int innerVlanId, final int layerDepth,
            final long ts, final int frames, final int length, final boolean datagram) {
        final long distinct = CommunityId.distinction(key);
        int s = slot(flowHash, outerVlan, innerVlanId, layerDepth);
        while (true) {
            final int e = slots[s];
            if (e == EMPTY) {
                break;
            }
            if (hash[e] == flowHash && vlan[e] == outerVlan && innerVlan[e] == innerVlanId && depth[e] == layerDepth
                && distinction[e] == distinct) {
                int f = FlowFacts.next(facts[e], key.protocol(), key.tcpFlags(), ts, lastTs[e]);
                if (datagram) {
                    f |= FlowFacts.DISORDER;
                }
                if (key.srcLo() != srcLo[e] || key.srcHi() != srcHi[e] || key.srcPort() != srcPort[e]) {
                    f |= FlowFacts.BOTH_WAYS;
                }
                facts[e] = f;
                firstTs[e] = Math.min(firstTs[e], ts);
                lastTs[e] = Math.max(lastTs[e], ts);
                packets[e] += frames;
                bytes[e] += length;
                return e;
            }
            s = (s + 1) & mask;
        }
        if (size == hash.length) {
            allocate(size * 2);
        }
        final int e = size++;
        slots[s] = e;
        hash[e] = flowHash;
        distinction[e] = distinct;
        vlan[e] = outerVlan;
        innerVlan[e] = innerVlanId;
        depth[e] = layerDepth;
        ipVersion[e] = key.ipVersion();
        proto[e] = key.protocol();
        srcHi[e] = key.srcHi();
        srcLo[e] = key.srcLo();
        dstHi[e] = key.dstHi();
        dstLo[e] = key.dstLo();
        srcPort[e] = key.srcPort();
        dstPort[e] = key.dstPort();
        firstTs[e] = ts;
        lastTs[e] = ts;
        packets[e] = frames;
        bytes[e] = length;
        facts[e] = FlowFacts.first(key.protocol(), key.tcpFlags()) | (datagram ? FlowFacts.DISORDER : 0);
        if (size * 2 > slots.length / 2) {
            rehash(slots.length * 2);
        }
        return e;
    }

    private void rehash(final int newSlots) {
        slots = new int[newSlots];
        Arrays.fill(slots, EMPTY);
        mask = newSlots - 1;
        for (int e = 0; e < size; e++) {
            int s = slot(hash[e], vlan[e], innerVlan[e], depth[e]);
            while (slots[s] != EMPTY) {
                s = (s + 1) & mask;
            }
            slots[s] = e;
        }
    }

    /**
     * Flow numbers of this chunk ordered by flow hash (signed, as Parquet compares INT64), flows of
     * equal hash in the order they were first seen: a merge sort of primitive ints, no boxing.
     */
    int[] hashOrder() {
        return RowOrder.of(size, (x, y) -> Long.compare(hash[x], hash[y]));
    }

    /** Empties the table for chunk number {@code chunkNumber}. */
    void reset(final int chunkNumber) {
        if (size > 0) {
            Arrays.fill(slots, EMPTY);
        }
        size = 0;
        chunk = chunkNumber;
    }

    private int slot(final long flowHash, final int outerVlan, final int innerVlanId, final int layerDepth) {
        return (int) (mix(flowHash ^ ((long) outerVlan << 20) ^ innerVlanId ^ ((long) layerDepth << 40))) & mask;
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51_AFD7_ED55_8CCDL;
        k ^= k >>> 33;
        return k;
    }

    /**
     * The number of distinct values among this chunk's flows of each column with a bloom filter
     * ({@link PartWriter#BLOOM_COLUMNS}, in that order: the stored flow hash, {@code src}, {@code dst},
     * {@code src_port}, {@code dst_port}; null ports not counted), which size the row group's filters.
     * An address counts by its version and bits, which is at least its texts' count.
     */
    long[] distinctBloomValues() {
        final long[] keys = new long[size];
        final long[] counts = new long[5];
        for (int e = 0; e < size; e++) {
            keys[e] = IndexSchema.storedFlowHash(hash[e]);
        }
        counts[0] = distinct(keys, size);
        for (int e = 0; e < size; e++) {
            keys[e] = addressKey(ipVersion[e], srcHi[e], srcLo[e]);
        }
        counts[1] = distinct(keys, size);
        for (int e = 0; e < size; e++) {
            keys[e] = addressKey(ipVersion[e], dstHi[e], dstLo[e]);
        }
        counts[2] = distinct(keys, size);
        int n = 0;
        for (int e = 0; e < size; e++) {
            if ((distinction[e] & CommunityId.NO_PORTS) == 0) {
                keys[n++] = srcPort[e];
            }
        }
        counts[3] = distinct(keys, n);
        n = 0;
        for (int e = 0; e < size; e++) {
            if ((distinction[e] & CommunityId.NO_PORTS) == 0) {
                keys[n++] = dstPort[e];
            }
        }
        counts[4] = distinct(keys, n);
        return counts;
    }

    /** An address as one long: its bits mixed with its version (two addresses alike in all 129 bits and unlike here are as likely as a hash collision). */
    private static long addressKey(final int version, final long addressHi, final long addressLo) {
        return mix(addressHi * 0x9E37_79B9_7F4A_7C15L ^ mix(addressLo ^ version));
    }

    /** The number of distinct values among the first {@code n} of {@code keys} (sorted in place). */
    private static long distinct(final long[] keys, final int n) {
        Arrays.sort(keys, 0, n);
        long count = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || keys[i] != keys[i - 1]) {
                count++;
            }
        }
        return count;
    }

    /**
     * Writes flow {@code e} into {@code out} (a file of {@link IndexSchema#flows}), its timestamps in
     * {@code unit}, its addresses' texts from {@code addresses}; its ports null when its key lacks the
     * ports its protocol hashes.
     */
    void writeRow(final int e, final ParquetTables.ColumnFile out, final TimestampUnit unit, final AddressTexts addresses)
        throws java.io.IOException {
        final boolean ports = (distinction[e] & CommunityId.NO_PORTS) == 0;
        out.column(0).write(chunk, 0, 0);
        out.column(1).write(e, 0, 0);
        out.column(2).write(IndexSchema.storedFlowHash(hash[e]), 0, 0);
        out.column(3).write(unit.fromNanos(firstTs[e]), 0, 0);
        out.column(4).write(unit.fromNanos(lastTs[e]), 0, 0);
        out.column(5).write(packets[e], 0, 0);
        out.column(6).write(bytes[e], 0, 0);
        out.column(7).write(ipVersion[e], 0, 0);
        out.column(8).write(proto[e], 0, 0);
        out.column(9).write(addresses.of(ipVersion[e], srcHi[e], srcLo[e]), 0, 0);
        optional(out, 10, ports, srcPort[e]);
        out.column(11).write(addresses.of(ipVersion[e], dstHi[e], dstLo[e]), 0, 0);
        optional(out, 12, ports, dstPort[e]);
        optional(out, 13, vlan[e] != DecodedPacket.NO_VLAN, vlan[e]);
        optional(out, 14, innerVlan[e] != DecodedPacket.NO_VLAN, innerVlan[e]);
        out.column(15).write(depth[e], 0, 0);
        out.column(16).write(facts[e], 0, 0);
        out.endRow();
    }

    /** An optional column: {@code value} when {@code present}, else null. */
    private static void optional(final ParquetTables.ColumnFile out, final int column, final boolean present, final int value) {
        if (present) {
            out.column(column).write(value, 0, 1);
        } else {
            out.column(column).writeNull(0, 0);
        }
    }
}
