package io.scalpel.slice;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.slice.expr.Expression;

/**
 * The frames a query expression ({@code --query}, {@link io.scalpel.slice.expr.ExpressionParser})
 * accepts, in a window. A frame is kept when one of its IP layers (the innermost or a tunnel's
 * outer header, as a uid join matches them) satisfies the expression, with the frame's VLAN tags
 * and join time; a fragment without ports is taken on its datagram's word, through the index.
 * The join finds the candidates in the flows table: the rows whose key, in either direction,
 * may satisfy it ({@link #mayMatch(Expression.Subject, Expression.Subject)}).
 *
 * @param label      what to call it in messages (the expression's text)
 * @param expression what it means
 * @param from       window start, ns (inclusive): {@code --from} and the expression's own time bounds
 * @param to         window end, ns (inclusive)
 */
public record ExpressionQuery(String label, Expression expression, long from, long to) implements Query {

    /**
     * The query of {@code expression} within [{@code from}, {@code to}], narrowed to the window its
     * time terms bound (an empty window when they exclude each other).
     */
    public static ExpressionQuery of(final String label, final Expression expression, final long from, final long to) {
        final long[] w = expression.window();
        return new ExpressionQuery(label, expression, Math.max(from, w[0]), Math.min(to, w[1]));
    }

    /** An expression query has no TCP connection to follow. */
    @Override
    public TcpEnding tcpEnding() {
        return null;
    }

    /**
     * Whether a flow row may hold frames of this query: its key as stored ({@code forward}) or
     * reversed ({@code reverse}: its frames run both ways) leaves the expression true or undecided.
     */
    boolean mayMatch(final Expression.Subject forward, final Expression.Subject reverse) {
        return expression.eval(forward) != Expression.FALSE || expression.eval(reverse) != Expression.FALSE;
    }

    /**
     * The innermost IP layer of a decoded frame, joined at {@code joinTs}, that satisfies the
     * expression (or leaves it undecided: a fragment without ports, which the index tied to a
     * candidate datagram), or -1.
     */
    int matchingLayer(final DecodedPacket decoded, final long joinTs) {
        for (int i = decoded.layerCount() - 1; i >= 0; i--) {
            if (accepts(decoded, i, joinTs)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether IP layer {@code layer} of a decoded frame joined at {@code joinTs} satisfies the expression (or leaves it undecided). */
    boolean accepts(final DecodedPacket decoded, final int layer, final long joinTs) {
        final LayerSubject s = new LayerSubject(decoded, joinTs);
        s.key = decoded.layer(layer);
        return expression.eval(s) != Expression.FALSE;
    }

    /** One IP layer of a decoded frame, as an expression sees it. */
    private static final class LayerSubject implements Expression.Subject {
        private final DecodedPacket decoded;
        private final long ts;
        FlowKey key;

        LayerSubject(final DecodedPacket decoded, final long ts) {
            this.decoded = decoded;
            this.ts = ts;
        }

        @Override public int ipVersion() { return key.ipVersion(); }
        @Override public long srcHi() { return key.srcHi(); }
        @Override public long srcLo() { return key.srcLo(); }
        @Override public long dstHi() { return key.dstHi(); }
        @Override public long dstLo() { return key.dstLo(); }
        @Override public int protocol() { return key.protocol(); }
        @Override public boolean portsKnown() { return key.portsKnown(); }
        @Override public boolean isFragment() { return key.isFragment(); }
        @Override public int srcPort() { return key.srcPort(); }
        @Override public int dstPort() { return key.dstPort(); }
        @Override public int vlan() { return decoded.outerVlan(); }
        @Override public int innerVlan() { return decoded.innerVlan(); }
        @Override public long firstTs() { return ts; }
        @Override public long lastTs() { return ts; }
    }
}
