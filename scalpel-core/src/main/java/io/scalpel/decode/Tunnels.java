package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import java.nio.ByteBuffer;

/**
 * Tunnel decapsulation as Zeek's packet analysis does it (its IPTunnel, GRE, VXLAN, Geneve, Teredo,
 * AYIYA and GTPv1 analyzers): once a layer's upper-layer header is read, a tunnel inside it is
 * entered and the packet it carries becomes the next, innermost layer.
 *
 * <p>A tunnel is entered only where Zeek would decapsulate it and make a connection of the packet
 * inside: the tunnel header is valid, the inner packet is a whole IP packet (for IP in IP, PPTP,
 * Teredo, AYIYA and GTP its length is exactly the bytes left, as Zeek's inner-packet check wants;
 * for the others it fits in them), and its protocol is one Zeek keeps connections for (TCP, UDP,
 * ICMP, ICMPv6, or a fragment of a datagram). Otherwise the layers read inside are dropped, the
 * frame stays keyed by the outer layer, and {@link DecodedPacket#tunnelStop()} says why. Zeek
 * decapsulates a fragmented datagram once reassembled; here its first fragment, which holds the
 * tunnel header and the start of the packet inside, is decapsulated as far as its bytes allow
 * (the inner length checks then allow for the rest of the datagram), and a non-first fragment
 * is not ({@link DecodedPacket#TUNNEL_STOP_FRAGMENT}): the index gives it the first fragment's
 * inner keys through its datagram.
 *
 * <p>UDP tunnels are found by port as Zeek's UDP analyzer does it, by the responder's port: the
 * destination port when it is a tunnel port, else the source port when it is one and the
 * destination port is not a well-known one (below 1024), which Zeek would take as the responder.
 * A UDP payload on any other port is Teredo when it passes Zeek's Teredo detection.
 *
 * <p>Every method reads {@code [off, end)} only, allocates nothing, and recurses once per tunnel,
 * which {@link DecodedPacket#MAX_LAYERS} bounds.
 */
final class Tunnels {
    /** IP protocol numbers of IP-in-IP and GRE. */
    static final int PROTO_IPV4_IN_IP = 4;
    static final int PROTO_IPV6_IN_IP = 41;
    static final int PROTO_GRE = 47;

    /** UDP ports Zeek registers its tunnel analyzers for. */
    static final int PORT_TEREDO = 3544;
    static final int PORT_GTP_U = 2152;
    static final int PORT_GTP_C = 2123;
    static final int PORT_GRE_IN_UDP = 4754;
    static final int PORT_VXLAN = 4789;
    static final int PORT_AYIYA = 5072;
    static final int PORT_GENEVE = 6081;
    /** Ports below this are taken as the responder's (Zeek's likely_server_ports hold well-known ports). */
    static final int WELL_KNOWN_PORT_LIMIT = 1024;

    static final int UDP_HEADER_LENGTH = 8;
    static final int UDP_LENGTH_OFFSET = 4;

    /** VXLAN (RFC 7348): flags(1) reserved(3) VNI(3) reserved(1); the I flag says the VNI is valid. */
    static final int VXLAN_HEADER_LENGTH = 8;
    static final int VXLAN_FLAG_I = 0x08;

    /** Geneve (RFC 8926): version(2 bits) option length(6, 4-byte units) flags(1) protocol type(2) VNI(3) reserved(1), options. */
    static final int GENEVE_HEADER_LENGTH = 8;
    static final int GENEVE_VERSION_SHIFT = 6;
    static final int GENEVE_OPTION_LENGTH_MASK = 0x3F;
    static final int GENEVE_OPTION_UNIT = 4;
    static final int GENEVE_PROTOCOL_OFFSET = 2;

