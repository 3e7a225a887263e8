package io.scalpel.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic pcap: a 24-byte file header, then records of a 16-byte header (seconds, fraction,
 * captured length, original length, in the writer's byte order) and the frame's bytes.
 * Microsecond and nanosecond magics in both byte orders.
 */
public final class PcapReader extends CaptureReader {
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;

    private static final int OFFSET_VERSION_MAJOR = 4;
    private static final int OFFSET_VERSION_MINOR = 6;
    private static final int OFFSET_SNAPLEN = 16;
    private static final int OFFSET_LINKTYPE = 20;
    private static final int LINKTYPE_MASK = 0xFFFF;

    private static final int RECORD_TS_SECONDS = 0;
    private static final int RECORD_TS_FRACTION = 4;
    private static final int RECORD_CAPLEN = 8;
    private static final int RECORD_ORIGLEN = 12;

    private final ByteOrder order;
    private final boolean nanos;
    private final long unitsPerSecond;
    private final int nanosPerUnit;
    private final int snaplen;
    private final int linkTypeField;
    private final int linkType;
    private final int versionMajor;
    private final int versionMinor;

    PcapReader(final CaptureSource file) throws CaptureFormatException {
        super(file);
        final long size = file.ensure(0, FILE_HEADER_LENGTH);
        if (size < FILE_HEADER_LENGTH) {
            throw malformed(0, "file of " + size + " bytes ends inside the 24-byte pcap file header");
        }
        final ByteBuffer be = file.view(0, ByteOrder.BIG_ENDIAN);
        final int magic = be.getInt(0);
        this.order = magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        this.nanos = magic == PCAP_MAGIC_NANOS || magic == Integer.reverseBytes(PCAP_MAGIC_NANOS);
        this.unitsPerSecond = nanos ? 1_000_000_000L : 1_000_000L;
        this.nanosPerUnit = nanos ? 1 : 1000;
        final ByteBuffer h = file.view(0, order);
        this.versionMajor = h.getShort(OFFSET_VERSION_MAJOR) & 0xFFFF;
        this.versionMinor = h.getShort(OFFSET_VERSION_MINOR) & 0xFFFF;
        this.snaplen = h.getInt(OFFSET_SNAPLEN);
        this.linkTypeField = h.getInt(OFFSET_LINKTYPE);
        this.linkType = linkTypeField & LINKTYPE_MASK;
        if (versionMajor != 2) {
            throw malformed(OFFSET_VERSION_MAJOR, "pcap version " + versionMajor + "." + versionMinor + " is not 2.x");
        }
        this.position = FILE_HEADER_LENGTH;
    }

    @Override
    public boolean next(final Frame frame) throws CaptureFormatException {
        final long pos = position;
        if (!readRecord(pos, frame, true)) {
            return false;
        }
        position = pos + frame.recordLength;
        return true;
    }

    @Override
    public void readAt(final long offset, final Frame frame) throws CaptureFormatException {
        if (offset < FILE_HEADER_LENGTH || !readRecord(offset, frame, false)) {
            throw malformed(offset, "no whole record at this offset (the capture ends at " + file.size() + ")");
        }
    }

    /**
     * Reads the record at {@code pos}; false when the file ends inside it. Only a sequential read
     * ({@code scanning}) records the truncated tail and the warnings: a random read leaves the
     * reader's state as it was.
     */
    private boolean readRecord(final long pos, final Frame frame, final boolean scanning) throws CaptureFormatException {
        long size = file.ensure(pos, pos + RECORD_HEADER_LENGTH);
        if (pos + RECORD_HEADER_LENGTH > size) {
            if (pos < size && scanning) {
                truncatedTail(pos, "record header cut short: " + (size - pos) + " of 16 bytes");
            }
            return false;
        }
        int segment = file.segmentOf(pos);
        ByteBuffer view = file.view(segment, order);
        int at = (int) (pos - file.segmentBase(segment));
        long seconds = view.getInt(at + RECORD_TS_SECONDS) & 0xFFFF_FFFFL;
        long fraction = view.getInt(at + RECORD_TS_FRACTION) & 0xFFFF_FFFFL;
        final int caplen = view.getInt(at + RECORD_CAPLEN);
        final int origlen = view.getInt(at + RECORD_ORIGLEN);
        if (caplen < 0 || caplen > MAX_CAPLEN) {
            throw malformed(pos, "record captured length " + Integer.toUnsignedString(caplen)
                + " exceeds the limit of " + MAX_CAPLEN + " bytes");
        }
        if (pos + RECORD_HEADER_LENGTH + caplen > size) {
            // a compressed capture decompresses the rest of the record now (a mapped one has it all)
            size = file.ensure(pos, pos + RECORD_HEADER_LENGTH + caplen);
            segment = file.segmentOf(pos);
            view = file.view(segment, order);
            at = (int) (pos - file.segmentBase(segment));
        }
        if (pos + RECORD_HEADER_LENGTH + caplen > size) {
            if (!scanning) {
                return false;
            }
            truncatedTail(pos, "record of " + caplen + " captured bytes cut short at " + (size - pos - RECORD_HEADER_LENGTH));
            return false;
        }
        if (fraction >= unitsPerSecond) {
            if (scanning) {
                warn(pos, "timestamp fraction " + fraction + " is a second or more; carried into the seconds");
            }
            seconds += fraction / unitsPerSecond;
            fraction %= unitsPerSecond;
        }
        if (caplen > origlen && scanning) {
            warn(pos, "captured length " + caplen + " exceeds original length " + Integer.toUnsignedString(origlen));
        }
        frame.recordOffset = pos;
        frame.recordLength = RECORD_HEADER_LENGTH + caplen;
        frame.timestampNanos = seconds * 1_000_000_000L + fraction * nanosPerUnit;
        frame.timestampKnown = true;
        frame.finerThanNanoseconds = false;
        frame.capturedLength = caplen;
        frame.originalLength = origlen;
        frame.linkType = linkType;
        frame.interfaceId = 0;
        frame.section = 0;
        frame.buffer = file.view(segment, ByteOrder.BIG_ENDIAN);
        frame.dataOffset = at + RECORD_HEADER_LENGTH;
        return true;
    }

    /** Continues reading at {@code offset}, which must be the start of a record (e.g. the end of an indexed prefix). */
    public void seek(final long offset) {
        if (offset < FILE_HEADER_LENGTH) {
            throw new IllegalArgumentException("offset " + offset + " is inside the file header");
        }
        position = offset;
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.PCAP;
    }

    @Override
    public ByteOrder byteOrder() {
        return order;
    }

    public boolean nanosecondResolution() {
        return nanos;
    }

    public int snaplen() {
        return snaplen;
    }

    public int linkType() {
        return linkType;
    }

    /** The header's whole link-type field, FCS bits included. */
    public int linkTypeField() {
        return linkTypeField;
    }

    public int versionMajor() {
        return versionMajor;
    }

    public int versionMinor() {
        return versionMinor;
    }
}
