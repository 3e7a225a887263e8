package io.scalpel.cli;

/** A failure that the command reports as one line on stderr and an exit code, never a stack trace. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    CliException(final ExitCode exitCode, final String message) {
        super(message);
        this.exitCode = exitCode;
    }

    ExitCode exitCode() {
        return exitCode;
    }
}
