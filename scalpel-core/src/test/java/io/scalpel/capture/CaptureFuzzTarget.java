package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.PacketDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every capture reader must do with any bytes at all, for the fuzz tests: read frames that
 * lie inside the file and inside the caplen limit, find each again by its offset (with the same
 * captured length, link type and, where the block has one, timestamp), decode each
 * without an exception, and end (cleanly, at a truncated tail, or with a
 * {@link CaptureFormatException} naming the file and an offset inside it) after at most one
 * frame per 12 bytes. Anything else thrown is a finding.
 */
final class CaptureFuzzTarget {
    /** Frames per file that are read again with {@code readAt}, to bound the cost of one input. */
    private static final int READ_BACK_LIMIT = 64;
    /** The smallest record: a pcapng simple packet block without data (a pcap record takes 16). */
    private static final int SMALLEST_RECORD = 12;

    private final Path directory;
    private final String name;
    private Path file;
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();

    CaptureFuzzTarget(final String name) {
        try {
            final Path shm = Path.of("/dev/shm");
            final Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            this.directory = Files.createTempDirectory(dir, name);
            this.directory.toFile().deleteOnExit();
            this.name = name;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads {@code bytes} as a capture; returns the frames read. Each input gets a new file,
     * deleted after reading: rewriting one file would make every truncation walk the mappings of
     * all earlier inputs that the garbage collector has not released yet.
     */
    int read(final byte[] bytes) throws IOException {
        file = Files.write(directory.resolve(name), bytes);
        try {
            return readFile(bytes);
        } finally {
            Files.delete(file);
        }
    }

    private int readFile(final byte[] bytes) throws IOException {
        final CaptureReader reader;
        try {
            reader = CaptureReader.open(file);
        } catch (CaptureFormatException e) {
            checkRefusal(e, bytes.length);
            return 0;
        }
        final List<long[]> seen = new ArrayList<>();
        int frames = 0;
        try (reader) {
            final Frame frame = new Frame();
            try {
                while (reader.next(frame)) {
                    frames++;
                    assertTrue(frames <= bytes.length / SMALLEST_RECORD, () -> "more frames than records fit in the file");
                    checkFrame(frame, bytes.length);
                    if (seen.size() < READ_BACK_LIMIT) {
                        seen.add(new long[] {frame.recordOffset(), frame.capturedLength(), frame.timestampNanos(), frame.linkType(),
                            frame.timestampKnown() ? 1 : 0});
                    }
                    decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
                }
            } catch (CaptureFormatException e) {
                checkRefusal(e, bytes.length);
            }
            if (reader.truncatedTailOffset() >= 0) {
                assertTrue(reader.truncatedTailOffset() <= bytes.length, "truncated tail beyond the file");
            }
            final Frame again = new Frame();
            for (long[] s : seen) {
                reader.readAt(s[0], again);
                assertEquals(s[1], again.capturedLength(), "readAt: captured length");
                if (s[4] == 1) {
                    // A simple packet block has no timestamp: it borrows the last one its reader read, in either mode.
                    assertEquals(s[2], again.timestampNanos(), "readAt: timestamp");
                }
                assertEquals(s[4] == 1, again.timestampKnown(), "readAt: whether the timestamp is known");
                assertEquals(s[3], again.linkType(), "readAt: link type");
            }
        }
        return frames;
    }

    private static void checkFrame(final Frame frame, final long size) {
        assertTrue(frame.capturedLength() >= 0 && frame.capturedLength() <= CaptureReader.MAX_CAPLEN,
            () -> "captured length " + frame.capturedLength());
        assertTrue(frame.recordOffset() >= 0 && frame.recordOffset() + frame.recordLength() <= size,
            () -> "record [" + frame.recordOffset() + ", +" + frame.recordLength() + ") outside the file of " + size);
        assertTrue(frame.dataOffset() >= 0 && frame.dataOffset() + frame.capturedLength() <= frame.buffer().limit(),
            () -> "frame data outside its buffer");
    }

    private void checkRefusal(final CaptureFormatException e, final long size) {
        assertEquals(file, e.file(), "the refusal names the file");
        assertTrue(e.offset() >= 0 && e.offset() <= size, () -> "refusal offset " + e.offset() + " outside the file of " + size);
        assertTrue(e.getMessage().contains("byte offset " + e.offset()), e::getMessage);
    }
}
