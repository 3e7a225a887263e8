package io.scalpel.capture;

import java.nio.file.Path;

/**
 * The compressed bytes of a gzip or zstd capture are corrupt or cut short. {@link #offset()} is
 * the byte offset in the compressed file (where the member or frame, or the bad byte, starts),
 * not in the capture inside it.
 */
public final class CompressedCaptureException extends CaptureFormatException {
    private static final long serialVersionUID = 1L;

    public CompressedCaptureException(final Path file, final long compressedOffset, final String message) {
        super(file + ": compressed byte offset " + compressedOffset + ": " + message, file, compressedOffset);
    }
}
