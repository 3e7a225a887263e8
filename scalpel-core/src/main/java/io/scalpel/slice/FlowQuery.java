package io.scalpel.slice;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowHash;
import io.scalpel.decode.FlowKey;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import java.util.Locale;
import java.util.Set;

/**
 * The packets of one connection: a 5-tuple matched in either direction inside a time window,
 * optionally with VLAN tags, or a Community ID inside a time window. Built from a conn.log row
 * (Zeek's rules: ICMP types as ports, unknown transports with ports 0, a window widened for
 * microsecond rounding; a row with a community_id but no 5-tuple gives a Community ID query),
 * from a {@code --flow} expression, or from a {@code --community-id}.
 *
 * @param label     what to call it in messages and file names (the uid)
 * @param protocol  IP protocol number, or {@link #ANY_OTHER} for Zeek's unknown_transport
 *                  without {@code ip_proto}
 * @param from      window start, ns (inclusive)
 * @param to        window end, ns (inclusive)
 * @param vlanAware whether VLAN tags must match ({@code vlan}/{@code innerVlan}, -1 = untagged)
 * @param communityId     for a Community ID query, the ID (then {@code ipVersion} is 0 and the
 *                        key fields are unused); null for a 5-tuple query
 * @param communityIdSeed the seed {@code communityId} was computed with
 * @param tcpEnding       for a TCP connection of a conn.log row, how far its packets may run
 *                        past {@code to} once both endpoints closed; null for every other query
 *                        (which ends at {@code to})
 */
