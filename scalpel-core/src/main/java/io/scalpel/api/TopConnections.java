package io.scalpel.api;

import io.scalpel.slice.Connection;
import io.scalpel.slice.WaitingConnections;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The first connections of a listing in another order than time ({@code flows --sort packets} or
 * {@code bytes}), fed the connections in time order: with a limit of at most
 * {@link WaitingConnections#held()}, only
 * the {@code limit} first of the order (a heap whose root is the last kept, replaced when a better
 * one comes); without one, or a larger one, every connection, sorted outside the heap past a bound
 * ({@link WaitingConnections}: runs of a temporary file, merged), ties in time order.
 */
final class TopConnections implements Closeable {
    /** Packets, most first; ties in time order. */
    static final Comparator<Connection> BY_PACKETS =
        Comparator.comparingLong(Connection::packets).reversed().thenComparing(Connection::compareByTime);
    /** Bytes, most first; ties in time order. */
    static final Comparator<Connection> BY_BYTES =
        Comparator.comparingLong(Connection::bytes).reversed().thenComparing(Connection::compareByTime);

    private final Comparator<Connection> order;
    private final long limit;
    private final PriorityQueue<Connection> kept;
    private final WaitingConnections sorted;

    TopConnections(final Comparator<Connection> order, final long limit) {
        this.order = order;
        this.limit = limit;
        final boolean few = limit <= WaitingConnections.held();
        this.kept = few ? new PriorityQueue<>(order.reversed()) : null;
        this.sorted = few ? null : new WaitingConnections(order);
    }

    /** Takes {@code c} in when it can be among the first; always asks for more. */
    boolean add(final Connection c) throws IOException {
        if (sorted != null) {
            sorted.add(c);
        } else if (kept.size() < limit) {
            kept.add(c);
        } else if (limit > 0 && order.compare(c, kept.peek()) < 0) {
            kept.poll();
            kept.add(c);
        }
        return true;
    }

    /** Receives a connection of the order. */
    @FunctionalInterface
    interface Each {
        void connection(Connection c) throws IOException;
    }

    /** Hands {@code to} the first connections, at most the limit, in the order; returns how many. */
    long each(final Each to) throws IOException {
        if (sorted == null) {
            final List<Connection> out = new ArrayList<>(kept);
            out.sort(order);
            for (Connection c : out) {
                to.connection(c);
            }
            return out.size();
        }
        long n = 0;
        for (Connection c = n < limit ? sorted.poll() : null; c != null; c = ++n < limit ? sorted.poll() : null) {
            to.connection(c);
        }
        return n;
    }

    /** Removes the temporary file of a sort. */
    @Override
    public void close() throws IOException {
        if (sorted != null) {
            sorted.close();
        }
    }
}
