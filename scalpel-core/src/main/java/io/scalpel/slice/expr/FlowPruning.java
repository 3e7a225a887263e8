package io.scalpel.slice.expr;

import io.scalpel.decode.FlowKey;
import io.scalpel.index.FlowRowFilter;

/**
 * What a query expression tells the flows table before any row is read: a condition on its
 * columns that every flow row the expression may accept satisfies ({@link FlowRowFilter}), so the
 * row groups whose bloom filters, statistics or dictionaries rule it out are skipped
 * (docs/index-format.md, "Query pruning"). The rows read are still decided by the expression.
 *
 * <p>{@code host A} is either address column equal to A's text (bloom filters on {@code src} and
 * {@code dst}); {@code port N} and {@code portrange} either port column in range, or ports unknown
 * (bloom filters and statistics on {@code src_port} and {@code dst_port}); {@code tcp}, {@code ip6},
 * {@code vlan N} their columns (dictionaries); {@code vlan} without an id rules nothing out. A side ({@code src}, {@code dst}) is not kept: a flow
 * row holds the frames of both directions. {@code net} with a shorter prefix, time terms (already
 * the scan's window) and every negation rule nothing out; {@code and} needs both, {@code or} either.
 */
public final class FlowPruning {
    private FlowPruning() {
    }

    /** The condition every flow row that {@code e} may accept satisfies. */
    public static FlowRowFilter of(final Expression e) {
        if (e instanceof Expression.Net n) {
            final int width = n.ipVersion() == FlowKey.IPV4 ? 32 : 128;
            return n.bits() == width ? FlowRowFilter.host(n.ipVersion(), n.hi(), n.lo()) : FlowRowFilter.ipVersion(n.ipVersion());
        }
        if (e instanceof Expression.Port p) {
            return FlowRowFilter.port(p.low(), p.high());
        }
        if (e instanceof Expression.Protocol p) {
            return FlowRowFilter.protocol(p.number(), p.alternative());
        }
        if (e instanceof Expression.IpVersion v) {
            return FlowRowFilter.ipVersion(v.version());
        }
        if (e instanceof Expression.Vlan v) {
            return FlowRowFilter.vlan(v.id());
        }
        if (e instanceof Expression.And a) {
            return of(a.left()).and(of(a.right()));
        }
        if (e instanceof Expression.Or o) {
            return of(o.left()).or(of(o.right()));
        }
        return FlowRowFilter.ANY; // After, Before (the window), Tagged, Not
    }
}
