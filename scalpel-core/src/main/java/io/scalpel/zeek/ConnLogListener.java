package io.scalpel.zeek;

/**
 * Told about each conn.log line that {@link ConnLogReader} skips because it cannot be parsed.
 * Reading carries on with the next line.
 */
@FunctionalInterface
public interface ConnLogListener {
    /** Drops the reports; {@link ConnLogReader#malformedLines()} still counts them. */
    ConnLogListener IGNORE = (source, line, message) -> {
    };

    /**
     * @param source  the log's display name (its path, or {@code <stdin>})
     * @param line    1-based line number in the decompressed text
     * @param message what is wrong, naming the field and the offending value; values are
     *                truncated and control characters escaped, so it is safe to print
     */
    void malformedLine(String source, long line, String message);
}
