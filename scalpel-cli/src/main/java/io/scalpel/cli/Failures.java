package io.scalpel.cli;

import io.scalpel.capture.CaptureFormatException;
import io.scalpel.index.IndexException;
import io.scalpel.slice.OutputException;
import io.scalpel.zeek.ConnLogFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

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
        return ExitCode.INTERNAL;
    }

    static String message(final Throwable t) {
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