    /** GRE (RFC 2784, 2890; PPTP's enhanced GRE, RFC 2637): flags and version(2) protocol type(2), then optional words. */
    static final int GRE_HEADER_LENGTH = 4;
    static final int GRE_PROTOCOL_OFFSET = 2;
    static final int GRE_FLAG_CHECKSUM = 0x8000;
    static final int GRE_FLAG_ROUTING = 0x4000;
    static final int GRE_FLAG_KEY = 0x2000;
    static final int GRE_FLAG_SEQUENCE = 0x1000;
    /** Enhanced GRE (version 1): acknowledgment number present. */
    static final int GRE_FLAG_ACK = 0x0080;
    static final int GRE_VERSION_MASK = 0x0007;
    static final int GRE_OPTIONAL_WORD = 4;
    static final int GRE_VERSION_ENHANCED = 1;
    static final int GRE_PROTOCOL_TEB = 0x6558;
    static final int GRE_PROTOCOL_ERSPAN_1_2 = 0x88BE;
    static final int GRE_PROTOCOL_ERSPAN_3 = 0x22EB;
    static final int GRE_PROTOCOL_PPP = 0x880B;
    /** Aruba's GRE protocol types, which carry 802.11 frames. */
    static final int GRE_PROTOCOL_ARUBA_FIRST = 0x8200;
    static final int GRE_PROTOCOL_ARUBA_LAST = 0x8299;
    static final int GRE_PROTOCOL_ARUBA_OTHER = 0x9000;
    /** ERSPAN type II header: version, VLAN, COS, truncation, session, index (8 bytes). */
    static final int ERSPAN_2_HEADER_LENGTH = 8;
    /** ERSPAN type III header (12 bytes); the O bit in its last byte adds an 8-byte platform sub-header. */
    static final int ERSPAN_3_HEADER_LENGTH = 12;
    static final int ERSPAN_3_FLAGS_OFFSET = 11;
    static final int ERSPAN_3_FLAG_OPTIONAL = 0x01;
    static final int ERSPAN_3_PLATFORM_LENGTH = 8;
    /** PPTP's PPP header in GRE: address(1) control(1) protocol(2). */
    static final int PPP_HEADER_LENGTH = 4;
    static final int PPP_PROTOCOL_OFFSET = 2;

    /** GTPv1 (3GPP TS 29.060): flags(1) message type(1) length(2) TEID(4), then sequence(2) N-PDU(1) next extension type(1) if E, S or PN is set. */
    static final int GTP_HEADER_LENGTH = 8;
    static final int GTP_OPTIONAL_LENGTH = 4;
    static final int GTP_MESSAGE_TYPE_OFFSET = 1;
    static final int GTP_NEXT_EXTENSION_OFFSET = 11;
    static final int GTP_VERSION_SHIFT = 5;
    static final int GTP_VERSION_1 = 1;
    static final int GTP_FLAG_PROTOCOL_TYPE = 0x10;
    static final int GTP_FLAG_EXTENSION = 0x04;
    static final int GTP_FLAGS_OPTIONAL = 0x07;
    /** G-PDU: the only message type that carries user data. */
    static final int GTP_MESSAGE_G_PDU = 0xFF;
    /** An extension header's length counts 4-byte units; its last byte is the next extension type. */
    static final int GTP_EXTENSION_UNIT = 4;
    static final int GTP_NO_MORE_EXTENSIONS = 0;

    /** AYIYA: identity(1) signature(1) auth and opcode(1) next header(1) epoch(4), identity, signature. */
    static final int AYIYA_HEADER_LENGTH = 8;
    static final int AYIYA_SIGNATURE_OFFSET = 1;
    static final int AYIYA_OPCODE_OFFSET = 2;
    static final int AYIYA_NEXT_HEADER_OFFSET = 3;
    static final int AYIYA_LENGTH_SHIFT = 4;
    static final int AYIYA_OPCODE_MASK = 0x0F;
    static final int AYIYA_SIGNATURE_UNIT = 4;
    /** Opcode "forward": the only one that carries a packet. */
    static final int AYIYA_OPCODE_FORWARD = 1;

    /** Teredo (RFC 4380): indicator types, authentication (0x0001) and origin indication (0x0000), before the IPv6 packet. */
    static final int TEREDO_ORIGIN = 0x0000;
    static final int TEREDO_AUTHENTICATION = 0x0001;
    static final int TEREDO_ORIGIN_LENGTH = 8;
    /** Authentication: type(2) client id length(1) authentication value length(1), id, value, nonce(8) confirmation(1). */
    static final int TEREDO_AUTH_FIXED_LENGTH = 13;
    static final int TEREDO_AUTH_ID_LENGTH_OFFSET = 2;
    static final int TEREDO_AUTH_VALUE_LENGTH_OFFSET = 3;
    /** The Teredo prefix 2001:0::/32, which Zeek's detection looks for in an IPv6 source or destination. */
    static final int TEREDO_PREFIX = 0x2001_0000;

