package io.scalpel.slice.expr;

/**
 * A query expression that cannot be read: what is wrong and at which column (1-based, in
 * characters of the expression's text).
 */
public final class ExpressionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int column;

    /** {@code what} is wrong at {@code column} (1-based) of {@code text}. */
    ExpressionException(final String text, final int column, final String what) {
        super("'" + text + "': column " + column + ": " + what);
        this.column = column;
    }

    /** The 1-based column the error is at. */
    public int column() {
        return column;
    }
}
