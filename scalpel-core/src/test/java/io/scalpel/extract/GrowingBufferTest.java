package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.MappedFile;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GrowingBuffer} hands the stream under it the same writes, in the same pieces, as the JDK's
 * {@link BufferedOutputStream} of the same capacity (the oracle), over random writes of every size
 * around its capacity, single bytes and flushes; its array grows only as the output needs. And
 * {@link CaptureCopy} copies a capture's bytes exactly, through a buffer no larger than its longest copy.
 */
class GrowingBufferTest {
    @TempDir
    Path dir;

    /** The writes a stream received, each as its bytes, and its flushes as empty entries. */
    private static final class Recorder extends OutputStream {
        final List<byte[]> writes = new ArrayList<>();

        @Override
        public void write(final int b) {
            writes.add(new byte[] {(byte) b});
        }

        @Override
        public void write(final byte[] b, final int off, final int len) {
            writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void flush() {
            writes.add(new byte[0]);
        }
    }

    @Test
    void shouldWriteAsTheJdksBufferedStreamOfTheSameCapacityDoes() throws IOException {
        for (int capacity : new int[] {1, 100, GrowingBuffer.INITIAL, 3 * GrowingBuffer.INITIAL + 5, 1 << 20}) {
            final Recorder mine = new Recorder();
            final Recorder jdk = new Recorder();
            final GrowingBuffer growing = new GrowingBuffer(mine, capacity);
            final BufferedOutputStream buffered = new BufferedOutputStream(jdk, capacity);
            final SplittableRandom random = new SplittableRandom(capacity);
            for (int i = 0, n = capacity >= 1 << 20 ? 40 : 400; i < n; i++) {
                final int kind = random.nextInt(10);
                if (kind == 0) {
                    growing.flush();
                    buffered.flush();
                } else if (kind == 1) {
                    final int b = random.nextInt(256);
                    growing.write(b);
                    buffered.write(b);
                } else {
                    final byte[] bytes = new byte[random.nextInt(Math.min(2 * capacity + 2, 3 << 20))];
                    random.nextBytes(bytes);
                    final int off = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
                    growing.write(bytes, off, bytes.length - off);
                    buffered.write(bytes, off, bytes.length - off);
                }
            }
            growing.flush();
            buffered.flush();
            assertEquals(jdk.writes.size(), mine.writes.size(), "writes at capacity " + capacity);
            for (int i = 0; i < jdk.writes.size(); i++) {
                assertArrayEquals(jdk.writes.get(i), mine.writes.get(i), "write " + i + " at capacity " + capacity);
            }
        }
    }

    @Test
    void shouldAllocateOnlyWhatAShortOutputHolds() throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final GrowingBuffer growing = new GrowingBuffer(out, 1 << 20);
        growing.write(new byte[3000], 0, 3000);
        assertEquals(GrowingBuffer.INITIAL, growing.arrayLength(), "a few kilobytes, not the megabyte");
        growing.write(new byte[20_000], 0, 20_000);
        assertEquals(23_000, growing.arrayLength(), "grown to what it holds (at least doubling)");
        growing.write(new byte[1000], 0, 1000);
        assertEquals(46_000, growing.arrayLength(), "doubled");
        assertEquals(0, out.size(), "nothing written before the capacity is reached");
        growing.flush();
        assertEquals(24_000, out.size());
    }

    @Test
    void shouldCopyACapturesBytesExactlyThroughABufferAsLongAsTheLongestCopy() throws IOException {
        final byte[] bytes = new byte[3 * MappedFile.OVERLAP + 123];
        new SplittableRandom(7).nextBytes(bytes);
        final Path file = Files.write(dir.resolve("capture.bin"), bytes);
        final CaptureCopy copy = new CaptureCopy();
        try (CaptureSource source = MappedFile.open(file)) {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy.copy(source, 10, 1500, out);
            assertEquals(4096, copy.bufferLength(), "a packet's copy takes a few kilobytes");
            copy.copy(source, 5000, 70_000, out);
            assertEquals(128 * 1024, copy.bufferLength(), "grown to the next power of two");
            copy.copy(source, 100, bytes.length - 100, out);
            assertEquals(MappedFile.OVERLAP, copy.bufferLength(), "never more than it had at once");
            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(bytes, 10, 1500);
            expected.write(bytes, 5000, 70_000);
            expected.write(bytes, 100, bytes.length - 100);
            assertTrue(java.util.Arrays.equals(expected.toByteArray(), out.toByteArray()), "the bytes, as they are");
        }
    }
}
