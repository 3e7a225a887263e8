package io.scalpel.slice;

import io.scalpel.index.RowOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The connections of a listing ({@link Slicer#connections}), in primitive columns: about 40 bytes
 * a connection and 60 a key ({@link FlowKeyTable}), no object, in the order {@link #sortByTime} gave
 * them; {@link #get} makes one a {@link Connection} when asked.
 */
public final class ConnectionTable {
    private static final int ESTABLISHED = 1;
    private static final int OPENS_WITH_SYN = 2;
    /** The connection's source is its key's first endpoint ({@link Connection.Key}: the smaller). */
    private static final int FORWARD = 4;

    /** The connections' keys, each once. */
    private final FlowKeyTable keys;
    private int size;
    private int[] key;
    /** VLAN ids (12 bits) of the first frame, -1 for none. */
    private short[] vlan;
    private short[] innerVlan;
    private long[] firstTs;
    private long[] lastTs;
    private long[] packets;
    private long[] bytes;
    private byte[] flags;
    private int[] order;
    private int keysReadBack;

    /** An empty table. */
    public ConnectionTable() {
        this(new FlowKeyTable(16), 16);
    }

    /** An empty table of connections of {@code keys}, with room for {@code capacity} before it grows. */
    ConnectionTable(final FlowKeyTable keys, final int capacity) {
        this.keys = keys;
        final int n = Math.max(16, capacity);
        key = new int[n];
        vlan = new short[n];
        innerVlan = new short[n];
        firstTs = new long[n];
        lastTs = new long[n];
        packets = new long[n];
        bytes = new long[n];
        flags = new byte[n];
    }

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
        return connection(order == null ? i : order[i]);
    }

    /** Connection {@code e} as added. */
    private Connection connection(final int e) {
        return keys.key(key[e]).connection((flags[e] & FORWARD) != 0, vlan[e], innerVlan[e], firstTs[e], lastTs[e], packets[e], bytes[e],
            (flags[e] & ESTABLISHED) != 0, (flags[e] & OPENS_WITH_SYN) != 0);
    }

    /** Appends {@code c}. */
    public void add(final Connection c) {
        final Connection.Key k = c.key();
        add(keys.id(k, true), k.isFirst(c.srcHi(), c.srcLo(), c.srcPort()), c.vlan(), c.innerVlan(), c.firstTs(), c.lastTs(), c.packets(), c.bytes(), c.established(),
            c.opensWithSyn());
    }

    /**
     * Appends a connection of key number {@code k} of the table's keys ({@code forward}: its source
     * is the key's first endpoint), its other fields as {@link Connection}'s.
     */
    void add(final int k, final boolean forward, final int outerVlan, final int innerVlanId, final long first, final long last,
             final long frames, final long length, final boolean established, final boolean opensWithSyn) {
        if (size == key.length) {
            grow(size * 2);
        }
        final int e = size++;
        key[e] = k;
        vlan[e] = (short) outerVlan;
        innerVlan[e] = (short) innerVlanId;
        firstTs[e] = first;
        lastTs[e] = last;
        packets[e] = frames;
        bytes[e] = length;
        flags[e] = (byte) ((established ? ESTABLISHED : 0) | (opensWithSyn ? OPENS_WITH_SYN : 0) | (forward ? FORWARD : 0));
        order = null;
    }

    /** Puts the connections in time order, {@link Connection#compareByTime} (a stable merge sort of their numbers, no boxing). */
    public void sortByTime() {
        order = RowOrder.of(size, this::compare);
    }

    private int compare(final int x, final int y) {
        int c = Long.compare(firstTs[x], firstTs[y]);
        if (c == 0) {
            c = Long.compare(lastTs[x], lastTs[y]);
        }
        if (c == 0) {
            c = Long.compare(srcLo(x), srcLo(y));
        }
        if (c == 0) {
            c = Integer.compare(srcPort(x), srcPort(y));
        }
        return c != 0 ? c : Connection.compareRestOfKey(connection(x), connection(y));
    }

    private long srcLo(final int e) {
        return (flags[e] & FORWARD) != 0 ? keys.aLo(key[e]) : keys.bLo(key[e]);
    }

    private int srcPort(final int e) {
        return (flags[e] & FORWARD) != 0 ? keys.aPort(key[e]) : keys.bPort(key[e]);
    }

    private void grow(final int cap) {
        key = Arrays.copyOf(key, cap);
        vlan = Arrays.copyOf(vlan, cap);
        innerVlan = Arrays.copyOf(innerVlan, cap);
        firstTs = Arrays.copyOf(firstTs, cap);
        lastTs = Arrays.copyOf(lastTs, cap);
        packets = Arrays.copyOf(packets, cap);
        bytes = Arrays.copyOf(bytes, cap);
        flags = Arrays.copyOf(flags, cap);
    }
}
