package io.scalpel.cli;

import io.scalpel.capture.CaptureFormatException;
import io.scalpel.index.IndexDirectory;
import io.scalpel.index.IndexException;
import io.scalpel.slice.OutputException;
import io.scalpel.zeek.ConnLogFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Maps what went wrong to an exit code and a one-line message. */
final class Failures {
    private Failures() {
    }

    static ExitCode exitCode(final Throwable t) {
        final Throwable e = unwrap(t);
        if (e instanceof CliException c) {
            return c.exitCode();
        }
        if (e instanceof OutputException) {
            return ExitCode.OUTPUT;
        }
        if (e instanceof CaptureFormatException || e instanceof ConnLogFormatException || e instanceof IndexException
            || e instanceof NoSuchFileException || e instanceof AccessDeniedException) {
            return ExitCode.BAD_INPUT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return ExitCode.OUTPUT;
        }
        if (e instanceof IOException) {
            return ExitCode.BAD_INPUT;
        }
        if (e instanceof IllegalArgumentException) {
            return ExitCode.USAGE;
        }
        if (isMappedMemoryFault(e)) {
            return ExitCode.BAD_INPUT;
        }
        return ExitCode.INTERNAL;
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
     * means: a file system error on the index directory, its temporary siblings or its parents,
     * or (with {@code building}: the command writes an index, and reads nothing else that could
     * fail with a plain IOException) any other I/O error, is an output error (exit 6) naming the index; anything else
     * (a malformed capture, a refused index, a missing capture) is returned as it is.
     */
    static IOException forIndex(final Path capture, final Path index, final IOException e, final boolean building) {
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

    /** What went wrong, in one line: a message of several lines (a library's, quoted in ours) is joined into one. */
    static String message(final Throwable t) {
        return LINE_BREAKS.matcher(describe(t)).replaceAll(" ");
    }

    private static final java.util.regex.Pattern LINE_BREAKS = java.util.regex.Pattern.compile("\\s*\\R\\s*");

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
        if (exitCode(e) == ExitCode.INTERNAL) {
            return "internal error: " + e.getClass().getName() + (m != null ? ": " + m : "")
                + " (set SCALPEL_DEBUG=1 for the stack trace)";
        }
        return m != null ? m : e.getClass().getSimpleName();
    }

    private static Throwable unwrap(final Throwable t) {
        Throwable e = t;
        while ((e instanceof UncheckedIOException || e instanceof picocli.CommandLine.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
