package io.scalpel.follow;

import io.scalpel.slice.Query;
import io.scalpel.zeek.ConnRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The conn records waiting for the capture, ordered by the time the capture must reach before
 * their extract can be written: the last time a frame of theirs may have
 * ({@link Query#lookupTo()}: the end of the connection, and for TCP the longest tail it may have
 * after its close, {@code tcp_close_delay}). A record without a usable ts waits until the capture
 * is idle. At most {@code limit} wait; {@link #full()} says when the source must stop reading.
 */
final class PendingConnections {
    /**
     * A record waiting.
     *
     * @param conn         the conn record
     * @param query        its query (window and TCP tail) under the capture's options
     * @param dueNanos     the capture time its last frame can have
     * @param arrivedNanos when it was read, {@link System#nanoTime()}
     * @param sentNanos    when it was sent (see {@link Arrival#sentNanos()})
     * @param slot         its place in {@link Deliveries}
     * @param seq          arrival order, for ties
     */
    record Pending(ConnRecord conn, Query query, long dueNanos, long arrivedNanos, long sentNanos, Deliveries.Slot slot, long seq) {
    }

    private static final Comparator<Pending> BY_DUE = Comparator.comparingLong(Pending::dueNanos)
        .thenComparingLong(Pending::seq);

    private final PriorityQueue<Pending> queue = new PriorityQueue<>(BY_DUE);
    private final int limit;
    private long seq;

    PendingConnections(final int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("--max-pending must be at least 1, was " + limit);
        }
        this.limit = limit;
    }

    /** Adds a record that waits for the capture to reach its due time. */
    void add(final Arrival a, final Query query, final Deliveries.Slot slot) {
        final long due = a.conn().hasTimestamp() ? query.lookupTo() : Long.MAX_VALUE;
        queue.add(new Pending(a.conn(), query, due, a.arrivedNanos(), a.sentNanos(), slot, seq++));
    }

    /**
     * Takes, oldest due first, up to {@code max} records that are ready: due strictly before
     * {@code coveredNanos} (the capture has a frame after their last possible one), or read before
     * {@code arrivedBefore} (waited too long: written with what the capture has). Records of a
     * partition taken away are dropped on the way.
     */
    List<Pending> takeReady(final long coveredNanos, final long arrivedBefore, final int max) {
        final List<Pending> ready = new ArrayList<>();
        while (!queue.isEmpty() && ready.size() < max && queue.peek().dueNanos() < coveredNanos) {
            final Pending p = queue.poll();
            if (!p.slot().dropped()) {
                ready.add(p);
            }
        }
        if (ready.size() < max && !queue.isEmpty() && arrivedBefore != Long.MIN_VALUE) {
            final List<Pending> kept = new ArrayList<>();
            while (!queue.isEmpty() && ready.size() < max) {
                final Pending p = queue.poll();
                if (p.slot().dropped()) {
                    continue;
                }
                if (p.arrivedNanos() - arrivedBefore < 0) {
                    ready.add(p);
                } else {
                    kept.add(p);
                }
            }
            queue.addAll(kept);
        }
        return ready;
    }

    /** Takes up to {@code max} records whatever their due time (the capture is idle: they get what it has). */
    List<Pending> takeAny(final int max) {
        final List<Pending> ready = new ArrayList<>();
        while (!queue.isEmpty() && ready.size() < max) {
            final Pending p = queue.poll();
            if (!p.slot().dropped()) {
                ready.add(p);
            }
        }
        return ready;
    }

    /** The earliest due time waiting, or Long.MAX_VALUE when none waits. */
    long nextDue() {
        return queue.isEmpty() ? Long.MAX_VALUE : queue.peek().dueNanos();
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Whether as many records wait as may: the source must stop reading. */
    boolean full() {
        return queue.size() >= limit;
    }

    int limit() {
        return limit;
    }
}
