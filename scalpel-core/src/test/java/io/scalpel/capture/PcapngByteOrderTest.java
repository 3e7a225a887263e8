package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.CaptureBytes;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A pcapng section's blocks are read in the section's byte order, whichever it is. */
class PcapngByteOrderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void shouldReadTheEnhancedPacketOfASectionInEitherByteOrder(final String orderName) throws Exception {
        final ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final Path file = new CaptureBytes(order)
            .shb()                                            // 28 bytes, byte-order magic in the section's order
            .idb(1, 0, -1, 0)                                 // Ethernet, no snaplen, no options: 20 bytes
            .epb(0, 1_000_000, new byte[] {1, 2, 3, 4}, 60)   // at 48: 1 s in µs, 4 of 60 bytes captured
            .writeTo(dir.resolve("one.pcapng"));

        try (CaptureReader reader = CaptureReader.open(file)) {
            final Frame frame = new Frame();
            assertTrue(reader.next(frame), "the enhanced packet block is a frame");
            assertEquals(48, frame.recordOffset());
            assertEquals(1_000_000_000L, frame.timestampNanos());
            assertEquals(4, frame.capturedLength());
            assertEquals(60, frame.originalLength());
            assertEquals(1, frame.linkType());
            assertFalse(reader.next(frame));
        }
    }
}