    static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    static final int IPV6_HEADER_LENGTH = 40;
    static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    static final int IPV6_SOURCE_OFFSET = 8;
    static final int IPV6_DESTINATION_OFFSET = 24;
    static final int IP_VERSION_SHIFT = 4;

    /** What a tunnel carries. */
    private static final int INNER_IPV4 = 0;
    private static final int INNER_IPV6 = 1;
    /** IPv4 or IPv6 by the version nibble. */
    private static final int INNER_IP = 2;
    private static final int INNER_ETHERNET = 3;
    private static final int INNER_IEEE80211 = 4;

    /** How the inner IP packet's length must relate to the bytes the tunnel leaves. */
    private static final boolean EXACT = true;
    private static final boolean FITS = false;

    private Tunnels() {
    }

    /**
     * Called once the innermost layer's upper-layer header at {@code off} is read (ports known):
     * enters the tunnel it holds, if any. Always returns {@code STATUS_OK}: a tunnel Zeek would
     * not decapsulate leaves the layer as it was.
     */
    static int decode(final FlowKey key, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        switch (key.protocol()) {
            case PROTO_IPV4_IN_IP:
            case PROTO_IPV6_IN_IP:
                if (stoppedBefore(key, out)) {
                    return STATUS_OK;
                }
                return enter(DecodedPacket.TUNNEL_IP,
                    key.protocol() == PROTO_IPV4_IN_IP ? INNER_IPV4 : INNER_IPV6, buf, off, end, EXACT, out);
            case PROTO_GRE:
                if (stoppedBefore(key, out)) {
                    return STATUS_OK;
                }
                return gre(buf, off, end, out);
            case FlowKey.PROTO_UDP:
                return udp(key, buf, off, end, out);
            default:
                return STATUS_OK;
        }
    }

    /** A non-first fragment of IP protocol {@code protocol}: records that it may hold a tunnel. */
    static void nonFirstFragment(final int protocol, final DecodedPacket out) {
        if (protocol == PROTO_IPV4_IN_IP || protocol == PROTO_IPV6_IN_IP || protocol == PROTO_GRE) {
            out.tunnelStop = DecodedPacket.TUNNEL_STOP_FRAGMENT;
        }
    }

    /**
     * True (and the reason recorded) when a tunnel in this layer must not be entered: a non-first
     * fragment (no tunnel header in it), or the depth limit. The first fragment of a datagram is
     * entered: it holds the tunnel header and the start of the packet inside.
     */
    private static boolean stoppedBefore(final FlowKey key, final DecodedPacket out) {
        if (key.isFragment() && key.fragmentOffset() != 0) {
            out.tunnelStop = DecodedPacket.TUNNEL_STOP_FRAGMENT;
            return true;
        }
        if (out.layerCount - 1 >= out.maxTunnelDepth) {
            out.tunnelStop = DecodedPacket.TUNNEL_STOP_MAX_DEPTH;
            return true;
        }
        return false;
    }

    private static int refuse(final DecodedPacket out) {
        out.tunnelStop = DecodedPacket.TUNNEL_STOP_REFUSED;
        return STATUS_OK;
    }

