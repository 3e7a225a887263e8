package io.scalpel.serve;

/**
 * A request answered with an HTTP status and a one-line JSON reason ({@code {"status":N,"error":"..."}},
 * with {@code "column":N} for a query expression that cannot be read), never a stack trace. {@code retryAfterSeconds} is sent as {@code Retry-After} when positive.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int retryAfterSeconds;
    private final int column;

    ApiError(final int status, final String reason) {
        this(status, reason, 0);
    }

    ApiError(final int status, final String reason, final int retryAfterSeconds) {
        this(status, reason, retryAfterSeconds, -1);
    }

    private ApiError(final int status, final String reason, final int retryAfterSeconds, final int column) {
        super(reason, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
        this.column = column;
    }

    /** A 400 for a query expression that cannot be read, pointing at its 1-based {@code column}. */
    static ApiError atColumn(final String reason, final int column) {
        return new ApiError(400, reason, 0, column);
    }

    /** The 1-based column of the query expression the error is at, or -1. */
    int column() {
        return column;
    }

    int status() {
        return status;
    }

    int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
