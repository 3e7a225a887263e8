package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
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
        final ByteBuffer b = ByteBuffer.allocate(28 + 20 + 36).order(order);
        // Section header block
        b.putInt(0x0A0D0D0A);          // block type (a palindrome)
        b.putInt(28);                  // block total length
        b.putInt(0x1A2B3C4D);          // byte-order magic, in the section's order
        b.putShort((short) 1);         // major version
        b.putShort((short) 0);         // minor version
        b.putLong(-1L);                // section length: unknown
        b.putInt(28);                  // block total length again
        // Interface description block
        b.putInt(1);                   // block type IDB
        b.putInt(20);                  // block total length
        b.putShort((short) 1);         // link type: Ethernet
        b.putShort((short) 0);         // reserved
        b.putInt(0);                   // snaplen: no limit
        b.putInt(20);                  // block total length again
        // Enhanced packet block with 4 bytes of data
        b.putInt(6);                   // block type EPB
        b.putInt(36);                  // block total length
        b.putInt(0);                   // interface id
        b.putInt(0);                   // timestamp, high word
        b.putInt(1_000_000);           // timestamp, low word: 1 s in microseconds
        b.putInt(4);                   // captured length
        b.putInt(60);                  // original length
        b.put(new byte[] {1, 2, 3, 4}); // packet data
        b.putInt(36);                  // block total length again
        final Path file = Files.write(dir.resolve("one.pcapng"), b.array());

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
