package io.scalpel.bench;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import io.scalpel.index.IndexBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads and decodes every frame of a capture without writing an index: the scan path alone,
 * to compare with a full index build and with {@code tcpdump -r X -w /dev/null}. It reads the
 * capture as the index scan does: through the channel into a small moving window.
 *
 * <p>Usage: {@code ScanOnly CAPTURE}
 */
public final class ScanOnly {
    private ScanOnly() {
    }

    public static void main(final String[] args) throws IOException {
        final long started = System.nanoTime();
        long packets = 0;
        long hash = 0;
        try (CaptureReader reader = CaptureReader.openSequential(Path.of(args[0]), -1, IndexBuilder.SCAN_WINDOW)) {
            final Frame frame = new Frame();
            final PacketDecoder decoder = new PacketDecoder();
            final DecodedPacket decoded = new DecodedPacket();
            while (reader.next(frame)) {
                decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
                final FlowKey k = decoded.innermost();
                if (k != null) {
                    hash += k.flowHash();
                }
                packets++;
            }
            final double s = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "scanned %d packets, %d bytes in %.2f s: %.1f Mpkt/s, %.0f MB/s (checksum %x)%n",
                packets, reader.position(), s, packets / s / 1e6, reader.position() / s / 1e6, hash);
        }
    }
}
