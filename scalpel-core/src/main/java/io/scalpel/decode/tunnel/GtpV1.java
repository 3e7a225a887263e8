package io.scalpel.decode.tunnel;

import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.LinkTypes;
import java.nio.ByteBuffer;

/**
 * GTPv1 user data (3GPP TS 29.060, GTP-U) on UDP port 2152 (and 2123, where Zeek registers its
 * GTPv1 analyzer too): flags(1) message type(1) length(2) TEID(4), then sequence number(2) N-PDU
 * number(1) next extension header type(1) when the E, S or PN flag is set, then the extension
 * headers, then an IPv4 or IPv6 packet that must be exactly the bytes left. Only G-PDU messages
 * of GTP (not GTP', the charging protocol) carry user data; signalling (echo, create PDP context,
 * ...) is refused.
 */
final class GtpV1 {
    static final int PORT_USER_DATA = 2152;
    static final int PORT_CONTROL = 2123;

    static final int HEADER_LENGTH = 8;
    static final int OPTIONAL_LENGTH = 4;
    static final int MESSAGE_TYPE_OFFSET = 1;
    static final int NEXT_EXTENSION_OFFSET = 11;
    static final int VERSION_SHIFT = 5;
    static final int VERSION_1 = 1;
    /** Protocol type: GTP when set, GTP' when clear. */
    static final int FLAG_PROTOCOL_TYPE = 0x10;
    static final int FLAG_EXTENSION = 0x04;
    /** E, S and PN: any of them adds the optional fields. */
    static final int FLAGS_OPTIONAL = 0x07;
    /** G-PDU: the only message type that carries user data. */
    static final int MESSAGE_G_PDU = 0xFF;
    /** An extension header's length counts 4-byte units; its last byte is the next extension type. */
    static final int EXTENSION_UNIT = 4;
    static final int NO_MORE_EXTENSIONS = 0;
    /** Where the user data starts when an extension header is malformed. */
    private static final int MALFORMED = -1;

    private GtpV1() {
    }

    static void decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH) {
            Decapsulation.refuse(out);
            return;
        }
        final int flags = u8(buf, off);
        if (flags >>> VERSION_SHIFT != VERSION_1
            || (flags & FLAG_PROTOCOL_TYPE) == 0
            || u8(buf, off + MESSAGE_TYPE_OFFSET) != MESSAGE_G_PDU) {
            Decapsulation.refuse(out);
            return;
        }
        final int userData = userData(flags, buf, off, end);
        if (userData == MALFORMED) {
            Decapsulation.refuse(out);
            return;
        }
        Decapsulation.enter(DecodedPacket.TUNNEL_GTPV1, LinkTypes.LINKTYPE_RAW, buf, userData, end, InnerLength.EXACT, out);
    }

    /** Where the user data starts: after the header, its optional fields and extension headers; or {@link #MALFORMED}. */
    private static int userData(final int flags, final ByteBuffer buf, final int off, final int end) {
        int p = off + HEADER_LENGTH;
        if ((flags & FLAGS_OPTIONAL) == 0) {
            return p;
        }
        if (end - off < HEADER_LENGTH + OPTIONAL_LENGTH) {
            return MALFORMED;
        }
        int next = u8(buf, off + NEXT_EXTENSION_OFFSET);
        p += OPTIONAL_LENGTH;
        if ((flags & FLAG_EXTENSION) == 0) {
            return p;
        }
        while (next != NO_MORE_EXTENSIONS) {
            if (p >= end) {
                return MALFORMED;
            }
            final int length = u8(buf, p) * EXTENSION_UNIT;
            if (length == 0 || end - p < length) {
                return MALFORMED;
            }
            next = u8(buf, p + length - 1);
            p += length;
        }
        return p;
    }
}
