package io.scalpel.index;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON (RFC 8259) text as a tree of maps (field order kept), lists, strings, longs (doubles for
 * numbers with a fraction or an exponent), booleans and nulls: what {@link ManifestText} reads a
 * manifest with, so that no JSON library is loaded to open an index. A syntax error is a
 * {@link Malformed} with its line and column.
 */
final class JsonTree {
    /** Nesting deeper than any manifest has: a file that nests more is refused, not a stack overflow. */
    static final int MAX_DEPTH = 32;

    private JsonTree() {
    }

    /** The one value of {@code json}, nothing but white space around it. */
    static Object parse(final String json) throws Malformed {
        return new Parser(json).document();
    }

    /** A field of the wrong type or a syntax error, with where it is. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(final String message) {
            super(message, null, false, false);
        }
    }

    /** JSON (RFC 8259) into maps (field order kept), lists, strings, longs, doubles, booleans and nulls. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(final String text) {
            this.text = text;
        }

        /** The one value of the text, nothing but white space around it. */
        Object document() throws Malformed {
            final Object v = value(0);
            space();
            if (pos < text.length()) {
                throw error("unexpected " + describe(text.charAt(pos)) + " after the end of the document");
            }
            return v;
        }

        private Object value(final int depth) throws Malformed {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH);
            }
            space();
            if (pos >= text.length()) {
                throw error("unexpected end of the document");
            }
            final char c = text.charAt(pos);
            switch (c) {
                case '{': return object(depth);
                case '[': return array(depth);
                case '"': return string();
                case 't': return word("true", Boolean.TRUE);
                case 'f': return word("false", Boolean.FALSE);
                case 'n': return word("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected " + describe(c));
            }
        }

        private Map<String, Object> object(final int depth) throws Malformed {
            pos++;
            final Map<String, Object> fields = new LinkedHashMap<>();
            space();
            if (peek() == '}') {
                pos++;
                return fields;
            }
            while (true) {
                space();
                if (peek() != '"') {
                    throw error("expected a field name");
                }
                final String name = string();
                space();
                expect(':');
                fields.put(name, value(depth + 1));
                space();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return fields;
                }
            }
        }

        private List<Object> array(final int depth) throws Malformed {
            pos++;
            final List<Object> items = new ArrayList<>();
            space();
            if (peek() == ']') {
                pos++;
                return items;
            }
            while (true) {
                items.add(value(depth + 1));
                space();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return items;
                }
            }
        }

        private String string() throws Malformed {
            pos++;
            final StringBuilder b = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                final char c = text.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("control character " + describe(c) + " in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                final char e = text.charAt(pos++);
                switch (e) {
                    case '"': case '\\': case '/': b.append(e); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'n': b.append('\n'); break;
                    case 'r': b.append('\r'); break;
                    case 't': b.append('\t'); break;
                    case 'u':
                        if (pos + 4 > text.length()) {
                            throw error("unterminated \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                        break;
                    default: throw error("bad escape \\" + e);
                }
            }
        }

        private Object number() throws Malformed {
            final int start = pos;
            if (peek() == '-') {
                pos++;
            }
            boolean integral = true;
            while (pos < text.length()) {
                final char c = text.charAt(pos);
                if (c >= '0' && c <= '9') {
                    pos++;
                } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                    integral = false;
                    pos++;
                } else {
                    break;
                }
            }
            final String n = text.substring(start, pos);
            try {
                return integral ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
            } catch (NumberFormatException e) {
                pos = start;
                throw error("bad number " + n);
            }
        }

        private Object word(final String word, final Object value) throws Malformed {
            if (!text.startsWith(word, pos)) {
                throw error("unexpected " + describe(text.charAt(pos)));
            }
            pos += word.length();
            return value;
        }

        private void expect(final char c) throws Malformed {
            if (peek() != c) {
                throw error(pos >= text.length() ? "unexpected end of the document, expected '" + c + "'"
                    : "unexpected " + describe(text.charAt(pos)) + ", expected '" + c + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void space() {
            while (pos < text.length()) {
                final char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private static String describe(final char c) {
            return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format(java.util.Locale.ROOT, "U+%04X", (int) c);
        }

        /** An error at the current position: line and column, 1-based, as an editor counts them. */
        private Malformed error(final String what) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < Math.min(pos, text.length()); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return new Malformed("line " + line + ", column " + column + ": " + what);
        }
    }
}
