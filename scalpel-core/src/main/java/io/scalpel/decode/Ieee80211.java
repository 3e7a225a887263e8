package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.u16LittleEndian;
import static io.scalpel.decode.NetworkOrder.u8;

import java.nio.ByteBuffer;

/**
 * IEEE 802.11 data frames (LINKTYPE_IEEE802_11) and the radiotap header monitor-mode captures put
 * in front of them (LINKTYPE_IEEE802_11_RADIOTAP). Only unprotected data frames that carry
 * LLC/SNAP lead to a flow; management, control, null-data, encrypted frames and non-first
 * fragments have none. An aggregate (A-MSDU) frame is keyed by its first subframe.
 */
final class Ieee80211 {
    /** Radiotap: version(1) pad(1) header length(2, little-endian) present flags(4, ...). */
    static final int RADIOTAP_MIN_LENGTH = 8;
    static final int RADIOTAP_LENGTH_OFFSET = 2;

    /** Frame control(2) duration(2) address 1, 2, 3(6 each) sequence control(2). */
    static final int HEADER_LENGTH = 24;
    /** Address 4, present when both ToDS and FromDS are set (a wireless distribution system). */
    static final int ADDRESS4_LENGTH = 6;
    /** QoS control, in data frames whose subtype has the QoS bit. */
    static final int QOS_CONTROL_LENGTH = 2;
    /** QoS control, first byte: the A-MSDU present bit (the frame body is a list of subframes). */
    static final int QOS_AMSDU_PRESENT = 0x80;
    /** An A-MSDU subframe header: destination(6) source(6) length(2); the first subframe's LLC follows. */
    static final int AMSDU_SUBFRAME_HEADER_LENGTH = 14;
    /** HT control, in QoS data frames with the Order flag. */
    static final int HT_CONTROL_LENGTH = 4;

    /** Frame control, first byte: protocol version(2 bits) type(2) subtype(4), least significant first. */
    static final int FRAME_CONTROL_OFFSET = 0;
    static final int VERSION_MASK = 0x03;
    static final int TYPE_SHIFT = 2;
    static final int TYPE_MASK = 0x03;
    static final int TYPE_DATA = 2;
    static final int SUBTYPE_SHIFT = 4;
    /** Subtype bits of data frames: QoS, and "no data" (null function frames). */
    static final int SUBTYPE_QOS = 0x08;
    static final int SUBTYPE_NO_DATA = 0x04;
    /** Frame control, second byte: the flags. */
    static final int FLAGS_OFFSET = 1;
    static final int FLAG_TO_DS = 0x01;
    static final int FLAG_FROM_DS = 0x02;
    static final int FLAG_PROTECTED = 0x40;
    static final int FLAG_ORDER = 0x80;
    /** Sequence control, little-endian: fragment number(4 bits) sequence number(12). */
    static final int SEQUENCE_CONTROL_OFFSET = 22;
    static final int FRAGMENT_NUMBER_MASK = 0x000F;

    private Ieee80211() {
    }

    static int decodeRadiotap(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < RADIOTAP_MIN_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final int length = u16LittleEndian(buf, off + RADIOTAP_LENGTH_OFFSET);
        if (length < RADIOTAP_MIN_LENGTH) {
            return STATUS_MALFORMED;
        }
        if (length > end - off) {
            return STATUS_TRUNCATED;
        }
        return decode(buf, off + length, end, out);
    }

    static int decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        final int frameControl = u8(buf, off + FRAME_CONTROL_OFFSET);
        final int flags = u8(buf, off + FLAGS_OFFSET);
        final int subtype = frameControl >>> SUBTYPE_SHIFT;
        if ((frameControl & VERSION_MASK) != 0
            || ((frameControl >>> TYPE_SHIFT) & TYPE_MASK) != TYPE_DATA
            || (subtype & SUBTYPE_NO_DATA) != 0
            || (flags & FLAG_PROTECTED) != 0
            || (u16LittleEndian(buf, off + SEQUENCE_CONTROL_OFFSET) & FRAGMENT_NUMBER_MASK) != 0) {
            return STATUS_NOT_IP;
        }
        int length = HEADER_LENGTH;
        if ((flags & FLAG_TO_DS) != 0 && (flags & FLAG_FROM_DS) != 0) {
            length += ADDRESS4_LENGTH;
        }
        boolean amsdu = false;
        if ((subtype & SUBTYPE_QOS) != 0) {
            if (end - off < length + QOS_CONTROL_LENGTH) {
                return STATUS_TRUNCATED;
            }
            amsdu = (u8(buf, off + length) & QOS_AMSDU_PRESENT) != 0;
            length += QOS_CONTROL_LENGTH;
            if ((flags & FLAG_ORDER) != 0) {
                length += HT_CONTROL_LENGTH;
            }
        }
        if (amsdu) {
            length += AMSDU_SUBFRAME_HEADER_LENGTH; // the first subframe's key stands for the frame
        }
        if (end - off < length) {
            return STATUS_TRUNCATED;
        }
        return Ethernet.decodeLlc(buf, off + length, end, out);
    }
}
