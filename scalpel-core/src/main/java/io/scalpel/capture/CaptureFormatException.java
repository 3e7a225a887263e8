package io.scalpel.capture;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A capture is malformed: the bytes at {@link #offset()} cannot be what the format says.
 * "Not enough bytes yet" (a truncated or still growing file) is not malformed and never throws:
 * the reader reports it as a truncated tail.
 */
public class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public CaptureFormatException(final Path file, final long offset, final String message) {
        super(file + ": byte offset " + offset + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    /** With a message of its own (which must say the file and the place). */
    protected CaptureFormatException(final String message, final Path file, final long offset) {
        super(message);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    /** Byte offset in the capture where the malformed structure starts. */
    public long offset() {
        return offset;
    }
}
