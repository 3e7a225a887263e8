package io.scalpel.capture;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A capture changed while it was read: cut short or modified in place under a running index or
 * slice, so what was read of it cannot be trusted. Reading a mapped capture that was cut short
 * faults in the JVM (it turns the SIGBUS of a page beyond the new end into an
 * {@link InternalError}); {@link #read} turns that fault into this exception, and checks the
 * capture once the read is done. Running the command again once the capture stays as it is
 * gives a consistent result.
 */
public final class CaptureChangedException extends CaptureFormatException {
    private static final long serialVersionUID = 1L;

    /** A read of a capture. */
    @FunctionalInterface
    public interface Read<T> {
        T run() throws IOException;
    }

    CaptureChangedException(final Path file, final long offset, final String how) {
        super(file + ": capture changed while reading (" + how + "); run the command again once the capture no longer changes",
            file, offset);
    }

    /**
     * Runs {@code read} over {@code file}, and then checks that the file did not change meanwhile
     * ({@link CaptureSource#change()}). A fault on the file's mapped memory becomes this exception
     * when the file changed; otherwise the fault is not the file's, and is thrown as it is.
     *
     * @throws CaptureChangedException when the capture changed while it was read
     */
    public static <T> T read(final CaptureSource file, final Read<T> read) throws IOException {
        final T result;
        try {
            result = read.run();
        } catch (InternalError fault) {
            throw after(fault, file);
        }
        requireUnchanged(file);
        return result;
    }

    /**
     * What a fault on the mapped memory of one of {@code files} means: this exception for the first
     * of them that changed since it was opened. When none did, the fault is thrown as it is.
     */
    public static CaptureChangedException after(final InternalError fault, final CaptureSource... files) throws IOException {
        for (CaptureSource f : files) {
            final String how = f.change();
            if (how != null) {
                final CaptureChangedException e = new CaptureChangedException(f.path(), -1, how);
                e.addSuppressed(fault);
                return e;
            }
        }
        throw fault;
    }

    /** Throws this exception when {@code file} changed since it was opened. */
    public static void requireUnchanged(final CaptureSource file) throws IOException {
        final String how = file.change();
        if (how != null) {
            throw new CaptureChangedException(file.path(), -1, how);
        }
    }

    /** The exception for {@code file}, which changed as {@code how} says (in words, e.g. "it was cut short"). */
    public static CaptureChangedException of(final Path file, final String how) {
        return new CaptureChangedException(file, -1, how);
    }

    /** The exception for a read of {@code file} that found its end at {@code offset}, before the {@code expected} bytes it had. */
    static CaptureChangedException cutShort(final Path file, final long offset, final long expected) {
        return new CaptureChangedException(file, offset, "it ends at byte offset " + offset + ", but was " + expected
            + " bytes when it was opened");
    }
}
