package io.scalpel.decode.tunnel;

import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import java.nio.ByteBuffer;

/**
 * Zeek's rules for entering a tunnel, in one place, and the one helper every tunnel hands the
 * packet it carries to ({@link #enter}).
 *
 * <p><b>Where.</b> Once a layer's upper-layer header is read, {@link #afterUpperLayer} looks its
 * tunnel up in {@link TunnelTable}: by IP protocol (IP in IP, GRE), and for UDP by the
 * responder's port as Zeek's UDP analyzer does it: the destination port when it is a tunnel
 * port, else the source port when it is one and the destination port is not a well-known one
 * (below 1024), which Zeek would take as the responder. A UDP payload on any other port is a
 * tunnel when Zeek's protocol detection finds one there (Teredo). No tunnel is entered in a
 * non-first fragment, which holds no tunnel header ({@link DecodedPacket#TUNNEL_STOP_FRAGMENT}),
 * nor past the decoder's maximum depth ({@link DecodedPacket#TUNNEL_STOP_MAX_DEPTH}).
 *
 * <p><b>Whether.</b> The tunnel's {@link TunnelDecoder} reads its header and calls
 * {@link #enter} with what it carries, or {@link #refuse}. {@code enter} keeps the packet inside
 * only where Zeek would make a connection of it: the inner packet is a whole IP packet (its
 * length against the bytes left: {@link InnerLength}), and its protocol is one Zeek keeps
 * connections for (TCP, UDP, ICMP, ICMPv6, or a fragment of a datagram). Otherwise the layers
 * read inside are dropped, the frame stays keyed by the outer layer, and
 * {@link DecodedPacket#tunnelStop()} says {@link DecodedPacket#TUNNEL_STOP_REFUSED}.
 *
 * <p><b>Fragments.</b> Zeek decapsulates a fragmented datagram once reassembled; here its first
 * fragment, which holds the tunnel header and the start of the packet inside, is decapsulated as
 * far as its bytes allow (the inner length checks then allow for the rest of the datagram, and a
 * first fragment cut short by the snap length is refused), and a non-first fragment is not: the
 * index gives it the first fragment's inner keys through its datagram.
 *
 * <p>Every method reads {@code [off, end)} only, allocates nothing, and recurses once per tunnel,
 * which {@link DecodedPacket#MAX_LAYERS} bounds.
 */
public final class Decapsulation {
    static final int UDP_HEADER_LENGTH = 8;
    static final int UDP_LENGTH_OFFSET = 4;
    /** Ports below this are taken as the responder's (Zeek's likely_server_ports hold well-known ports). */
    static final int WELL_KNOWN_PORT_LIMIT = 1024;

    static final int IP_VERSION_SHIFT = 4;
    static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    static final int IPV6_HEADER_LENGTH = 40;
    static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;

    private Decapsulation() {
    }

    /**
     * Called once the innermost layer's upper-layer header at {@code off} is read (its ports
     * known): enters the tunnel it holds, if any. A tunnel Zeek would not decapsulate leaves the
     * layer as it was, so the frame's status never changes here.
     *
     * @param key the innermost layer's key, {@code key.protocol()} the upper-layer protocol
     * @param end where the layer's datagram ends within the capture
     */
    public static void afterUpperLayer(final FlowKey key, final ByteBuffer buf, final int off, final int end,
                                       final DecodedPacket out) {
        if (key.protocol() == FlowKey.PROTO_UDP) {
            udp(key, buf, off, end, out);
            return;
        }
        final TunnelDecoder tunnel = TunnelTable.ofIpProtocol(key.protocol());
        if (tunnel != null && mayEnter(key, out)) {
            tunnel.decode(buf, off, end, out);
        }
    }

    /** A non-first fragment of IP protocol {@code protocol}: records that its datagram may hold a tunnel. */
    public static void nonFirstFragment(final int protocol, final DecodedPacket out) {
        if (TunnelTable.ofIpProtocol(protocol) != null) {
            out.tunnelStop(DecodedPacket.TUNNEL_STOP_FRAGMENT);
        }
    }

