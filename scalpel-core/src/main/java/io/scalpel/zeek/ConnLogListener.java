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

    /**
     * Told once per log of something about its rows that changes the join although no line is
     * wrong: so far, that a {@code ts} is coarser than Zeek's microseconds (whole seconds, as
     * {@code zeek-cut -d} prints them, or milliseconds), so the windows were widened to hold the
     * true start. Does nothing unless overridden.
     *
     * @param line the first row it applies to
     */
    default void notice(String source, long line, String message) {
    }
}
