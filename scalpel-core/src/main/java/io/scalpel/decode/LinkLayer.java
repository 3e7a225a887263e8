package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.DecodedPacket.STATUS_UNSUPPORTED_LINKTYPE;
import static io.scalpel.decode.NetworkOrder.i32;
import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import java.nio.ByteBuffer;

/**
 * The first header of a frame, chosen by the capture's link type, and the hand-over to the
 * network layer. Every method reads {@code [off, end)} of the buffer only and returns a
 * {@code DecodedPacket.STATUS_*} value.
 */
final class LinkLayer {
    /** Linux cooked capture v1: packet type(2) ARPHRD type(2) address length(2) address(8) protocol(2). */
    static final int LINUX_SLL_HEADER_LENGTH = 16;
    static final int LINUX_SLL_PROTOCOL_OFFSET = 14;
    /** Linux cooked capture v2: protocol(2) reserved(2) interface(4) ARPHRD type(2) packet type(1) address length(1) address(8). */
    static final int LINUX_SLL2_HEADER_LENGTH = 20;
    static final int LINUX_SLL2_PROTOCOL_OFFSET = 0;
    /** Linux cooked protocol value meaning "an IEEE 802.2 LLC header follows" (LINUX_SLL_P_802_2). */
    static final int LINUX_SLL_PROTOCOL_802_2 = 0x0004;

    /** NULL and LOOP: a 4-byte address family. */
    static final int LOOPBACK_HEADER_LENGTH = 4;
    static final int AF_INET = 2;
    /** AF_INET6 of NetBSD, OpenBSD and BSD/OS. */
    static final int AF_INET6_BSD = 24;
    /** AF_INET6 of FreeBSD and DragonFly BSD. */
    static final int AF_INET6_FREEBSD = 28;
    /** AF_INET6 of macOS. */
    static final int AF_INET6_DARWIN = 30;

    /** FDDI: frame control(1) destination(6) source(6), then IEEE 802.2 LLC. */
    static final int FDDI_HEADER_LENGTH = 13;

    /** Raw IP: the version is the high nibble of the first byte. */
    static final int IP_VERSION_SHIFT = 4;

    private LinkLayer() {
    }

    static int decode(final int linkType, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        switch (linkType) {
            case LinkTypes.LINKTYPE_ETHERNET:
                return Ethernet.decodeFrame(buf, off, end, out);
            case LinkTypes.LINKTYPE_LINUX_SLL:
                return linuxSll(buf, off, end, out, LINUX_SLL_HEADER_LENGTH, LINUX_SLL_PROTOCOL_OFFSET);
            case LinkTypes.LINKTYPE_LINUX_SLL2:
                return linuxSll(buf, off, end, out, LINUX_SLL2_HEADER_LENGTH, LINUX_SLL2_PROTOCOL_OFFSET);
            case LinkTypes.LINKTYPE_RAW:
            case LinkTypes.LINKTYPE_RAW_DLT12:
            case LinkTypes.LINKTYPE_RAW_DLT14:
                return rawIp(buf, off, end, out);
            case LinkTypes.LINKTYPE_IPV4:
                return Ipv4.decode(buf, off, end, out);
            case LinkTypes.LINKTYPE_IPV6:
                return Ipv6.decode(buf, off, end, out);
            case LinkTypes.LINKTYPE_NULL:
                return nullLoopback(buf, off, end, out);
            case LinkTypes.LINKTYPE_LOOP:
                return openBsdLoopback(buf, off, end, out);
            case LinkTypes.LINKTYPE_FDDI:
                return fddi(buf, off, end, out);
            case LinkTypes.LINKTYPE_PPP:
                return Ppp.decodePppLink(buf, off, end, out);
            case LinkTypes.LINKTYPE_PPP_HDLC:
                return Ppp.decodePppHdlc(buf, off, end, out);
            case LinkTypes.LINKTYPE_C_HDLC:
                return Ppp.decodeCiscoHdlc(buf, off, end, out);
            case LinkTypes.LINKTYPE_NFLOG:
                return Nflog.decode(buf, off, end, out);
            case LinkTypes.LINKTYPE_IEEE802_11:
                return Ieee80211.decode(buf, off, end, out);
            case LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP:
                return Ieee80211.decodeRadiotap(buf, off, end, out);
            default:
                return STATUS_UNSUPPORTED_LINKTYPE;
        }
    }

    private static int linuxSll(final ByteBuffer buf, final int off, final int end, final DecodedPacket out,
                                final int headerLength, final int protocolOffset) {
        if (end - off < headerLength) {
            return STATUS_TRUNCATED;
        }
        final int protocol = u16(buf, off + protocolOffset);
        final int payload = off + headerLength;
        if (protocol == LINUX_SLL_PROTOCOL_802_2) {
            return Ethernet.decodeLlc(buf, payload, end, out);
        }
        if (protocol < EtherTypes.MIN_ETHERTYPE) {
            return STATUS_NOT_IP; // other Linux-specific values: 802.3 without LLC, CAN, ...
        }
        return Ethernet.decodeEtherType(protocol, buf, payload, end, out);
    }

    /** An IPv4 or IPv6 packet, by its version nibble. */
    static int rawIp(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (off >= end) {
            return STATUS_TRUNCATED;
        }
        switch (u8(buf, off) >>> IP_VERSION_SHIFT) {
            case FlowKey.IPV4:
                return Ipv4.decode(buf, off, end, out);
            case FlowKey.IPV6:
                return Ipv6.decode(buf, off, end, out);
            default:
                return STATUS_MALFORMED;
        }
    }

    /** LINKTYPE_NULL: the family is in the writer's byte order, which the file does not record; try both. */
    private static int nullLoopback(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < LOOPBACK_HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final int bigEndian = i32(buf, off);
        final int status = decodeFamily(bigEndian, buf, off + LOOPBACK_HEADER_LENGTH, end, out);
        if (status != STATUS_NOT_IP) {
            return status;
        }
        return decodeFamily(Integer.reverseBytes(bigEndian), buf, off + LOOPBACK_HEADER_LENGTH, end, out);
    }

    private static int openBsdLoopback(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < LOOPBACK_HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        return decodeFamily(i32(buf, off), buf, off + LOOPBACK_HEADER_LENGTH, end, out);
    }

    private static int decodeFamily(final int family, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        switch (family) {
            case AF_INET:
                return Ipv4.decode(buf, off, end, out);
            case AF_INET6_BSD:
            case AF_INET6_FREEBSD:
            case AF_INET6_DARWIN:
                return Ipv6.decode(buf, off, end, out);
            default:
                return STATUS_NOT_IP;
        }
    }

    private static int fddi(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < FDDI_HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        return Ethernet.decodeLlc(buf, off + FDDI_HEADER_LENGTH, end, out);
    }
}
