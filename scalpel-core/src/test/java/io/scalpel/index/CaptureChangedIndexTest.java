package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.testing.UdpCapture;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture cut short, or modified in place, while it is being indexed is refused with
 * {@link CaptureChangedException} and no index is committed: the index would describe neither the
 * old bytes nor the new. One that grows meanwhile (a capture still being written) is indexed up to
 * where it was when the scan opened it. The change is made from the scan's progress callback,
 * which the scan calls every 65 536 frames; the capture is {@link UdpCapture}'s, read in windows of
 * 1 MiB so that most of it is read after the change.
 */
class CaptureChangedIndexTest {
    private static final int FRAMES = 150_000;
    private static final long WINDOW = 1 << 20;

    @TempDir
    Path dir;
    Path capture;
    Path index;

    @BeforeEach
    void write() throws IOException {
        capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        index = dir.resolve("udp.pcap.scalpel");
    }

    private IndexBuilder builder(final Change change) {
        final boolean[] done = {false};
        return new IndexBuilder(capture, index, WINDOW).progress((scanned, total) -> {
            if (!done[0] && scanned > 0 && scanned < total) {
                done[0] = true;
                try {
                    change.apply();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    @FunctionalInterface
    private interface Change {
        void apply() throws IOException;
    }

    @Test
    void shouldRefuseACaptureCutShortWhileItIsScanned() {
        final IndexBuilder b = builder(() -> {
            try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                f.setLength(UdpCapture.offsetOf(FRAMES / 2)); // beyond the scan's position, before the end
            }
        });

        final CaptureChangedException e = assertThrows(CaptureChangedException.class, b::build);

        assertTrue(e.getMessage().startsWith(capture + ": capture changed while reading (it ends at byte offset "
            + UdpCapture.offsetOf(FRAMES / 2) + ", but was " + UdpCapture.offsetOf(FRAMES) + " bytes when it was opened)"),
            e.getMessage());
        assertFalse(Files.exists(index), "no index committed");
    }

    @Test
    void shouldRefuseACaptureWhoseHeadChangedWhileItWasScannedEvenWithItsTimeRestored() {
        final IndexBuilder b = builder(() -> {
            final FileTime time = Files.getLastModifiedTime(capture);
            try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                f.seek(UdpCapture.offsetOf(0) + 16 + 50); // a payload byte of the first frame
                f.write(0x7F);
            }
            Files.setLastModifiedTime(capture, time);
        });

        final CaptureChangedException e = assertThrows(CaptureChangedException.class, b::build);

        assertTrue(e.getMessage().contains("(its first or last 64 KiB changed while it was scanned)"), e.getMessage());
        assertFalse(Files.exists(index), "no index committed");
    }

    @Test
    void shouldRefuseACaptureModifiedInPlaceWhileItWasScanned() {
        final IndexBuilder b = builder(() -> {
            try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                f.seek(UdpCapture.offsetOf(FRAMES / 2) + 16 + 50); // a payload byte in the middle, beyond the samples
                f.write(0x7F);
            }
            Files.setLastModifiedTime(capture, FileTime.fromMillis(Files.getLastModifiedTime(capture).toMillis() + 5000));
        });

        final CaptureChangedException e = assertThrows(CaptureChangedException.class, b::build);

        assertTrue(e.getMessage().contains("(it was modified in place: same size"), e.getMessage());
        assertFalse(Files.exists(index), "no index committed");
    }

    @Test
    void shouldRefuseToFingerprintBytesTheCaptureNoLongerHas() {
        // what a slice opening the index meets when the capture is cut between its size check and its reads
        final CaptureChangedException e = assertThrows(CaptureChangedException.class,
            () -> CaptureFingerprint.of(capture, UdpCapture.offsetOf(FRAMES) + 100));

        assertEquals(capture + ": capture changed while reading (it ends at byte offset " + UdpCapture.offsetOf(FRAMES)
            + ", before the " + (UdpCapture.offsetOf(FRAMES) + 100) + " bytes to fingerprint); run the command again once the"
            + " capture no longer changes", e.getMessage());
    }

    @Test
    void shouldIndexACaptureThatGrowsWhileItIsScannedUpToWhereItWas() throws IOException {
        final byte[] more = Files.readAllBytes(UdpCapture.write(dir.resolve("more.pcap"), 10));
        final IndexBuilder b = builder(() -> {
            try (OutputStream out = Files.newOutputStream(capture, StandardOpenOption.APPEND)) {
                out.write(more, UdpCapture.FILE_HEADER_LENGTH, more.length - UdpCapture.FILE_HEADER_LENGTH);
            }
        });

        final IndexBuilder.Result r = b.build();

        assertEquals(FRAMES, r.manifest().packets());
        assertEquals(UdpCapture.offsetOf(FRAMES), r.manifest().fingerprint().length());
    }
}
