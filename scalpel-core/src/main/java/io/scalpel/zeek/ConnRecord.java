package io.scalpel.zeek;

import java.util.List;

/**
 * One conn.log row, as much of it as the join needs. Addresses are parsed into the two-long form
 * of {@link io.scalpel.decode.FlowKey}; times are nanoseconds since the epoch.
 *
 * @param uid           Zeek's connection uid
 * @param line          1-based line (TSV/JSON) or row number (Parquet) in its log, for messages
 * @param tsNanos       {@code ts}: the first packet, as printed (microsecond precision), or
 *                      {@link #NO_TIMESTAMP} when the log has no usable ts (column absent, unset,
 *                      or masked like {@code XXXXXXXXXX.XXXXXX} in Zeek's test baselines): the row
 *                      then gives no time window, only its flow key
 * @param tsUncertaintyNanos how coarse the logged ts is: the first packet lies in
 *                      {@code [ts, ts + tsUncertaintyNanos)}; 0 for Zeek's microseconds, 10<sup>9</sup>
 *                      for whole seconds ({@code zeek-cut -d}), 10<sup>6</sup> for epoch
 *                      milliseconds (see {@link ConnLogReader} for the forms)
 * @param durationNanos {@code duration}; 0 when unset ({@code -})
 * @param proto         {@code proto} as logged: tcp, udp, icmp or unknown_transport (may be null
 *                      in a row without a 5-tuple)
 * @param ipProto       {@code ip_proto} when the log has it, else -1
 * @param ipVersion     4 or 6 ({@link io.scalpel.decode.FlowKey#IPV4} / {@code IPV6})
 * @param vlan          {@code vlan}, or -1 when unset or absent
 * @param innerVlan     {@code inner_vlan}, or -1 when unset or absent
 * @param vlanKeyed     the log was written with Zeek's VLAN-aware connection key: it has
 *                      {@code id.ctx.vlan} / {@code id.ctx.inner_vlan} columns (Zeek 8's
 *                      {@code frameworks/conn_key/vlan_fivetuple}), so the tags are part of the
 *                      connection's key. In JSON lines, where Zeek leaves unset fields out, a row
 *                      is known to be keyed from the first row that names one of them on
 *                      ({@link ConnLogReader#vlanKeyed()} tells for the whole log)
 * @param communityId   {@code community_id}, or null; the join key of a row without a 5-tuple
 * @param tunnelParents {@code tunnel_parents} uids (empty when unset or (empty))
 * @param origPkts      {@code orig_pkts}, or -1 when unset or absent
 * @param respPkts      {@code resp_pkts}, or -1 when unset or absent
 */
public record ConnRecord(
    String uid,
    long line,
    long tsNanos,
    long tsUncertaintyNanos,
    long durationNanos,
    String proto,
    int ipProto,
    int ipVersion,
    long origHi, long origLo, int origPort,
    long respHi, long respLo, int respPort,
    int vlan,
    int innerVlan,
    boolean vlanKeyed,
    String communityId,
    List<String> tunnelParents,
    long origPkts,
    long respPkts) {

    public static final int UNSET = -1;

    /** {@link #ipVersion()} of a row without a 5-tuple (joined by its community_id). */
    public static final int NO_IP_VERSION = 0;

    /** {@link #tsNanos()} of a row whose ts is absent, unset or masked. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** A row with a ts as fine as Zeek logs it, from a log not keyed by VLAN. */
    public ConnRecord(final String uid, final long line, final long tsNanos, final long durationNanos, final String proto,
                      final int ipProto, final int ipVersion, final long origHi, final long origLo, final int origPort,
                      final long respHi, final long respLo, final int respPort, final int vlan, final int innerVlan,
                      final String communityId, final List<String> tunnelParents, final long origPkts, final long respPkts) {
        this(uid, line, tsNanos, 0, durationNanos, proto, ipProto, ipVersion, origHi, origLo, origPort, respHi, respLo, respPort,
            vlan, innerVlan, false, communityId, tunnelParents, origPkts, respPkts);
    }

    /** This row as if its log said (or did not say) that it was keyed by VLAN. */
    public ConnRecord withVlanKeyed(final boolean keyed) {
        return keyed == vlanKeyed ? this : new ConnRecord(uid, line, tsNanos, tsUncertaintyNanos, durationNanos, proto, ipProto,
            ipVersion, origHi, origLo, origPort, respHi, respLo, respPort, vlan, innerVlan, keyed, communityId, tunnelParents,
            origPkts, respPkts);
    }

    /**
     * True when the row has its whole 5-tuple. A row without it (a zeek-cut subset such as
     * {@code uid ts duration community_id}) has a {@link #communityId()}, {@code ipVersion} 0,
     * zero addresses, ports -1 and a {@code proto} that may be null.
     */
    public boolean hasFiveTuple() {
        return ipVersion != NO_IP_VERSION;
    }

    /** True when the row has a real ts, so {@code [ts, ts + duration]} is a time window. */
    public boolean hasTimestamp() {
        return tsNanos != NO_TIMESTAMP;
    }

    /**
     * Whether the row's packets may run past {@code ts + duration}, up to the log's next row of its
     * key at the latest: a TCP row with a ts (or one without proto, which its frames may show to be
     * TCP), whose connection Zeek keeps counting packets into until {@code tcp_close_delay} after both
     * endpoints closed (DOMAIN-NOTES section 2). A UDP, ICMP or other row ends at {@code ts + duration}:
     * no other row of its key bounds its packets.
     */
    public boolean mayRunPastItsWindow() {
        return hasTimestamp() && (proto == null || proto.equalsIgnoreCase("tcp"));
    }
}
