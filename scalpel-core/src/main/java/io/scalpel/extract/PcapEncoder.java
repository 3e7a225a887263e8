package io.scalpel.extract;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.PcapReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic pcap as an extract writes it when it does not copy a capture's own header: little-endian,
 * nanosecond timestamps, version 2.4.
 *
 * <pre>
 * file header (24 bytes)          record header (16 bytes), then the frame's captured bytes
 *  0  magic         0xA1B23C4D     0  seconds
 *  4  version major 2              4  nanoseconds within the second
 *  6  version minor 4              8  captured length
 *  8  thiszone      0             12  original length
 * 12  sigfigs       0
 * 16  snaplen       {@link CaptureReader#MAX_CAPLEN}
 * 20  link type
 * </pre>
 *
 * <p>One encoder reuses one record buffer, so writing a frame allocates nothing.
 */
final class PcapEncoder {
    /** The nanosecond-resolution magic, as it reads in the writer's byte order. */
    static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    static final int VERSION_MAJOR = 2;
    static final int VERSION_MINOR = 4;
    /** Offset of local time from UTC: always 0 in practice. */
    static final int THISZONE = 0;
    /** Accuracy of the timestamps: always 0 in practice. */
    static final int SIGFIGS = 0;
    /** The snaplen written: the longest frame a reader accepts, since frames of any capture may be written. */
    static final int SNAPLEN = CaptureReader.MAX_CAPLEN;
    /** Where the file header lies in a pcap: at its start. */
    static final long FILE_HEADER_OFFSET = 0;
    static final int FILE_HEADER_LENGTH = PcapReader.FILE_HEADER_LENGTH;
    static final int RECORD_HEADER_LENGTH = PcapReader.RECORD_HEADER_LENGTH;
    static final int RECORD_TS_SECONDS = 0;
    static final int RECORD_TS_FRACTION = 4;
    static final int RECORD_CAPTURED_LENGTH = 8;
    static final int RECORD_ORIGINAL_LENGTH = 12;
    static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final byte[] record = new byte[RECORD_HEADER_LENGTH + CaptureReader.MAX_CAPLEN];
    private final ByteBuffer header = ByteBuffer.wrap(record).order(BYTE_ORDER);

    /** The file header of a pcap of link type {@code linkType}. */
    static byte[] fileHeader(final int linkType) {
        final ByteBuffer h = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(BYTE_ORDER);
        h.putInt(MAGIC_NANOSECONDS).putShort((short) VERSION_MAJOR).putShort((short) VERSION_MINOR)
            .putInt(THISZONE).putInt(SIGFIGS).putInt(SNAPLEN).putInt(linkType);
        return h.array();
    }

    /** Writes {@code frame} as one record, its timestamp in nanoseconds. */
    void writeRecord(final Frame frame, final OutputStream out) throws IOException {
        final long ts = frame.timestampNanos();
        header.putInt(RECORD_TS_SECONDS, (int) Math.floorDiv(ts, NANOS_PER_SECOND));
        header.putInt(RECORD_TS_FRACTION, (int) Math.floorMod(ts, NANOS_PER_SECOND));
        header.putInt(RECORD_CAPTURED_LENGTH, frame.capturedLength());
        header.putInt(RECORD_ORIGINAL_LENGTH, frame.originalLength());
        frame.buffer().get(frame.dataOffset(), record, RECORD_HEADER_LENGTH, frame.capturedLength());
        out.write(record, 0, RECORD_HEADER_LENGTH + frame.capturedLength());
    }
}
