package io.scalpel.decode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Test fixtures: headers as bytes with a comment per field, concatenated into frames. Lengths
 * and checksums are what a real stack would write, except checksums, which the decoder ignores
 * and which are left zero.
 */
final class Frames {
    /** 10.0.0.1 */
    static final byte[] CLIENT_V4 = bytes(10, 0, 0, 1);
    /** 192.168.1.2 */
    static final byte[] SERVER_V4 = bytes(192, 168, 1, 2);
    /** 2001:db8::1 */
    static final byte[] CLIENT_V6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
    /** 2001:db8::2 */
    static final byte[] SERVER_V6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02);

    static final int TCP_HEADER_LENGTH = 20;
    static final int UDP_HEADER_LENGTH = 8;
    static final int ICMP_HEADER_LENGTH = 8;
    static final int IPV4_HEADER_LENGTH = 20;
    static final int IPV6_HEADER_LENGTH = 40;

    private Frames() {
    }

    static byte[] bytes(final int... values) {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static DecodedPacket decode(final int linkType, final byte[] frame) {
        final DecodedPacket out = new DecodedPacket();
        new PacketDecoder().decode(linkType, ByteBuffer.wrap(frame), 0, frame.length, out);
        return out;
    }

    /** Everything a decode produced, as text, for comparing two decodes. */
    static String describe(final DecodedPacket p) {
        return describe(p, 0);
    }

    /** Like {@link #describe(DecodedPacket)}, with header offsets relative to the frame's start. */
    static String describe(final DecodedPacket p, final int frameOffset) {
        final StringBuilder sb = new StringBuilder()
            .append("status=").append(p.status())
            .append(" vlans=").append(p.vlanCount()).append('/').append(p.outerVlan()).append('/').append(p.innerVlan())
            .append(" ip@").append(relative(p.ipOffset(), frameOffset))
            .append(" transport@").append(relative(p.transportOffset(), frameOffset));
        for (int i = 0; i < p.layerCount(); i++) {
            final FlowKey k = p.layer(i);
            sb.append(" [").append(k).append(k.portsKnown() ? "" : " ports?").append(']');
        }
        return sb.toString();
    }

    private static int relative(final int offset, final int frameOffset) {
        return offset == DecodedPacket.NO_OFFSET ? offset : offset - frameOffset;
    }

    static byte[] ethernet(final int etherType) {
        return bytes(
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0b,  // destination MAC
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // source MAC
            etherType >> 8, etherType);          // EtherType (or 802.3 length)
    }

    static byte[] vlanTag(final int priority, final int vlanId, final int innerType) {
        final int tci = priority << 13 | vlanId;
        return bytes(
            tci >> 8, tci,                       // TCI: priority(3) DEI(1) VLAN id(12)
            innerType >> 8, innerType);          // inner EtherType
    }

    /** One MPLS label stack entry. */
    static byte[] mplsLabel(final int label, final boolean bottomOfStack) {
        final int entry = label << 12 | (bottomOfStack ? 0x100 : 0) | 64;
        return bytes(
            entry >> 24, entry >> 16,            // label (20 bits) ...
            entry >> 8,                          // ... label, traffic class(3), bottom of stack(1)
            entry);                              // TTL
    }

    /** PPPoE session header and the PPP protocol field. */
    static byte[] pppoeSession(final int sessionId, final int pppProtocol, final int payloadLength) {
        final int length = 2 + payloadLength;
        return bytes(
            0x11,                                // version 1, type 1
            0x00,                                // code: session data
            sessionId >> 8, sessionId,           // session id
            length >> 8, length,                 // PPPoE payload length (PPP protocol + data)
            pppProtocol >> 8, pppProtocol);      // PPP protocol
    }

    /** 802.1ah PBB after EtherType 0x88E7: I-TAG, customer MACs, inner EtherType. */
    static byte[] pbb(final int serviceId, final int innerType) {
        return bytes(
            0x00, serviceId >> 16, serviceId >> 8, serviceId, // I-TAG: priority, DEI, flags(8), I-SID(24)
            0x02, 0x00, 0x00, 0x00, 0x01, 0x0b,  // customer destination MAC
            0x02, 0x00, 0x00, 0x00, 0x01, 0x0a,  // customer source MAC
            innerType >> 8, innerType);          // inner EtherType
    }

    /** VN-Tag after EtherType 0x8926: the tag and the next EtherType. */
    static byte[] vnTag(final int innerType) {
        return bytes(
            0x80, 0x05,                          // direction, pointer, looped, destination virtual interface
            0x00, 0x07,                          // version, source virtual interface
            innerType >> 8, innerType);          // next EtherType
    }

    /** Cisco FabricPath after EtherType 0x8903: FTAG/TTL, then the inner Ethernet header. */
    static byte[] fabricPath(final int innerType) {
        return bytes(
            0x00, 0x3f,                          // FTAG(10), TTL(6)
            0x02, 0x00, 0x00, 0x00, 0x02, 0x0b,  // inner destination MAC
            0x02, 0x00, 0x00, 0x00, 0x02, 0x0a,  // inner source MAC
            innerType >> 8, innerType);          // inner EtherType
    }

    /** LLC/SNAP with organisation code 00-00-00 (RFC 1042). */
    static byte[] llcSnap(final int etherType) {
        return bytes(
            0xaa, 0xaa,                          // DSAP, SSAP: SNAP
            0x03,                                // control: unnumbered information
            0x00, 0x00, 0x00,                    // OUI: encapsulated Ethernet
            etherType >> 8, etherType);          // EtherType
    }

    static byte[] ipv4(final int protocol, final byte[] src, final byte[] dst, final int payloadLength) {
        return ipv4Fragment(protocol, src, dst, payloadLength, 0x1234, false, 0);
    }

    static byte[] ipv4Fragment(final int protocol, final byte[] src, final byte[] dst, final int payloadLength,
                               final int id, final boolean moreFragments, final int offsetUnits) {
        final int totalLength = IPV4_HEADER_LENGTH + payloadLength;
        final int flagsOffset = (moreFragments ? 0x2000 : 0) | offsetUnits;
        return concat(bytes(
            0x45,                                // version 4, IHL 5
            0x00,                                // DSCP, ECN
            totalLength >> 8, totalLength,       // total length
            id >> 8, id,                         // identification
            flagsOffset >> 8, flagsOffset,       // flags (MF), fragment offset in 8-byte units
            64,                                  // TTL
            protocol,                            // protocol
            0x00, 0x00),                         // header checksum (not checked)
            src,                                 // source address
            dst);                                // destination address
    }

    static byte[] ipv6(final int nextHeader, final byte[] src, final byte[] dst, final int payloadLength) {
        return concat(bytes(
            0x60, 0x00, 0x00, 0x00,              // version 6, traffic class, flow label
            payloadLength >> 8, payloadLength,   // payload length
            nextHeader,                          // next header
            64),                                 // hop limit
            src,                                 // source address
            dst);                                // destination address
    }

    static byte[] tcp(final int srcPort, final int dstPort) {
        return bytes(
            srcPort >> 8, srcPort,               // source port
            dstPort >> 8, dstPort,               // destination port
            0x00, 0x00, 0x00, 0x01,              // sequence number
            0x00, 0x00, 0x00, 0x00,              // acknowledgement number
            0x50, 0x02,                          // data offset 5, flags SYN
            0xff, 0xff,                          // window
            0x00, 0x00,                          // checksum (not checked)
            0x00, 0x00);                         // urgent pointer
    }

    static byte[] udp(final int srcPort, final int dstPort, final int payloadLength) {
        final int length = UDP_HEADER_LENGTH + payloadLength;
        return bytes(
            srcPort >> 8, srcPort,               // source port
            dstPort >> 8, dstPort,               // destination port
            length >> 8, length,                 // length
            0x00, 0x00);                         // checksum (not checked)
    }

    /** ICMP or ICMPv6 header; the last four bytes are the echo identifier and sequence number. */
    static byte[] icmp(final int type, final int code) {
        return bytes(
            type,                                // type
            code,                                // code
            0x00, 0x00,                          // checksum (not checked)
            0x00, 0x07,                          // identifier (echo) / unused
            0x00, 0x01);                         // sequence number (echo) / unused
    }

    /** Ethernet + IPv4 + TCP 10.0.0.1:49152 > 192.168.1.2:80, SYN, no payload: 54 bytes. */
    static byte[] ethernetIpv4Tcp() {
        return concat(
            ethernet(EtherTypes.IPV4),
            ipv4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, TCP_HEADER_LENGTH),
            tcp(49152, 80));
    }

    /** Ethernet + IPv6 + UDP [2001:db8::1]:5353 > [2001:db8::2]:53 with 4 payload bytes. */
    static byte[] ethernetIpv6Udp() {
        return concat(
            ethernet(EtherTypes.IPV6),
            ipv6(FlowKey.PROTO_UDP, CLIENT_V6, SERVER_V6, UDP_HEADER_LENGTH + 4),
            udp(5353, 53, 4),
            bytes(0xde, 0xad, 0xbe, 0xef));      // payload
    }
}
