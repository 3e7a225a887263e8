package io.scalpel.slice;

import java.util.Arrays;
import java.util.List;

/**
 * The connections of a listing ({@link Slicer#connections}), in primitive columns: about 100 bytes
 * a connection and no object, in the order {@link #sort} gave them; {@link #get} makes one a
 * {@link Connection} when asked.
 */
public final class ConnectionTable {
    /** The orders of {@link #sort}. */
    public enum Order {
        /** {@link Connection#compareByTime}. */
        TIME,
        /** Packets, most first; ties in time order. */
        PACKETS,
        /** Bytes, most first; ties in time order. */
        BYTES
    }

    private static final int ESTABLISHED = 1;
    private static final int OPENS_WITH_SYN = 2;

    private int size;
    private int[] ipVersion = new int[16];
    private int[] protocol = new int[16];
    private long[] srcHi = new long[16];
    private long[] srcLo = new long[16];
    private int[] srcPort = new int[16];
    private long[] dstHi = new long[16];
    private long[] dstLo = new long[16];
    private int[] dstPort = new int[16];
    private int[] vlan = new int[16];
    private int[] innerVlan = new int[16];
    private int[] depth = new int[16];
    private long[] firstTs = new long[16];
    private long[] lastTs = new long[16];
    private long[] packets = new long[16];
    private long[] bytes = new long[16];
    private byte[] flags = new byte[16];
    private int[] order;
    private int keysReadBack;

    /** A table of {@code connections}, in their order. */
    public static ConnectionTable of(final List<Connection> connections) {
        final ConnectionTable t = new ConnectionTable();
        for (Connection c : connections) {
            t.add(c);
        }
        return t;
    }

    /** The number of keys whose frames were read back from the capture to split them (the others were split at their flow rows). */
    public int keysReadBack() {
        return keysReadBack;
    }

    void keysReadBack(final int n) {
        keysReadBack = n;
    }

    /** The number of connections. */
    public int size() {
        return size;
    }

    /** Connection {@code i} of the order. */
    public Connection get(final int i) {
        final int e = order == null ? i : order[i];
        return new Connection(ipVersion[e], protocol[e], srcHi[e], srcLo[e], srcPort[e], dstHi[e], dstLo[e], dstPort[e], vlan[e],
            innerVlan[e], depth[e], firstTs[e], lastTs[e], packets[e], bytes[e], (flags[e] & ESTABLISHED) != 0,
            (flags[e] & OPENS_WITH_SYN) != 0);
    }

    /** Appends {@code c}. */
    public void add(final Connection c) {
        add(c.ipVersion(), c.protocol(), c.srcHi(), c.srcLo(), c.srcPort(), c.dstHi(), c.dstLo(), c.dstPort(), c.vlan(), c.innerVlan(),
            c.depth(), c.firstTs(), c.lastTs(), c.packets(), c.bytes(), c.established(), c.opensWithSyn());
    }

    /** Appends a connection, its fields as {@link Connection}'s. */
    void add(final int version, final int proto, final long sHi, final long sLo, final int sPort, final long dHi, final long dLo,
             final int dPort, final int outerVlan, final int innerVlanId, final int layerDepth, final long first, final long last,
             final long frames, final long length, final boolean established, final boolean opensWithSyn) {
        if (size == srcHi.length) {
            grow(size * 2);
        }
        final int e = size++;
        ipVersion[e] = version;
        protocol[e] = proto;
        srcHi[e] = sHi;
        srcLo[e] = sLo;
        srcPort[e] = sPort;
        dstHi[e] = dHi;
        dstLo[e] = dLo;
        dstPort[e] = dPort;
        vlan[e] = outerVlan;
        innerVlan[e] = innerVlanId;
        depth[e] = layerDepth;
        firstTs[e] = first;
        lastTs[e] = last;
        packets[e] = frames;
        bytes[e] = length;
        flags[e] = (byte) ((established ? ESTABLISHED : 0) | (opensWithSyn ? OPENS_WITH_SYN : 0));
        order = null;
    }

    /** Puts the connections in {@code by} order (a stable merge sort of their numbers, no boxing). */
    public void sort(final Order by) {
        int[] a = new int[size];
        int[] b = new int[size];
        for (int i = 0; i < size; i++) {
            a[i] = i;
        }
        for (int width = 1; width < size; width *= 2) {
            for (int lo = 0; lo < size; lo += 2 * width) {
                final int mid = Math.min(lo + width, size);
                final int hi = Math.min(lo + 2 * width, size);
                int i = lo;
                int j = mid;
                for (int k = lo; k < hi; k++) {
                    b[k] = j >= hi || i < mid && compare(by, a[i], a[j]) <= 0 ? a[i++] : a[j++];
                }
            }
            final int[] t = a;
            a = b;
            b = t;
        }
        order = a;
    }

    private int compare(final Order by, final int x, final int y) {
        int c = by == Order.PACKETS ? Long.compare(packets[y], packets[x]) : by == Order.BYTES ? Long.compare(bytes[y], bytes[x]) : 0;
        if (c == 0) {
            c = Long.compare(firstTs[x], firstTs[y]);
        }
        if (c == 0) {
            c = Long.compare(lastTs[x], lastTs[y]);
        }
        if (c == 0) {
            c = Long.compare(srcLo[x], srcLo[y]);
        }
        return c != 0 ? c : Integer.compare(srcPort[x], srcPort[y]);
    }

    private void grow(final int cap) {
        ipVersion = Arrays.copyOf(ipVersion, cap);
        protocol = Arrays.copyOf(protocol, cap);
        srcHi = Arrays.copyOf(srcHi, cap);
        srcLo = Arrays.copyOf(srcLo, cap);
        srcPort = Arrays.copyOf(srcPort, cap);
        dstHi = Arrays.copyOf(dstHi, cap);
        dstLo = Arrays.copyOf(dstLo, cap);
        dstPort = Arrays.copyOf(dstPort, cap);
        vlan = Arrays.copyOf(vlan, cap);
        innerVlan = Arrays.copyOf(innerVlan, cap);
        depth = Arrays.copyOf(depth, cap);
        firstTs = Arrays.copyOf(firstTs, cap);
        lastTs = Arrays.copyOf(lastTs, cap);
        packets = Arrays.copyOf(packets, cap);
        bytes = Arrays.copyOf(bytes, cap);
        flags = Arrays.copyOf(flags, cap);
    }
}
