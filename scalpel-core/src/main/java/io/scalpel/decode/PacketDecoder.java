package io.scalpel.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Decodes a frame, from its link-layer header down to the transport ports, into a reused
 * {@link DecodedPacket}. Flyweight style: reads the frame's bytes in place with explicit
 * (network) byte order, allocates nothing, and never reads past {@code offset + length}.
 * A frame cut short decodes as far as its bytes allow.
 *
 * <p>The layers, one class each (package-private): {@code LinkLayer} picks the first header by
 * link type, {@code Ethernet} handles 802 framing (VLAN tags, LLC/SNAP, the PBB, VN-Tag and
 * FabricPath shims) and the EtherType dispatch, {@code Mpls} label stacks, {@code Ppp} PPP,
 * PPPoE sessions and Cisco HDLC, {@code Nflog} netfilter logs, {@code Ieee80211} 802.11 data
 * frames and radiotap, {@code Ipv4} and {@code Ipv6} the network layer, {@code Transport} the
 * ports. Once a layer's ports are read, {@link io.scalpel.decode.tunnel.Decapsulation} enters the
 * tunnel it holds, one more layer each as Zeek decapsulates them: one small class per tunnel in
 * {@code io.scalpel.decode.tunnel}, which hands the frame it carries back through
 * {@link #decodeInner}.
 *
 * <p>Status after decoding:
 * <ul>
 *   <li>{@link DecodedPacket#STATUS_OK}: the innermost key is complete. Its ports are known,
 *       except for a non-first IP fragment ({@link FlowKey#isFragment()},
 *       {@link FlowKey#fragmentOffset()} {@code > 0}), which carries no transport header.
 *       Protocols without ports have ports 0.</li>
 *   <li>{@link DecodedPacket#STATUS_TRUNCATED}: the frame ends early. If the IP header was
 *       complete the layer is there with addresses and protocol, but {@code portsKnown()} is
 *       false (e.g. a TCP header of fewer than 4 bytes).</li>
 *   <li>{@link DecodedPacket#STATUS_MALFORMED}: an impossible header (IP version, IHL &lt; 5,
 *       total length &lt; header length); a layer may hold the addresses read before.</li>
 *   <li>{@link DecodedPacket#STATUS_NOT_IP}, {@link DecodedPacket#STATUS_UNSUPPORTED_LINKTYPE}:
 *       no layer.</li>
 * </ul>
 * VLAN tags crossed are recorded in every case.
 */
public final class PacketDecoder {
    private final int maxTunnelDepth;

    /** A decoder that enters tunnels as deep as Zeek's default {@code Tunnel::max_depth} ({@value DecodedPacket#DEFAULT_MAX_TUNNEL_DEPTH}). */
    public PacketDecoder() {
        this(DecodedPacket.DEFAULT_MAX_TUNNEL_DEPTH);
    }

    /**
     * @param maxTunnelDepth the most tunnels entered in one frame, as Zeek's {@code Tunnel::max_depth}
     *                       ({@code 0}: none); at most {@code DecodedPacket.MAX_LAYERS - 1}
     * @throws IllegalArgumentException when {@code maxTunnelDepth} is out of that range
     */
    public PacketDecoder(final int maxTunnelDepth) {
        if (maxTunnelDepth < 0 || maxTunnelDepth > DecodedPacket.MAX_LAYERS - 1) {
            throw new IllegalArgumentException("maxTunnelDepth " + maxTunnelDepth + " is outside [0, "
                + (DecodedPacket.MAX_LAYERS - 1) + "]");
        }
        this.maxTunnelDepth = maxTunnelDepth;
    }

    /** The most tunnels this decoder enters in one frame. */
    public int maxTunnelDepth() {
        return maxTunnelDepth;
    }

    /**
     * @param linkType the capture's link type (LINKTYPE_* value, {@link LinkTypes}); bits above
     *                 the low 16 (a pcap FCS length) are ignored
     * @param buffer   a big-endian buffer holding the frame
     * @param offset   where the frame starts in {@code buffer}
     * @param length   captured length of the frame
     * @param out      reset and filled
     * @return {@code out.status()}
     * @throws IndexOutOfBoundsException when {@code [offset, offset + length)} is not inside the
     *                                   buffer's limit (a caller's error, not a frame's)
     * @throws IllegalArgumentException  when the buffer is not big-endian
     */
    public int decode(final int linkType, final ByteBuffer buffer, final int offset, final int length, final DecodedPacket out) {
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        if (buffer.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("the frame buffer must be ByteOrder.BIG_ENDIAN");
        }
        out.reset();
        out.maxTunnelDepth = maxTunnelDepth;
        out.frameEnd = offset + length;
        final int status = LinkLayer.decode(linkType & LinkTypes.LINKTYPE_MASK, buffer, offset, offset + length, out);
        out.status(status);
        return status;
    }

    /**
     * Decodes a frame carried inside the frame being decoded (a tunnel's payload), as a frame of
     * {@code linkType} at {@code [offset, end)}, into the next layers of {@code out}, which is not
     * reset: the tunnel decoders' way back into the decoder.
     *
     * @param linkType what the tunnel carries, as a link type ({@link LinkTypes#LINKTYPE_ETHERNET},
     *                 {@link LinkTypes#LINKTYPE_RAW} for IPv4 or IPv6 by the version nibble,
     *                 {@link LinkTypes#LINKTYPE_IPV4}, {@link LinkTypes#LINKTYPE_IPV6},
     *                 {@link LinkTypes#LINKTYPE_IEEE802_11}, ...), as Zeek's tunnel analyzers
     *                 name the packet inside
     * @return the status of the inner frame's decode ({@code DecodedPacket.STATUS_*})
     */
    public static int decodeInner(final int linkType, final ByteBuffer buffer, final int offset, final int end,
                                  final DecodedPacket out) {
        return LinkLayer.decode(linkType, buffer, offset, end, out);
    }
}
