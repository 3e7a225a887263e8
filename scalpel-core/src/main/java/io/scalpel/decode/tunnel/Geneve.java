package io.scalpel.decode.tunnel;

import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.EtherTypes;
import io.scalpel.decode.LinkTypes;
import java.nio.ByteBuffer;

/**
 * Geneve (RFC 8926) on UDP port 6081, as Zeek's Geneve analyzer: version(2 bits) option
 * length(6 bits, in 4-byte units) flags(1) protocol type(2) VNI(3) reserved(1), the options, then
 * what the protocol type names: an Ethernet frame (transparent Ethernet bridging), IPv4 or IPv6.
 * Only version 0 is known.
 */
final class Geneve {
    static final int PORT = 6081;
    static final int HEADER_LENGTH = 8;
    static final int VERSION_SHIFT = 6;
    static final int OPTION_LENGTH_MASK = 0x3F;
    static final int OPTION_UNIT = 4;
    static final int PROTOCOL_OFFSET = 2;
    /** Transparent Ethernet bridging: an Ethernet frame follows. */
    static final int PROTOCOL_TEB = 0x6558;
    /** No link type: a protocol type Zeek does not decapsulate. */
    private static final int NOT_CARRIED = -1;

    private Geneve() {
    }

    static void decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH) {
            Decapsulation.refuse(out);
            return;
        }
        final int first = u8(buf, off);
        final int headerLength = HEADER_LENGTH + (first & OPTION_LENGTH_MASK) * OPTION_UNIT;
        final int inner = innerLinkType(u16(buf, off + PROTOCOL_OFFSET));
        if (first >>> VERSION_SHIFT != 0 || end - off < headerLength || inner == NOT_CARRIED) {
            Decapsulation.refuse(out);
            return;
        }
        Decapsulation.enter(DecodedPacket.TUNNEL_GENEVE, inner, buf, off + headerLength, end, InnerLength.FITS, out);
    }

    /** What the protocol type says follows, as a link type. */
    private static int innerLinkType(final int protocolType) {
        switch (protocolType) {
            case PROTOCOL_TEB:
                return LinkTypes.LINKTYPE_ETHERNET;
            case EtherTypes.IPV4:
                return LinkTypes.LINKTYPE_IPV4;
            case EtherTypes.IPV6:
                return LinkTypes.LINKTYPE_IPV6;
            default:
                return NOT_CARRIED;
        }
    }
}
