package io.scalpel.decode.tunnel;

import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.EtherTypes;
import io.scalpel.decode.LinkTypes;
import java.nio.ByteBuffer;

/**
 * GRE (RFC 2784, 2890), IP protocol 47, as Zeek's GRE analyzer: flags and version(2) protocol
 * type(2), then a checksum, key, sequence number and (PPTP's enhanced GRE, RFC 2637)
 * acknowledgment word where their flags are set. What follows is told by the version and the
 * protocol type, through {@link #PAYLOADS}: IPv4, IPv6, an Ethernet frame (transparent Ethernet
 * bridging), ERSPAN type I, II or III before an Ethernet frame, Aruba's 802.11 frames, or in
 * version 1 (PPTP) a PPP frame carrying IPv4 or IPv6. Source routing (RFC 1701, deprecated, of no
 * fixed length) is refused.
 */
final class Gre {
    /** GRE's IP protocol number. */
    static final int PROTOCOL = 47;

    static final int HEADER_LENGTH = 4;
    static final int PROTOCOL_TYPE_OFFSET = 2;
    static final int FLAG_CHECKSUM = 0x8000;
    static final int FLAG_ROUTING = 0x4000;
    static final int FLAG_KEY = 0x2000;
    static final int FLAG_SEQUENCE = 0x1000;
    /** Enhanced GRE (version 1): acknowledgment number present. */
    static final int FLAG_ACK = 0x0080;
    /** The flags that each add an optional word to the header. */
    static final int OPTIONAL_FLAGS = FLAG_CHECKSUM | FLAG_KEY | FLAG_SEQUENCE | FLAG_ACK;
    static final int VERSION_MASK = 0x0007;
    /** Each optional field (checksum and reserved, key, sequence, acknowledgment) is one 4-byte word. */
    static final int OPTIONAL_WORD = 4;
    static final int VERSION_0 = 0;
    /** PPTP's enhanced GRE. */
    static final int VERSION_ENHANCED = 1;

    static final int PROTOCOL_TYPE_TEB = 0x6558;
    static final int PROTOCOL_TYPE_ERSPAN_1_2 = 0x88BE;
    static final int PROTOCOL_TYPE_ERSPAN_3 = 0x22EB;
    static final int PROTOCOL_TYPE_PPP = 0x880B;
    /** Aruba's protocol types, which carry 802.11 frames. */
    static final int PROTOCOL_TYPE_ARUBA_FIRST = 0x8200;
    static final int PROTOCOL_TYPE_ARUBA_LAST = 0x8299;
    static final int PROTOCOL_TYPE_ARUBA_OTHER = 0x9000;

    /** ERSPAN type II header: version, VLAN, COS, truncation, session, index (8 bytes). */
    static final int ERSPAN_2_HEADER_LENGTH = 8;
    /** ERSPAN type III header (12 bytes); the O bit in its last byte adds an 8-byte platform sub-header. */
    static final int ERSPAN_3_HEADER_LENGTH = 12;
    static final int ERSPAN_3_FLAGS_OFFSET = 11;
    static final int ERSPAN_3_FLAG_OPTIONAL = 0x01;
    static final int ERSPAN_3_PLATFORM_LENGTH = 8;
    /** Zeek wants more than an Ethernet header after the ERSPAN (or transparent bridging) header. */
    static final int ETHERNET_HEADER_LENGTH = 14;

    /** PPTP's PPP header in GRE: address(1) control(1) protocol(2). */
    static final int PPP_HEADER_LENGTH = 4;
    static final int PPP_PROTOCOL_OFFSET = 2;
    /** PPP protocol numbers of IPv4 (RFC 1332) and IPv6 (RFC 5072). */
    static final int PPP_PROTOCOL_IPV4 = 0x0021;
    static final int PPP_PROTOCOL_IPV6 = 0x0057;
    /** No link type: a PPP frame without an IP packet. */
    private static final int NOT_IP = -1;

    /** What follows a GRE header, by its version and protocol type. */
    @FunctionalInterface
    private interface PayloadDecoder {
        /** Decodes the payload at {@code [payload, end)} of a GRE header with {@code flags}. */
        void decode(int flags, ByteBuffer buf, int payload, int end, DecodedPacket out);
    }

    /** The protocol types {@code [firstType, lastType]} of GRE {@code version}, and their payload. */
    private record Payload(int version, int firstType, int lastType, PayloadDecoder decoder) {
        boolean names(final int v, final int type) {
            return v == version && type >= firstType && type <= lastType;
        }
    }

