package io.scalpel.extract;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A {@link java.io.BufferedOutputStream} of {@code capacity} bytes whose array grows as it fills
 * (from {@link #INITIAL} bytes, doubling, up to {@code capacity}): the underlying stream sees the
 * same writes as with a buffer of {@code capacity} bytes, while a short output, such as the
 * extract of one connection answered over HTTP, allocates no more than it holds. A buffer of a
 * megabyte per output, allocated at once, made every request of a busy server allocate one (a
 * "humongous" object to G1, collected by a pause of its own).
 */
final class GrowingBuffer extends FilterOutputStream {
    /** The array's first size, bytes. */
    static final int INITIAL = 8 * 1024;

    private final int capacity;
    private byte[] buffer;
    private int count;

    GrowingBuffer(final OutputStream out, final int capacity) {
        super(out);
        this.capacity = capacity;
        this.buffer = new byte[Math.min(INITIAL, capacity)];
    }

    @Override
    public void write(final int b) throws IOException {
        if (count == capacity) {
            flushBuffer();
        }
        room(count + 1);
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(final byte[] b, final int off, final int len) throws IOException {
        if (len >= capacity) {
            flushBuffer();
            out.write(b, off, len);
            return;
        }
        if (len > capacity - count) {
            flushBuffer();
        }
        room(count + len);
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    @Override
    public void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    /** The array's length (for tests). */
    int arrayLength() {
        return buffer.length;
    }

    private void room(final int needed) {
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, (int) Math.min(capacity, Math.max((long) needed, 2L * buffer.length)));
        }
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            out.write(buffer, 0, count);
            count = 0;
        }
    }
}
