package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.i64;
import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u32;
import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.tunnel.Decapsulation;
import java.nio.ByteBuffer;

/**
 * The IPv6 header (RFC 8200) and its extension header chain, walked to the upper-layer
 * protocol: hop-by-hop, routing, destination options, fragment and AH are stepped over; ESP,
 * No Next Header and anything else end the walk as the key's protocol.
 */
final class Ipv6 {
    static final int HEADER_LENGTH = 40;
    static final int VERSION_OFFSET = 0;
    static final int PAYLOAD_LENGTH_OFFSET = 4;
    static final int NEXT_HEADER_OFFSET = 6;
    static final int SOURCE_OFFSET = 8;
    static final int DESTINATION_OFFSET = 24;
    static final int VERSION_SHIFT = 4;
    static final int ADDRESS_LENGTH = 16;

    static final int HOP_BY_HOP = 0;
    static final int ROUTING = 43;
    static final int FRAGMENT = 44;
    static final int AUTHENTICATION = 51;
    static final int DESTINATION_OPTIONS = 60;

    /** Every extension header starts with next header(1) length(1). */
    static final int EXTENSION_NEXT_HEADER_OFFSET = 0;
    static final int EXTENSION_LENGTH_OFFSET = 1;
    static final int EXTENSION_PREFIX_LENGTH = 2;
    /** Hop-by-hop, routing, destination options: length in 8-byte units, not counting the first 8. */
    static final int EXTENSION_LENGTH_UNIT = 8;
    /** AH (RFC 4302): length in 4-byte units, minus 2. */
    static final int AH_LENGTH_UNIT = 4;
    static final int AH_LENGTH_BIAS = 2;

    /** Fragment header: next header(1) reserved(1) offset(13 bits) res(2) M(1) identification(4). */
    static final int FRAGMENT_HEADER_LENGTH = 8;
    static final int FRAGMENT_OFFSET_FLAGS_OFFSET = 2;
    static final int FRAGMENT_IDENTIFICATION_OFFSET = 4;
    /** The 13-bit offset in 8-byte units, left in place: masking gives the offset in bytes. */
    static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    static final int MORE_FRAGMENTS = 0x0001;

    /** Routing header: next header(1) length(1) routing type(1) segments left(1) data. */
    static final int ROUTING_TYPE_OFFSET = 2;
    static final int ROUTING_SEGMENTS_LEFT_OFFSET = 3;
    /** RFC 2460 source routing (deprecated by RFC 5095): its last address is the final destination. */
    static final int ROUTING_TYPE_0 = 0;
    /** Mobile IPv6 (RFC 6275): one address, the home address, the final destination while a segment is left. */
    static final int ROUTING_TYPE_2 = 2;
    /** A type 2 routing header's length field: one address. */
    static final int ROUTING_TYPE_2_LENGTH = 2;
    /** A routing type 0 header holds whole addresses: its length field counts two units per address. */
    static final int UNITS_PER_ADDRESS = ADDRESS_LENGTH / EXTENSION_LENGTH_UNIT;

    /** Destination options: type(1) length(1) data, except Pad1, which is the type byte alone. */
    static final int OPTION_PAD1 = 0;
    static final int OPTION_PREFIX_LENGTH = 2;
    /** Mobile IPv6's Home Address option (RFC 6275 section 6.3): the sender's home address, 16 bytes. */
    static final int OPTION_HOME_ADDRESS = 201;

    private Ipv6() {
    }

