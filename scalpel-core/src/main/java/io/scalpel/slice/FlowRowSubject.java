package io.scalpel.slice;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.FlowKey;
import io.scalpel.index.FlowRowView;
import io.scalpel.slice.expr.Expression;

/**
 * A row of the flows table as a query expression sees it, its key as stored or reversed (the
 * frames of a flow row run both ways), over its time span. Reused: {@link #of} takes the next row.
 */
final class FlowRowSubject implements Expression.Subject {
    private final boolean reversed;
    private FlowRowView row;
    private Addresses.Parsed src;
    private Addresses.Parsed dst;

    FlowRowSubject(final boolean reversed) {
        this.reversed = reversed;
    }

    /** This subject over {@code r}, its addresses parsed. */
    FlowRowSubject of(final FlowRowView r) {
        this.row = r;
        final Addresses.Parsed a = Addresses.parse(r.src());
        final Addresses.Parsed b = Addresses.parse(r.dst());
        this.src = reversed ? b : a;
        this.dst = reversed ? a : b;
        return this;
    }

    /** This subject over the addresses {@code other} already parsed, of the same row. */
    FlowRowSubject of(final FlowRowSubject other) {
        this.row = other.row;
        this.src = reversed == other.reversed ? other.src : other.dst;
        this.dst = reversed == other.reversed ? other.dst : other.src;
        return this;
    }

    @Override public int ipVersion() { return row.ipVersion(); }
    @Override public long srcHi() { return src.hi(); }
    @Override public long srcLo() { return src.lo(); }
    @Override public long dstHi() { return dst.hi(); }
    @Override public long dstLo() { return dst.lo(); }
    @Override public int protocol() { return row.proto(); }

    /** A row's key lacks its ports when its port columns are null (a datagram without its first fragment, a header cut short). */
    @Override
    public boolean portsKnown() {
        return row.portsKnown() || !hasPorts(row.proto());
    }

    @Override
    public boolean isFragment() {
        return !portsKnown();
    }

    @Override public int srcPort() { return reversed ? row.dstPort() : row.srcPort(); }
    @Override public int dstPort() { return reversed ? row.srcPort() : row.dstPort(); }
    @Override public int vlan() { return row.vlan(); }
    @Override public int innerVlan() { return row.innerVlan(); }
    @Override public long firstTs() { return row.firstTs(); }
    @Override public long lastTs() { return row.lastTs(); }

    private static boolean hasPorts(final int protocol) {
        return protocol == FlowKey.PROTO_TCP || protocol == FlowKey.PROTO_UDP || protocol == FlowKey.PROTO_SCTP;
    }
}
