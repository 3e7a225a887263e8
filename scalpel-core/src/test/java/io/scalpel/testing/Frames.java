package io.scalpel.testing;

import java.io.ByteArrayOutputStream;

/**
 * The tests' frame builder: headers as bytes with a comment per field, concatenated into frames.
 * Lengths are what a real stack would write; checksums, which the decoder ignores, are left zero.
 * Every number is written here, none taken from the code under test: a frame built here is an
 * oracle for the decoder, the index and the extract writers.
 */
public final class Frames {
    /** 10.0.0.1 */
    public static final byte[] CLIENT_V4 = bytes(10, 0, 0, 1);
    /** 192.168.1.2 */
    public static final byte[] SERVER_V4 = bytes(192, 168, 1, 2);
    /** 2001:db8::1 */
    public static final byte[] CLIENT_V6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
    /** 2001:db8::2 */
    public static final byte[] SERVER_V6 = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02);

    /** EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType of IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** IP protocol number of TCP. */
    public static final int PROTO_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int PROTO_UDP = 17;

    /** TCP flag bits. */
    public static final int TCP_SYN = 0x02;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    public static final int TCP_HEADER_LENGTH = 20;
    public static final int UDP_HEADER_LENGTH = 8;
    public static final int ICMP_HEADER_LENGTH = 8;
    public static final int IPV4_HEADER_LENGTH = 20;
    public static final int IPV6_HEADER_LENGTH = 40;

    private Frames() {
    }

    public static byte[] bytes(final int... values) {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    public static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    public static byte[] ethernet(final int etherType) {
        return bytes(
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0b,  // destination MAC
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // source MAC
            etherType >> 8, etherType);          // EtherType (or 802.3 length)
    }

    /** An Ethernet header between the given MAC addresses (six bytes each). */
    public static byte[] ethernet(final byte[] destination, final byte[] source, final int etherType) {
        return concat(
            destination,                         // destination MAC
            source,                              // source MAC
            bytes(etherType >> 8, etherType));   // EtherType (or 802.3 length)
    }

    public static byte[] vlanTag(final int priority, final int vlanId, final int innerType) {
        final int tci = priority << 13 | vlanId;
        return bytes(
            tci >> 8, tci,                       // TCI: priority(3) DEI(1) VLAN id(12)
            innerType >> 8, innerType);          // inner EtherType
    }

    /** One MPLS label stack entry. */
    public static byte[] mplsLabel(final int label, final boolean bottomOfStack) {
        final int entry = label << 12 | (bottomOfStack ? 0x100 : 0) | 64;
        return bytes(
            entry >> 24, entry >> 16,            // label (20 bits) ...
            entry >> 8,                          // ... label, traffic class(3), bottom of stack(1)
            entry);                              // TTL
    }

    /** PPPoE session header and the PPP protocol field. */
    public static byte[] pppoeSession(final int sessionId, final int pppProtocol, final int payloadLength) {
        final int length = 2 + payloadLength;
        return bytes(
            0x11,                                // version 1, type 1
            0x00,                                // code: session data
            sessionId >> 8, sessionId,           // session id
            length >> 8, length,                 // PPPoE payload length (PPP protocol + data)
            pppProtocol >> 8, pppProtocol);      // PPP protocol
    }

    /** 802.1ah PBB after EtherType 0x88E7: I-TAG, customer MACs, inner EtherType. */
    public static byte[] pbb(final int serviceId, final int innerType) {
        return bytes(
            0x00, serviceId >> 16, serviceId >> 8, serviceId, // I-TAG: priority, DEI, flags(8), I-SID(24)
            0x02, 0x00, 0x00, 0x00, 0x01, 0x0b,  // customer destination MAC
            0x02, 0x00, 0x00, 0x00, 0x01, 0x0a,  // customer source MAC
            innerType >> 8, innerType);          // inner EtherType
    }

    /** VN-Tag after EtherType 0x8926: the tag and the next EtherType. */
    public static byte[] vnTag(final int innerType) {
        return bytes(
            0x80, 0x05,                          // direction, pointer, looped, destination virtual interface
            0x00, 0x07,                          // version, source virtual interface
            innerType >> 8, innerType);          // next EtherType
    }

    /** Cisco FabricPath after EtherType 0x8903: FTAG/TTL, then the inner Ethernet header. */
    public static byte[] fabricPath(final int innerType) {
        return bytes(
            0x00, 0x3f,                          // FTAG(10), TTL(6)
            0x02, 0x00, 0x00, 0x00, 0x02, 0x0b,  // inner destination MAC
            0x02, 0x00, 0x00, 0x00, 0x02, 0x0a,  // inner source MAC
            innerType >> 8, innerType);          // inner EtherType
    }

    /** LLC/SNAP with organisation code 00-00-00 (RFC 1042). */
    public static byte[] llcSnap(final int etherType) {
        return bytes(
            0xaa, 0xaa,                          // DSAP, SSAP: SNAP
            0x03,                                // control: unnumbered information
            0x00, 0x00, 0x00,                    // OUI: encapsulated Ethernet
            etherType >> 8, etherType);          // EtherType
    }

    public static byte[] ipv4(final int protocol, final byte[] src, final byte[] dst, final int payloadLength) {
        return ipv4Fragment(protocol, src, dst, payloadLength, 0x1234, false, 0);
    }

    public static byte[] ipv4Fragment(final int protocol, final byte[] src, final byte[] dst, final int payloadLength,
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

    public static byte[] ipv6(final int nextHeader, final byte[] src, final byte[] dst, final int payloadLength) {
        return concat(bytes(
            0x60, 0x00, 0x00, 0x00,              // version 6, traffic class, flow label
            payloadLength >> 8, payloadLength,   // payload length
            nextHeader,                          // next header
            64),                                 // hop limit
            src,                                 // source address
            dst);                                // destination address
    }

    /** TCP header, no options: sequence number 1, SYN, window 65535. */
    public static byte[] tcp(final int srcPort, final int dstPort) {
        return tcp(srcPort, dstPort, 1, 0, TCP_SYN, 0xffff);
    }

    /** TCP header, no options, with the given numbers, flags (e.g. {@code TCP_PSH | TCP_ACK}) and window. */
    public static byte[] tcp(final int srcPort, final int dstPort, final long seq, final long ack, final int flags,
                             final int window) {
        return bytes(
            srcPort >> 8, srcPort,               // source port
            dstPort >> 8, dstPort,               // destination port
            (int) (seq >> 24), (int) (seq >> 16), (int) (seq >> 8), (int) seq, // sequence number
            (int) (ack >> 24), (int) (ack >> 16), (int) (ack >> 8), (int) ack, // acknowledgement number
            0x50, flags,                         // data offset 5, flags
            window >> 8, window,                 // window
            0x00, 0x00,                          // checksum (not checked)
            0x00, 0x00);                         // urgent pointer
    }

    public static byte[] udp(final int srcPort, final int dstPort, final int payloadLength) {
        final int length = UDP_HEADER_LENGTH + payloadLength;
        return bytes(
            srcPort >> 8, srcPort,               // source port
            dstPort >> 8, dstPort,               // destination port
            length >> 8, length,                 // length
            0x00, 0x00);                         // checksum (not checked)
    }

    /** ICMP or ICMPv6 header; the last four bytes are the echo identifier and sequence number. */
    public static byte[] icmp(final int type, final int code) {
        return bytes(
            type,                                // type
            code,                                // code
            0x00, 0x00,                          // checksum (not checked)
            0x00, 0x07,                          // identifier (echo) / unused
            0x00, 0x01);                         // sequence number (echo) / unused
    }

    /** IPv4 + TCP 10.0.0.1:49152 > 192.168.1.2:80, SYN, no payload, no link header: 40 bytes. */
    public static byte[] ipv4Tcp() {
        return concat(ipv4(PROTO_TCP, CLIENT_V4, SERVER_V4, TCP_HEADER_LENGTH), tcp(49152, 80));
    }

    /** IPv6 + UDP [2001:db8::1]:5353 > [2001:db8::2]:53, no payload, no link header: 48 bytes. */
    public static byte[] ipv6Udp() {
        return concat(ipv6(PROTO_UDP, CLIENT_V6, SERVER_V6, UDP_HEADER_LENGTH), udp(5353, 53, 0));
    }

    /** Ethernet + IPv4 + TCP 10.0.0.1:49152 > 192.168.1.2:80, SYN, no payload: 54 bytes. */
    public static byte[] ethernetIpv4Tcp() {
        return concat(ethernet(ETHERTYPE_IPV4), ipv4Tcp());
    }

    /**
     * Raw IPv4 (LINKTYPE_RAW, no link header) + UDP 10.0.0.1:{@code srcPort} > 10.0.0.2:53,
     * identification 1, with the 4 payload bytes "abcd": 32 bytes.
     */
    public static byte[] rawIpv4Udp(final int srcPort) {
        return concat(
            ipv4Fragment(PROTO_UDP, bytes(10, 0, 0, 1), bytes(10, 0, 0, 2), UDP_HEADER_LENGTH + 4, 1, false, 0),
            udp(srcPort, 53, 4),
            bytes('a', 'b', 'c', 'd'));          // payload
    }

    /** Ethernet + IPv6 + UDP [2001:db8::1]:5353 > [2001:db8::2]:53 with 4 payload bytes. */
    public static byte[] ethernetIpv6Udp() {
        return concat(
            ethernet(ETHERTYPE_IPV6),
            ipv6(PROTO_UDP, CLIENT_V6, SERVER_V6, UDP_HEADER_LENGTH + 4),
            udp(5353, 53, 4),
            bytes(0xde, 0xad, 0xbe, 0xef));      // payload
    }
}
