package io.scalpel.slice;

import java.util.Arrays;

/**
 * The keys of a streamed listing ({@link ConnectionStream}) that have a connection open: each
 * key's open connection (its counts so far, from its flow rows) and those flow rows themselves
 * (chunk, flow and time span, for a read-back), in primitive columns with open addressing. A key
 * leaves the table when its connection is closed, so the table holds the connections open at
 * once, not every key of the capture: about 130 bytes a key and 28 a row.
 */
final class OpenConnections {
    private static final int EMPTY = -1;
    /** The key has a connection (a key just added has none until its first row is applied). */
    private static final int STARTED = 1;
    /** The connection's frames are to be read back: its rows cannot tell where it ends. */
    private static final int READ_BACK = 2;
    /** The connection's source is its key's first endpoint. */
    private static final int FORWARD = 4;
    private static final int ESTABLISHED = 8;
    private static final int SYN_FIRST = 16;

    /** The keys, numbered: a key's number is its entry in the columns below. */
    private final FlowKeyTable keys = new FlowKeyTable(64);
    private int capacity;
    // the open connection of each key
    private byte[] flags;
    private byte[] verdict;
    /** VLAN ids of the connection's first row, -1 for none. */
    private short[] rowVlan;
    private short[] rowInnerVlan;
    private long[] firstTs;
    private long[] lastTs;
    /** The earliest first time of the connection's rows (below {@link #firstTs} when they are out of time order). */
    private long[] minFirstTs;
    private long[] frames;
    private long[] bytes;
    private int[] lastChunk;
    private int[] head;
    private int[] tail;
    // the rows of the open connections, a list per key
    private int rowsUsed;
    private int freeRow = EMPTY;
    private int[] rowChunk = new int[64];
    private int[] rowFlow = new int[64];
    private long[] rowFirst = new long[64];
    private long[] rowLast = new long[64];
    private int[] rowNext = new int[64];

    OpenConnections() {
        allocate(64);
    }

    /** The number of the entries an iteration goes through ({@link #isLive}). */
    int capacity() {
        return keys.size();
    }

    boolean isLive(final int e) {
        return keys.isLive(e);
    }

    /** The entry of key {@code k}, a new one (with no connection yet) when it has none. */
    int id(final Connection.Key k) {
        final int e = keys.id(k, true);
        if (keys.added()) {
            if (e >= capacity) {
                allocate(Math.max(capacity * 2, e + 1));
            }
            flags[e] = 0;
            head[e] = EMPTY;
            tail[e] = EMPTY;
        }
        return e;
    }

    /** Takes entry {@code e} out of the table, with its rows. */
    void remove(final int e) {
        dropRows(e);
        flags[e] = 0;
        keys.remove(e);
    }

    /** Key {@code e}. */
    Connection.Key key(final int e) {
        return keys.key(e);
    }

    int protocol(final int e) {
        return keys.protocol(e);
    }

    boolean started(final int e) {
        return (flags[e] & STARTED) != 0;
    }

    boolean readingBack(final int e) {
        return (flags[e] & READ_BACK) != 0;
    }

    /** Marks the connection of {@code e} to be read back from the capture. */
    void readBack(final int e) {
        flags[e] |= READ_BACK;
    }

    boolean established(final int e) {
        return (flags[e] & ESTABLISHED) != 0;
    }

    int verdict(final int e) {
        return verdict[e];
    }

    long lastTs(final int e) {
        return lastTs[e];
    }

    long minFirstTs(final int e) {
        return minFirstTs[e];
    }

    int lastChunk(final int e) {
        return lastChunk[e];
    }

    /**
     * Opens a connection of {@code e} with a flow row ({@code forward}: its source is the key's
     * first endpoint; {@code readBack}: its frames are to be read back), as {@link #add} goes on.
     */
    void start(final int e, final boolean readBack, final boolean forward, final int outerVlan, final int innerVlanId, final boolean synFirst,
               final long first) {
        dropRows(e);
        flags[e] = (byte) (STARTED | (readBack ? READ_BACK : 0) | (forward ? FORWARD : 0) | (synFirst ? SYN_FIRST : 0));
        verdict[e] = FlowConnections.REJECT;
        rowVlan[e] = (short) outerVlan;
        rowInnerVlan[e] = (short) innerVlanId;
        firstTs[e] = first;
        lastTs[e] = first;
        minFirstTs[e] = first;
        frames[e] = 0;
        bytes[e] = 0;
    }

