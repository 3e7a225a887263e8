package io.scalpel.api;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import io.scalpel.decode.FlowKey;
import io.scalpel.slice.Connection;
import io.scalpel.slice.ConnectionTable;
import io.scalpel.slice.ExpressionQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The connections an index knows, without a conn.log ({@code scalpel flows}): one row per
 * connection as Zeek would split them. A key (5-tuple, plus VLAN tags when the captures were
 * opened VLAN-aware, at each tunnel depth) starts a new connection after Zeek's inactivity timeout
 * (TCP 5 min, UDP, ICMP and other protocols 1 min) and where a SYN without ACK follows a TCP
 * connection past its first SYN (Zeek's connection reuse). The flows table's rows tell where for
 * nearly every key (their facts, index format 8); the frames of the other keys are read back from
 * the captures (docs/design.md, "Flows"). A capture set's connection that runs on from one file
 * into the next is one row.
 */
public final class Flows {
    private Flows() {
    }

    /** The order of a list. */
    public enum Sort {
        /** By first time, earliest first. */
        TIME,
        /** By packets, most first. */
        PACKETS,
        /** By bytes, most first. */
        BYTES
    }

    /**
     * One connection.
     *
     * @param proto       {@code tcp}, {@code udp}, {@code icmp} (ICMP and ICMPv6), or the IP protocol number
     * @param ipVersion   4 or 6
     * @param src         the first frame's source address
     * @param srcPort     its port; ICMP: the type; 0 for protocols without ports
     * @param dst         the first frame's destination address
     * @param dstPort     its port; ICMP: the counterpart type or the code
     * @param vlan        outer VLAN id of the first frame, -1 untagged
     * @param innerVlan   inner VLAN id, -1 none
     * @param depth       tunnel depth of the key: 0 the innermost IP layer (conn.log's), 1 the layer around it, ...
     * @param firstTs     time of the first frame, ns since 1970 (a fragment's: its datagram's)
     * @param lastTs      time of the last frame, ns
     * @param packets     frames of the connection
     * @param bytes       sum of their original lengths
     * @param communityId Community ID v1 of the key under the options' seed, or null for a protocol it has no form for
     */
    public record Row(String proto, int ipVersion, String src, int srcPort, String dst, int dstPort, int vlan, int innerVlan,
                      int depth, long firstTs, long lastTs, long packets, long bytes, String communityId) {
    }

    /**
     * Checks a query expression before any capture is opened.
     *
     * @param query the expression, or null
     * @param nowNanos the time relative times count back from, ns
     * @throws IllegalArgumentException {@code --query 'EXPR': column N: what is wrong}
     */
    public static void check(final String query, final long nowNanos) {
        if (query != null) {
            Queries.ofExpression(query, nowNanos, Long.MIN_VALUE, Long.MAX_VALUE);
        }
    }

    /**
     * The connections of {@code captures} of which a query expression accepts a frame (every
     * connection when it is null), by first time.
     *
     * @param captures a capture file or a capture set, open
     * @param query a query expression (docs/cli.md, "Query expressions"), or null
     * @param nowNanos the time the expression's relative times count back from, ns
     * @return the connections, by first time
     * @throws IllegalArgumentException when the expression cannot be read ({@code --query 'EXPR': column N: ...})
     * @throws IOException when a capture or its index cannot be read
     */
    public static List<Row> list(final Captures captures, final String query, final long nowNanos) throws IOException {
        final List<Row> rows = new ArrayList<>();
        each(captures, query, nowNanos, Sort.TIME, Long.MAX_VALUE, rows::add);
        return rows;
    }

    /**
     * Hands the connections of {@code captures} of which a query expression accepts a frame
     * (every connection when it is null) to {@code sink} one at a time, in {@code sort} order (ties
     * in time order), at most {@code limit}. In time order the connections of a capture file are
     * handed on as its index is read, the memory bounded by the connections open at once, not by
     * their number (docs/performance.md); a capture set's, member after member, a connection that
     * runs on from one member into the next joined as they come. By packets or bytes, the
     * {@code limit} best are kept in memory when there are few; without a limit (or a large one)
     * every connection is sorted in runs of a temporary file ({@code scalpel.tmpdir}, else
     * {@code java.io.tmpdir}), removed before this returns.
     *
     * @param captures a capture file or a capture set, open
     * @param query a query expression, or null
     * @param nowNanos the time the expression's relative times count back from, ns
     * @param sort the order
     * @param limit at most this many rows
     * @param sink receives each row
     * @return the rows handed over
     * @throws IllegalArgumentException when the expression cannot be read
     * @throws IOException when a capture or its index cannot be read
     */
    public static long each(final Captures captures, final String query, final long nowNanos, final Sort sort, final long limit,
                            final Consumer<Row> sink) throws IOException {
        return each(captures, query, nowNanos, sort, limit, false, sink);
    }

    /** As {@link #list}, every key's frames read back from the capture to split it (what the index's answer is held to). */
    static List<Row> listReadBack(final Captures captures, final String query, final long nowNanos) throws IOException {
        final List<Row> rows = new ArrayList<>();
        each(captures, query, nowNanos, Sort.TIME, Long.MAX_VALUE, true, rows::add);
        return rows;
    }

    private static long each(final Captures captures, final String query, final long nowNanos, final Sort sort, final long limit,
                             final boolean readBackAll, final Consumer<Row> sink) throws IOException {
        final CommunityId ids = new CommunityId(captures.options().communityIdSeed());
        if (sort == Sort.TIME) {
            final long[] handed = {0};
            connections(captures, query, nowNanos, readBackAll, c -> {
                if (handed[0] >= limit) {
                    return false;
                }
                sink.accept(row(c, ids));
                return ++handed[0] < limit;
            });
            return handed[0];
        }
        try (TopConnections top = new TopConnections(sort == Sort.PACKETS ? TopConnections.BY_PACKETS : TopConnections.BY_BYTES,
            limit)) {
            connections(captures, query, nowNanos, readBackAll, top::add);
            return top.each(c -> sink.accept(row(c, ids)));
        }
    }

    /**
     * Hands the connections of {@code captures} to {@code sink} in time order as the indexes are
     * read, in bounded memory: of a capture file chunk by chunk of its flows table, of a capture
     * set member after member, joined as they come
     * ({@link io.scalpel.slice.JoinedConnections}). Returns the connections read back from the
     * captures to split them.
     */
    static int connections(final Captures captures, final String query, final long nowNanos, final boolean readBackAll,
                           final Connection.Sink sink) throws IOException {
        if (readBackAll) {
            final ConnectionTable found = table(captures, query, nowNanos, readBackAll);
            for (int i = 0; i < found.size() && sink.connection(found.get(i)); i++) {
                // handed on
            }
            return found.keysReadBack();
        }
        final ExpressionQuery q = query == null ? null : Queries.ofExpression(query, nowNanos, Long.MIN_VALUE, Long.MAX_VALUE);
        final boolean vlanAware = captures.options().vlanKey() == Scalpel.VlanKey.AWARE;
        if (captures instanceof CaptureSet set) {
            return set.connections(q, vlanAware, sink);
        }
        return ((CaptureFile) captures).scalpel().connections(q, vlanAware, sink);
    }

    /** The connections of {@code captures}, in time order ({@link Connection#compareByTime}); {@code readBackAll}: every key's frames read back from the capture to split it. */
    static ConnectionTable table(final Captures captures, final String query, final long nowNanos, final boolean readBackAll)
        throws IOException {
        final ExpressionQuery q = query == null ? null : Queries.ofExpression(query, nowNanos, Long.MIN_VALUE, Long.MAX_VALUE);
        final boolean vlanAware = captures.options().vlanKey() == Scalpel.VlanKey.AWARE;
        if (captures instanceof CaptureSet set) {
            return set.connections(q, vlanAware, readBackAll);
        }
        return ((CaptureFile) captures).scalpel().connections(q, vlanAware, readBackAll);
    }

    /**
     * {@code rows} in the order {@code sort} says (ties in time order).
     *
     * @param rows the rows, in time order
     * @param sort the order
     * @return a new list
     */
    public static List<Row> sorted(final List<Row> rows, final Sort sort) {
        final List<Row> out = new ArrayList<>(rows);
        if (sort == Sort.PACKETS) {
            out.sort(Comparator.comparingLong(Row::packets).reversed());
        } else if (sort == Sort.BYTES) {
            out.sort(Comparator.comparingLong(Row::bytes).reversed());
        }
        return out;
    }

    static Row row(final Connection c, final CommunityId ids) {
        final int p = c.protocol();
        final String proto = p == FlowKey.PROTO_TCP ? "tcp" : p == FlowKey.PROTO_UDP ? "udp"
            : p == FlowKey.PROTO_ICMP || p == FlowKey.PROTO_ICMPV6 ? "icmp" : Integer.toString(p);
        return new Row(proto, c.ipVersion(), Addresses.format(c.ipVersion(), c.srcHi(), c.srcLo()), c.srcPort(),
            Addresses.format(c.ipVersion(), c.dstHi(), c.dstLo()), c.dstPort(), c.vlan(), c.innerVlan(), c.depth(), c.firstTs(),
            c.lastTs(), c.packets(), c.bytes(),
            ids.of(c.ipVersion(), c.srcHi(), c.srcLo(), c.srcPort(), c.dstHi(), c.dstLo(), c.dstPort(), p));
    }
}
