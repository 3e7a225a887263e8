package io.scalpel.slice;

import io.scalpel.decode.CommunityId;
import io.scalpel.zeek.ConnRecord;

/**
 * What a slice selects, in a window of join times ({@code [from, to]}, ns; a fragment joins at its
 * datagram's time): the frames of a flow key ({@link FlowQuery}: a conn.log row, {@code --flow},
 * a tunnel's outer key), of a Community ID ({@link CommunityIdQuery}), of a query expression
 * ({@link ExpressionQuery}), or every frame ({@link WindowQuery}). A new kind of query is a new permitted type here, with its lookup in the
 * index ({@code IndexJoin}) and its confirmation of a decoded frame ({@code Confirmation}), the two
 * steps of {@link Slicer}.
 */
public sealed interface Query permits FlowQuery, CommunityIdQuery, WindowQuery, ExpressionQuery {
    /** Widening of a conn.log window on each side: ts and duration are printed rounded to µs from doubles. */
    long WINDOW_SLACK_NANOS = 5_000;

    /** What to call it in messages and file names (the uid, the flow, the ID). */
    String label();

    /** Window start, ns (inclusive); {@code Long.MIN_VALUE}: unbounded. */
    long from();

    /** Window end, ns (inclusive); {@code Long.MAX_VALUE}: unbounded. */
    long to();

    /**
     * For a TCP connection of a conn.log row, how far its packets may run past {@link #to()}
     * once both endpoints closed; null for every other query, which ends at {@link #to()}.
     */
    TcpEnding tcpEnding();

    /**
     * The last join time a frame of this query can have: {@link #to()}, or for a TCP connection
     * the end of the longest tail it may have after its window.
     */
    default long lookupTo() {
        final TcpEnding e = tcpEnding();
        if (e == null || to() == Long.MAX_VALUE) {
            return to();
        }
        final long tail = to() > Long.MAX_VALUE - e.closeDelayNanos() ? Long.MAX_VALUE : to() + e.closeDelayNanos();
        return Math.max(to(), Math.min(tail, e.nextRowStart()));
    }

    /** Whether a frame's join time lies in the window. */
    default boolean inWindow(final long ts) {
        return ts >= from() && ts <= to();
    }

    /** Whether a frame's join time lies in the window a lookup reads: {@code [from, lookupTo()]}. */
    default boolean inLookupWindow(final long ts) {
        return ts >= from() && ts <= lookupTo();
    }

    /**
     * The query for a conn.log row with Zeek's default {@code tcp_close_delay} and no next row of
     * its key known.
     */
    static Query of(final ConnRecord c, final boolean vlanAware, final int communityIdSeed) {
        return of(c, vlanAware, communityIdSeed, TcpEnding.DEFAULT_CLOSE_DELAY_NANOS, TcpEnding.NO_NEXT_ROW);
    }

    /**
     * The query for a conn.log row: by its 5-tuple ({@link FlowQuery}), or by its
     * {@code community_id} (computed by Zeek with {@code communityIdSeed}) when the row has no
     * 5-tuple ({@link CommunityIdQuery}), in the window {@code [ts, ts + duration]} widened by
     * {@link #WINDOW_SLACK_NANOS} each side (and by the ts's own coarseness after it). A TCP row's
     * packets may run on past that window once both endpoints closed ({@link TcpEnding}), for at
     * most {@code closeDelayNanos} and never into {@code nextRowStart}, the ts of the log's next
     * row with the same key ({@link TcpEnding#NO_NEXT_ROW} when there is none or it is not known).
     * A row without a usable ts has an unbounded window.
     */
    static Query of(final ConnRecord c, final boolean vlanAware, final int communityIdSeed, final long closeDelayNanos,
                    final long nextRowStart) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        TcpEnding ending = null;
        if (c.hasTimestamp()) {
            from = c.tsNanos() - WINDOW_SLACK_NANOS;
            to = c.tsNanos() + Math.max(0, c.durationNanos()) + c.tsUncertaintyNanos() + WINDOW_SLACK_NANOS;
            if (c.mayRunPastItsWindow()) {
                // A row without proto (a zeek-cut subset joined by community_id) may be TCP: its
                // frames tell, as only TCP frames ever close a connection.
                ending = new TcpEnding(closeDelayNanos, nextRowStart);
            }
        }
        if (!c.hasFiveTuple()) {
            return new CommunityIdQuery(c.uid(), CommunityIdQuery.checked(c.communityId()), CommunityId.checkSeed(communityIdSeed),
                from, to, ending);
        }
        final int protocol = FlowQuery.protocolOf(c.proto(), c.ipProto(), c.ipVersion());
        return new FlowQuery(c.uid(), c.ipVersion(), c.origHi(), c.origLo(), c.origPort(), c.respHi(), c.respLo(),
            c.respPort(), protocol, from, to, vlanAware, c.vlan(), c.innerVlan(), ending);
    }

    /**
     * {@code q} with its frames held to [{@code from}, {@code to}] as well ({@code --from}/{@code --to}
     * with a conn.log): its window narrowed, and a TCP connection's tail never run past {@code to}.
     * The query itself when the bounds are unbounded.
     */
    static Query narrowed(final Query q, final long from, final long to) {
        if (from == Long.MIN_VALUE && to == Long.MAX_VALUE) {
            return q;
        }
        final long f = Math.max(q.from(), from);
        final long t = Math.min(q.to(), to);
        final TcpEnding e = q.tcpEnding() == null || to == Long.MAX_VALUE ? q.tcpEnding()
            : new TcpEnding(q.tcpEnding().closeDelayNanos(), Math.min(q.tcpEnding().nextRowStart(),
                to + 1 + TcpEnding.NEXT_ROW_ROUNDING_NANOS));
        if (q instanceof FlowQuery fq) {
            return new FlowQuery(fq.label(), fq.ipVersion(), fq.origHi(), fq.origLo(), fq.origPort(), fq.respHi(), fq.respLo(),
                fq.respPort(), fq.protocol(), f, t, fq.vlanAware(), fq.vlan(), fq.innerVlan(), e);
        }
        if (q instanceof CommunityIdQuery c) {
            return new CommunityIdQuery(c.label(), c.communityId(), c.seed(), f, t, e);
        }
        if (q instanceof ExpressionQuery x) {
            return new ExpressionQuery(x.label(), x.expression(), f, t);
        }
        return new WindowQuery(q.label(), f, t);
    }
}
