package io.scalpel.extract;

/**
 * An output of a run would be one of its inputs (the capture, a capture set member, the index, a
 * log) or another of its outputs; see {@link RunFiles}. Refused before anything is written: the
 * command line is at fault, not a file.
 */
public final class OutputConflictException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public OutputConflictException(final String message) {
        super(message);
    }
}
