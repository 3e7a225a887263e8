package io.scalpel.decode.tunnel;

import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.LinkTypes;
import java.nio.ByteBuffer;

/**
 * Teredo (RFC 4380) on UDP port 3544, and on any other UDP port where {@link #detected} finds
 * it, as Zeek's Teredo analyzer: at most one authentication indicator, then at most one origin
 * indication, then an IPv6 packet that must be exactly the bytes left. A bubble (IPv6 without a
 * payload, No Next Header) is not a connection, so {@link Decapsulation#enter} refuses it.
 */
final class Teredo {
    static final int PORT = 3544;

    /** Indicator types: origin indication and authentication, before the IPv6 packet. */
    static final int ORIGIN = 0x0000;
    static final int AUTHENTICATION = 0x0001;
    static final int ORIGIN_LENGTH = 8;
    /** Authentication: type(2) client id length(1) authentication value length(1), id, value, nonce(8) confirmation(1). */
    static final int AUTH_FIXED_LENGTH = 13;
    static final int AUTH_ID_LENGTH_OFFSET = 2;
    static final int AUTH_VALUE_LENGTH_OFFSET = 3;
    /** The Teredo prefix 2001:0::/32, which Zeek's detection looks for in an IPv6 source or destination. */
    static final int PREFIX = 0x2001_0000;

    static final int IPV6_HEADER_LENGTH = 40;
    static final int IPV6_SOURCE_OFFSET = 8;
    static final int IPV6_DESTINATION_OFFSET = 24;
    static final int IP_VERSION_SHIFT = 4;

    private Teredo() {
    }

    static void decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        int p = off;
        boolean origin = false;
        boolean authentication = false;
        while (true) {
            if (end - p < Short.BYTES) {
                Decapsulation.refuse(out);
                return;
            }
            final int tag = u16(buf, p);
            if (tag == ORIGIN) {
                if (origin || end - p < ORIGIN_LENGTH) {
                    Decapsulation.refuse(out);
                    return;
                }
                origin = true;
                p += ORIGIN_LENGTH;
            } else if (tag == AUTHENTICATION) {
                if (origin || authentication || end - p < AUTH_VALUE_LENGTH_OFFSET + 1 || end - p < authenticationLength(buf, p)) {
                    Decapsulation.refuse(out);
                    return;
                }
                authentication = true;
                p += authenticationLength(buf, p);
            } else if (tag >>> (Short.SIZE - IP_VERSION_SHIFT) == FlowKey.IPV6) {
                Decapsulation.enter(DecodedPacket.TUNNEL_TEREDO, LinkTypes.LINKTYPE_IPV6, buf, p, end, InnerLength.EXACT, out);
                return;
            } else {
                Decapsulation.refuse(out);
                return;
            }
        }
    }

    /** The length of the authentication indicator at {@code p}, whose two length bytes are there. */
    private static int authenticationLength(final ByteBuffer buf, final int p) {
        return AUTH_FIXED_LENGTH + u8(buf, p + AUTH_ID_LENGTH_OFFSET) + u8(buf, p + AUTH_VALUE_LENGTH_OFFSET);
    }

    /**
     * Zeek's Teredo detection for a UDP payload on a port no tunnel is registered for: an IPv6
     * header with a Teredo (2001:0::/32) source or destination, or an origin indication (after an
     * optional authentication indicator) followed by an IPv6 header.
     */
    static boolean detected(final ByteBuffer buf, final int off, final int end) {
        int length = end - off;
        if (length < IPV6_HEADER_LENGTH) {
            return false;
        }
        final int first = u8(buf, off);
        final int second = u8(buf, off + 1);
        final boolean ipv6 = first >>> IP_VERSION_SHIFT == FlowKey.IPV6;
        if (!ipv6 && (first != 0 || (second != ORIGIN && second != AUTHENTICATION))) {
            return false;
        }
        if (ipv6 && (buf.getInt(off + IPV6_SOURCE_OFFSET) == PREFIX || buf.getInt(off + IPV6_DESTINATION_OFFSET) == PREFIX)) {
            return true;
        }
        // Zeek goes on from the second byte, an IPv6 header's included
        int p = off;
        int indicator = second;
        if (indicator == AUTHENTICATION) {
            final int skip = authenticationLength(buf, p);
            if (length < skip) {
                return false;
            }
            p += skip;
            length -= skip;
            if (length < IPV6_HEADER_LENGTH) {
                return false;
            }
            indicator = u16(buf, p);
        }
        if (indicator == ORIGIN) {
            p += ORIGIN_LENGTH;
            length -= ORIGIN_LENGTH;
            return length >= IPV6_HEADER_LENGTH && u8(buf, p) >>> IP_VERSION_SHIFT == FlowKey.IPV6;
        }
        return false;
    }
}
