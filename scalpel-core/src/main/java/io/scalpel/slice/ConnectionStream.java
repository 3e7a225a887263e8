package io.scalpel.slice;

import io.scalpel.decode.Addresses;
import io.scalpel.index.FlowFacts;
import io.scalpel.index.FlowRowView;
import io.scalpel.index.PacketIndex;
import io.scalpel.index.RowOrder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one capture as Zeek would split them, streamed in time order
 * ({@link Slicer#connections(ExpressionQuery, boolean, Connection.Sink)}): the flows table read
 * chunk by chunk, in capture order ({@link PacketIndex#flowRowsInChunkOrder}), each key's open
 * connection carried from chunk to chunk ({@link OpenConnections}) and split at its rows as
 * {@link FlowConnections} splits a key's rows ({@link FlowFacts#startsConnection}). A connection is
 * closed at a split, when the rows still to come all start later than its last time by more than
 * the inactivity timeout (the row groups' statistics tell), or at the end; it is handed on once no
 * connection still to be closed can come before it in time order ({@link Connection#compareByTime}).
 *
 * <p>A connection whose rows cannot tell where it ends (a split, a silence or frames out of time
 * order inside a row, two rows of its key in one chunk, a key its rows cannot split, a query its
 * rows leave undecided) takes in its key's rows up to a silence past the timeout between rows of
 * different chunks, a point where the frames split it too, and is read back from the capture when
 * it closes: the packet rows of its flow rows ({@link PacketIndex#lookupFlowRows}), each frame
 * decoded and split ({@link FlowConnections#splitFrames}), the packet rows of every connection
 * closed in a batch looked up at once ({@link FlowRowFrames}).
 *
 * <p>Memory: the connections open at once (the keys seen within an inactivity timeout), their flow
 * rows, one chunk's flow rows, and the connections closed but not yet handed on (those that began
 * after the earliest open connection began): not the capture's connections.
 */
final class ConnectionStream {
    private static final int DECIDES = FlowConnections.Rows.DECIDES;
    private static final int FORWARD = FlowConnections.Rows.FORWARD;

    private final PacketIndex index;
    private final boolean vlanAware;
    private final ExpressionQuery query;
    private final Confirmation confirm;
    private final Connection.Sink sink;
    private final OpenConnections open = new OpenConnections();
    private final FlowRowSubject forward = new FlowRowSubject(false);
    private final FlowRowSubject reverse = new FlowRowSubject(true);
    /** The flow rows of one batch of chunks, as read (reused from batch to batch), their keys numbered by {@link #open}. */
    private final FlowConnections.Rows batch = new FlowConnections.Rows(64);
    private final WaitingConnections waiting;
    private final List<ReadBack> readBacks = new ArrayList<>();
    /** The flow rows of {@link #readBacks}. */
    private final FlowRowFrames rowsToRead = new FlowRowFrames();
    private int readBack;
    private long mostWaiting;

    /** A stream whose connections closed but not handed on yet go past {@link WaitingConnections#held()} into {@code spillDirectory}. */
    ConnectionStream(final PacketIndex index, final boolean vlanAware, final ExpressionQuery query, final Confirmation confirm,
                     final Connection.Sink sink, final Path spillDirectory) {
        this.waiting = new WaitingConnections(spillDirectory, WaitingConnections.held());
        this.index = index;
        this.vlanAware = vlanAware;
        this.query = query;
        this.confirm = confirm;
        this.sink = sink;
    }

    /** Streams the connections to the sink, until the end or until it asks no more; returns the connections read back from the capture. */
    int run() throws IOException {
        try (WaitingConnections w = waiting) {
            index.flowRowsInChunkOrder(this::row, this::chunksRead);
        }
        return readBack;
    }

    /** The most connections closed but not yet handed on at once. */
    long mostWaiting() {
        return mostWaiting;
    }

    private void row(final FlowRowView row) {
        final Addresses.Parsed src = Addresses.parse(row.src());
        final Addresses.Parsed dst = Addresses.parse(row.dst());
        final Connection.Key k = FlowConnections.key(row, src, dst, vlanAware);
        final int e = open.id(k);
        final byte verdict = query == null ? FlowConnections.ACCEPT : FlowConnections.verdict(query, row, forward, reverse);
        final boolean decides = FlowConnections.splitsByRows(row) && (row.facts() & FlowFacts.SPLIT_INSIDE) == 0;
        batch.add(e, row, verdict | (k.isFirst(src.hi(), src.lo(), row.srcPort()) ? FORWARD : 0) | (decides ? DECIDES : 0));
    }

    /** After a batch of chunks: their rows applied in chunk order, the connections that can no longer change closed, those due handed on. */
    private boolean chunksRead(final long laterFirstTs) throws IOException {
        final int[] order = RowOrder.of(batch.size, (x, y) -> Integer.compare(batch.chunk[x], batch.chunk[y]));
        for (int i : order) {
            apply(i);
        }
        batch.size = 0;
        long due = laterFirstTs;
        for (int e = 0; e < open.capacity(); e++) {
            if (!open.isLive(e)) {
                continue;
            }
            if (laterFirstTs == Long.MAX_VALUE || laterFirstTs > open.lastTs(e)
                && laterFirstTs - open.lastTs(e) > FlowFacts.inactivityTimeoutNanos(open.protocol(e))) {
                close(e);
                open.remove(e);
            } else {
                due = Math.min(due, open.minFirstTs(e));
            }
        }
        readBack();
        mostWaiting = Math.max(mostWaiting, waiting.size());
        for (Connection c = waiting.peek(); c != null && (due == Long.MAX_VALUE || c.firstTs() < due); c = waiting.peek()) {
            if (!sink.connection(waiting.poll())) {
                return false;
            }
        }
        return true;
    }

    /** Row {@code i} of the batch, applied to its key's open connection. */
    private void apply(final int i) throws IOException {
        final int e = batch.key[i];
        final boolean decides = (batch.state[i] & DECIDES) != 0;
        if (open.started(e)) {
            final int protocol = open.protocol(e);
            final boolean sameChunk = batch.chunk[i] == open.lastChunk(e);
            if (!open.readingBack(e)) {
                if (!decides || sameChunk) {
                    open.readBack(e);
                    add(e, i);
                    return;
                }
                if (!FlowFacts.startsConnection(batch.facts[i], protocol, batch.firstTs[i], open.lastTs(e), open.established(e))) {
                    add(e, i);
                    return;
                }
            } else if (sameChunk || batch.firstTs[i] - open.lastTs(e) <= FlowFacts.inactivityTimeoutNanos(protocol)) {
                // the frames of rows of one chunk are mixed in capture order: only a silence between chunks splits for sure
                add(e, i);
                return;
            }
            close(e);
        }
        open.start(e, !decides, (batch.state[i] & FORWARD) != 0, batch.vlan[i], batch.innerVlan[i],
            (batch.facts[i] & FlowFacts.SYN_FIRST) != 0, batch.firstTs[i]);
        add(e, i);
    }

    private void add(final int e, final int i) {
        open.add(e, batch.chunk[i], batch.flow[i], batch.firstTs[i], batch.lastTs[i], batch.packets[i], batch.bytes[i],
            (batch.facts[i] & FlowFacts.ESTABLISHES) != 0, batch.state[i] & FlowConnections.Rows.VERDICT);
    }

    /** Closes the open connection of {@code e}: handed on as its rows counted it, or to be read back, or dropped when a query rejects it. */
    private void close(final int e) throws IOException {
        final int verdict = open.verdict(e);
        if (!open.readingBack(e) && verdict == FlowConnections.ACCEPT) {
            waiting.add(open.connection(e));
        } else if (open.readingBack(e) ? verdict != FlowConnections.REJECT : verdict == FlowConnections.UNKNOWN) {
            final ReadBack r = new ReadBack(open.key(e), new Candidates());
            open.rows(e, (chunk, flow, first, last) -> rowsToRead.add(chunk, flow, first, last, r.frames()));
            readBacks.add(r);
        }
        open.dropRows(e);
    }

    /** The connections to be read back, their frames read back from the capture and split as Zeek would. */
    private void readBack() throws IOException {
        if (readBacks.isEmpty()) {
            return;
        }
        readBack += readBacks.size();
        rowsToRead.lookUp(index);
        final List<Connection> out = new ArrayList<>();
        for (ReadBack r : readBacks) {
            FlowConnections.splitFrames(confirm, r.key, vlanAware, query, r.frames, out);
        }
        for (Connection c : out) {
            waiting.add(c);
        }
        readBacks.clear();
    }

    /** A connection to be read back: its key and the frames its flow rows give. */
    private record ReadBack(Connection.Key key, Candidates frames) {
    }
}
