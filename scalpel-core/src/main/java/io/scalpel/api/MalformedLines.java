package io.scalpel.api;

import io.scalpel.zeek.ConnLogListener;

/**
 * What a slice says of a log's malformed lines: a warning for each of the first
 * {@value Slices#SHOWN}, then a count of the rest ({@link #finish()}); a reader's notices are
 * passed on as they come.
 */
final class MalformedLines implements ConnLogListener {
    private final String log;
    private final SliceListener listener;
    private long count;

    /** Tells {@code listener} of the malformed lines of {@code log}, as the request names it. */
    MalformedLines(final String log, final SliceListener listener) {
        this.log = log;
        this.listener = listener;
    }

    @Override
    public void malformedLine(final String source, final long line, final String message) {
        if (count++ < Slices.SHOWN) {
            listener.warning(source + " line " + line + ": " + message + " (line skipped)");
        }
    }

    @Override
    public void notice(final String source, final long line, final String message) {
        listener.warning(source + " line " + line + ": " + message);
    }

    /** Counts {@code lines} more malformed lines, beyond those shown (a read that told only its first ones). */
    void skipped(final long lines) {
        count += lines;
    }

    /** Counts the lines not shown, once the log is read. */
    void finish() {
        if (count > Slices.SHOWN) {
            listener.warning(log + ": " + (count - Slices.SHOWN) + " more malformed lines skipped");
        }
        count = 0;
    }
}
