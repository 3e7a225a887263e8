package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.UdpCapture;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slice's reads of records at scattered offsets through positional reads ({@link ScatteredFile})
 * instead of the mapping: the same records, byte for byte, as the file holds them (read here with
 * {@link Files#readAllBytes}), at {@link UdpCapture}'s offsets and times; a run of adjacent records
 * in few reads; and the same refusals as a read of the mapping, with the file and the byte offset.
 */
class ScatteredFileTest {
    private static final int FRAMES = 20_000; // 1.5 MB

    @TempDir
    Path dir;

    @Test
    void shouldReadEachRecordAtScatteredOffsetsAsTheFileHoldsIt() throws IOException {
        final Path capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        final byte[] bytes = Files.readAllBytes(capture);
        final int[] order = {FRAMES - 1, 0, 7_919, 7_920, 7_918, 104, 19_000, 3, 12_345};
        try (MappedFile file = MappedFile.open(capture);
             CaptureReader reader = CaptureReader.on(file.scattered())) {
            final Frame frame = new Frame();
            for (int i : order) {
                reader.readAt(UdpCapture.offsetOf(i), frame);

                assertEquals(UdpCapture.nanosOf(i), frame.timestampNanos(), "frame " + i);
                assertEquals(UdpCapture.FRAME_LENGTH, frame.capturedLength());
                assertArrayEquals(Arrays.copyOfRange(bytes, (int) UdpCapture.offsetOf(i) + 16, (int) UdpCapture.offsetOf(i + 1)),
                    frameBytes(frame), "frame " + i);
            }
        }
    }

    @Test
    void shouldReadRecordsFarApartOnceEachAndARunOfAdjacentOnesInFewReads() throws IOException {
        final Path capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        try (MappedFile file = MappedFile.open(capture)) {
            final ScatteredFile far = (ScatteredFile) file.scattered();
            final CaptureReader farReader = CaptureReader.on(far);
            final Frame frame = new Frame();
            final int apart = 1 + (PcapReader.RECORD_HEADER_LENGTH + ScatteredFile.FIRST_READ_AHEAD) / UdpCapture.RECORD_LENGTH;
            int records = 0;
            for (int i = 0; i < FRAMES; i += apart) {
                farReader.readAt(UdpCapture.offsetOf(i), frame);
                records++;
            }
            assertEquals(records, far.reads(), "one read per record, header and frame together");

            final ScatteredFile run = (ScatteredFile) file.scattered();
            final CaptureReader runReader = CaptureReader.on(run);
            for (int i = 0; i < FRAMES; i++) {
                runReader.readAt(UdpCapture.offsetOf(i), frame);
                assertEquals(UdpCapture.nanosOf(i), frame.timestampNanos());
            }
            // read-ahead doubling from 2 KiB to 1 MiB: ten reads cover 2 MiB, more than the capture's 1.5 MB
            assertTrue(run.reads() <= 11, run.reads() + " reads");
        }
    }

    @Test
    void shouldReadAFrameLongerThanItsFirstWindow() throws IOException {
        final byte[] large = new byte[CaptureReader.MAX_CAPLEN];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31 + 7);
        }
        final CaptureBytes b = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, CaptureReader.MAX_CAPLEN, 1);
        b.pcapRecord(1, 0, new byte[60]).pcapRecord(2, 0, large).pcapRecord(3, 0, new byte[60]);
        final Path capture = b.writeTo(dir.resolve("large.pcap"));
        try (MappedFile file = MappedFile.open(capture);
             CaptureReader reader = CaptureReader.on(file.scattered())) {
            final Frame frame = new Frame();
            reader.readAt(24 + 16 + 60, frame);

            assertEquals(2_000_000_000L, frame.timestampNanos());
            assertArrayEquals(large, frameBytes(frame));
        }
    }

    @Test
    void shouldRefuseARecordCutShortAtTheCapturesEndAsAReadOfTheMappingDoes() throws IOException {
        final Path capture = UdpCapture.write(dir.resolve("udp.pcap"), 100);
        try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
            f.setLength(UdpCapture.offsetOf(100) - 10); // the last record's frame ends 10 bytes early
        }
        final long last = UdpCapture.offsetOf(99);
        try (MappedFile file = MappedFile.open(capture);
             CaptureReader mapped = CaptureReader.on(file);
             CaptureReader scattered = CaptureReader.on(file.scattered())) {
            final CaptureFormatException byMapping = assertThrows(CaptureFormatException.class, () -> mapped.readAt(last, new Frame()));
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> scattered.readAt(last, new Frame()));

            assertEquals(capture + ": byte offset " + last + ": no whole record at this offset (the capture ends at "
                + (UdpCapture.offsetOf(100) - 10) + ")", e.getMessage());
            assertEquals(byMapping.getMessage(), e.getMessage());
            assertEquals(last, e.offset());
        }
    }

    @Test
    void shouldCallACaptureCutShortUnderItsReaderChangedWithWhereTheReadFoundItsEnd() throws IOException {
        final Path capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        try (MappedFile file = MappedFile.open(capture);
             CaptureReader reader = CaptureReader.on(file.scattered())) {
            final Frame frame = new Frame();
            reader.readAt(UdpCapture.offsetOf(10), frame);
            try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                f.setLength(4096);
            }

            final long late = UdpCapture.offsetOf(FRAMES / 2);
            final CaptureChangedException e = assertThrows(CaptureChangedException.class, () -> reader.readAt(late, frame));

            assertEquals(capture + ": capture changed while reading (it is 4096 bytes now, but was " + UdpCapture.offsetOf(FRAMES)
                + " when it was opened); run the command again once the capture no longer changes", e.getMessage());
            assertEquals(late, e.offset());
        }
    }

    @Test
    void shouldReadOnThroughTheMappingOnceTheFileIsClosed() throws IOException {
        final Path capture = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        final byte[] bytes = Files.readAllBytes(capture);
        final MappedFile file = MappedFile.open(capture);
        final ScatteredFile scattered = (ScatteredFile) file.scattered();
        final CaptureReader reader = CaptureReader.on(scattered);
        final long header = scattered.reads();
        file.close(); // its channel: the mapping outlives it, as a reader still holding the file expects

        final Frame frame = new Frame();
        for (int i : new int[] {FRAMES - 1, 5, 12_000}) {
            reader.readAt(UdpCapture.offsetOf(i), frame);

            assertEquals(UdpCapture.nanosOf(i), frame.timestampNanos());
            assertArrayEquals(Arrays.copyOfRange(bytes, (int) UdpCapture.offsetOf(i) + 16, (int) UdpCapture.offsetOf(i + 1)),
                frameBytes(frame), "frame " + i);
        }
        assertEquals(header, scattered.reads(), "no read of the closed channel");
    }

    private static byte[] frameBytes(final Frame frame) {
        final byte[] b = new byte[frame.capturedLength()];
        frame.buffer().get(frame.dataOffset(), b);
        return b;
    }
}
