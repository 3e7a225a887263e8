package io.scalpel.index;

import io.scalpel.decode.DatagramId;
import io.scalpel.decode.FlowKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Attributes IP fragments to their flow through their datagram (source, destination, protocol,
 * IP id), whichever fragment comes first in the file: only the fragment at offset 0 carries the
 * ports. A datagram's rows wait until it is complete (every byte up to the last fragment seen),
 * then all get the flow and the completion time (Zeek's view of the datagram's time). Datagrams
 * never completed are resolved when they time out, when too many are open, or at the end.
 *
 * <p>A datagram that carries a tunnel (GTP-U over fragmented IPv4, say) has keys inside it as
 * well, which only its first fragment holds: the inner layers the decoder found there. Every
 * fragment of the datagram gets one more row per such key (the sink copies the fragment's row),
 * as soon as the first fragment is seen: a fragment that came earlier gets its rows then, after
 * the first fragment's. At resolution each key's rows get that key's flow, so a lookup of the
 * inner connection finds every fragment of the datagrams that carry it.
 *
 * <p>Giving up costs constant work per datagram, whatever the number open: the open datagrams
 * are kept in two queues, in the order they were first seen (which is the order of their first
 * rows: the oldest goes first when too many are open, or when a chunk must write its rows) and
 * in the order they were last added to (the least recently added is the first to time out). A
 * capture whose clock goes backwards may see a datagram time out later than its own last
 * fragment says; it is still given up, by one of the other rules.
 *
 * <p>This path allocates per datagram; frames that are not fragments never reach it.
 */
final class FragmentTracker {
    /** Capture time after which an incomplete datagram is given up. */
    static final long TIMEOUT_NANOS = 60_000_000_000L;
    /** Most datagrams open at once. */
    static final int MAX_OPEN = 65_536;

    /** Receives a datagram's rows once its flow is known. */
    interface Resolution {
        /** {@code depth}: where the key sits in the datagram's first fragment (0 = innermost). */
        void resolved(long[] rows, int count, long flow, FlowKey key, int outerVlan, int innerVlan, int depth,
                      long datagramTs, int bytes);

        /** Appends a provisional row for the same frame as {@code row}; returns the new row's number. */
        long copyRow(long row);
    }

    private static final FlowKey[] NO_KEYS = new FlowKey[0];
    private static final int[] NO_DEPTHS = new int[0];

    private static final class Datagram {
        final DatagramId id;
        final FlowKey key = new FlowKey();
        boolean firstSeen;
        int outerVlan;
        int innerVlan;
        long[] rows = new long[4];
        /** Per fragment: the first of its rows for the inner keys, -1 until they exist. */
        long[] innerRows = new long[4];
        int count;
        /** Where the datagram's own key sits in its first fragment. */
        int depth;
        /** The keys inside the datagram, from its first fragment, and their depths. */
        FlowKey[] innerKeys = NO_KEYS;
        int[] innerDepths = NO_DEPTHS;
        long lastTs;
        long firstRow;
        int total = -1;
        int received;
        int bytes;
        /** Neighbours in each {@link Queue} (null at its ends), by {@link Queue#which}. */
        final Datagram[] before = new Datagram[2];
        final Datagram[] after = new Datagram[2];

        Datagram(final DatagramId id) {
            this.id = id;
        }
    }

    /** A queue of the open datagrams threaded through them: constant time to append, remove, or see the head. */
    private static final class Queue {
        /** Which of a datagram's links this queue uses. */
        final int which;
        Datagram head;
        Datagram tail;

        Queue(final int which) {
            this.which = which;
        }

        void append(final Datagram d) {
            d.before[which] = tail;
            d.after[which] = null;
            if (tail != null) {
                tail.after[which] = d;
            } else {
                head = d;
            }
            tail = d;
        }

        void remove(final Datagram d) {
            final Datagram b = d.before[which];
            final Datagram a = d.after[which];
            if (b != null) {
                b.after[which] = a;
            } else {
                head = a;
            }
            if (a != null) {
                a.before[which] = b;
            } else {
                tail = b;
            }
            d.before[which] = null;
            d.after[which] = null;
        }
    }

    private final Map<DatagramId, Datagram> open = new HashMap<>();
    /** The open datagrams in the order they were first seen: ascending first row. */
    private final Queue bySeen = new Queue(0);
    /** The open datagrams in the order fragments were last added to them: least recently added first. */
    private final Queue byAdded = new Queue(1);
    private final Resolution sink;
    private long completed;
    private long incomplete;
    /** Datagrams looked at to find what to give up (a measure of the tracker's work). */
    private long visited;

    FragmentTracker(final Resolution sink) {
        this.sink = sink;
    }

    /** Adds a fragment frame (row already appended with a provisional flow) of a datagram that carries no tunnel. */
    void add(final FlowKey k, final int outerVlan, final int innerVlan, final long row, final long ts, final int frameBytes) {
        add(k, outerVlan, innerVlan, row, ts, frameBytes, NO_KEYS, NO_DEPTHS, 0, 0);
    }

    /**
     * Adds a fragment frame (row already appended with a provisional flow). For the first fragment
     * ({@code k.fragmentOffset() == 0}), {@code inner[0, innerCount)} are the keys the decoder found
     * inside the datagram, at {@code innerDepths}, and {@code depth} is the datagram key's own
     * depth; for other fragments they are ignored.
     */
    void add(final FlowKey k, final int outerVlan, final int innerVlan, final long row, final long ts, final int frameBytes,
             final FlowKey[] inner, final int[] innerDepths, final int innerCount, final int depth) {
        final DatagramId dk = DatagramId.of(k);
        Datagram d = open.get(dk);
        if (d == null) {
            if (open.size() >= MAX_OPEN) {
                visited++;
                giveUp(bySeen.head);
            }
            d = new Datagram(dk);
            d.key.copyFrom(k);
            d.outerVlan = outerVlan;
            d.innerVlan = innerVlan;
            d.firstRow = row;
            open.put(dk, d);
            bySeen.append(d);
        } else {
            byAdded.remove(d);
        }
        byAdded.append(d);
        if (d.count == d.rows.length) {
            d.rows = Arrays.copyOf(d.rows, d.count * 2);
            d.innerRows = Arrays.copyOf(d.innerRows, d.count * 2);
        }
        d.innerRows[d.count] = -1;
        d.rows[d.count++] = row;
        d.lastTs = Math.max(d.lastTs, ts);
        d.bytes += frameBytes;
        final boolean firstNow = k.fragmentOffset() == 0 && !d.firstSeen;
        if (firstNow) {
            d.firstSeen = true;
            d.key.copyFrom(k);
            d.outerVlan = outerVlan;
            d.innerVlan = innerVlan;
            d.depth = depth;
            if (innerCount > 0) {
                d.innerKeys = new FlowKey[innerCount];
                d.innerDepths = Arrays.copyOf(innerDepths, innerCount);
                for (int i = 0; i < innerCount; i++) {
                    d.innerKeys[i] = new FlowKey();
                    d.innerKeys[i].copyFrom(inner[i]);
                }
            }
        }
        if (d.firstSeen && d.innerKeys.length > 0) {
            // This fragment's rows for the inner keys, and, when it is the first fragment, those of
            // the fragments that came before it (every other fragment already has them).
            for (int f = firstNow ? 0 : d.count - 1; f < d.count; f++) {
                if (d.innerRows[f] < 0) {
                    d.innerRows[f] = sink.copyRow(d.rows[f]);
                    for (int i = 1; i < d.innerKeys.length; i++) {
                        sink.copyRow(d.rows[f]);
                    }
                }
            }
        }
        if (!k.moreFragments()) {
            d.total = k.fragmentOffset() + k.fragmentPayloadLength();
        }
        d.received += k.fragmentPayloadLength();
        if (d.total >= 0 && d.firstSeen && d.received >= d.total && k.fragmentPayloadLength() > 0) {
            remove(d);
            completed++;
            resolve(d, ts);
        }
    }

    /** Resolves datagrams idle for longer than the timeout at capture time {@code now}. */
    void expire(final long now) {
        Datagram d;
        while ((d = byAdded.head) != null) {
            visited++;
            if (now - d.lastTs <= TIMEOUT_NANOS) {
                return;
            }
            giveUp(d);
        }
    }

    /** Resolves every datagram holding a row before {@code row} (the chunk must write them). */
    void resolveRowsBefore(final long row) {
        Datagram d;
        while ((d = bySeen.head) != null && d.firstRow < row) {
            visited++;
            giveUp(d);
        }
    }

    /** Earliest row still waiting, or Long.MAX_VALUE. */
    long firstPendingRow() {
        final Datagram d = bySeen.head;
        return d == null ? Long.MAX_VALUE : d.firstRow;
    }

    /** The rows of every datagram still open, ascending. */
    long[] pendingRows() {
        int n = 0;
        for (Datagram d = bySeen.head; d != null; d = d.after[bySeen.which]) {
            n += d.count;
        }
        final long[] rows = new long[n];
        int i = 0;
        for (Datagram d = bySeen.head; d != null; d = d.after[bySeen.which]) {
            System.arraycopy(d.rows, 0, rows, i, d.count);
            i += d.count;
        }
        Arrays.sort(rows);
        return rows;
    }

    void resolveAll() {
        resolveRowsBefore(Long.MAX_VALUE);
    }

    long completed() {
        return completed;
    }

    long incomplete() {
        return incomplete;
    }

    /** Datagrams looked at to decide what to give up, over the tracker's life. */
    long visited() {
        return visited;
    }

    private void giveUp(final Datagram d) {
        remove(d);
        incomplete++;
        resolve(d, d.lastTs);
    }

    private void remove(final Datagram d) {
        open.remove(d.id);
        bySeen.remove(d);
        byAdded.remove(d);
    }

    private void resolve(final Datagram d, final long datagramTs) {
        final FlowKey k = d.key;
        // Without the first fragment the key has no ports, and a key without ports hashes with ports 0.
        sink.resolved(d.rows, d.count, k.flowHash(), k, d.outerVlan, d.innerVlan, d.depth, datagramTs, d.bytes);
        if (d.innerKeys.length == 0) {
            return;
        }
        final long[] rows = new long[d.count];
        for (int i = 0; i < d.innerKeys.length; i++) {
            int n = 0;
            for (int f = 0; f < d.count; f++) {
                if (d.innerRows[f] >= 0) {
                    rows[n++] = d.innerRows[f] + i;
                }
            }
            final FlowKey inner = d.innerKeys[i];
            sink.resolved(rows, n, inner.flowHash(), inner, d.outerVlan, d.innerVlan, d.innerDepths[i], datagramTs, d.bytes);
        }
    }
}