    /** A UDP tunnel: by the responder's port, else by detection; inside the UDP length. */
    private static void udp(final FlowKey key, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < UDP_HEADER_LENGTH) {
            return;
        }
        final int udpLength = u16(buf, off + UDP_LENGTH_OFFSET);
        final int payloadEnd = udpLength >= UDP_HEADER_LENGTH ? Math.min(end, off + udpLength) : end;
        final int payload = off + UDP_HEADER_LENGTH;
        TunnelDecoder tunnel = TunnelTable.ofUdpPort(key.dstPort());
        if (tunnel == null && key.dstPort() >= WELL_KNOWN_PORT_LIMIT) {
            tunnel = TunnelTable.ofUdpPort(key.srcPort());
        }
        if (tunnel == null) {
            tunnel = TunnelTable.detected(buf, payload, payloadEnd);
        }
        if (tunnel != null && mayEnter(key, out)) {
            tunnel.decode(buf, payload, payloadEnd, out);
        }
    }

    /**
     * False (and the reason recorded) when a tunnel in this layer must not be entered: a non-first
     * fragment (no tunnel header in it), or the depth limit. The first fragment of a datagram is
     * entered: it holds the tunnel header and the start of the packet inside.
     */
    private static boolean mayEnter(final FlowKey key, final DecodedPacket out) {
        if (key.isFragment() && key.fragmentOffset() != 0) {
            out.tunnelStop(DecodedPacket.TUNNEL_STOP_FRAGMENT);
            return false;
        }
        if (out.layerCount() - 1 >= out.maxTunnelDepth()) {
            out.tunnelStop(DecodedPacket.TUNNEL_STOP_MAX_DEPTH);
            return false;
        }
        return true;
    }

    /** Zeek would not decapsulate this tunnel: the frame stays keyed by the outer layer. */
    static void refuse(final DecodedPacket out) {
        out.tunnelStop(DecodedPacket.TUNNEL_STOP_REFUSED);
    }

    /**
     * The shared helper every tunnel hands the packet it carries to: marks the innermost layer as
     * carrying a tunnel of {@code type}, decodes what it carries from {@code off} as a frame of
     * {@code linkType} (as Zeek's tunnel analyzers name the inner packet by its link type), and
     * keeps the new layers only when Zeek would make a connection of them; otherwise
     * {@link #refuse}s. The frame's VLAN tags stay those of its outer link layer.
     *
     * @param type     the tunnel ({@code DecodedPacket.TUNNEL_*})
     * @param linkType what it carries ({@code LinkTypes.LINKTYPE_*}: Ethernet, raw IP, IPv4, IPv6, 802.11)
     * @param length   how the inner IP packet's length must relate to the bytes left
     */
    static void enter(final int type, final int linkType, final ByteBuffer buf, final int off, final int end,
                      final InnerLength length, final DecodedPacket out) {
        final int outer = out.layerCount();
        final int vlans = out.vlanCount();
        final int innerVlan = out.innerVlan();
        // In the first fragment of a datagram the frame holds only the start of the packet inside.
        boolean prefixOnly = false;
        for (int i = 0; i < outer; i++) {
            if (out.layer(i).isFragment()) {
                prefixOnly = true;
                if (!fragmentCaptured(buf, out.layerIpOffset(i), out.frameEnd())) {
                    refuse(out); // a fragment cut short: Zeek does not reassemble it
                    return;
                }
            }
        }
        out.tunnel(outer - 1, type);
        final int status = PacketDecoder.decodeInner(linkType, buf, off, end, out);
        out.truncateVlans(vlans, innerVlan);
        if (status == DecodedPacket.STATUS_OK && out.layerCount() > outer
            && innerLengthAccepted(buf, out.layerIpOffset(outer), end, length, prefixOnly)
            && makesConnection(out.innermost())) {
            return;
        }
        out.truncateLayers(outer);
        refuse(out);
    }

    /**
     * Zeek's check of the inner IP packet's length against the bytes the tunnel leaves. When an
     * enclosing layer is the first fragment of a datagram ({@code prefixOnly}), the bytes left are
     * a prefix of the reassembled datagram, whose length the frame does not tell: an exact inner
     * length must then reach at least to the end of the bytes here, and a fitting one can be any.
     */
    private static boolean innerLengthAccepted(final ByteBuffer buf, final int ip, final int end, final InnerLength rule,
                                               final boolean prefixOnly) {
        if (ip == DecodedPacket.NO_OFFSET) {
            return false;
        }
        final boolean exact = rule == InnerLength.EXACT;
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
