package io.scalpel.slice.expr;

import io.scalpel.decode.FlowKey;

/**
 * What a query expression means, evaluated on one IP layer of a frame or one row of the flows
 * table (a {@link Subject}) in three values: {@link #TRUE}, {@link #FALSE}, or {@link #MAYBE}
 * when the subject cannot tell (a flow row whose time span straddles an {@code after} time, a
 * fragment that carries no ports). {@code and}, {@code or} and {@code not} follow Kleene's logic
 * (the smaller, the larger, the mirror of the two values).
 */
public sealed interface Expression {
    /** The subject does not satisfy the expression. */
    int FALSE = 0;
    /** The subject cannot tell. */
    int MAYBE = 1;
    /** The subject satisfies the expression. */
    int TRUE = 2;

    /** Which endpoint a host, net or port term looks at. */
    enum Side {
        /** the source of the layer (of the frame's direction) */
        SRC,
        /** the destination */
        DST,
        /** either of them */
        EITHER
    }

    /** What an expression is evaluated on: one IP layer's key, with the frame's VLAN tags and time span. */
    interface Subject {
        int ipVersion();

        long srcHi();

        long srcLo();

        long dstHi();

        long dstLo();

        /** IP protocol number of the layer. */
        int protocol();

        /** False when the layer has no transport ports (a fragment after the first, a header cut short). */
        boolean portsKnown();

        /** True when the layer is a fragment, whose datagram's ports the index gave it. */
        boolean isFragment();

        int srcPort();

        int dstPort();

        /** Outer VLAN id, -1 when untagged. */
        int vlan();

        /** Inner VLAN id, -1 when there is none. */
        int innerVlan();

        /** Earliest join time of the subject, ns (a frame's own for a frame). */
        long firstTs();

        /** Latest join time, ns. */
        long lastTs();
    }

    /** The value of this expression for {@code s}: {@link #FALSE}, {@link #MAYBE} or {@link #TRUE}. */
    int eval(Subject s);

    /**
     * The join-time window outside of which the expression is never true, {@code [from, to]} ns
     * ({@code Long.MIN_VALUE}/{@code MAX_VALUE}: unbounded): what its time terms bound for every
     * frame it keeps.
     */
    default long[] window() {
        return new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
    }

    /** Hosts and networks: the address of a side within a prefix ({@code host} is a prefix of the whole address). */
    record Net(Side side, int ipVersion, long hi, long lo, int bits) implements Expression {
        @Override
        public int eval(final Subject s) {
            if (s.ipVersion() != ipVersion) {
                return FALSE;
            }
            final boolean src = side != Side.DST && within(s.srcHi(), s.srcLo());
            final boolean dst = side != Side.SRC && within(s.dstHi(), s.dstLo());
            return src || dst ? TRUE : FALSE;
        }

        private boolean within(final long aHi, final long aLo) {
            if (ipVersion == FlowKey.IPV4) {
                return bits == 0 || (aLo ^ lo) >>> (32 - bits) == 0;
            }
            if (bits <= 64) {
                return bits == 0 || (aHi ^ hi) >>> (64 - bits) == 0;
            }
            return aHi == hi && (bits == 128 ? aLo == lo : (aLo ^ lo) >>> (128 - bits) == 0);
        }
    }

    /** Ports from {@code low} to {@code high} of a TCP, UDP or SCTP layer. */
    record Port(Side side, int low, int high) implements Expression {
        @Override
        public int eval(final Subject s) {
            final int p = s.protocol();
            if (p != FlowKey.PROTO_TCP && p != FlowKey.PROTO_UDP && p != FlowKey.PROTO_SCTP) {
                return FALSE;
            }
            if (!s.portsKnown()) {
                return s.isFragment() ? MAYBE : FALSE;
            }
            final boolean src = side != Side.DST && s.srcPort() >= low && s.srcPort() <= high;
            final boolean dst = side != Side.SRC && s.dstPort() >= low && s.dstPort() <= high;
            return src || dst ? TRUE : FALSE;
        }
    }

    /** An IP protocol, or either of two ({@code icmp}: ICMP and ICMPv6). */
    record Protocol(int number, int alternative) implements Expression {
        @Override
        public int eval(final Subject s) {
            return s.protocol() == number || s.protocol() == alternative ? TRUE : FALSE;
        }
    }

    /** IPv4 ({@code ip}) or IPv6 ({@code ip6}). */
    record IpVersion(int version) implements Expression {
        @Override
        public int eval(final Subject s) {
            return s.ipVersion() == version ? TRUE : FALSE;
        }
    }

    /** A VLAN id, outer or inner tag. */
    record Vlan(int id) implements Expression {
        @Override
        public int eval(final Subject s) {
            return s.vlan() == id || s.innerVlan() == id ? TRUE : FALSE;
        }
    }

    /** {@code vlan} without an id: the frame has an 802.1Q/802.1ad tag, whichever. */
    record Tagged() implements Expression {
        @Override
        public int eval(final Subject s) {
            return s.vlan() >= 0 ? TRUE : FALSE;
        }
    }

    /** Join time at or after {@code nanos}. */
    record After(long nanos) implements Expression {
        @Override
        public int eval(final Subject s) {
            return s.firstTs() >= nanos ? TRUE : s.lastTs() < nanos ? FALSE : MAYBE;
        }

        @Override
        public long[] window() {
            return new long[] {nanos, Long.MAX_VALUE};
        }
    }

    /** Join time at or before {@code nanos}. */
    record Before(long nanos) implements Expression {
        @Override
        public int eval(final Subject s) {
            return s.lastTs() <= nanos ? TRUE : s.firstTs() > nanos ? FALSE : MAYBE;
        }

        @Override
        public long[] window() {
            return new long[] {Long.MIN_VALUE, nanos};
        }
    }

    /** Both. */
    record And(Expression left, Expression right) implements Expression {
        @Override
        public int eval(final Subject s) {
            final int l = left.eval(s);
            return l == FALSE ? FALSE : Math.min(l, right.eval(s));
        }

        @Override
        public long[] window() {
            final long[] l = left.window();
            final long[] r = right.window();
            return new long[] {Math.max(l[0], r[0]), Math.min(l[1], r[1])};
        }
    }

    /** Either. */
    record Or(Expression left, Expression right) implements Expression {
        @Override
        public int eval(final Subject s) {
            final int l = left.eval(s);
            return l == TRUE ? TRUE : Math.max(l, right.eval(s));
        }

        @Override
        public long[] window() {
            final long[] l = left.window();
            final long[] r = right.window();
            return new long[] {Math.min(l[0], r[0]), Math.max(l[1], r[1])};
        }
    }

    /** Not. */
    record Not(Expression operand) implements Expression {
        @Override
        public int eval(final Subject s) {
            return TRUE - operand.eval(s);
        }
    }
}
