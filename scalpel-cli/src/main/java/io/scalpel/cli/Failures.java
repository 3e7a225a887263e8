package io.scalpel.cli;

import io.scalpel.api.Captures;
import io.scalpel.api.Failure;
import io.scalpel.api.Scalpel;
import java.io.IOException;
import java.nio.file.Path;

/** Maps what went wrong to an exit code and a one-line message ({@link Failure} says what kind it is). */
final class Failures {
    private Failures() {
    }

    static ExitCode exitCode(final Throwable t) {
        final Throwable e = unwrap(t);
        if (e instanceof CliException c) {
            return c.exitCode();
        }
        switch (Failure.kind(e)) {
            case USAGE:
                return ExitCode.USAGE;
            case BAD_INPUT:
                return ExitCode.BAD_INPUT;
            case OUTPUT:
                return ExitCode.OUTPUT;
            default:
                return ExitCode.INTERNAL;
        }
    }

    /** See {@link Failure#forIndex(Path, Path, IOException, boolean)}. */
    static IOException forIndex(final Path capture, final Path index, final IOException e, final boolean building) {
        return Failure.forIndex(capture, index, e, building);
    }

    /** Opens a capture file or capture set for a command; a failure of its index is worded as {@link #forIndex} says. */
    static Captures open(final Path capture, final Scalpel.Options options) throws IOException {
        try {
            return Captures.open(capture, options);
        } catch (IOException e) {
            throw forIndex(capture, options.index(), e, false);
        }
    }

    /** What went wrong, in one line. */
    static String message(final Throwable t) {
        final Throwable e = unwrap(t);
        return e instanceof CliException ? e.getMessage() : Failure.message(e);
    }

    private static Throwable unwrap(final Throwable t) {
        Throwable e = t;
        while (e instanceof picocli.CommandLine.ExecutionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
