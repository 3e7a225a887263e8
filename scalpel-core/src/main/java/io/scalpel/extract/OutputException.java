package io.scalpel.extract;

import java.io.IOException;

/** Writing an output failed (unwritable directory, full disk, closed pipe): no input is at fault. */
public final class OutputException extends IOException {
    private static final long serialVersionUID = 1L;

    public OutputException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