    /**
     * Decodes the IPv6 header at {@code off} into a new layer, walks the extension headers and
     * goes on to the transport header. While the walk is cut short the key's protocol is the
     * last next-header value read.
     */
    static int decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (off >= end) {
            return STATUS_TRUNCATED;
        }
        if (u8(buf, off + VERSION_OFFSET) >>> VERSION_SHIFT != FlowKey.IPV6) {
            return STATUS_MALFORMED;
        }
        if (end - off < HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final FlowKey key = out.addLayerAt(off);
        if (key == null) {
            return STATUS_MALFORMED; // more nested IP layers than DecodedPacket keeps
        }
        int next = u8(buf, off + NEXT_HEADER_OFFSET);
        key.setIpv6(i64(buf, off + SOURCE_OFFSET), i64(buf, off + SOURCE_OFFSET + Long.BYTES),
            i64(buf, off + DESTINATION_OFFSET), i64(buf, off + DESTINATION_OFFSET + Long.BYTES), next);

        final int payloadLength = u16(buf, off + PAYLOAD_LENGTH_OFFSET);
        // Zero: a jumbogram (RFC 2675) or a segmentation-offload capture; the captured bytes bound it.
        final int datagramEnd = payloadLength == 0 ? end : Math.min(end, off + HEADER_LENGTH + payloadLength);

        int p = off + HEADER_LENGTH;
        // Zeek keys by these addresses (IPv6_Hdr_Chain in its src/IP.cc) as it walks the headers in
        // front of a fragment header, which every fragment of a datagram repeats.
        boolean routed = false;
        boolean homeAddressed = false;
        boolean fragmented = false;
        while (true) {
            switch (next) {
                case HOP_BY_HOP:
                case ROUTING:
                case DESTINATION_OPTIONS: {
                    if (datagramEnd - p < EXTENSION_PREFIX_LENGTH) {
                        return STATUS_TRUNCATED;
                    }
                    final int length = (u8(buf, p + EXTENSION_LENGTH_OFFSET) + 1) * EXTENSION_LENGTH_UNIT;
                    if (datagramEnd - p < length) {
                        return STATUS_TRUNCATED;
                    }
                    if (next == ROUTING && !routed && !fragmented) {
                        // the first routing header that names a final destination counts, as in Zeek
                        routed = applyFinalDestination(key, buf, p, length);
                    } else if (next == DESTINATION_OPTIONS && !homeAddressed && !fragmented) {
                        homeAddressed = applyHomeAddress(key, buf, p, length);
                    }
                    next = u8(buf, p + EXTENSION_NEXT_HEADER_OFFSET);
                    p += length;
                    break;
                }
                case AUTHENTICATION: {
                    if (datagramEnd - p < EXTENSION_PREFIX_LENGTH) {
                        return STATUS_TRUNCATED;
                    }
                    final int length = (u8(buf, p + EXTENSION_LENGTH_OFFSET) + AH_LENGTH_BIAS) * AH_LENGTH_UNIT;
                    if (datagramEnd - p < length) {
                        return STATUS_TRUNCATED;
                    }
                    next = u8(buf, p + EXTENSION_NEXT_HEADER_OFFSET);
                    p += length;
                    break;
                }
                case FRAGMENT: {
                    if (datagramEnd - p < FRAGMENT_HEADER_LENGTH) {
                        return STATUS_TRUNCATED;
                    }
                    final int offsetFlags = u16(buf, p + FRAGMENT_OFFSET_FLAGS_OFFSET);
                    final int fragmentOffset = offsetFlags & FRAGMENT_OFFSET_MASK;
                    final boolean moreFragments = (offsetFlags & MORE_FRAGMENTS) != 0;
                    next = u8(buf, p + EXTENSION_NEXT_HEADER_OFFSET);
                    if (moreFragments || fragmentOffset != 0) { // offset 0 without M: an atomic fragment (RFC 6946)
                        key.setFragment(u32(buf, p + FRAGMENT_IDENTIFICATION_OFFSET), fragmentOffset, moreFragments);
                        final int carried = off + HEADER_LENGTH + payloadLength - (p + FRAGMENT_HEADER_LENGTH);
                        key.setFragmentPayloadLength(payloadLength == 0 ? 0 : Math.max(0, carried));
                    }
                    if (fragmentOffset != 0) {
                        key.setProtocol(next);
                        Decapsulation.nonFirstFragment(next, out);
                        return STATUS_OK; // only the first fragment carries the upper-layer header
                    }
                    p += FRAGMENT_HEADER_LENGTH;
                    fragmented = true;
                    break;
                }
                default: // the upper-layer protocol, ESP (50) and No Next Header (59) included
                    key.setProtocol(next);
                    return Transport.decode(key, buf, p, datagramEnd, out);
            }
            key.setProtocol(next);
        }
    }

    /**
     * Zeek keys a packet with a routing header that has segments left by its final destination:
     * the last address of a type 0 header, the home address of a type 2 header (Mobile IPv6).
     * Other routing types keep the header's destination. True when the destination was replaced.
     */
    private static boolean applyFinalDestination(final FlowKey key, final ByteBuffer buf, final int routingHeader, final int length) {
        final int lengthField = u8(buf, routingHeader + EXTENSION_LENGTH_OFFSET);
        final int type = u8(buf, routingHeader + ROUTING_TYPE_OFFSET);
        if (u8(buf, routingHeader + ROUTING_SEGMENTS_LEFT_OFFSET) == 0
            || type == ROUTING_TYPE_0 && (lengthField < UNITS_PER_ADDRESS || lengthField % UNITS_PER_ADDRESS != 0)
            || type == ROUTING_TYPE_2 && lengthField != ROUTING_TYPE_2_LENGTH
            || type != ROUTING_TYPE_0 && type != ROUTING_TYPE_2) {
            return false;
        }
        final int last = routingHeader + length - ADDRESS_LENGTH;
        key.setIpv6(key.srcHi(), key.srcLo(), i64(buf, last), i64(buf, last + Long.BYTES), key.protocol());
        return true;
    }

    /**
     * Zeek keys a packet whose destination options hold a Home Address option of 16 bytes by that
     * address as its source (Mobile IPv6); an option whose length runs past the header ends the
     * walk of the options. True when the source was replaced.
     */
    private static boolean applyHomeAddress(final FlowKey key, final ByteBuffer buf, final int optionsHeader, final int length) {
        final int end = optionsHeader + length;
        int o = optionsHeader + EXTENSION_PREFIX_LENGTH;
        while (o < end) {
            final int type = u8(buf, o);
            if (type == OPTION_PAD1) {
                o++;
                continue;
            }
            if (end - o < OPTION_PREFIX_LENGTH) {
                return false;
            }
            final int optionLength = u8(buf, o + 1);
            if (end - o < OPTION_PREFIX_LENGTH + optionLength) {
                return false;
            }
            if (type == OPTION_HOME_ADDRESS && optionLength == ADDRESS_LENGTH) {
                final int home = o + OPTION_PREFIX_LENGTH;
                key.setIpv6(i64(buf, home), i64(buf, home + Long.BYTES), key.dstHi(), key.dstLo(), key.protocol());
                return true;
            }
            o += OPTION_PREFIX_LENGTH + optionLength;
        }
        return false;
    }
}
