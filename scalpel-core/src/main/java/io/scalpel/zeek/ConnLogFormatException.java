package io.scalpel.zeek;

import java.io.IOException;

/**
 * A conn.log that cannot be read at all from some point on: no {@code #fields} header before the
 * data, a {@code #fields} header without the columns a conn.log must have, unreadable gzip data,
 * or bytes that are neither Zeek TSV nor JSON lines. A single bad row is not this exception: it is
 * reported to {@link ConnLogListener#malformedLine} and skipped.
 */
public final class ConnLogFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;

    ConnLogFormatException(final String source, final long line, final String detail) {
        super(line > 0 ? source + " line " + line + ": " + detail : source + ": " + detail);
        this.source = source;
        this.line = line;
    }

    ConnLogFormatException(final String source, final long line, final String detail, final Throwable cause) {
        this(source, line, detail);
        initCause(cause);
    }

    /** The log's display name: its path, or {@code <stdin>}. */
    public String source() {
        return source;
    }

    /** 1-based line of the (decompressed) text where reading stopped; 0 when before any line. */
    public long line() {
        return line;
    }
}
