package io.scalpel.slice;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowHash;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.IcmpTypes;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import java.util.Locale;
import java.util.Set;

/**
 * The frames of one flow key: a 5-tuple matched in either direction inside a time window,
 * optionally with VLAN tags. A one-way ICMP message (a type without a counterpart: destination
 * unreachable, time exceeded, ...) is matched in its own direction only, as Zeek keys it: its
 * type and code sent the other way round are another connection. Built from a conn.log row ({@link Query#of}: Zeek's rules, ICMP
 * types as ports, unknown transports with ports 0, a window widened for microsecond rounding),
 * from a {@code --flow} expression ({@link #parse}), or from a tunnel.log tunnel's outer key
 * ({@link #of(Tunnel)}).
 *
 * @param label     what to call it in messages and file names (the uid)
 * @param protocol  IP protocol number, or {@link #ANY_OTHER} for Zeek's unknown_transport
 *                  without {@code ip_proto}
 * @param from      window start, ns (inclusive)
 * @param to        window end, ns (inclusive)
 * @param vlanAware whether VLAN tags must match ({@code vlan}/{@code innerVlan}, -1 = untagged)
 * @param tcpEnding for a TCP connection of a conn.log row, how far its packets may run past
 *                  {@code to} once both endpoints closed; null for every other query (which
 *                  ends at {@code to})
 */
public record FlowQuery(String label, int ipVersion,
                        long origHi, long origLo, int origPort,
                        long respHi, long respLo, int respPort,
                        int protocol, long from, long to,
                        boolean vlanAware, int vlan, int innerVlan,
                        TcpEnding tcpEnding) implements Query {

    /** Any IP protocol other than TCP, UDP, ICMP and ICMPv6. */
    public static final int ANY_OTHER = -2;

    /**
     * The Community ID v1 of this 5-tuple under {@code seed}, as Zeek computes it from a conn.log
     * row's id fields; null for an unknown transport without {@code ip_proto} (its protocol is not
     * known) and for SCTP (conn.log has its ports as 0, Community ID hashes the real ones).
     */
    public String communityIdOfKey(final int seed) {
        if (protocol == ANY_OTHER || protocol == FlowKey.PROTO_SCTP) {
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
            t.respPort(), protocol, from, Math.max(from, to), false, -1, -1, null);
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
            b.address.hi(), b.address.lo(), b.port, protocol, from, to, vlanAware, -1, -1, null);
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

    /**
     * An ICMP or ICMPv6 key of a type without a counterpart: Zeek does not order such a key's
     * endpoints (IPBasedConnKey::InitTuple with is_one_way), so it names one direction only.
     */
    boolean oneWayIcmp() {
        return (protocol == FlowKey.PROTO_ICMP || protocol == FlowKey.PROTO_ICMPV6) && IcmpTypes.isOneWay(protocol, origPort);
    }

    /** Whether one IP layer's key is this connection's: in either direction, or in its own for a one-way ICMP message. */
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
        final boolean reverse = reverse(k) && !oneWayIcmp();
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
