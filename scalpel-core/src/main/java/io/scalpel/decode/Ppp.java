package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import java.nio.ByteBuffer;

/**
 * PPP (RFC 1661) and what carries it: PPPoE sessions (RFC 2516), the PPP and PPP-in-HDLC link
 * types (RFC 1662 framing), and Cisco HDLC, whose protocol field is an EtherType.
 */
final class Ppp {
    /** PPP protocol numbers that lead to a flow. */
    static final int PROTOCOL_IPV4 = 0x0021;
    static final int PROTOCOL_IPV6 = 0x0057;
    static final int PROTOCOL_MPLS_UNICAST = 0x0281;
    static final int PROTOCOL_MPLS_MULTICAST = 0x0283;
    static final int PROTOCOL_LENGTH = 2;
    /** A protocol number's low byte is odd: a first byte that is odd is a compressed (1-byte) protocol field. */
    static final int COMPRESSED_PROTOCOL_MASK = 0x01;

    /** PPPoE: version and type(1, both 1) code(1) session id(2) payload length(2), then the PPP protocol. */
    static final int PPPOE_HEADER_LENGTH = 6;
    static final int PPPOE_VERSION_TYPE_OFFSET = 0;
    static final int PPPOE_CODE_OFFSET = 1;
    static final int PPPOE_VERSION_TYPE = 0x11;
    /** Session data; other codes belong to the discovery stage. */
    static final int PPPOE_CODE_SESSION_DATA = 0x00;

    /** HDLC-like framing: address(1) control(1) before the protocol. */
    static final int HDLC_HEADER_LENGTH = 2;
    static final int HDLC_ADDRESS_OFFSET = 0;
    static final int HDLC_CONTROL_OFFSET = 1;
    /** All-stations address and unnumbered information, the only values PPP uses. */
    static final int HDLC_ADDRESS_ALL_STATIONS = 0xFF;
    static final int HDLC_CONTROL_UI = 0x03;

    /** Cisco HDLC: address(1) control(1) EtherType(2). */
    static final int CISCO_HDLC_HEADER_LENGTH = 4;
    static final int CISCO_HDLC_TYPE_OFFSET = 2;
    static final int CISCO_HDLC_ADDRESS_UNICAST = 0x0F;
    static final int CISCO_HDLC_ADDRESS_BROADCAST = 0x8F;
    static final int CISCO_HDLC_CONTROL = 0x00;

    private Ppp() {
    }

    /** A PPPoE session header at {@code off} (EtherType 0x8864), then PPP. */
    static int decodePppoeSession(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < PPPOE_HEADER_LENGTH + PROTOCOL_LENGTH) {
            return STATUS_TRUNCATED;
        }
        if (u8(buf, off + PPPOE_VERSION_TYPE_OFFSET) != PPPOE_VERSION_TYPE
            || u8(buf, off + PPPOE_CODE_OFFSET) != PPPOE_CODE_SESSION_DATA) {
            return STATUS_NOT_IP;
        }
        final int p = off + PPPOE_HEADER_LENGTH;
        return decodeProtocol(u16(buf, p), buf, p + PROTOCOL_LENGTH, end, out);
    }

    /**
     * LINKTYPE_PPP: the protocol field, possibly preceded by the HDLC address and control bytes
     * (some writers keep them) and possibly compressed to one byte.
     */
    static int decodePppLink(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        int p = off;
        if (end - p >= HDLC_HEADER_LENGTH
            && u8(buf, p + HDLC_ADDRESS_OFFSET) == HDLC_ADDRESS_ALL_STATIONS
            && u8(buf, p + HDLC_CONTROL_OFFSET) == HDLC_CONTROL_UI) {
            p += HDLC_HEADER_LENGTH;
        }
        if (p >= end) {
            return STATUS_TRUNCATED;
        }
        final int first = u8(buf, p);
        if ((first & COMPRESSED_PROTOCOL_MASK) != 0) {
            return decodeProtocol(first, buf, p + 1, end, out);
        }
        if (end - p < PROTOCOL_LENGTH) {
            return STATUS_TRUNCATED;
        }
        return decodeProtocol(u16(buf, p), buf, p + PROTOCOL_LENGTH, end, out);
    }

    /**
     * LINKTYPE_PPP_HDLC: address 0xFF and control 0x03, then the protocol. Cisco HDLC frames,
     * which BSD also writes under this link type, are recognised by their address.
     */
    static int decodePppHdlc(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HDLC_HEADER_LENGTH + PROTOCOL_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final int address = u8(buf, off + HDLC_ADDRESS_OFFSET);
        if (address == CISCO_HDLC_ADDRESS_UNICAST || address == CISCO_HDLC_ADDRESS_BROADCAST) {
            return decodeCiscoHdlc(buf, off, end, out);
        }
        if (address != HDLC_ADDRESS_ALL_STATIONS || u8(buf, off + HDLC_CONTROL_OFFSET) != HDLC_CONTROL_UI) {
            return STATUS_NOT_IP;
        }
        final int p = off + HDLC_HEADER_LENGTH;
        return decodeProtocol(u16(buf, p), buf, p + PROTOCOL_LENGTH, end, out);
    }

    /** LINKTYPE_C_HDLC: address 0x0F or 0x8F, control 0, then an EtherType. */
    static int decodeCiscoHdlc(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < CISCO_HDLC_HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final int address = u8(buf, off + HDLC_ADDRESS_OFFSET);
        if ((address != CISCO_HDLC_ADDRESS_UNICAST && address != CISCO_HDLC_ADDRESS_BROADCAST)
            || u8(buf, off + HDLC_CONTROL_OFFSET) != CISCO_HDLC_CONTROL) {
            return STATUS_NOT_IP;
        }
        final int type = u16(buf, off + CISCO_HDLC_TYPE_OFFSET);
        if (type < EtherTypes.MIN_ETHERTYPE) {
            return STATUS_NOT_IP; // not an EtherType: no LLC follows on a serial line
        }
        return Ethernet.decodeEtherType(type, buf, off + CISCO_HDLC_HEADER_LENGTH, end, out);
    }

    static int decodeProtocol(final int protocol, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        switch (protocol) {
            case PROTOCOL_IPV4:
                return Ipv4.decode(buf, off, end, out);
            case PROTOCOL_IPV6:
                return Ipv6.decode(buf, off, end, out);
            case PROTOCOL_MPLS_UNICAST:
            case PROTOCOL_MPLS_MULTICAST:
                return Mpls.decode(buf, off, end, out);
            default:
                return STATUS_NOT_IP; // LCP, IPCP, PAP, CHAP, ...
        }
    }
}
