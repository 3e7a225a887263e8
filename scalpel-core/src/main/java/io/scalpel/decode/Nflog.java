package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.u16LittleEndian;
import static io.scalpel.decode.NetworkOrder.u8;

import java.nio.ByteBuffer;

/**
 * LINKTYPE_NFLOG: Linux netfilter log messages. A 4-byte header, then type-length-value
 * attributes in the <em>host</em> byte order of the logging machine, which is little-endian in
 * practice (tcpdump and Wireshark read them so). The packet is the payload attribute.
 */
final class Nflog {
    /** Address family(1) version(1) resource id(2, network order). */
    static final int HEADER_LENGTH = 4;
    static final int FAMILY_OFFSET = 0;
    /** Linux address families. */
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    /** TLV: length(2, little-endian, the 4-byte TLV header included) type(2, little-endian) value, padded to 4. */
    static final int TLV_HEADER_LENGTH = 4;
    static final int TLV_LENGTH_OFFSET = 0;
    static final int TLV_TYPE_OFFSET = 2;
    static final int TLV_ALIGNMENT = 4;
    /** The type's top two bits are netlink flags (nested, network byte order). */
    static final int TLV_TYPE_MASK = 0x3FFF;
    /** NFULA_PAYLOAD: the logged packet, from its network header. */
    static final int TLV_TYPE_PAYLOAD = 9;

    private Nflog() {
    }

    static int decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final int family = u8(buf, off + FAMILY_OFFSET);
        if (family != AF_INET && family != AF_INET6) {
            return STATUS_NOT_IP;
        }
        int p = off + HEADER_LENGTH;
        while (true) {
            if (end - p < TLV_HEADER_LENGTH) {
                return STATUS_TRUNCATED; // no payload attribute among the captured bytes
            }
            final int length = u16LittleEndian(buf, p + TLV_LENGTH_OFFSET);
            final int type = u16LittleEndian(buf, p + TLV_TYPE_OFFSET) & TLV_TYPE_MASK;
            if (length < TLV_HEADER_LENGTH) {
                return STATUS_MALFORMED; // would never advance
            }
            if (type == TLV_TYPE_PAYLOAD) {
                final int payload = p + TLV_HEADER_LENGTH;
                final int payloadEnd = (int) Math.min(end, (long) p + length);
                return family == AF_INET
                    ? Ipv4.decode(buf, payload, payloadEnd, out)
                    : Ipv6.decode(buf, payload, payloadEnd, out);
            }
            final int padded = (length + TLV_ALIGNMENT - 1) & -TLV_ALIGNMENT;
            if (padded > end - p) {
                return STATUS_TRUNCATED;
            }
            p += padded;
        }
    }
}
