package io.scalpel.zeek;

/** One line cannot be parsed; carries the message for {@link ConnLogListener}. Cheap: no stack trace. */
final class MalformedLineException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedLineException(final String message) {
        super(message, null, false, false);
    }
}
