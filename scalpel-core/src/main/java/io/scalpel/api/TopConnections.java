package io.scalpel.api;

import io.scalpel.slice.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The first connections of a listing in another order than time ({@code flows --sort packets} or
 * {@code bytes}): fed the connections in time order, it keeps only the {@code limit} first of the
 * order (a heap whose root is the last kept, replaced when a better one comes), or every one when
 * there is no limit.
 */
final class TopConnections {
    /** Packets, most first; ties in time order. */
    static final Comparator<Connection> BY_PACKETS =
        Comparator.comparingLong(Connection::packets).reversed().thenComparing(Connection::compareByTime);
    /** Bytes, most first; ties in time order. */
    static final Comparator<Connection> BY_BYTES =
        Comparator.comparingLong(Connection::bytes).reversed().thenComparing(Connection::compareByTime);

    private final Comparator<Connection> order;
    private final long limit;
    private final PriorityQueue<Connection> kept;

    TopConnections(final Comparator<Connection> order, final long limit) {
        this.order = order;
        this.limit = limit;
        this.kept = new PriorityQueue<>(order.reversed());
    }

    /** Takes {@code c} in when it is among the first so far; always asks for more. */
    boolean add(final Connection c) {
        if (kept.size() < limit) {
            kept.add(c);
        } else if (limit > 0 && order.compare(c, kept.peek()) < 0) {
            kept.poll();
            kept.add(c);
        }
        return true;
    }

    /** The connections kept, in the order. */
    List<Connection> inOrder() {
        final List<Connection> out = new ArrayList<>(kept);
        out.sort(order);
        return out;
    }
}
