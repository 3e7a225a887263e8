package io.scalpel.api;

import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.ExpressionQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.TcpEnding;
import io.scalpel.slice.expr.ExpressionException;
import io.scalpel.slice.expr.ExpressionParser;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.SameKeyRows;
import io.scalpel.zeek.Tunnel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The queries of conn.log rows, tunnels, Community IDs and flows under the options a capture or a
 * capture set was opened with ({@link Scalpel.Options}): a row by its 5-tuple, or by its
 * community_id when it has none, VLAN-aware as {@link Scalpel.Options#vlanKey()} says for it, a
 * TCP row's packets after its close bounded by the close delay and the log's next row of its key;
 * Community IDs under the options' seed. What {@link Scalpel}, {@link CaptureSet} and
 * {@link Slices} select by, made in one place.
 */
final class Queries {
    private final Scalpel.Options options;

    Queries(final Scalpel.Options options) {
        this.options = options;
    }

    /** The query of a conn.log row whose log's next row with the same key starts at {@code nextRowStart} ns. */
    Query of(final ConnRecord conn, final long nextRowStart) {
        return Query.of(conn, options.vlanKey().aware(conn), options.communityIdSeed(), options.tcpCloseDelayNanos(),
            nextRowStart);
    }

    /** The queries of conn rows that stand for their log (each bounded by the next row of its key). */
    List<Query> ofRows(final Collection<ConnRecord> conns) {
        // A log is keyed by VLAN or not as a whole (its id.ctx columns): its rows' keys are alike.
        final SameKeyRows next = SameKeyRows.of(conns, conns.stream().anyMatch(options.vlanKey()::aware));
        final List<Query> queries = new ArrayList<>(conns.size());
        for (ConnRecord c : conns) {
            queries.add(of(c, next.nextStart(c)));
        }
        return queries;
    }

    /** The queries of tunnels of a tunnel.log, VLAN-blind: the log has no tags. */
    static List<Query> ofTunnels(final Collection<Tunnel> tunnels) {
        final List<Query> queries = new ArrayList<>(tunnels.size());
        for (Tunnel t : tunnels) {
            queries.add(FlowQuery.of(t));
        }
        return queries;
    }

    /**
     * A query per Community ID v1 under the options' seed, labelled with the ID, in the join-time
     * window [{@code from}, {@code to}] ns.
     *
     * @throws IllegalArgumentException when an ID is not a base64 Community ID v1
     */
    List<Query> ofCommunityIds(final Collection<String> communityIds, final long from, final long to) {
        final List<Query> queries = new ArrayList<>(communityIds.size());
        for (String id : communityIds) {
            queries.add(CommunityIdQuery.of(id, id, options.communityIdSeed(), from, to));
        }
        return queries;
    }

    /**
     * A query per flow given as {@code 'PROTO ADDR:PORT ADDR:PORT'}, in the window [{@code from},
     * {@code to}] ns.
     *
     * @throws IllegalArgumentException when a flow cannot be parsed
     */
    static List<Query> ofFlows(final Collection<String> flows, final long from, final long to, final boolean vlanAware) {
        final List<Query> queries = new ArrayList<>(flows.size());
        for (String f : flows) {
            queries.add(FlowQuery.parse(f, from, to, vlanAware));
        }
        return queries;
    }

    /**
     * The query of an expression (docs/cli.md, "Query expressions"), its relative times counted
     * back from {@code nowNanos}, in the window [{@code from}, {@code to}] ns.
     *
     * @throws IllegalArgumentException {@code --query 'EXPR': column N: what is wrong}
     */
    static ExpressionQuery ofExpression(final String expression, final long nowNanos, final long from, final long to) {
        try {
            return ExpressionQuery.of(expression, ExpressionParser.parse(expression, nowNanos), from, to);
        } catch (ExpressionException e) {
            throw new IllegalArgumentException("--query " + e.getMessage(), e);
        }
    }

    /** The Community ID v1 of a conn row's 5-tuple under the options' seed, or null (see {@link Scalpel#communityIdOf}). */
    String communityIdOf(final ConnRecord conn) {
        return of(conn, TcpEnding.NO_NEXT_ROW) instanceof FlowQuery f ? f.communityIdOfKey(options.communityIdSeed()) : null;
    }
}
