package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.i32;
import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.tunnel.Decapsulation;
import java.nio.ByteBuffer;

/** The IPv4 header (RFC 791): addresses, protocol, fragment facts; options are skipped by IHL. */
final class Ipv4 {
    static final int VERSION_IHL_OFFSET = 0;
    static final int TOTAL_LENGTH_OFFSET = 2;
    static final int IDENTIFICATION_OFFSET = 4;
    static final int FLAGS_FRAGMENT_OFFSET_OFFSET = 6;
    static final int PROTOCOL_OFFSET = 9;
    static final int SOURCE_OFFSET = 12;
    static final int DESTINATION_OFFSET = 16;
    /** The header without options; IHL below this is malformed. */
    static final int MIN_HEADER_LENGTH = 20;

    static final int VERSION_SHIFT = 4;
    static final int IHL_MASK = 0x0F;
    /** IHL counts 32-bit words. */
    static final int IHL_UNIT = 4;
    static final int MORE_FRAGMENTS = 0x2000;
    static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    /** The fragment offset counts 8-byte units. */
    static final int FRAGMENT_OFFSET_UNIT = 8;

    private Ipv4() {
    }

    /**
     * Decodes the IPv4 header at {@code off} into a new layer and goes on to the transport
     * header. The layer is added once the fixed header (addresses) is there; a shorter frame
     * has no layer.
     */
    static int decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (off >= end) {
            return STATUS_TRUNCATED;
        }
        final int versionIhl = u8(buf, off + VERSION_IHL_OFFSET);
        if (versionIhl >>> VERSION_SHIFT != FlowKey.IPV4) {
            return STATUS_MALFORMED;
        }
        final int headerLength = (versionIhl & IHL_MASK) * IHL_UNIT;
        if (headerLength < MIN_HEADER_LENGTH) {
            return STATUS_MALFORMED;
        }
        if (end - off < MIN_HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final FlowKey key = out.addLayerAt(off);
        if (key == null) {
            return STATUS_MALFORMED; // more nested IP layers than DecodedPacket keeps
        }
        key.setIpv4(i32(buf, off + SOURCE_OFFSET), i32(buf, off + DESTINATION_OFFSET), u8(buf, off + PROTOCOL_OFFSET));

        final int totalLength = u16(buf, off + TOTAL_LENGTH_OFFSET);
        final int datagramEnd;
        if (totalLength == 0) {
            datagramEnd = end; // TCP segmentation offload leaves it zero; Zeek then uses the captured bytes
        } else if (totalLength < headerLength) {
            return STATUS_MALFORMED;
        } else {
            datagramEnd = Math.min(end, off + totalLength); // beyond the capture: cut by snaplen
        }

        final int flagsFragment = u16(buf, off + FLAGS_FRAGMENT_OFFSET_OFFSET);
        final int fragmentOffset = (flagsFragment & FRAGMENT_OFFSET_MASK) * FRAGMENT_OFFSET_UNIT;
        final boolean moreFragments = (flagsFragment & MORE_FRAGMENTS) != 0;
        if (moreFragments || fragmentOffset != 0) {
            key.setFragment(u16(buf, off + IDENTIFICATION_OFFSET), fragmentOffset, moreFragments);
            key.setFragmentPayloadLength(totalLength > headerLength ? totalLength - headerLength : 0);
        }
        if (fragmentOffset != 0) {
            Decapsulation.nonFirstFragment(key.protocol(), out);
            return STATUS_OK; // only the first fragment carries the transport header
        }
        if (datagramEnd - off < headerLength) {
            return STATUS_TRUNCATED; // options cut short
        }
        return Transport.decode(key, buf, off + headerLength, datagramEnd, out);
    }
}
