package io.scalpel.bench;

import io.scalpel.capture.CaptureFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes the frames of a generated capture as classic pcap (µs, little endian, Ethernet) or
 * pcapng (one section, one Ethernet interface, µs enhanced packet blocks), counting the bytes
 * written so that a generator can stop before a size.
 */
final class CaptureFileWriter {
    static final int SNAPLEN = 65535;
    static final int LINKTYPE_ETHERNET = 1;
    private static final int PCAP_FILE_HEADER_LENGTH = 24;
    private static final int PCAP_RECORD_HEADER_LENGTH = 16;
    private static final int PCAPNG_SHB_LENGTH = 28;
    private static final int PCAPNG_IDB_LENGTH = 20;
    /** Block type, length, interface, two timestamp words, caplen and origlen before the data. */
    private static final int PCAPNG_EPB_HEADER_LENGTH = 28;
    /** The EPB header and the trailing block length. */
    private static final int PCAPNG_EPB_OVERHEAD = PCAPNG_EPB_HEADER_LENGTH + 4;
    private static final int PCAPNG_EPB_TYPE = 6;
    private static final long MICROS_PER_SECOND = 1_000_000L;

    private final OutputStream out;
    private final boolean pcapng;
    private final ByteBuffer record = ByteBuffer.allocate(PCAPNG_EPB_OVERHEAD).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] padding = new byte[4];
    private long written;

    /** Writes the file header to {@code out}. */
    CaptureFileWriter(final OutputStream out, final CaptureFormat format) throws IOException {
        this.out = out;
        this.pcapng = format == CaptureFormat.PCAPNG;
        if (pcapng) {
            final ByteBuffer h = ByteBuffer.allocate(PCAPNG_SHB_LENGTH + PCAPNG_IDB_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            // section header block: type, length, byte-order magic, version 1.0, section length unknown, length
            h.putInt(0x0A0D0D0A).putInt(PCAPNG_SHB_LENGTH).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                .putLong(-1L).putInt(PCAPNG_SHB_LENGTH);
            // interface description block: type, length, link type, reserved, snaplen, no options, length
            h.putInt(1).putInt(PCAPNG_IDB_LENGTH).putShort((short) LINKTYPE_ETHERNET).putShort((short) 0).putInt(SNAPLEN)
                .putInt(PCAPNG_IDB_LENGTH);
            out.write(h.array());
            written = PCAPNG_SHB_LENGTH + PCAPNG_IDB_LENGTH;
        } else {
            final ByteBuffer h = ByteBuffer.allocate(PCAP_FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            // magic (µs), version 2.4, thiszone, sigfigs, snaplen, link type
            h.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
            out.write(h.array());
            written = PCAP_FILE_HEADER_LENGTH;
        }
    }

    /** The bytes a record of {@code caplen} captured bytes takes in the file. */
    int recordLength(final int caplen) {
        return pcapng ? PCAPNG_EPB_OVERHEAD + caplen + pad(caplen) : PCAP_RECORD_HEADER_LENGTH + caplen;
    }

    /** Bytes written so far, file header included. */
    long written() {
        return written;
    }

    /** Writes one frame captured whole ({@code caplen} = origlen) at {@code tsMicros} (µs since the epoch). */
    void write(final long tsMicros, final byte[] frame, final int caplen) throws IOException {
        final int recordLength = recordLength(caplen);
        record.clear();
        if (pcapng) {
            // enhanced packet block: type, length, interface, timestamp high and low (µs), caplen, origlen
            record.putInt(PCAPNG_EPB_TYPE).putInt(recordLength).putInt(0).putInt((int) (tsMicros >>> 32)).putInt((int) tsMicros)
                .putInt(caplen).putInt(caplen);
            out.write(record.array(), 0, PCAPNG_EPB_HEADER_LENGTH);
            out.write(frame, 0, caplen);
            out.write(padding, 0, pad(caplen));
            record.clear();
            record.putInt(recordLength);
            out.write(record.array(), 0, 4);
        } else {
            // record header: seconds, microseconds, caplen, origlen
            record.putInt((int) (tsMicros / MICROS_PER_SECOND)).putInt((int) (tsMicros % MICROS_PER_SECOND)).putInt(caplen).putInt(caplen);
            out.write(record.array(), 0, PCAP_RECORD_HEADER_LENGTH);
            out.write(frame, 0, caplen);
        }
        written += recordLength;
    }

    private static int pad(final int caplen) {
        return (4 - (caplen & 3)) & 3;
    }
}
