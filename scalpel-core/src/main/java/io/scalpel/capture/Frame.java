package io.scalpel.capture;

import java.nio.ByteBuffer;

/**
 * Flyweight view of one captured frame: where its record lies in the file, its timestamp and
 * lengths, and the buffer that holds its bytes. A reader refills the same instance for every
 * record; nothing is copied and nothing is allocated per frame.
 */
public final class Frame {
    long recordOffset;
    int recordLength;
    long timestampNanos;
    boolean timestampKnown;
    boolean finerThanNanoseconds;
    int capturedLength;
    int originalLength;
    int linkType;
    int interfaceId;
    int section;
    ByteBuffer buffer;
    int dataOffset;

    /** Byte offset of the record header (classic pcap) or block (pcapng) in the capture. */
    public long recordOffset() { return recordOffset; }

    /** Bytes of the whole record: header and data (pcap), or the whole block (pcapng). */
    public int recordLength() { return recordLength; }

    /** Nanoseconds since the epoch. For a pcapng simple packet block, which has no timestamp, the previous frame's. */
    public long timestampNanos() { return timestampNanos; }

    /** False for a pcapng simple packet block. */
    public boolean timestampKnown() { return timestampKnown; }

    /** True when the capture's timestamp had sub-nanosecond resolution (pcapng if_tsresol), cut to ns here. */
    public boolean finerThanNanoseconds() { return finerThanNanoseconds; }

    public int capturedLength() { return capturedLength; }

    public int originalLength() { return originalLength; }

    /** LINKTYPE_* value of the interface that captured the frame. */
    public int linkType() { return linkType; }

    /** pcapng interface id within its section; 0 for classic pcap. */
    public int interfaceId() { return interfaceId; }

    /** pcapng section number (0-based); 0 for classic pcap. */
    public int section() { return section; }

    /** A big-endian buffer holding the frame's bytes at {@link #dataOffset()}. */
    public ByteBuffer buffer() { return buffer; }

    public int dataOffset() { return dataOffset; }

    @Override
    public String toString() {
        return "Frame{offset=" + recordOffset + ", ts=" + timestampNanos + ", caplen=" + capturedLength
            + ", len=" + originalLength + ", linktype=" + linkType + ", if=" + section + "/" + interfaceId + "}";
    }
}
