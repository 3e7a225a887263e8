package io.scalpel.zeek;

/** Renders untrusted log text for messages: truncated, with control characters escaped. */
public final class SafeText {
    public static final int MAX_VALUE_CHARS = 80;

    private SafeText() {
    }

    /** The value in single quotes, at most {@value #MAX_VALUE_CHARS} characters of it. */
    static String quote(final String value) {
        return "'" + escape(value, MAX_VALUE_CHARS) + "'";
    }

    /**
     * Escapes control, format (bidi overrides, zero-width) and separator characters, unpaired
     * surrogates and the backslash itself, and cuts the text after {@code maxChars} code points.
     */
    public static String escape(final String value, final int maxChars) {
        final StringBuilder sb = new StringBuilder(Math.min(value.length(), maxChars) + 8);
        int shown = 0;
        int i = 0;
        while (i < value.length()) {
            if (shown == maxChars) {
                final int rest = value.codePointCount(i, value.length());
                sb.append("...(").append(rest).append(" more)");
                break;
            }
            final int cp = value.codePointAt(i);
            i += Character.charCount(cp);
            shown++;
            if (cp == '\\') {
                sb.append("\\\\");
            } else if (cp < 0x100 && Character.isISOControl(cp)) {
                sb.append(String.format("\\x%02x", cp));
            } else if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT
                || Character.getType(cp) == Character.SURROGATE || Character.getType(cp) == Character.LINE_SEPARATOR
                || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR || Character.getType(cp) == Character.PRIVATE_USE
                || Character.getType(cp) == Character.UNASSIGNED) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }
}