    private static int udp(final FlowKey key, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < UDP_HEADER_LENGTH) {
            return STATUS_OK;
        }
        final int udpLength = u16(buf, off + UDP_LENGTH_OFFSET);
        final int payloadEnd = udpLength >= UDP_HEADER_LENGTH ? Math.min(end, off + udpLength) : end;
        final int payload = off + UDP_HEADER_LENGTH;
        final int dst = key.dstPort();
        final int src = key.srcPort();
        int tunnel = tunnelOfPort(dst);
        if (tunnel == DecodedPacket.TUNNEL_NONE && dst >= WELL_KNOWN_PORT_LIMIT) {
            tunnel = tunnelOfPort(src);
        }
        if (tunnel == DecodedPacket.TUNNEL_NONE) {
            if (!teredoDetected(buf, payload, payloadEnd)) {
                return STATUS_OK;
            }
            tunnel = DecodedPacket.TUNNEL_TEREDO;
        }
        if (stoppedBefore(key, out)) {
            return STATUS_OK;
        }
        switch (tunnel) {
            case DecodedPacket.TUNNEL_VXLAN:
                return vxlan(buf, payload, payloadEnd, out);
            case DecodedPacket.TUNNEL_GENEVE:
                return geneve(buf, payload, payloadEnd, out);
            case DecodedPacket.TUNNEL_TEREDO:
                return teredo(buf, payload, payloadEnd, out);
            case DecodedPacket.TUNNEL_AYIYA:
                return ayiya(buf, payload, payloadEnd, out);
            case DecodedPacket.TUNNEL_GTPV1:
                return gtp(buf, payload, payloadEnd, out);
            case DecodedPacket.TUNNEL_GRE:
                return gre(buf, payload, payloadEnd, out);
            default:
                return STATUS_OK;
        }
    }

    /** The tunnel Zeek registers on UDP port {@code port}, or {@code TUNNEL_NONE}. */
    static int tunnelOfPort(final int port) {
        switch (port) {
            case PORT_VXLAN:
                return DecodedPacket.TUNNEL_VXLAN;
            case PORT_GENEVE:
                return DecodedPacket.TUNNEL_GENEVE;
            case PORT_TEREDO:
                return DecodedPacket.TUNNEL_TEREDO;
            case PORT_AYIYA:
                return DecodedPacket.TUNNEL_AYIYA;
            case PORT_GTP_U:
            case PORT_GTP_C:
                return DecodedPacket.TUNNEL_GTPV1;
            case PORT_GRE_IN_UDP:
                return DecodedPacket.TUNNEL_GRE;
            default:
                return DecodedPacket.TUNNEL_NONE;
        }
    }

    private static int vxlan(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < VXLAN_HEADER_LENGTH || (u8(buf, off) & VXLAN_FLAG_I) == 0) {
            return refuse(out);
        }
        return enter(DecodedPacket.TUNNEL_VXLAN, INNER_ETHERNET, buf, off + VXLAN_HEADER_LENGTH, end, FITS, out);
    }

    private static int geneve(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < GENEVE_HEADER_LENGTH) {
            return refuse(out);
        }
        final int first = u8(buf, off);
        if (first >>> GENEVE_VERSION_SHIFT != 0) {
            return refuse(out);
        }
        final int headerLength = GENEVE_HEADER_LENGTH + (first & GENEVE_OPTION_LENGTH_MASK) * GENEVE_OPTION_UNIT;
        if (end - off < headerLength) {
            return refuse(out);
        }
        final int inner = off + headerLength;
        switch (u16(buf, off + GENEVE_PROTOCOL_OFFSET)) {
            case GRE_PROTOCOL_TEB:
                return enter(DecodedPacket.TUNNEL_GENEVE, INNER_ETHERNET, buf, inner, end, FITS, out);
            case EtherTypes.IPV4:
                return enter(DecodedPacket.TUNNEL_GENEVE, INNER_IPV4, buf, inner, end, FITS, out);
            case EtherTypes.IPV6:
                return enter(DecodedPacket.TUNNEL_GENEVE, INNER_IPV6, buf, inner, end, FITS, out);
            default:
                return refuse(out);
        }
    }

    private static int gre(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < GRE_HEADER_LENGTH) {
            return refuse(out);
        }
        final int flags = u16(buf, off);
        final int protocol = u16(buf, off + GRE_PROTOCOL_OFFSET);
        final int version = flags & GRE_VERSION_MASK;
        if ((flags & GRE_FLAG_ROUTING) != 0) {
            return refuse(out); // source routing (RFC 1701), deprecated: its length is not fixed
        }
        int headerLength = GRE_HEADER_LENGTH;
        if ((flags & GRE_FLAG_CHECKSUM) != 0) {
            headerLength += GRE_OPTIONAL_WORD;
        }
        if ((flags & GRE_FLAG_KEY) != 0) {
            headerLength += GRE_OPTIONAL_WORD;
        }
        if ((flags & GRE_FLAG_SEQUENCE) != 0) {
            headerLength += GRE_OPTIONAL_WORD;
        }
        if ((flags & GRE_FLAG_ACK) != 0) {
            headerLength += GRE_OPTIONAL_WORD;
        }
        final int length = end - off;
        if (length < headerLength) {
            return refuse(out);
        }
        final int payload = off + headerLength;
        if (version == GRE_VERSION_ENHANCED) {
            if (protocol != GRE_PROTOCOL_PPP || length < headerLength + PPP_HEADER_LENGTH) {
                return refuse(out);
            }
            final int ppp = u16(buf, payload + PPP_PROTOCOL_OFFSET);
            if (ppp == Ppp.PROTOCOL_IPV4) {
                return enter(DecodedPacket.TUNNEL_GRE, INNER_IPV4, buf, payload + PPP_HEADER_LENGTH, end, EXACT, out);
            }
            if (ppp == Ppp.PROTOCOL_IPV6) {
                return enter(DecodedPacket.TUNNEL_GRE, INNER_IPV6, buf, payload + PPP_HEADER_LENGTH, end, EXACT, out);
            }
            return refuse(out); // LCP, CCP, ...: no IP packet inside
        }
        if (version != 0) {
            return refuse(out);
        }
        switch (protocol) {
            case EtherTypes.IPV4:
                return enter(DecodedPacket.TUNNEL_GRE, INNER_IPV4, buf, payload, end, FITS, out);
            case EtherTypes.IPV6:
                return enter(DecodedPacket.TUNNEL_GRE, INNER_IPV6, buf, payload, end, FITS, out);
            case GRE_PROTOCOL_TEB:
                return greEthernet(buf, payload, 0, end, out);
            case GRE_PROTOCOL_ERSPAN_1_2:
                // Type II has a sequence number and an 8-byte header; type I neither
                return greEthernet(buf, payload, (flags & GRE_FLAG_SEQUENCE) != 0 ? ERSPAN_2_HEADER_LENGTH : 0, end, out);
            case GRE_PROTOCOL_ERSPAN_3: {
                if (end - payload < ERSPAN_3_HEADER_LENGTH) {
                    return refuse(out);
                }
                final boolean platform = (u8(buf, payload + ERSPAN_3_FLAGS_OFFSET) & ERSPAN_3_FLAG_OPTIONAL) != 0;
                return greEthernet(buf, payload, ERSPAN_3_HEADER_LENGTH + (platform ? ERSPAN_3_PLATFORM_LENGTH : 0), end, out);
            }
            default:
                if ((protocol >= GRE_PROTOCOL_ARUBA_FIRST && protocol <= GRE_PROTOCOL_ARUBA_LAST)
                    || protocol == GRE_PROTOCOL_ARUBA_OTHER) {
                    return enter(DecodedPacket.TUNNEL_GRE, INNER_IEEE80211, buf, payload, end, FITS, out);
                }
                return refuse(out);
        }
    }

    /** An Ethernet frame after {@code skip} bytes of ERSPAN header; Zeek wants more than its header. */
    private static int greEthernet(final ByteBuffer buf, final int payload, final int skip, final int end, final DecodedPacket out) {
        if (end - payload <= skip + Ethernet.HEADER_LENGTH) {
            return refuse(out);
        }
        return enter(DecodedPacket.TUNNEL_GRE, INNER_ETHERNET, buf, payload + skip, end, FITS, out);
    }

    private static int gtp(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < GTP_HEADER_LENGTH) {
            return refuse(out);
        }
        final int flags = u8(buf, off);
        if (flags >>> GTP_VERSION_SHIFT != GTP_VERSION_1
            || (flags & GTP_FLAG_PROTOCOL_TYPE) == 0 // GTP' (charging), not GTP
            || u8(buf, off + GTP_MESSAGE_TYPE_OFFSET) != GTP_MESSAGE_G_PDU) {
            return refuse(out); // signalling (echo, create PDP context, ...): no user data
        }
        int p = off + GTP_HEADER_LENGTH;
        if ((flags & GTP_FLAGS_OPTIONAL) != 0) {
            if (end - off < GTP_HEADER_LENGTH + GTP_OPTIONAL_LENGTH) {
                return refuse(out);
            }
            int next = u8(buf, off + GTP_NEXT_EXTENSION_OFFSET);
            p += GTP_OPTIONAL_LENGTH;
            if ((flags & GTP_FLAG_EXTENSION) != 0) {
                while (next != GTP_NO_MORE_EXTENSIONS) {
                    if (p >= end) {
                        return refuse(out);
                    }
                    final int length = u8(buf, p) * GTP_EXTENSION_UNIT;
                    if (length == 0 || end - p < length) {
                        return refuse(out);
                    }
                    next = u8(buf, p + length - 1);
                    p += length;
                }
            }
        }
        return enter(DecodedPacket.TUNNEL_GTPV1, INNER_IP, buf, p, end, EXACT, out);
    }

    private static int ayiya(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < AYIYA_HEADER_LENGTH) {
            return refuse(out);
        }
        final int identityLength = 1 << (u8(buf, off) >>> AYIYA_LENGTH_SHIFT);
        final int signatureLength = (u8(buf, off + AYIYA_SIGNATURE_OFFSET) >>> AYIYA_LENGTH_SHIFT) * AYIYA_SIGNATURE_UNIT;
        final int headerLength = AYIYA_HEADER_LENGTH + identityLength + signatureLength;
        if (end - off < headerLength || (u8(buf, off + AYIYA_OPCODE_OFFSET) & AYIYA_OPCODE_MASK) != AYIYA_OPCODE_FORWARD) {
            return refuse(out);
        }
        switch (u8(buf, off + AYIYA_NEXT_HEADER_OFFSET)) {
            case PROTO_IPV4_IN_IP:
                return enter(DecodedPacket.TUNNEL_AYIYA, INNER_IPV4, buf, off + headerLength, end, EXACT, out);
            case PROTO_IPV6_IN_IP:
                return enter(DecodedPacket.TUNNEL_AYIYA, INNER_IPV6, buf, off + headerLength, end, EXACT, out);
            default:
                return refuse(out);
        }
    }

    /** Teredo's indicators (at most one authentication, then at most one origin indication), then IPv6. */
    private static int teredo(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        int p = off;
        boolean origin = false;
        boolean authentication = false;
        while (true) {
            if (end - p < Short.BYTES) {
                return refuse(out);
            }
            final int tag = u16(buf, p);
            if (tag == TEREDO_ORIGIN) {
                if (origin || end - p < TEREDO_ORIGIN_LENGTH) {
                    return refuse(out);
                }
                origin = true;
                p += TEREDO_ORIGIN_LENGTH;
            } else if (tag == TEREDO_AUTHENTICATION) {
                if (origin || authentication || end - p < TEREDO_AUTH_VALUE_LENGTH_OFFSET + 1) {
                    return refuse(out);
                }
                final int length = TEREDO_AUTH_FIXED_LENGTH + u8(buf, p + TEREDO_AUTH_ID_LENGTH_OFFSET)
                    + u8(buf, p + TEREDO_AUTH_VALUE_LENGTH_OFFSET);
                if (end - p < length) {
                    return refuse(out);
                }
                authentication = true;
                p += length;
            } else if (tag >>> (Short.SIZE - IP_VERSION_SHIFT) == FlowKey.IPV6) {
                return enter(DecodedPacket.TUNNEL_TEREDO, INNER_IPV6, buf, p, end, EXACT, out);
            } else {
                return refuse(out);
            }
        }
    }

    /**
     * Zeek's Teredo protocol detection for a UDP payload on a port no tunnel is registered for: an
     * IPv6 header with a Teredo (2001:0::/32) source or destination, or an origin indication
     * (after an optional authentication header) followed by an IPv6 header.
     */
    static boolean teredoDetected(final ByteBuffer buf, final int off, final int end) {
        int length = end - off;
        if (length < IPV6_HEADER_LENGTH) {
            return false;
        }
        final int first = u8(buf, off);
        final int second = u8(buf, off + 1);
        if (first >>> IP_VERSION_SHIFT != FlowKey.IPV6
            && (first != 0 || (second != TEREDO_ORIGIN && second != TEREDO_AUTHENTICATION))) {
            return false;
        }
        if (first >>> IP_VERSION_SHIFT == FlowKey.IPV6
            && (buf.getInt(off + IPV6_SOURCE_OFFSET) == TEREDO_PREFIX || buf.getInt(off + IPV6_DESTINATION_OFFSET) == TEREDO_PREFIX)) {
            return true;
        }
        int p = off;
        int indicator = second;
        if (indicator == TEREDO_AUTHENTICATION) {
            final int skip = TEREDO_AUTH_FIXED_LENGTH + u8(buf, p + TEREDO_AUTH_ID_LENGTH_OFFSET) + u8(buf, p + TEREDO_AUTH_VALUE_LENGTH_OFFSET);
            if (length < skip) {
                return false;
            }
            p += skip;
            length -= skip;
            if (length < IPV6_HEADER_LENGTH) {
                return false;
            }
            indicator = u16(buf, p);
        }
        if (indicator == TEREDO_ORIGIN) {
            p += TEREDO_ORIGIN_LENGTH;
            length -= TEREDO_ORIGIN_LENGTH;
            return length >= IPV6_HEADER_LENGTH && u8(buf, p) >>> IP_VERSION_SHIFT == FlowKey.IPV6;
        }
        return false;
    }

    /**
     * Marks the innermost layer as carrying a tunnel of {@code type}, decodes the packet inside
     * from {@code off}, and keeps the new layers only when Zeek would make a connection of them.
     */
    private static int enter(final int type, final int inner, final ByteBuffer buf, final int off, final int end,
                             final boolean exact, final DecodedPacket out) {
        final int outer = out.layerCount;
        final int vlans = out.vlanCount;
        // In the first fragment of a datagram the frame holds only the start of the packet inside.
        boolean prefixOnly = false;
        for (int i = 0; i < outer; i++) {
            if (out.layer(i).isFragment()) {
                prefixOnly = true;
                if (!fragmentCaptured(buf, out.layerIpOffset(i), out.frameEnd)) {
                    return refuse(out); // a fragment cut short: Zeek does not reassemble it
                }
            }
        }
        out.tunnel(outer - 1, type);
        final int status;
        switch (inner) {
            case INNER_IPV4:
                status = Ipv4.decode(buf, off, end, out);
                break;
            case INNER_IPV6:
                status = Ipv6.decode(buf, off, end, out);
                break;
            case INNER_IP:
                status = LinkLayer.rawIp(buf, off, end, out);
                break;
            case INNER_ETHERNET:
                status = Ethernet.decodeFrame(buf, off, end, out);
                break;
            default:
                status = Ieee80211.decode(buf, off, end, out);
                break;
        }
        out.truncateVlans(vlans); // the frame's VLANs are those of its outer link layer
        if (status == STATUS_OK && out.layerCount > outer
            && innerLengthAccepted(buf, out.layerIpOffset(outer), end, exact, prefixOnly)
            && makesConnection(out.innermost())) {
            return STATUS_OK;
        }
        out.truncateLayers(outer);
        return refuse(out);
    }

    /**
     * Zeek's check of the inner IP packet's length against the bytes the tunnel leaves. When an
     * enclosing layer is the first fragment of a datagram ({@code prefixOnly}), the bytes left are
     * a prefix of the reassembled datagram, whose length the frame does not tell: an exact inner
     * length must then reach at least to the end of the bytes here, and a fitting one can be any.
     */
    private static boolean innerLengthAccepted(final ByteBuffer buf, final int ip, final int end, final boolean exact,
                                               final boolean prefixOnly) {
        if (ip == DecodedPacket.NO_OFFSET) {
            return false;
        }
        final int available = end - ip;
        final int length;
        if (u8(buf, ip) >>> IP_VERSION_SHIFT == FlowKey.IPV4) {
            length = u16(buf, ip + IPV4_TOTAL_LENGTH_OFFSET);
            if (length == 0) {
                return !exact; // segmentation offload: Zeek's IP analyzer takes the captured length
            }
        } else {
            length = IPV6_HEADER_LENGTH + u16(buf, ip + IPV6_PAYLOAD_LENGTH_OFFSET);
        }
        if (prefixOnly) {
            return !exact || length >= available;
        }
        return exact ? length == available : length <= available;
    }

    /** Whether the IP packet at {@code ip} (a fragment) is captured to the end its header gives. */
    private static boolean fragmentCaptured(final ByteBuffer buf, final int ip, final int frameEnd) {
        if (ip == DecodedPacket.NO_OFFSET) {
            return false;
        }
        final int length = u8(buf, ip) >>> IP_VERSION_SHIFT == FlowKey.IPV4
            ? u16(buf, ip + IPV4_TOTAL_LENGTH_OFFSET)
            : IPV6_HEADER_LENGTH + u16(buf, ip + IPV6_PAYLOAD_LENGTH_OFFSET);
        return length != 0 && ip + length <= frameEnd;
    }

    /** Zeek keeps connections for TCP, UDP, ICMP and ICMPv6, and reassembles fragments before it decides. */
    private static boolean makesConnection(final FlowKey key) {
        if (key.isFragment()) {
            return true;
        }
        switch (key.protocol()) {
            case FlowKey.PROTO_TCP:
            case FlowKey.PROTO_UDP:
            case FlowKey.PROTO_ICMP:
            case FlowKey.PROTO_ICMPV6:
                return true;
            default:
                return false;
        }
    }
}
