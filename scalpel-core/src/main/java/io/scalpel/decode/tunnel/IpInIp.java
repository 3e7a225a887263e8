package io.scalpel.decode.tunnel;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.LinkTypes;
import java.nio.ByteBuffer;

/**
 * IP in IP (RFC 2003, 2473, 4213): an IPv4 (IP protocol 4) or IPv6 (IP protocol 41) packet
 * directly inside IPv4 or IPv6, without a header of its own; Zeek's IPTunnel analyzer, whose
 * tunnel.log type is {@code Tunnel::IP}. The inner packet must be exactly the bytes left.
 */
final class IpInIp {
    static final int PROTOCOL_IPV4 = 4;
    static final int PROTOCOL_IPV6 = 41;

    private IpInIp() {
    }

    /** IP protocol 4: IPv4 inside. */
    static void ipv4(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        Decapsulation.enter(DecodedPacket.TUNNEL_IP, LinkTypes.LINKTYPE_IPV4, buf, off, end, InnerLength.EXACT, out);
    }

    /** IP protocol 41: IPv6 inside. */
    static void ipv6(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        Decapsulation.enter(DecodedPacket.TUNNEL_IP, LinkTypes.LINKTYPE_IPV6, buf, off, end, InnerLength.EXACT, out);
    }
}
