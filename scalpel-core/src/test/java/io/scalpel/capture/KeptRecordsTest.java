package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.UdpCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records kept from a first read ({@link KeptRecords}) are read again from there, without a read
 * of the file, and are the bytes the file holds (read here with {@link Files#readAllBytes}) at
 * {@link UdpCapture}'s offsets; records beyond the bound are not kept, and are read from the file.
 */
class KeptRecordsTest {
    private static final int FRAMES = 20_000;
    /** Frames far enough apart that each takes a read of its own. */
    private static final int APART = 100;

    @TempDir
    Path dir;

    @Test
    void shouldServeTheRecordsKeptWithoutAReadOfTheFile() throws IOException {
        final Path capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        final byte[] bytes = Files.readAllBytes(capture);
        final KeptRecords kept = new KeptRecords(1 << 20);
        try (MappedFile file = MappedFile.open(capture)) {
            final CaptureReader first = CaptureReader.on(file.scattered());
            final Frame frame = new Frame();
            for (int i = 0; i < FRAMES; i += APART) {
                first.readAt(UdpCapture.offsetOf(i), frame);
                assertTrue(kept.keep(first.file(), frame.recordOffset(), frame.recordLength()));
            }
            assertFalse(kept.keep(first.file(), UdpCapture.offsetOf(0), UdpCapture.RECORD_LENGTH), "kept once");
            assertEquals(FRAMES / APART, kept.size());
            assertEquals(FRAMES / APART * UdpCapture.RECORD_LENGTH, kept.bytes());

            final ScatteredFile again = (ScatteredFile) file.scattered(kept);
            final CaptureReader second = CaptureReader.on(again);
            final long header = again.reads(); // the file header, read once by the reader
            for (int i = FRAMES - APART; i >= 0; i -= APART) {
                second.readAt(UdpCapture.offsetOf(i), frame);
                assertEquals(UdpCapture.nanosOf(i), frame.timestampNanos());
                final byte[] record = new byte[frame.recordLength()];
                again.get(frame.recordOffset(), record, 0, record.length);
                assertArrayEquals(Arrays.copyOfRange(bytes, (int) UdpCapture.offsetOf(i), (int) UdpCapture.offsetOf(i + 1)), record,
                    "record " + i);
            }
            assertEquals(header, again.reads(), "no record read from the file");

            second.readAt(UdpCapture.offsetOf(1), frame);
            assertEquals(header + 1, again.reads(), "a record not kept is read from the file");
            assertEquals(UdpCapture.nanosOf(1), frame.timestampNanos());
        }
    }

    @Test
    void shouldKeepNoRecordsBeyondItsBoundAndReadThoseFromTheFile() throws IOException {
        final Path capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        final KeptRecords kept = new KeptRecords(10 * UdpCapture.RECORD_LENGTH + 1);
        try (MappedFile file = MappedFile.open(capture)) {
            final CaptureReader first = CaptureReader.on(file.scattered());
            final Frame frame = new Frame();
            int refused = 0;
            for (int i = 0; i < 30 * APART; i += APART) {
                first.readAt(UdpCapture.offsetOf(i), frame);
                if (!kept.keep(first.file(), frame.recordOffset(), frame.recordLength())) {
                    refused++;
                }
            }
            assertEquals(10, kept.size());
            assertEquals(20, refused);

            final ScatteredFile again = (ScatteredFile) file.scattered(kept);
            final CaptureReader second = CaptureReader.on(again);
            final long header = again.reads();
            for (int i = 0; i < 30 * APART; i += APART) {
                second.readAt(UdpCapture.offsetOf(i), frame);
                assertEquals(UdpCapture.nanosOf(i), frame.timestampNanos());
            }
            assertEquals(header + 20, again.reads(), "the records not kept, one read each");
        }
    }
}
