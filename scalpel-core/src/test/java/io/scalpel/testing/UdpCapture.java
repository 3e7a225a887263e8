package io.scalpel.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A classic pcap of many small UDP frames, written here byte by byte, for tests that need a
 * capture large enough to be changed while it is read: frame {@code i} is 10.0.0.1:(1000 + i %
 * {@value #FLOWS}) → 10.0.0.2:53 at {@link #T0_SECONDS} + i ms, 60 bytes (Ethernet, IPv4, UDP and
 * 18 bytes of payload), so each record is {@value #RECORD_LENGTH} bytes after the 24-byte file
 * header.
 */
public final class UdpCapture {
    public static final long T0_SECONDS = 1_700_000_000L;
    public static final int FLOWS = 1000;
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int FRAME_LENGTH = 60;
    public static final int RECORD_LENGTH = 16 + FRAME_LENGTH;

    private UdpCapture() {
    }

    /** Writes {@code frames} frames to {@code file}. */
    public static Path write(final Path file, final int frames) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(RECORD_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            b.putInt(0xA1B2C3D4)                       // magic: microseconds, little-endian
                .putShort((short) 2).putShort((short) 4) // version 2.4
                .putInt(0).putInt(0)                   // thiszone, sigfigs
                .putInt(65535)                         // snaplen
                .putInt(1);                            // link type: Ethernet
            out.write(b.array(), 0, FILE_HEADER_LENGTH);
            for (int i = 0; i < frames; i++) {
                final long micros = T0_SECONDS * 1_000_000L + i * 1000L;
                b.clear().order(ByteOrder.LITTLE_ENDIAN);
                b.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)) // ts seconds, microseconds
                    .putInt(FRAME_LENGTH).putInt(FRAME_LENGTH);                          // captured, original length
                b.order(ByteOrder.BIG_ENDIAN)
                    .put(new byte[] {0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1}).putShort((short) 0x0800) // MACs, IPv4
                    .put(new byte[] {0x45, 0}).putShort((short) 46)       // IPv4, 20-byte header; total length 46
                    .putShort((short) i).putShort((short) 0)              // identification; not fragmented
                    .put(new byte[] {64, 17}).putShort((short) 0)         // TTL, UDP; checksum not computed
                    .put(new byte[] {10, 0, 0, 1, 10, 0, 0, 2})           // 10.0.0.1 > 10.0.0.2
                    .putShort((short) (1000 + i % FLOWS)).putShort((short) 53) // ports
                    .putShort((short) 26).putShort((short) 0)             // UDP length, no checksum
                    .put(new byte[18]);                                   // payload
                out.write(b.array(), 0, RECORD_LENGTH);
            }
        }
        return file;
    }

    /** The byte offset of record {@code i}. */
    public static long offsetOf(final int i) {
        return FILE_HEADER_LENGTH + (long) i * RECORD_LENGTH;
    }

    /** The timestamp in ns of frame {@code i}. */
    public static long nanosOf(final int i) {
        return T0_SECONDS * 1_000_000_000L + i * 1_000_000L;
    }
}
