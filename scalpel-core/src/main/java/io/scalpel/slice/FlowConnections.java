package io.scalpel.slice;

import io.scalpel.capture.Frame;
import io.scalpel.decode.Addresses;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.IcmpTypes;
import io.scalpel.index.FlowFacts;
import io.scalpel.index.FlowRowFilter;
import io.scalpel.index.FlowRowView;
import io.scalpel.index.PacketIndex;
import io.scalpel.index.RowOrder;
import io.scalpel.slice.expr.Expression;
import io.scalpel.slice.expr.FlowPruning;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connections of one capture as Zeek would split them ({@link Slicer#connections}), from the
 * flows table alone for (nearly) every key. The table gives the keys (those an expression may
 * accept, in its window) and, per key, its flow rows in every chunk, with their facts
 * ({@link FlowFacts}): a key whose rows say no connection ends inside a row is split at its rows
 * ({@link FlowFacts#startsConnection}), their counts summed. The other keys (a SYN, a silence or
 * frames out of time order inside a row, two rows of the key in one chunk, a one-way ICMP type,
 * a key without its ports, a protocol other than TCP, UDP and ICMP), and those whose rows cannot
 * tell whether the expression accepts a frame of a connection, have their frames read back and
 * decoded ({@link Confirmation#each}) as before format 8. A connection is listed when one of its
 * frames satisfies the expression; its counts are of all its frames. Memory: about 42 bytes a
 * flow row while the rows are split, 70 a key and 45 a connection ({@link ConnectionTable}): the
 * listing of a capture set's members, and the one that reads every key back, which tests hold
 * the streamed listing to ({@link ConnectionStream} lists a capture in bounded memory). Its
 * {@link Rows} and {@link #splitFrames} serve the stream too.
 */
final class FlowConnections {
    /** A row's frames all satisfy the expression, or none do, or the row cannot tell. */
    static final byte ACCEPT = 2;
    static final byte REJECT = 0;
    static final byte UNKNOWN = 1;

    private final PacketIndex index;
    private final boolean vlanAware;

    FlowConnections(final PacketIndex index, final boolean vlanAware) {
        this.index = index;
        this.vlanAware = vlanAware;
    }

    /** The connections of the keys {@code query} may accept (every key when null), in first-time order. */
    ConnectionTable list(final ExpressionQuery query, final Confirmation confirm) throws IOException {
        return list(query, confirm, false);
    }

    /**
     * As {@link #list(ExpressionQuery, Confirmation)}; with {@code readBackAll} every key's frames
     * are read back (the way before format 8, which tests hold the index's answer to).
     */
    ConnectionTable list(final ExpressionQuery query, final Confirmation confirm, final boolean readBackAll) throws IOException {
        // every row is wanted without a query: the arrays start at the table's size, never copied to grow
        final int expected = query == null ? (int) Math.min(index.manifest().flows(), Integer.MAX_VALUE - 8) : 16;
        final FlowKeyTable keys = new FlowKeyTable(expected);
        final ConnectionTable found = new ConnectionTable(keys, expected);
        Set<Connection.Key> wanted = null;
        if (query != null) {
            final Set<Connection.Key> w = new HashSet<>();
            final FlowRowSubject forward = new FlowRowSubject(false);
            final FlowRowSubject reverse = new FlowRowSubject(true);
            index.flowRows(query.from(), query.to(), FlowPruning.of(query.expression()), row -> {
                if (query.mayMatch(forward.of(row), reverse.of(forward))) {
                    w.add(keyOf(row));
                }
            });
            if (w.isEmpty()) {
                return found;
            }
            wanted = w;
        }
        final Set<Connection.Key> keysWanted = wanted;
        final Rows rows = new Rows(expected);
        final FlowRowSubject forward = new FlowRowSubject(false);
        final FlowRowSubject reverse = new FlowRowSubject(true);
        index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, FlowRowFilter.ANY, row -> {
            final Addresses.Parsed src = Addresses.parse(row.src());
            final Addresses.Parsed dst = Addresses.parse(row.dst());
            final Connection.Key k = key(row, src, dst);
            if (keysWanted != null && !keysWanted.contains(k)) {
                return;
            }
            final int id = keys.id(k, true);
            if (readBackAll || !splitsByRows(row)) {
                keys.readBack(id);
            }
            rows.add(id, row, k.isFirst(src.hi(), src.lo(), row.srcPort()), query == null ? ACCEPT : verdict(query, row, forward, reverse));
        });
        rows.split(keys, found);
        readBack(keys, rows, query, confirm, found);
        found.sortByTime();
        return found;
    }

    /** Whether a row's key is one whose connections its rows can tell: TCP, UDP or ICMP (not a one-way type) with its ports. */
    static boolean splitsByRows(final FlowRowView row) {
        final int p = row.proto();
        if (!row.portsKnown()) {
            return false;
        }
        if (p == FlowKey.PROTO_ICMP || p == FlowKey.PROTO_ICMPV6) {
            return !IcmpTypes.isOneWay(p, row.srcPort()) && !IcmpTypes.isOneWay(p, row.dstPort());
        }
        return p == FlowKey.PROTO_TCP || p == FlowKey.PROTO_UDP;
    }

    /**
     * Whether {@code query} accepts every frame of a row, none, or cannot tell: its key as stored
     * (the row's first frame's direction) and, when its frames run both ways, reversed.
     */
    static byte verdict(final ExpressionQuery query, final FlowRowView row, final FlowRowSubject forward,
                                final FlowRowSubject reverse) {
        final int f = query.expression().eval(forward.of(row));
        if ((row.facts() & FlowFacts.BOTH_WAYS) == 0) {
            return f == Expression.TRUE ? ACCEPT : f == Expression.FALSE ? REJECT : UNKNOWN;
        }
        final int r = query.expression().eval(reverse.of(forward));
        if (f == Expression.TRUE || r == Expression.TRUE) {
            return ACCEPT;
        }
        return f == Expression.FALSE && r == Expression.FALSE ? REJECT : UNKNOWN;
    }

    /**
     * The connections of the keys marked to be read back, their frames (the packet rows of their
     * flow rows among {@code rows}) read back from the capture and split as Zeek would.
     */
    private void readBack(final FlowKeyTable keys, final Rows rows, final ExpressionQuery query, final Confirmation confirm,
                          final ConnectionTable found) throws IOException {
        int marked = 0;
        for (int k = 0; k < keys.size(); k++) {
            marked += keys.isReadBack(k) ? 1 : 0;
        }
        found.keysReadBack(marked);
        if (marked == 0) {
            return;
        }
        final Map<Integer, Candidates> byKey = new LinkedHashMap<>();
        final FlowRowFrames toRead = new FlowRowFrames();
        for (int r = 0; r < rows.size; r++) {
            if (keys.isReadBack(rows.key[r])) {
                toRead.add(rows.chunk[r], rows.flow[r], rows.firstTs[r], rows.lastTs[r], byKey.computeIfAbsent(rows.key[r], x -> new Candidates()));
            }
        }
        toRead.lookUp(index);
        final List<Connection> out = new ArrayList<>();
        for (Map.Entry<Integer, Candidates> e : byKey.entrySet()) {
            splitFrames(confirm, keys.key(e.getKey()), vlanAware, query, e.getValue(), out);
        }
        for (Connection c : out) {
            found.add(c);
        }
    }

    /**
     * The connections of key {@code k} among {@code frames} (index rows of its flow rows), read back
     * from the capture in capture order and split as Zeek would, those {@code query} accepts a frame
     * of (all when null), into {@code out}.
     */
    static void splitFrames(final Confirmation confirm, final Connection.Key k, final boolean vlanAware, final ExpressionQuery query,
                            final Candidates frames, final List<Connection> out) throws IOException {
        final FlowQuery q = new FlowQuery("flow", k.ipVersion(), k.aHi(), k.aLo(), k.aPort(), k.bHi(), k.bLo(), k.bPort(),
            k.protocol(), Long.MIN_VALUE, Long.MAX_VALUE, vlanAware, k.vlan(), k.innerVlan(), null);
        final Split split = new Split(query, k.depth(), out);
        confirm.each(q, frames, split::frame);
        split.flush();
        // A one-way ICMP key names one direction (FlowQuery.matches); the key's endpoints are
        // ordered, so the messages sent the other way round are another connection of it.
        final FlowQuery back = new FlowQuery("flow", k.ipVersion(), k.bHi(), k.bLo(), k.bPort(), k.aHi(), k.aLo(), k.aPort(),
            k.protocol(), Long.MIN_VALUE, Long.MAX_VALUE, vlanAware, k.vlan(), k.innerVlan(), null);
        if (q.oneWayIcmp() && back.oneWayIcmp()) {
            final Split backSplit = new Split(query, k.depth(), out);
            confirm.each(back, frames, backSplit::frame);
            backSplit.flush();
        }
    }

    /** The key of a flow row, its VLAN tags kept when {@code vlanAware}. */
    static Connection.Key key(final FlowRowView row, final Addresses.Parsed src, final Addresses.Parsed dst, final boolean vlanAware) {
        return Connection.Key.of(row.ipVersion(), row.proto(), src.hi(), src.lo(), row.srcPort(), dst.hi(), dst.lo(),
            row.dstPort(), vlanAware ? row.vlan() : -1, vlanAware ? row.innerVlan() : -1, row.depth());
    }

    private Connection.Key key(final FlowRowView row, final Addresses.Parsed src, final Addresses.Parsed dst) {
        return key(row, src, dst, vlanAware);
    }

    /**
     * The flow rows of the wanted keys, in primitive columns, split into connections by key in
     * chunk order ({@link #split}).
     */
    static final class Rows {
        /** The bits of a row's state that hold its verdict ({@link #ACCEPT}, {@link #UNKNOWN} or {@link #REJECT}). */
        static final int VERDICT = 3;
        /** A row's stored key is its key's order (its source is the key's first endpoint). */
        static final int FORWARD = 4;
        /** A row its key's rows can split at: a key {@link #splitsByRows} can split, no split inside the row. */
        static final int DECIDES = 8;
        int size;
        /** The row's key: its number in the listing's key table. */
        int[] key;
        int[] chunk;
        int[] flow;
        long[] firstTs;
        long[] lastTs;
        /** A row's frames: at most a chunk's rows. */
        int[] packets;
        long[] bytes;
        byte[] facts;
        /** VLAN ids (12 bits), -1 for none. */
        short[] vlan;
        short[] innerVlan;
        /** The row's verdict ({@link #ACCEPT}, ...), {@link #FORWARD} and {@link #DECIDES}. */
        byte[] state;

        Rows(final int capacity) {
            final int n = Math.max(16, capacity);
            key = new int[n];
            chunk = new int[n];
            flow = new int[n];
            firstTs = new long[n];
            lastTs = new long[n];
            packets = new int[n];
            bytes = new long[n];
            facts = new byte[n];
            vlan = new short[n];
            innerVlan = new short[n];
            state = new byte[n];
        }

        void add(final int id, final FlowRowView row, final boolean forward, final byte verdict) {
            add(id, row, verdict | (forward ? FORWARD : 0));
        }

        /** Appends a row of key {@code id} with its {@link #state}. */
        void add(final int id, final FlowRowView row, final int rowState) {
            if (size == key.length) {
                final int n = size * 2;
                key = Arrays.copyOf(key, n);
                chunk = Arrays.copyOf(chunk, n);
                flow = Arrays.copyOf(flow, n);
                firstTs = Arrays.copyOf(firstTs, n);
                lastTs = Arrays.copyOf(lastTs, n);
                packets = Arrays.copyOf(packets, n);
                bytes = Arrays.copyOf(bytes, n);
                facts = Arrays.copyOf(facts, n);
                vlan = Arrays.copyOf(vlan, n);
                innerVlan = Arrays.copyOf(innerVlan, n);
                state = Arrays.copyOf(state, n);
            }
            final int e = size++;
            key[e] = id;
            chunk[e] = row.chunk();
            flow[e] = row.flow();
            firstTs[e] = row.firstTs();
            lastTs[e] = row.lastTs();
            packets[e] = (int) row.packets();
            bytes[e] = row.bytes();
            facts[e] = (byte) row.facts();
            vlan[e] = (short) row.vlan();
            innerVlan[e] = (short) row.innerVlan();
            state[e] = (byte) rowState;
        }

        /**
         * The connections of each key not marked to be read back, into {@code found}; a key whose
         * rows cannot tell them is marked instead.
         */
        void split(final FlowKeyTable keys, final ConnectionTable found) {
            final int[] order = byKeyAndChunk();
            int from = 0;
            while (from < size) {
                final int k = key[order[from]];
                int to = from + 1;
                while (to < size && key[order[to]] == k) {
                    to++;
                }
                if (!keys.isReadBack(k) && !splitAtRows(order, from, to, keys, k, found)) {
                    keys.readBack(k);
                }
                from = to;
            }
        }

        /** Splits key {@code k}'s rows {@code order[from..to)} into connections; false (nothing added) when they cannot tell. */
        private boolean splitAtRows(final int[] order, final int from, final int to, final FlowKeyTable keys, final int k,
                                    final ConnectionTable found) {
            for (int i = from; i < to; i++) {
                final int r = order[i];
                if ((facts[r] & FlowFacts.SPLIT_INSIDE) != 0 || i > from && chunk[order[i - 1]] == chunk[r]) {
                    return false;
                }
            }
            final int protocol = keys.protocol(k);
            // first pass: every connection's verdict known; second: add the accepted ones
            for (int pass = 0; pass < 2; pass++) {
                int first = -1;
                long last = 0;
                long frames = 0;
                long length = 0;
                boolean established = false;
                int verdict = REJECT;
                for (int i = from; i <= to; i++) {
                    final int r = i < to ? order[i] : -1;
                    if (first >= 0 && (r < 0 || FlowFacts.startsConnection(facts[r], protocol, firstTs[r], last, established))) {
                        if (verdict == UNKNOWN) {
                            return false;
                        }
                        if (pass == 1 && verdict == ACCEPT) {
                            found.add(k, (state[first] & FORWARD) != 0, vlan[first], innerVlan[first], firstTs[first], last, frames,
                                length, established, (facts[first] & FlowFacts.SYN_FIRST) != 0);
                        }
                        first = -1;
                    }
                    if (r < 0) {
                        break;
                    }
                    if (first < 0) {
                        first = r;
                        last = lastTs[r];
                        frames = 0;
                        length = 0;
                        established = false;
                        verdict = REJECT;
                    }
                    last = Math.max(last, lastTs[r]);
                    frames += packets[r];
                    length += bytes[r];
                    established |= (facts[r] & FlowFacts.ESTABLISHES) != 0;
                    verdict = Math.max(verdict, state[r] & VERDICT); // ACCEPT over UNKNOWN over REJECT
                }
            }
            return true;
        }

        /** The row numbers ordered by key, then chunk (rows of one chunk as read): a stable merge sort of ints. */
        private int[] byKeyAndChunk() {
            return RowOrder.of(size, this::compare);
        }

        private int compare(final int x, final int y) {
            final int c = Integer.compare(key[x], key[y]);
            return c != 0 ? c : Integer.compare(chunk[x], chunk[y]);
        }
    }

    private Connection.Key keyOf(final FlowRowView row) {
        return key(row, Addresses.parse(row.src()), Addresses.parse(row.dst()));
    }

    /** The frames of one key in capture order, cut into connections. */
    private static final class Split {
        private final ExpressionQuery query;
        private final int depth;
        private final List<Connection> out;
        private boolean open;
        private final FlowKey first = new FlowKey();
        private int vlan;
        private int innerVlan;
        private long firstTs;
        private long lastTs;
        private long packets;
        private long bytes;
        private boolean established;
        private boolean opensWithSyn;
        private boolean accepted;

        Split(final ExpressionQuery query, final int depth, final List<Connection> out) {
            this.query = query;
            this.depth = depth;
            this.out = out;
        }

        void frame(final long ts, final Frame frame, final DecodedPacket decoded, final int layer) {
            final FlowKey k = decoded.layer(layer);
            final boolean tcp = k.protocol() == FlowKey.PROTO_TCP;
            final boolean syn = tcp && k.hasTcpFlag(FlowKey.TCP_SYN) && !k.hasTcpFlag(FlowKey.TCP_ACK);
            if (!open || ts - lastTs > FlowFacts.inactivityTimeoutNanos(k.protocol()) || (syn && established)) {
                flush();
                open = true;
                first.copyFrom(k);
                vlan = decoded.outerVlan();
                innerVlan = decoded.innerVlan();
                firstTs = ts;
                lastTs = ts;
                packets = 0;
                bytes = 0;
                established = false;
                opensWithSyn = syn;
                accepted = query == null;
            }
            lastTs = Math.max(lastTs, ts);
            packets++;
            bytes += frame.originalLength();
            if (tcp && !syn && k.tcpFlags() != FlowKey.NO_TCP_FLAGS) {
                established = true;
            }
            if (!accepted && query.accepts(decoded, layer, ts)) {
                accepted = true;
            }
        }

        void flush() {
            if (open && accepted) {
                out.add(new Connection(first.ipVersion(), first.protocol(), first.srcHi(), first.srcLo(),
                    first.portsKnown() ? first.srcPort() : 0, first.dstHi(), first.dstLo(), first.portsKnown() ? first.dstPort() : 0,
                    vlan, innerVlan, depth, firstTs, lastTs, packets, bytes, established, opensWithSyn));
            }
            open = false;
        }
    }
}
