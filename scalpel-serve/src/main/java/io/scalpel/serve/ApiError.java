package io.scalpel.serve;

/**
 * A request answered with an HTTP status and a one-line JSON reason ({@code {"status":N,"error":"..."}}),
 * never a stack trace. {@code retryAfterSeconds} is sent as {@code Retry-After} when positive.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int retryAfterSeconds;

    ApiError(final int status, final String reason) {
        this(status, reason, 0);
    }

    ApiError(final int status, final String reason, final int retryAfterSeconds) {
        super(reason, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
