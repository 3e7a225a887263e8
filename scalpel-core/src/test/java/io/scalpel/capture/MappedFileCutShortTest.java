package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture cut short between the moment its size is taken and its mapping: the mapping of the
 * bytes it no longer has is refused by the JDK ("Channel not open for writing - cannot extend
 * file"), which must reach the user as the capture having changed, with where it now ends.
 */
class MappedFileCutShortTest {
    @Test
    void shouldCallAMappingPastANewEndACaptureCutShort(@TempDir final Path dir) throws IOException {
        final Path capture = dir.resolve("cut.pcap");
        Files.write(capture, new byte[100]);
        try (FileChannel channel = FileChannel.open(capture, StandardOpenOption.READ)) {
            final CaptureChangedException e = assertThrows(CaptureChangedException.class,
                () -> MappedFile.map(channel, capture, 0, 4096, 4096));
            assertEquals(100, e.offset());
            assertTrue(e.getMessage().contains("capture changed while reading"), e.getMessage());
            assertTrue(e.getMessage().contains("it ends at byte offset 100, but was 4096 bytes"), e.getMessage());
            assertTrue(e.getMessage().startsWith(capture.toString()), e.getMessage());
        }
    }

    @Test
    void shouldMapWhatTheFileHas(@TempDir final Path dir) throws IOException {
        final Path capture = dir.resolve("whole.pcap");
        Files.write(capture, new byte[] {1, 2, 3, 4});
        try (FileChannel channel = FileChannel.open(capture, StandardOpenOption.READ)) {
            assertEquals(3, MappedFile.map(channel, capture, 1, 3, 4).get(1));
        }
    }
}
