package io.scalpel.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A classic pcap of many small UDP frames, written with {@link CaptureBytes} and {@link Frames},
 * for tests that need a capture large enough to be changed while it is read: frame {@code i} is
 * 10.0.0.1:(1000 + i % {@value #FLOWS}) → 10.0.0.2:53 at {@link #T0_SECONDS} + i ms, 60 bytes
 * (Ethernet, IPv4, UDP and 18 bytes of payload), so each record is {@value #RECORD_LENGTH} bytes
 * after the 24-byte file header.
 */
public final class UdpCapture {
    public static final long T0_SECONDS = 1_700_000_000L;
    public static final int FLOWS = 1000;
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int FRAME_LENGTH = 60;
    public static final int RECORD_LENGTH = 16 + FRAME_LENGTH;

    private static final byte[] MAC_1 = Frames.bytes(0, 0, 0, 0, 0, 1);
    private static final byte[] MAC_2 = Frames.bytes(0, 0, 0, 0, 0, 2);
    private static final byte[] ADDRESS_1 = Frames.bytes(10, 0, 0, 1);
    private static final byte[] ADDRESS_2 = Frames.bytes(10, 0, 0, 2);

    private UdpCapture() {
    }

    /** Writes {@code frames} frames to {@code file}. */
    public static Path write(final Path file, final int frames) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            final CaptureBytes b = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1); // µs, Ethernet
            for (int i = 0; i < frames; i++) {
                final long micros = T0_SECONDS * 1_000_000L + i * 1000L;
                b.pcapRecord(micros / 1_000_000, micros % 1_000_000, frame(i)).drainTo(out);
            }
        }
        return file;
    }

    /** Frame {@code i}: Ethernet, IPv4 (identification {@code i}), UDP, 18 zero bytes of payload. */
    private static byte[] frame(final int i) {
        return Frames.concat(
            Frames.ethernet(MAC_2, MAC_1, Frames.ETHERTYPE_IPV4),
            Frames.ipv4Fragment(Frames.PROTO_UDP, ADDRESS_1, ADDRESS_2, Frames.UDP_HEADER_LENGTH + 18, i, false, 0),
            Frames.udp(1000 + i % FLOWS, 53, 18),
            new byte[18]);
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
