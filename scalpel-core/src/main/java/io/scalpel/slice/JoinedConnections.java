package io.scalpel.slice;

import io.scalpel.index.FlowFacts;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * The connections of several captures read one after the other (the members of a capture set, in
 * time order), each capture's streamed in time order, joined as {@link Connection#joined} joins
 * them and handed on in time order as they are read: a connection that runs on from one capture
 * into the next is one connection. The last connection of each key stays open to the
 * connections still to come ({@link Connection#continuedBy}) until none can continue it: the
 * connections still to come start no earlier than the one being read, nor than the first frame of
 * the captures still to be read ({@link #member}); then it waits ({@link WaitingConnections}, a
 * temporary file past a bound) until no connection still open or still to come can come before
 * it. Ties in time order are in the order the connections were first seen, as the joined list's.
 *
 * <p>Memory: the keys with a connection within an inactivity timeout of the one being read (about
 * 300 bytes each), and the waiting connections up to half {@link WaitingConnections#held()}.
 * Captures that overlap in time hold more: while one is read, every connection of it that a
 * later capture starting earlier than its end could continue stays open (two copies of one
 * capture: all of the first's), as the joined list's rule, which reads the captures one after
 * the other, wants.
 */
public final class JoinedConnections implements Closeable {
    private final Connection.Sink sink;
    private final WaitingConnections waiting;
    private final Map<Connection.Key, Open> open = new HashMap<>();
    /** The open connections by the time after which nothing can continue them (entries of a connection since continued are skipped). */
    private final PriorityQueue<Expiry> expiries = new PriorityQueue<>(Comparator.comparingLong(Expiry::at));
    /** The open connections by first time (which continuing them leaves as it was). */
    private final TreeSet<Open> byFirstTs = new TreeSet<>(Comparator.<Open>comparingLong(o -> o.connection.firstTs())
        .thenComparingLong(o -> o.sequence));
    private long laterCaptures = Long.MAX_VALUE;
    private long sequence;
    private boolean stopped;
    private long mostOpen;

    /**
     * Joined connections handed to {@code sink}, those waiting past half {@link WaitingConnections#held()}
     * (each capture's stream holds as many again) in a temporary file in {@link WaitingConnections#directory()}.
     *
     * @param sink receives the connections in time order
     */
    public JoinedConnections(final Connection.Sink sink) {
        this(sink, WaitingConnections.directory(), Math.max(1, WaitingConnections.held() / 2));
    }

    JoinedConnections(final Connection.Sink sink, final Path spillDirectory, final int inMemory) {
        this.sink = sink;
        this.waiting = new WaitingConnections(spillDirectory, inMemory);
    }

    /**
     * Before a capture's connections: no frame of the captures read after it is earlier than
     * {@code laterFirstTs} ({@link Long#MIN_VALUE} when that is not known).
     *
     * @param laterFirstTs the earliest frame time of the captures still to be read after this one
     */
    public void member(final long laterFirstTs) {
        laterCaptures = laterFirstTs;
    }

    /**
     * The next connection of the capture being read, in its time order ({@link Connection#compareByTime}).
     *
     * @param c the connection
     * @return whether the sink wants more
     * @throws IOException when a connection cannot be handed on or written to the temporary file
     */
    public boolean connection(final Connection c) throws IOException {
        final long from = Math.min(c.firstTs(), laterCaptures);
        closeBefore(from);
        final Connection.Key k = c.key();
        final Open last = open.get(k);
        if (last != null && last.connection.continuedBy(c)) {
            final long before = last.connection.lastTs();
            last.connection = last.connection.joined(c);
            if (last.connection.lastTs() != before) {
                expiries.add(new Expiry(expiry(last.connection), last));
            }
        } else {
            if (last != null) {
                close(last);
            }
            final Open o = new Open(c, sequence++);
            open.put(k, o);
            expiries.add(new Expiry(expiry(c), o));
            byFirstTs.add(o);
            mostOpen = Math.max(mostOpen, open.size());
        }
        return handOn(from);
    }

    /**
     * After the last capture: every connection handed on.
     *
     * @throws IOException when a connection cannot be handed on
     */
    public void finish() throws IOException {
        if (!stopped) {
            closeBefore(Long.MAX_VALUE);
            handOn(Long.MAX_VALUE);
        }
    }

    /** Whether the sink wanted no more. */
    public boolean stopped() {
        return stopped;
    }

    /** The most keys with a connection open at once. */
    long mostOpen() {
        return mostOpen;
    }

    /** Removes the temporary file. */
    @Override
    public void close() throws IOException {
        waiting.close();
    }

    /** Closes the open connections no connection starting at {@code from} or later can continue. */
    private void closeBefore(final long from) throws IOException {
        for (Expiry e = expiries.peek(); e != null && (from == Long.MAX_VALUE || e.at < from); e = expiries.peek()) {
            expiries.poll();
            if (e.of.live && expiry(e.of.connection) == e.at) {
                close(e.of);
            }
        }
    }

    /** The last time a connection continuing {@code c} can start; past it, {@link Connection#continuedBy} is false. */
    private static long expiry(final Connection c) {
        return c.lastTs() + FlowFacts.inactivityTimeoutNanos(c.protocol());
    }

    private void close(final Open o) throws IOException {
        o.live = false;
        open.remove(o.connection.key());
        byFirstTs.remove(o);
        waiting.add(o.connection, o.sequence);
    }

    /** Hands on the waiting connections before {@code from} and before every open one. */
    private boolean handOn(final long from) throws IOException {
        final long due = byFirstTs.isEmpty() ? from : Math.min(from, byFirstTs.first().connection.firstTs());
        for (Connection w = waiting.peek(); w != null && (due == Long.MAX_VALUE || w.firstTs() < due); w = waiting.peek()) {
            if (!sink.connection(waiting.poll())) {
                stopped = true;
                return false;
            }
        }
        return true;
    }

    /** The last connection of a key, open to the connections still to come, and its place among its equals. */
    private static final class Open {
        Connection connection;
        final long sequence;
        boolean live = true;

        Open(final Connection connection, final long sequence) {
            this.connection = connection;
            this.sequence = sequence;
        }
    }

    /** The time after which nothing can continue {@code of} as it was. */
    private record Expiry(long at, Open of) {
    }
}