public record FlowQuery(String label, int ipVersion,
                        long origHi, long origLo, int origPort,
                        long respHi, long respLo, int respPort,
                        int protocol, long from, long to,
                        boolean vlanAware, int vlan, int innerVlan,
                        String communityId, int communityIdSeed,
                        TcpEnding tcpEnding) {

    /** Any IP protocol other than TCP, UDP, ICMP and ICMPv6. */
    public static final int ANY_OTHER = -2;
    /** Widening of a conn.log window on each side: ts and duration are printed rounded to µs from doubles. */
    public static final long WINDOW_SLACK_NANOS = 5_000;

    /**
     * The query for a conn.log row with Zeek's default {@code tcp_close_delay} and no next row of
     * its key known; a row without a usable ts has an unbounded window.
     */
    public static FlowQuery of(final ConnRecord c, final boolean vlanAware) {
        return of(c, vlanAware, CommunityId.DEFAULT_SEED);
    }

    /** As {@link #of(ConnRecord, boolean, int, long, long)} with Zeek's default close delay and no next row known. */
    public static FlowQuery of(final ConnRecord c, final boolean vlanAware, final int communityIdSeed) {
        return of(c, vlanAware, communityIdSeed, TcpEnding.DEFAULT_CLOSE_DELAY_NANOS, TcpEnding.NO_NEXT_ROW);
    }

    /**
     * The query for a conn.log row: by its 5-tuple, or by its {@code community_id} (computed by
     * Zeek with {@code communityIdSeed}) when the row has no 5-tuple, in the window
     * {@code [ts, ts + duration]}. A TCP row's packets may run on past that window once both
     * endpoints closed (see {@link TcpEnding}), for at most {@code closeDelayNanos} and never into
     * {@code nextRowStart}, the ts of the log's next row with the same key
     * ({@link TcpEnding#NO_NEXT_ROW} when there is none or it is not known). A row without a
     * usable ts has an unbounded window.
     */
    public static FlowQuery of(final ConnRecord c, final boolean vlanAware, final int communityIdSeed,
                               final long closeDelayNanos, final long nextRowStart) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        TcpEnding ending = null;
        if (c.tsNanos() != Long.MIN_VALUE) {
            from = c.tsNanos() - WINDOW_SLACK_NANOS;
            to = c.tsNanos() + Math.max(0, c.durationNanos()) + c.tsUncertaintyNanos() + WINDOW_SLACK_NANOS;
            if (c.proto() == null || c.proto().equalsIgnoreCase("tcp")) {
                // A row without proto (a zeek-cut subset joined by community_id) may be TCP: its
                // frames tell, as only TCP frames ever close a connection.
                ending = new TcpEnding(closeDelayNanos, nextRowStart);
            }
        }
        if (!c.hasFiveTuple()) {
            return ofCommunityId(c.uid(), c.communityId(), communityIdSeed, from, to).withTcpEnding(ending);
        }
        final int protocol = protocolOf(c.proto(), c.ipProto(), c.ipVersion());
        return new FlowQuery(c.uid(), c.ipVersion(), c.origHi(), c.origLo(), c.origPort(), c.respHi(), c.respLo(),
            c.respPort(), protocol, from, to, vlanAware, c.vlan(), c.innerVlan(), null, communityIdSeed, ending);
    }

    /** This query with another TCP ending (null: none). */
    public FlowQuery withTcpEnding(final TcpEnding ending) {
        return new FlowQuery(label, ipVersion, origHi, origLo, origPort, respHi, respLo, respPort, protocol, from, to,
            vlanAware, vlan, innerVlan, communityId, communityIdSeed, ending);
    }

    /**
     * The last join time a frame of this query can have: {@code to}, or for a TCP connection the
     * end of the longest tail it may have after its window.
     */
    public long lookupTo() {
        if (tcpEnding == null || to == Long.MAX_VALUE) {
            return to;
        }
        final long tail = to > Long.MAX_VALUE - tcpEnding.closeDelayNanos() ? Long.MAX_VALUE : to + tcpEnding.closeDelayNanos();
        return Math.max(to, Math.min(tail, tcpEnding.nextRowStart()));
    }

    /** Whether a frame's join time lies in the window a lookup reads: {@code [from, lookupTo()]}. */
    public boolean inLookupWindow(final long ts) {
        return ts >= from && ts <= lookupTo();
    }

    /**
     * The frames whose flow has Community ID v1 {@code id} (computed with {@code seed}) in
     * [{@code from}, {@code to}]. VLAN tags are not part of a Community ID.
     *
     * @throws IllegalArgumentException when {@code id} is not a base64 Community ID v1 or the
     *                                  seed is not 16 bits
     */
    public static FlowQuery ofCommunityId(final String label, final String id, final int seed, final long from, final long to) {
        if (!CommunityId.isWellFormed(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a Community ID v1 (1: and 28 base64 characters,"
                + " like 1:wCb3OG7yAFWelaUydu0D+125CLM=)");
        }
        return new FlowQuery(label, 0, 0, 0, 0, 0, 0, 0, 0, from, to, false, -1, -1, id, CommunityId.checkSeed(seed), null);
    }

    /** True for a query by Community ID rather than by 5-tuple. */
    public boolean byCommunityId() {
        return communityId != null && ipVersion == 0;
    }

    /**
     * The Community ID v1 of this query's 5-tuple under {@code seed}, as Zeek computes it from a
     * conn.log row's id fields; null for a Community ID query, for an unknown transport without
     * {@code ip_proto} (its protocol is not known) and for SCTP (conn.log has its ports as 0,
     * Community ID hashes the real ones).
     */
    public String communityIdOfKey(final int seed) {
        if (ipVersion == 0 || protocol == ANY_OTHER || protocol == FlowKey.PROTO_SCTP) {
            return null;
        }
        return new CommunityId(seed).of(ipVersion, origHi, origLo, origPort, respHi, respLo, respPort, protocol);
    }

    /** tunnel.log types whose outer layer is a UDP flow (its ports are the tunnel's). */
    private static final Set<String> UDP_TUNNELS = Set.of("Tunnel::VXLAN", "Tunnel::GENEVE", "Tunnel::TEREDO",
        "Tunnel::AYIYA", "Tunnel::GTPv1");
    /** tunnel.log types carried in a TCP stream. */
    private static final Set<String> TCP_TUNNELS = Set.of("Tunnel::SOCKS", "Tunnel::HTTP");

    /**
     * The query for a tunnel.log tunnel: its outer key, matched in any IP layer of a frame, from
     * its DISCOVER to its CLOSE (unbounded where the log has no such time). GRE (ERSPAN included)
     * and IP-in-IP tunnels are keyed by their addresses alone, as Zeek keys them (ports 0, any
     * protocol of the "other" class: 47, 4, 41); UDP tunnels by their 5-tuple. tunnel.log has no
     * VLAN columns, so VLAN tags are never compared.
     */
    public static FlowQuery of(final Tunnel t) {
        final int protocol;
        if (UDP_TUNNELS.contains(t.tunnelType())) {
            protocol = FlowKey.PROTO_UDP;
        } else if (TCP_TUNNELS.contains(t.tunnelType())) {
            protocol = FlowKey.PROTO_TCP;
        } else if (t.origPort() == 0 && t.respPort() == 0) {
            protocol = ANY_OTHER;
        } else {
            protocol = FlowKey.PROTO_UDP; // a type this version does not know, with ports: a UDP tunnel
        }
        final long from = t.fromNanos() == ConnRecord.NO_TIMESTAMP ? Long.MIN_VALUE : t.fromNanos() - WINDOW_SLACK_NANOS;
        final long to = t.toNanos() == Tunnel.OPEN ? Long.MAX_VALUE : t.toNanos() + WINDOW_SLACK_NANOS;
        return new FlowQuery(t.uid(), t.ipVersion(), t.origHi(), t.origLo(), t.origPort(), t.respHi(), t.respLo(),
            t.respPort(), protocol, from, Math.max(from, to), false, -1, -1, null, CommunityId.DEFAULT_SEED, null);
    }

    /** IP protocol number for conn.log's {@code proto}. */
    public static int protocolOf(final String proto, final int ipProto, final int ipVersion) {
        switch (proto.toLowerCase(Locale.ROOT)) {
            case "tcp":
                return FlowKey.PROTO_TCP;
            case "udp":
                return FlowKey.PROTO_UDP;
            case "icmp":
                return ipVersion == FlowKey.IPV6 ? FlowKey.PROTO_ICMPV6 : FlowKey.PROTO_ICMP;
            default:
                return ipProto >= 0 ? ipProto : ANY_OTHER;
        }
    }

    /**
     * Parses {@code PROTO ADDR:PORT ADDR:PORT} ({@code [v6addr]:port} for IPv6; a protocol name
     * tcp/udp/icmp or a number), e.g. {@code tcp 10.0.0.1:1234 10.0.0.2:80}.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static FlowQuery parse(final String text, final long from, final long to, final boolean vlanAware) {
        final String[] parts = text.trim().split("\\s+");
        if (parts.length != 3) {
            throw new IllegalArgumentException("--flow wants 'PROTO ADDR:PORT ADDR:PORT', got '" + text + "'");
        }
        final Endpoint a = Endpoint.parse(parts[1]);
        final Endpoint b = Endpoint.parse(parts[2]);
        if (a.address.ipVersion() != b.address.ipVersion()) {
            throw new IllegalArgumentException("--flow mixes IPv4 and IPv6 addresses: '" + text + "'");
        }
        int protocol;
        if (parts[0].chars().allMatch(Character::isDigit)) {
            protocol = Integer.parseInt(parts[0]);
            if (protocol > 255) {
                throw new IllegalArgumentException("--flow protocol " + protocol + " is not an IP protocol number");
            }
        } else {
            final String p = parts[0].toLowerCase(Locale.ROOT);
            if (!p.equals("tcp") && !p.equals("udp") && !p.equals("icmp") && !p.equals("unknown_transport")) {
                throw new IllegalArgumentException("--flow protocol '" + parts[0] + "' is not tcp, udp, icmp or a number");
            }
            protocol = protocolOf(p, -1, a.address.ipVersion());
        }
        return new FlowQuery(text.trim(), a.address.ipVersion(), a.address.hi(), a.address.lo(), a.port,
            b.address.hi(), b.address.lo(), b.port, protocol, from, to, vlanAware, -1, -1, null, CommunityId.DEFAULT_SEED, null);
    }

    private record Endpoint(Addresses.Parsed address, int port) {
        static Endpoint parse(final String s) {
            final int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + s + "' is not ADDR:PORT");
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("write IPv6 endpoints as [ADDR]:PORT, got '" + s + "'");
            }
            final int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' has no numeric port");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " in '" + s + "' is out of range");
            }
            return new Endpoint(Addresses.parse(host), port);
        }
    }

    /** The index's flow reference for this connection. */
    public long flowHash() {
        final int p = protocol == ANY_OTHER ? FlowHash.OTHER_PROTOCOLS : protocol;
        return FlowHash.of(ipVersion, origHi, origLo, origPort, respHi, respLo, respPort, p);
    }

    /** Whether a frame's join time lies in the window. */
    public boolean inWindow(final long ts) {
        return ts >= from && ts <= to;
    }

    /**
     * Whether a decoded frame belongs to this connection by key: any of its IP layers, the
     * innermost or one of a tunnel's outer headers, has the key in either direction (and the
     * frame has the VLAN tags when VLAN-aware). A fragment without the transport header is matched
     * by addresses and protocol: the index attributed it through its datagram.
     */
    public boolean matches(final DecodedPacket decoded) {
        return matchingLayer(decoded) >= 0;
    }

    /** The innermost IP layer of a decoded frame that {@link #matches(DecodedPacket)} it, or -1. */
    public int matchingLayer(final DecodedPacket decoded) {
        if (vlanAware && (decoded.outerVlan() != vlan || decoded.innerVlan() != innerVlan)) {
            return -1;
        }
        for (int i = decoded.layerCount() - 1; i >= 0; i--) {
            final FlowKey k = decoded.layer(i);
            if (matches(k)) {
                return i;
            }
            final FlowKey alias = decoded.aliasKey(i);
            if (alias != null && protocol == ANY_OTHER && matches(alias)) {
                return i; // the layer's tunnel.log name (GRE over UDP), which a query without a protocol takes
            }
        }
        return -1;
    }

    /** The key runs from the originator to the responder. */
    private boolean forward(final FlowKey k) {
        return k.srcHi() == origHi && k.srcLo() == origLo && k.dstHi() == respHi && k.dstLo() == respLo;
    }

    /** The key runs from the responder to the originator. */
    private boolean reverse(final FlowKey k) {
        return k.srcHi() == respHi && k.srcLo() == respLo && k.dstHi() == origHi && k.dstLo() == origLo;
    }

    /** Whether one IP layer's key is this connection's, in either direction. */
    public boolean matches(final FlowKey k) {
        if (k.ipVersion() != ipVersion) {
            return false;
        }
        final boolean other;
        if (protocol == ANY_OTHER) {
            if (FlowHash.protocolClass(k.protocol()) != FlowHash.OTHER_PROTOCOLS) {
                return false;
            }
            other = true;
        } else {
            if (k.protocol() != protocol) {
                return false;
            }
            other = FlowHash.protocolClass(protocol) == FlowHash.OTHER_PROTOCOLS;
        }
        final boolean forward = forward(k);
        final boolean reverse = reverse(k);
        if (!forward && !reverse) {
            return false;
        }
        if (other || (k.isFragment() && !k.portsKnown())) {
            return true;
        }
        if (!k.portsKnown()) {
            return false;
        }
        return (forward && k.srcPort() == origPort && k.dstPort() == respPort)
            || (reverse && k.srcPort() == respPort && k.dstPort() == origPort);
    }
}
