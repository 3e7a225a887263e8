package io.scalpel.extract;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.MappedFile;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Copies bytes of a capture to an output as they are, through one reused buffer of at most
 * {@link MappedFile#OVERLAP} bytes, grown to the longest copy so far (a power of two): an extract of
 * a few packets allocates a few kilobytes, not the megabyte a long run of records takes.
 */
final class CaptureCopy {
    private static final int SMALLEST = 4 * 1024;
    private byte[] buffer = new byte[0];

    /** Copies the {@code length} bytes of {@code file} at {@code offset} to {@code out}. */
    void copy(final CaptureSource file, final long offset, final long length, final OutputStream out) throws IOException {
        long at = offset;
        long left = length;
        if (buffer.length < Math.min(left, MappedFile.OVERLAP)) {
            buffer = new byte[(int) Math.min(MappedFile.OVERLAP, Math.max(SMALLEST, Long.highestOneBit(left - 1) << 1))];
        }
        while (left > 0) {
            final int n = (int) Math.min(left, buffer.length);
            file.get(at, buffer, 0, n);
            out.write(buffer, 0, n);
            at += n;
            left -= n;
        }
    }

    /** The buffer's length (for tests). */
    int bufferLength() {
        return buffer.length;
    }
}
