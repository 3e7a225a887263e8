package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureFormat;
import io.scalpel.testing.UdpCapture;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture cut short or modified in place after a slice opened it (mapped it) is refused with
 * {@link CaptureChangedException}, whatever the slice was doing: the JVM's fault on the mapped
 * memory beyond the new end (an {@link InternalError}) never escapes, and no extract is written.
 * One replaced by another file under its name is still read as it was opened. The capture is
 * {@link UdpCapture}'s, whose record offsets the test knows.
 */
class CaptureChangedSliceTest {
    private static final int FRAMES = 100_000; // 7.6 MB: most of it lies pages beyond a cut at 4 KiB
    private static final long CUT = 4096;

    @TempDir
    Path dir;
    Path capture;
    Path out;

    @BeforeEach
    void writeAndIndex() throws IOException {
        capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        out = dir.resolve("out.pcap");
        Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
    }

    @Test
    void shouldRefuseASelectionOfACaptureCutShortAfterItWasOpened() throws IOException {
        try (Scalpel scalpel = Scalpel.open(capture)) {
            cut();

            final CaptureChangedException e = assertThrows(CaptureChangedException.class,
                () -> scalpel.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE));

            assertChanged(e, "it is " + CUT + " bytes now, but was " + UdpCapture.offsetOf(FRAMES) + " when it was opened");
        }
    }

    @Test
    void shouldRefuseToWriteFramesOfACaptureCutShortAfterTheyWereSelected() throws IOException {
        try (Scalpel scalpel = Scalpel.open(capture)) {
            final long[] late = {UdpCapture.offsetOf(FRAMES / 2), UdpCapture.offsetOf(FRAMES - 1)};
            cut();

            final CaptureChangedException e = assertThrows(CaptureChangedException.class,
                () -> scalpel.write(late, (CaptureFormat) null, out, w -> { }));

            assertChanged(e, "it is " + CUT + " bytes now");
            assertFalse(Files.exists(out), "no extract written");
        }
    }

    @Test
    void shouldRefuseToVisitFramesOfACaptureCutShort() throws IOException {
        try (Scalpel scalpel = Scalpel.open(capture)) {
            final long[] late = {UdpCapture.offsetOf(FRAMES - 1)};
            cut();

            final CaptureChangedException e = assertThrows(CaptureChangedException.class,
                () -> scalpel.visit(late, (frame, decoded) -> { }));

            assertChanged(e, "it is " + CUT + " bytes now");
        }
    }

    @Test
    void shouldRefuseAnExtractOfACaptureModifiedInPlaceWhileItWasRead() throws IOException {
        try (Scalpel scalpel = Scalpel.open(capture)) {
            final long[] all = scalpel.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);
            assertEquals(FRAMES, all.length);
            // the same size, other bytes in a frame's payload (its header, which a slice checks, unchanged)
            try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                f.seek(UdpCapture.offsetOf(10) + 16 + 50);
                f.write(0x7F);
            }
            Files.setLastModifiedTime(capture, FileTime.fromMillis(Files.getLastModifiedTime(capture).toMillis() + 5000));

            final CaptureChangedException e = assertThrows(CaptureChangedException.class,
                () -> scalpel.write(all, (CaptureFormat) null, out, w -> { }));

            assertChanged(e, "it was modified in place");
            assertFalse(Files.exists(out), "no extract written");
        }
    }

    @Test
    void shouldReadTheOpenedCaptureWhenAnotherFileTakesItsName() throws IOException {
        final Path before = dir.resolve("before.pcap");
        try (Scalpel scalpel = Scalpel.open(capture)) {
            final long[] all = scalpel.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);
            scalpel.write(all, (CaptureFormat) null, before, w -> { });
            final Path other = UdpCapture.write(dir.resolve("other.pcap"), 10);
            Files.move(other, capture, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

            scalpel.write(all, (CaptureFormat) null, out, w -> { });
        }

        assertArrayEquals(Files.readAllBytes(before), Files.readAllBytes(out), "the extract of the capture that was opened");
    }

    /** Cuts the capture to its first {@link #CUT} bytes. */
    private void cut() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
            f.setLength(CUT);
        }
    }

    private void assertChanged(final CaptureChangedException e, final String how) {
        assertTrue(e.getMessage().startsWith(capture + ": capture changed while reading ("), e.getMessage());
        assertTrue(e.getMessage().contains(how), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