    /** Zeek's GRE analyzer's cases, as a table: version, protocol types, payload. Others are refused. */
    private static final Payload[] PAYLOADS = {
        new Payload(VERSION_0, EtherTypes.IPV4, EtherTypes.IPV4,
            (flags, buf, payload, end, out) -> ip(LinkTypes.LINKTYPE_IPV4, buf, payload, end, out)),
        new Payload(VERSION_0, EtherTypes.IPV6, EtherTypes.IPV6,
            (flags, buf, payload, end, out) -> ip(LinkTypes.LINKTYPE_IPV6, buf, payload, end, out)),
        new Payload(VERSION_0, PROTOCOL_TYPE_TEB, PROTOCOL_TYPE_TEB,
            (flags, buf, payload, end, out) -> ethernet(buf, payload, 0, end, out)),
        new Payload(VERSION_0, PROTOCOL_TYPE_ERSPAN_1_2, PROTOCOL_TYPE_ERSPAN_1_2, Gre::erspan1Or2),
        new Payload(VERSION_0, PROTOCOL_TYPE_ERSPAN_3, PROTOCOL_TYPE_ERSPAN_3, Gre::erspan3),
        new Payload(VERSION_0, PROTOCOL_TYPE_ARUBA_FIRST, PROTOCOL_TYPE_ARUBA_LAST, Gre::aruba),
        new Payload(VERSION_0, PROTOCOL_TYPE_ARUBA_OTHER, PROTOCOL_TYPE_ARUBA_OTHER, Gre::aruba),
        new Payload(VERSION_ENHANCED, PROTOCOL_TYPE_PPP, PROTOCOL_TYPE_PPP, Gre::pptp),
    };

    private Gre() {
    }

    static void decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH) {
            Decapsulation.refuse(out);
            return;
        }
        final int flags = u16(buf, off);
        if ((flags & FLAG_ROUTING) != 0) {
            Decapsulation.refuse(out);
            return;
        }
        final int headerLength = HEADER_LENGTH + OPTIONAL_WORD * Integer.bitCount(flags & OPTIONAL_FLAGS);
        if (end - off < headerLength) {
            Decapsulation.refuse(out);
            return;
        }
        final int version = flags & VERSION_MASK;
        final int type = u16(buf, off + PROTOCOL_TYPE_OFFSET);
        for (final Payload p : PAYLOADS) {
            if (p.names(version, type)) {
                p.decoder().decode(flags, buf, off + headerLength, end, out);
                return;
            }
        }
        Decapsulation.refuse(out);
    }

    /** IPv4 or IPv6 directly after the GRE header. */
    private static void ip(final int linkType, final ByteBuffer buf, final int payload, final int end, final DecodedPacket out) {
        Decapsulation.enter(DecodedPacket.TUNNEL_GRE, linkType, buf, payload, end, InnerLength.FITS, out);
    }

    /** An Ethernet frame after {@code skip} bytes of ERSPAN header; Zeek wants more than its header. */
    private static void ethernet(final ByteBuffer buf, final int payload, final int skip, final int end, final DecodedPacket out) {
        if (end - payload <= skip + ETHERNET_HEADER_LENGTH) {
            Decapsulation.refuse(out);
            return;
        }
        Decapsulation.enter(DecodedPacket.TUNNEL_GRE, LinkTypes.LINKTYPE_ETHERNET, buf, payload + skip, end, InnerLength.FITS, out);
    }

    /** ERSPAN type II has a sequence number and an 8-byte header; type I neither. */
    private static void erspan1Or2(final int flags, final ByteBuffer buf, final int payload, final int end, final DecodedPacket out) {
        ethernet(buf, payload, (flags & FLAG_SEQUENCE) != 0 ? ERSPAN_2_HEADER_LENGTH : 0, end, out);
    }

    /** ERSPAN type III: 12 bytes, and 8 more with the platform sub-header its O bit announces. */
    private static void erspan3(final int flags, final ByteBuffer buf, final int payload, final int end, final DecodedPacket out) {
        if (end - payload < ERSPAN_3_HEADER_LENGTH) {
            Decapsulation.refuse(out);
            return;
        }
        final boolean platform = (u8(buf, payload + ERSPAN_3_FLAGS_OFFSET) & ERSPAN_3_FLAG_OPTIONAL) != 0;
        ethernet(buf, payload, ERSPAN_3_HEADER_LENGTH + (platform ? ERSPAN_3_PLATFORM_LENGTH : 0), end, out);
    }

    /** Aruba: an 802.11 frame. */
    private static void aruba(final int flags, final ByteBuffer buf, final int payload, final int end, final DecodedPacket out) {
        Decapsulation.enter(DecodedPacket.TUNNEL_GRE, LinkTypes.LINKTYPE_IEEE802_11, buf, payload, end, InnerLength.FITS, out);
    }

    /** PPTP: a PPP frame; only IPv4 and IPv6 in it (not LCP, CCP, ...) are decapsulated, as bare IP packets. */
    private static void pptp(final int flags, final ByteBuffer buf, final int payload, final int end, final DecodedPacket out) {
        if (end - payload < PPP_HEADER_LENGTH) {
            Decapsulation.refuse(out);
            return;
        }
        final int ppp = u16(buf, payload + PPP_PROTOCOL_OFFSET);
        final int inner = ppp == PPP_PROTOCOL_IPV4 ? LinkTypes.LINKTYPE_IPV4
            : ppp == PPP_PROTOCOL_IPV6 ? LinkTypes.LINKTYPE_IPV6 : NOT_IP;
        if (inner == NOT_IP) {
            Decapsulation.refuse(out);
            return;
        }
        Decapsulation.enter(DecodedPacket.TUNNEL_GRE, inner, buf, payload + PPP_HEADER_LENGTH, end, InnerLength.EXACT, out);
    }
}
