package io.scalpel.index;

import java.io.IOException;

/** An index cannot be used: absent, corrupt, of another version, or describing other bytes. */
public final class IndexException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the index was refused. */
    public enum Kind {
        MISSING,
        CORRUPT,
        VERSION,
        /** The capture changed since it was indexed. */
        STALE
    }

    private final Kind kind;

    public IndexException(final Kind kind, final String message) {
        super(message);
        this.kind = kind;
    }

    public IndexException(final Kind kind, final String message, final Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
