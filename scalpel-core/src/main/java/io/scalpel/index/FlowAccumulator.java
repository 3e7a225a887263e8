package io.scalpel.index;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import java.util.Arrays;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * The distinct flows of one chunk of packets, keyed by flow hash, VLAN tags, depth (0 for a
 * frame's innermost IP layer, n for the n-th encapsulating layer outward) and what else sets
 * their Community ID apart ({@link CommunityId#distinction}), with the first key seen, time
 * range, packet and byte counts; each row's Community ID is computed once, when it is written.
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
    /** Row the writer is at. */
    int cursor;
    /** Used by the writer only (one thread at a time per table). */
    private final CommunityId communityId = new CommunityId(CommunityId.DEFAULT_SEED);

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
     * (0: innermost) has {@code key}; returns the flow's number in this chunk.
     */
    int add(final long flowHash, final FlowKey key, final int outerVlan, final int innerVlanId, final int layerDepth,
            final long ts, final int frames, final int length) {
        final long distinct = CommunityId.distinction(key);
        int s = slot(flowHash, outerVlan, innerVlanId, layerDepth);
        while (true) {
            final int e = slots[s];
            if (e == EMPTY) {
                break;
            }
            if (hash[e] == flowHash && vlan[e] == outerVlan && innerVlan[e] == innerVlanId && depth[e] == layerDepth
                && distinction[e] == distinct) {
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

    /** Flow numbers of this chunk ordered by flow hash (signed, as Parquet compares INT64). */
    int[] hashOrder() {
        final Integer[] boxed = new Integer[size];
        for (int e = 0; e < size; e++) {
            boxed[e] = e;
        }
        java.util.Arrays.sort(boxed, (a, b) -> Long.compare(hash[a], hash[b]));
        final int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = boxed[i];
        }
        return order;
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

    /** Writes flow {@link #cursor}, its timestamps in {@code unit}. */
    static void writeRow(final FlowAccumulator f, final RecordConsumer out, final TimestampUnit unit) {
        final int e = f.cursor;
        out.startMessage();
        intField(out, IndexSchema.CHUNK, 0, f.chunk);
        intField(out, IndexSchema.FLOW, 1, e);
        field(out, IndexSchema.FLOW_HASH, 2, f.hash[e]);
        field(out, IndexSchema.FIRST_TS, 3, unit.fromNanos(f.firstTs[e]));
        field(out, IndexSchema.LAST_TS, 4, unit.fromNanos(f.lastTs[e]));
        field(out, IndexSchema.PACKETS, 5, f.packets[e]);
        field(out, IndexSchema.BYTES, 6, f.bytes[e]);
        intField(out, IndexSchema.IP_VERSION, 7, f.ipVersion[e]);
        intField(out, IndexSchema.PROTO, 8, f.proto[e]);
        out.startField(IndexSchema.SRC, 9);
        out.addBinary(Binary.fromString(Addresses.format(f.ipVersion[e], f.srcHi[e], f.srcLo[e])));
        out.endField(IndexSchema.SRC, 9);
        intField(out, IndexSchema.SRC_PORT, 10, f.srcPort[e]);
        out.startField(IndexSchema.DST, 11);
        out.addBinary(Binary.fromString(Addresses.format(f.ipVersion[e], f.dstHi[e], f.dstLo[e])));
        out.endField(IndexSchema.DST, 11);
        intField(out, IndexSchema.DST_PORT, 12, f.dstPort[e]);
        if (f.vlan[e] != DecodedPacket.NO_VLAN) {
            intField(out, IndexSchema.VLAN, 13, f.vlan[e]);
        }
        if (f.innerVlan[e] != DecodedPacket.NO_VLAN) {
            intField(out, IndexSchema.INNER_VLAN, 14, f.innerVlan[e]);
        }
        intField(out, IndexSchema.DEPTH, 15, f.depth[e]);
        if ((f.distinction[e] & CommunityId.NO_PORTS) == 0) {
            out.startField(IndexSchema.COMMUNITY_ID, 16);
            out.addBinary(Binary.fromString(f.communityId.of(f.ipVersion[e], f.srcHi[e], f.srcLo[e], f.srcPort[e],
                f.dstHi[e], f.dstLo[e], f.dstPort[e], f.proto[e])));
            out.endField(IndexSchema.COMMUNITY_ID, 16);
        }
        out.endMessage();
    }

    private static void field(final RecordConsumer out, final String name, final int index, final long value) {
        out.startField(name, index);
        out.addLong(value);
        out.endField(name, index);
    }

    private static void intField(final RecordConsumer out, final String name, final int index, final int value) {
        out.startField(name, index);
        out.addInteger(value);
        out.endField(name, index);
    }
}
