package io.scalpel.api;

import io.scalpel.capture.CaptureFormatException;
import io.scalpel.index.IndexDirectory;
import io.scalpel.index.IndexException;
import io.scalpel.extract.OutputException;
import io.scalpel.zeek.ConnLogFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What kind of failure an exception of the API is, and what it says in one line: for a command
 * line that maps each kind to an exit code, or a service that maps it to a status, without
 * knowing the exception types of the packages below the API.
 */
public final class Failure {
    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*\\R\\s*");

    /** The kinds of failure. */
    public enum Kind {
        /** The request itself cannot be run: a conflicting or invalid value, an output that is an input. */
        USAGE,
        /** An input cannot be used: a malformed or missing capture, a garbled log, a stale or damaged index. */
        BAD_INPUT,
        /** An output cannot be written: an unwritable file or directory, a full disk, a closed pipe. */
        OUTPUT,
        /** Anything else: a bug. */
        INTERNAL
    }

    private Failure() {
    }

    /**
     * The kind of {@code t} (unwrapping the wrappers of I/O errors).
     *
     * @param t what was thrown
     * @return its kind
     */
    public static Kind kind(final Throwable t) {
        final Throwable e = unwrap(t);
        if (e instanceof OutputException || e instanceof FileAlreadyExistsException) {
            return Kind.OUTPUT;
        }
        if (e instanceof CaptureFormatException || e instanceof ConnLogFormatException || e instanceof IndexException
            || e instanceof IOException || isMappedMemoryFault(e)) {
            return Kind.BAD_INPUT;
        }
        if (e instanceof IllegalArgumentException) {
            return Kind.USAGE;
        }
        return Kind.INTERNAL;
    }

    /**
     * What went wrong, in one line: a message of several lines (a library's, quoted in ours) is joined into one.
     *
     * @param t what was thrown
     * @return its message, one line
     */
    public static String message(final Throwable t) {
        return LINE_BREAKS.matcher(describe(t)).replaceAll(" ");
    }

    private static String describe(final Throwable t) {
        final Throwable e = unwrap(t);
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file" + (n.getReason() != null ? " (" + n.getReason() + ")" : "");
        }
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "already exists");
        }
        final String m = e.getMessage();
        if (isMappedMemoryFault(e)) {
            return "a capture changed while reading (" + m + "); run the command again once it no longer changes";
        }
        if (kind(e) == Kind.INTERNAL) {
            return "internal error: " + e.getClass().getName() + (m != null ? ": " + m : "")
                + " (set SCALPEL_DEBUG=1 for the stack trace)";
        }
        return m != null ? m : e.getClass().getSimpleName();
    }

    /**
     * The JVM's fault on mapped memory, which a read of a capture cut short meanwhile gives (the
     * core turns it into a capture error where it reads; this is the net behind that).
     */
    private static boolean isMappedMemoryFault(final Throwable e) {
        return e instanceof InternalError && e.getMessage() != null && e.getMessage().contains("unsafe memory access");
    }

    /**
     * What a failure while opening or building the index of {@code capture} in {@code index}
     * (null: the default beside it) means: a file system error on the index directory, its
     * temporary siblings or its parents, or (with {@code building}: the caller writes an index, and
     * reads nothing else that could fail with a plain IOException) any other I/O error, is an
     * output error naming the index; anything else (a malformed capture, a refused index, a
     * missing capture) is returned as it is.
     *
     * @param capture the capture file
     * @param index its index directory; null for the default
     * @param e what opening or building threw
     * @param building whether the caller writes an index
     * @return {@code e}, or an output error naming the index
     */
    public static IOException forIndex(final Path capture, final Path index, final IOException e, final boolean building) {
        if (e instanceof CaptureFormatException || e instanceof IndexException || e instanceof OutputException) {
            return e;
        }
        final Path target = (index != null ? index : IndexDirectory.defaultFor(capture)).toAbsolutePath().normalize();
        if (e instanceof FileSystemException f) {
            final Path file = f.getFile() == null ? null : Path.of(f.getFile()).toAbsolutePath().normalize();
            if (file == null || file.equals(capture.toAbsolutePath().normalize())
                || !(target.startsWith(file) || file.startsWith(target) || file.toString().startsWith(target + "."))) {
                return e;
            }
        } else if (!building) {
            return e;
        }
        return new OutputException("cannot write index " + target + ": " + reason(e), e);
    }

    private static String reason(final IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such directory";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : "exists and is not a directory");
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static Throwable unwrap(final Throwable t) {
        Throwable e = t;
        while (e instanceof UncheckedIOException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
