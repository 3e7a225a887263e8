package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file whose time changed at the same size is called modified only when no write lands within the settling time. */
class SettlingTest {
    @TempDir
    Path dir;

    @Test
    void shouldTellAFileThatGrowsWhileWatchedFromOneThatStays() throws IOException {
        final AtomicInteger looks = new AtomicInteger();
        assertFalse(Settling.settles(() -> looks.incrementAndGet() >= 3), "grew at the third look");
        assertEquals(3, looks.get());
        assertTrue(Settling.settles(() -> false), "never grew");
    }

    @Test
    void shouldNotCallACaptureModifiedWhenItsNewTimeIsAWriteStillLanding() throws IOException {
        final Path file = dir.resolve("live.pcap");
        Files.write(file, new byte[100]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            final FileState opened = FileState.of(file, channel);
            assertEquals(100, opened.size());
            // the time of a write that has not changed the size yet
            Files.setLastModifiedTime(file, FileTime.fromMillis(opened.mtimeMillis() + 5_000));
            final Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(Settling.MILLIS / 4);
                    Files.write(file, new byte[10], StandardOpenOption.APPEND);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            assertNull(opened.change(file, channel, 100), "the write landed: a growing capture");
            try {
                writer.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void shouldCallACaptureModifiedWhenItStaysAtItsSizeWithAnotherTime() throws IOException {
        final Path file = dir.resolve("touched.pcap");
        Files.write(file, new byte[100]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            final FileState opened = FileState.of(file, channel);
            Files.setLastModifiedTime(file, FileTime.fromMillis(opened.mtimeMillis() + 5_000));
            final String change = opened.change(file, channel, 100);
            assertNotNull(change);
            assertTrue(change.startsWith("it was modified in place: same size"), change);
        }
    }
}
