package io.scalpel.extract;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.MappedFile;
import java.io.IOException;
import java.io.OutputStream;

/** Copies bytes of a capture to an output as they are, through one reused buffer of {@link MappedFile#OVERLAP} bytes. */
final class CaptureCopy {
    private final byte[] buffer = new byte[MappedFile.OVERLAP];

    /** Copies the {@code length} bytes of {@code file} at {@code offset} to {@code out}. */
    void copy(final CaptureSource file, final long offset, final long length, final OutputStream out) throws IOException {
        long at = offset;
        long left = length;
        while (left > 0) {
            final int n = (int) Math.min(left, buffer.length);
            file.get(at, buffer, 0, n);
            out.write(buffer, 0, n);
            at += n;
            left -= n;
        }
    }
}
