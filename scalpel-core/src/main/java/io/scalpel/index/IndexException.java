package io.scalpel.index;

import java.io.IOException;

/**
 * An index cannot be used: absent, corrupt, of another version, or describing other bytes. Its
 * message is one line: what is wrong and where, then (when known) what to run to fix it.
 */
public final class IndexException extends IOException {
    private static final long serialVersionUID = 1L;
    /** Longest text of another library's exception kept in a message. */
    private static final int MAX_CAUSE_TEXT = 160;

    /** Why the index was refused. */
    public enum Kind {
        MISSING,
        CORRUPT,
        VERSION,
        /** The capture changed since it was indexed. */
        STALE
    }

    private final Kind kind;
    private final String problem;
    private final String advice;

    public IndexException(final Kind kind, final String message) {
        this(kind, message, (String) null, null);
    }

    public IndexException(final Kind kind, final String message, final Throwable cause) {
        this(kind, message, (String) null, cause);
    }

    /**
     * @param problem what is wrong, and where
     * @param advice  what fixes it ("rebuild it with `scalpel index X`"), or null
     */
    public IndexException(final Kind kind, final String problem, final String advice) {
        this(kind, problem, advice, null);
    }

    public IndexException(final Kind kind, final String problem, final String advice, final Throwable cause) {
        super(advice == null ? problem : problem + "; " + advice, cause);
        this.kind = kind;
        this.problem = problem;
        this.advice = advice;
    }

    public Kind kind() {
        return kind;
    }

    /** What is wrong, without the advice. */
    public String problem() {
        return problem;
    }

    /** What fixes it, or null. */
    public String advice() {
        return advice;
    }

    /** The same refusal with other advice (an index read as part of something larger knows better what rebuilds it). */
    public IndexException withAdvice(final String other) {
        final IndexException e = new IndexException(kind, problem, other, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /**
     * Another library's exception as a short piece of one line: its message's first line, control
     * characters replaced, cut to a bounded length (its class name when it has no message).
     */
    public static String oneLine(final Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            // No words of its own: say what it means for a file of the index, not a class name.
            return e instanceof java.io.EOFException ? "it ends before the data it declares" : "a structure in it is damaged";
        }
        final int nl = m.indexOf('\n');
        return printable(nl >= 0 ? m.substring(0, nl) : m).trim();
    }

    /** {@code text} safe to print on one line: control characters replaced, cut to a bounded length. */
    public static String printable(final String text) {
        final StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_CAUSE_TEXT + 3));
        for (int i = 0; i < text.length() && b.length() < MAX_CAUSE_TEXT; i++) {
            final char c = text.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > MAX_CAUSE_TEXT) {
            b.append("...");
        }
        return b.toString();
    }
}
