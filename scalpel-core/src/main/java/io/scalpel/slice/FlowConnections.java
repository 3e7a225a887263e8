package io.scalpel.slice;

import io.scalpel.capture.Frame;
import io.scalpel.decode.Addresses;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.index.FlowRowView;
import io.scalpel.index.FlowRowFilter;
import io.scalpel.index.PacketIndex;
import io.scalpel.slice.expr.FlowPruning;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connections of one capture as Zeek would split them ({@link Slicer#connections}). The flows
 * table gives the keys (those an expression may accept, in its window) and, per key, its flow rows
 * in every chunk; their packet rows are read as a lookup reads them, and each frame is read back
 * and decoded ({@link Confirmation#each}), because where a connection ends (a gap past Zeek's
 * inactivity timeout, a new SYN on the key) is in the frames' times and TCP flags, which the index
 * does not hold. A connection is listed when one of its frames satisfies the expression; its
 * counts are of all its frames.
 */
final class FlowConnections {
    private final PacketIndex index;
    private final boolean vlanAware;

    FlowConnections(final PacketIndex index, final boolean vlanAware) {
        this.index = index;
        this.vlanAware = vlanAware;
    }

    /** The connections of the keys {@code query} may accept (every key when null), in first-time order. */
    List<Connection> list(final ExpressionQuery query, final Confirmation confirm) throws IOException {
        final Set<Connection.Key> wanted = new HashSet<>();
        final FlowRowSubject forward = new FlowRowSubject(false);
        final FlowRowSubject reverse = new FlowRowSubject(true);
        final long from = query == null ? Long.MIN_VALUE : query.from();
        final long to = query == null ? Long.MAX_VALUE : query.to();
        index.flowRows(from, to, query == null ? FlowRowFilter.ANY : FlowPruning.of(query.expression()), row -> {
            if (query == null || query.mayMatch(forward.of(row), reverse.of(forward))) {
                wanted.add(keyOf(row));
            }
        });
        final Map<Connection.Key, Candidates> byKey = new LinkedHashMap<>();
        final Map<Long, Candidates> byFlowRow = new HashMap<>();
        if (!wanted.isEmpty()) {
            index.lookupFlows(Long.MIN_VALUE, Long.MAX_VALUE, row -> {
                final Connection.Key k = keyOf(row);
                if (!wanted.contains(k)) {
                    return false;
                }
                byFlowRow.put(PacketIndex.flowRow(row.chunk(), row.flow()), byKey.computeIfAbsent(k, x -> new Candidates()));
                return true;
            }, (ts, offset, chunk, flow, dgramTs) -> byFlowRow.get(PacketIndex.flowRow(chunk, flow)).add(ts, offset, dgramTs));
        }
        final List<Connection> found = new ArrayList<>();
        for (Map.Entry<Connection.Key, Candidates> e : byKey.entrySet()) {
            final Connection.Key k = e.getKey();
            final FlowQuery q = new FlowQuery("flow", k.ipVersion(), k.aHi(), k.aLo(), k.aPort(), k.bHi(), k.bLo(), k.bPort(),
                k.protocol(), Long.MIN_VALUE, Long.MAX_VALUE, vlanAware, k.vlan(), k.innerVlan(), null);
            final Split split = new Split(query, k.depth(), found);
            confirm.each(q, e.getValue(), split::frame);
            split.flush();
            // A one-way ICMP key names one direction (FlowQuery.matches); the key's endpoints are
            // ordered, so the messages sent the other way round are another connection of it.
            final FlowQuery back = new FlowQuery("flow", k.ipVersion(), k.bHi(), k.bLo(), k.bPort(), k.aHi(), k.aLo(), k.aPort(),
                k.protocol(), Long.MIN_VALUE, Long.MAX_VALUE, vlanAware, k.vlan(), k.innerVlan(), null);
            if (q.oneWayIcmp() && back.oneWayIcmp()) {
                final Split backSplit = new Split(query, k.depth(), found);
                confirm.each(back, e.getValue(), backSplit::frame);
                backSplit.flush();
            }
        }
        found.sort(Connection::compareByTime);
        return found;
    }

    private Connection.Key keyOf(final FlowRowView row) {
        final Addresses.Parsed src = Addresses.parse(row.src());
        final Addresses.Parsed dst = Addresses.parse(row.dst());
        return Connection.Key.of(row.ipVersion(), row.proto(), src.hi(), src.lo(), row.srcPort(), dst.hi(), dst.lo(),
            row.dstPort(), vlanAware ? row.vlan() : -1, vlanAware ? row.innerVlan() : -1, row.depth());
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
            if (!open || ts - lastTs > Connection.inactivityTimeoutNanos(k.protocol()) || (syn && established)) {
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