    /** Adds a flow row to the open connection of {@code e}: its counts, facts and verdict, and the row for a read-back. */
    void add(final int e, final int chunk, final int flow, final long first, final long last, final long packets, final long length,
             final boolean establishes, final int rowVerdict) {
        lastTs[e] = Math.max(lastTs[e], last);
        minFirstTs[e] = Math.min(minFirstTs[e], first);
        frames[e] += packets;
        bytes[e] += length;
        if (establishes) {
            flags[e] |= ESTABLISHED;
        }
        verdict[e] = (byte) Math.max(verdict[e], rowVerdict); // ACCEPT over UNKNOWN over REJECT
        lastChunk[e] = chunk;
        final int r = newRow();
        rowChunk[r] = chunk;
        rowFlow[r] = flow;
        rowFirst[r] = first;
        rowLast[r] = last;
        rowNext[r] = EMPTY;
        if (tail[e] == EMPTY) {
            head[e] = r;
        } else {
            rowNext[tail[e]] = r;
        }
        tail[e] = r;
    }

    /** The open connection of {@code e} as its rows counted it. */
    Connection connection(final int e) {
        return keys.key(e).connection((flags[e] & FORWARD) != 0, rowVlan[e], rowInnerVlan[e], firstTs[e], lastTs[e], frames[e], bytes[e],
            (flags[e] & ESTABLISHED) != 0, (flags[e] & SYN_FIRST) != 0);
    }

    /** Receives a flow row of an open connection. */
    @FunctionalInterface
    interface RowSpan {
        void row(int chunk, int flow, long first, long last);
    }

    /** Hands {@code to} the rows of the open connection of {@code e}, as a read-back of its frames wants them. */
    void rows(final int e, final RowSpan to) {
        for (int r = head[e]; r != EMPTY; r = rowNext[r]) {
            to.row(rowChunk[r], rowFlow[r], rowFirst[r], rowLast[r]);
        }
    }

    /** Forgets the rows of the open connection of {@code e}. */
    void dropRows(final int e) {
        if (head[e] != EMPTY) {
            rowNext[tail[e]] = freeRow;
            freeRow = head[e];
        }
        head[e] = EMPTY;
        tail[e] = EMPTY;
    }

    private int newRow() {
        if (freeRow != EMPTY) {
            final int r = freeRow;
            freeRow = rowNext[r];
            return r;
        }
        if (rowsUsed == rowChunk.length) {
            final int n = rowsUsed * 2;
            rowChunk = Arrays.copyOf(rowChunk, n);
            rowFlow = Arrays.copyOf(rowFlow, n);
            rowFirst = Arrays.copyOf(rowFirst, n);
            rowLast = Arrays.copyOf(rowLast, n);
            rowNext = Arrays.copyOf(rowNext, n);
        }
        return rowsUsed++;
    }

    private void allocate(final int n) {
        capacity = n;
        flags = flags == null ? new byte[n] : Arrays.copyOf(flags, n);
        verdict = verdict == null ? new byte[n] : Arrays.copyOf(verdict, n);
        rowVlan = rowVlan == null ? new short[n] : Arrays.copyOf(rowVlan, n);
        rowInnerVlan = rowInnerVlan == null ? new short[n] : Arrays.copyOf(rowInnerVlan, n);
        firstTs = grow(firstTs, n);
        lastTs = grow(lastTs, n);
        minFirstTs = grow(minFirstTs, n);
        frames = grow(frames, n);
        bytes = grow(bytes, n);
        lastChunk = grow(lastChunk, n);
        head = grow(head, n);
        tail = grow(tail, n);
    }

    private static long[] grow(final long[] a, final int n) {
        return a == null ? new long[n] : Arrays.copyOf(a, n);
    }

    private static int[] grow(final int[] a, final int n) {
        return a == null ? new int[n] : Arrays.copyOf(a, n);
    }
}
