package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mapped log's reads: the bytes as written, and none for an interrupted thread, as a channel's read would refuse. */
class MappedLogTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseToReadForAnInterruptedThreadAndReadAgainOnceItIsNot() throws IOException {
        final byte[] text = "#fields\tts\tuid\n1.0\tCabc\n".getBytes(StandardCharsets.US_ASCII);
        final Path file = Files.write(dir.resolve("conn.log"), text);
        final MappedLog log = MappedLog.map(file, text.length, "conn.log");
        final byte[] b = new byte[text.length];
        Thread.currentThread().interrupt();
        try {
            final InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> log.read(0, b, 0, b.length));
            assertEquals("interrupted while reading conn.log", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left for the thread's owner");
        } finally {
            Thread.interrupted();
        }
        assertEquals(text.length, log.read(0, b, 0, b.length));
        assertEquals(new String(text, StandardCharsets.US_ASCII), new String(b, StandardCharsets.US_ASCII));
    }
}
