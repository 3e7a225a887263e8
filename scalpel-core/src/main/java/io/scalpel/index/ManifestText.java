package io.scalpel.index;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the versioned manifests ({@link IndexManifest}, {@link CaptureSetManifest}) without a JSON
 * library: a slice opens an index through this, so it loads no Jackson class (which
 * {@link ManifestJson}, the writer, uses). The file is parsed into maps, lists, strings, numbers
 * and booleans, checked (its format name, the version this build reads, its digest: the hex
 * SHA-256 of the file's bytes with the digest's own 64 hex digits read as {@code 0}s, so any
 * changed byte is refused), then bound to the manifest's record type: each component from its
 * snake_case field ({@code linkTypeField} from {@code link_type_field}), unknown fields ignored,
 * missing ones null (or 0 and false for primitives), as the writer's mapper reads them.
 *
 * <p>What it refuses is CORRUPT with the file, the line and column of a syntax error or the path
 * of a field of the wrong type ({@code parts[1].packets_file.size}).
 */
final class ManifestText {
    /** Nesting deeper than any manifest has: a file that nests more is refused, not a stack overflow. */
    private static final int MAX_DEPTH = 32;

    /** What a manifest says of itself. */
    interface Versioned {
        String format();

        int version();
    }

    /** The field that holds the manifest's digest. */
    static final String DIGEST_FIELD = "manifest_sha256";
    private static final byte[] DIGEST_MARK = ("\"" + DIGEST_FIELD + "\" : \"").getBytes(StandardCharsets.US_ASCII);
    static final int HEX_DIGITS = 64;
    /** A manifest larger than this is not read into memory (a real one is well below). */
    static final long MAX_BYTES = 256L << 20;

    private ManifestText() {
    }

    /** Where the digest's hex digits start in {@code bytes}, or -1 when there is no digest field. */
    static int digestAt(final byte[] bytes) {
        outer:
        for (int i = bytes.length - DIGEST_MARK.length - HEX_DIGITS; i >= 0; i--) {
            for (int j = 0; j < DIGEST_MARK.length; j++) {
                if (bytes[i + j] != DIGEST_MARK[j]) {
                    continue outer;
                }
            }
            return i + DIGEST_MARK.length;
        }
        return -1;
    }

    /** Whether the digest at {@code at} is the SHA-256 of {@code bytes} with it read as {@code 0}s. */
    static boolean digestMatches(final byte[] bytes, final int at) {
        final String stored = new String(bytes, at, HEX_DIGITS, StandardCharsets.US_ASCII);
        final byte[] zeroed = bytes.clone();
        Arrays.fill(zeroed, at, at + HEX_DIGITS, (byte) '0');
        return stored.equals(Digests.sha256(zeroed));
    }

    /** A field of the wrong type or a syntax error, with where it is. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(final String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads {@code file} as a {@code type} and checks its digest, its format name and its version.
     * A manifest of another version is refused as {@link IndexException.Kind#VERSION} (older ones
     * have no digest); one whose digest does not match its bytes, or that is not JSON or lacks
     * its digest, as {@link IndexException.Kind#CORRUPT}.
     *
     * @param what        what the file is, for messages ("index manifest")
     * @param rerun       what makes a good one, for messages ("rebuild it with `scalpel index X`")
     * @param format      the format name it must have
     * @param version     the version it must have
     * @param versionName what the version numbers ("index format"), for messages
     */
    static <T extends Versioned> T read(final Path file, final Class<T> type, final String what, final String rerun,
                                        final String format, final int version, final String versionName) throws IndexException {
        final byte[] bytes;
        final Object tree;
        try {
            final long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IndexException(IndexException.Kind.CORRUPT, file + ": " + what + " of " + size
                    + " bytes is larger than any scalpel writes (" + MAX_BYTES + ")", rerun);
            }
            bytes = Files.readAllBytes(file);
            tree = new Parser(new String(bytes, StandardCharsets.UTF_8)).document();
        } catch (IndexException e) {
            throw e;
        } catch (Malformed e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " (" + e.getMessage() + ")", rerun);
        } catch (IOException | RuntimeException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " ("
                + IndexException.oneLine(e) + ")", rerun, e);
        }
        if (!(tree instanceof Map<?, ?> fields) || !format.equals(fields.get("format"))) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": not a scalpel " + what, rerun);
        }
        final int at = digestAt(bytes);
        final boolean hasDigest = fields.containsKey(DIGEST_FIELD);
        if (hasDigest && (at < 0 || !digestMatches(bytes, at))) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": " + what
                + " does not match its digest (" + DIGEST_FIELD + "): it was changed or damaged after it was written", rerun);
        }
        final Object v = fields.get("version");
        if (!(v instanceof Long n) || n != version) {
            throw new IndexException(IndexException.Kind.VERSION, file + ": " + versionName + " version "
                + (v == null ? "(none)" : String.valueOf(v)) + " is not the version this scalpel reads (" + version + ")", rerun);
        }
        if (!hasDigest) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": " + what + " has no digest (" + DIGEST_FIELD + ")",
                rerun);
        }
        try {
            return type.cast(bind(tree, type, ""));
        } catch (Malformed e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " (" + e.getMessage() + ")", rerun);
        }
    }

    /** {@code value} (of the parsed tree) as a {@code type}, at {@code path} for messages. */
    static Object bind(final Object value, final Type type, final String path) throws Malformed {
        if (value == null) {
            if (type == int.class || type == long.class || type == boolean.class) {
                return type == boolean.class ? Boolean.FALSE : type == int.class ? (Object) 0 : (Object) 0L;
            }
            return null;
        }
        if (type == String.class) {
            if (value instanceof String s) {
                return s;
            }
            throw mistyped(path, "a string");
        }
        if (type == int.class || type == Integer.class) {
            if (value instanceof Long n && n == n.intValue()) {
                return n.intValue();
            }
            throw mistyped(path, "an integer of 32 bits");
        }
        if (type == long.class || type == Long.class) {
            if (value instanceof Long n) {
                return n;
            }
            throw mistyped(path, "an integer");
        }
        if (type == boolean.class || type == Boolean.class) {
            if (value instanceof Boolean b) {
                return b;
            }
            throw mistyped(path, "true or false");
        }
        if (type == long[].class) {
            if (!(value instanceof List<?> items)) {
                throw mistyped(path, "an array");
            }
            final long[] out = new long[items.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (Long) bind(items.get(i), long.class, path + "[" + i + "]");
            }
            return out;
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            if (!(value instanceof List<?> items)) {
                throw mistyped(path, "an array");
            }
            final List<Object> out = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                out.add(bind(items.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]"));
            }
            return out;
        }
        if (type instanceof Class<?> c && c.isRecord()) {
            if (!(value instanceof Map<?, ?> fields)) {
                throw mistyped(path, "an object");
            }
            final RecordComponent[] components = c.getRecordComponents();
            final Object[] args = new Object[components.length];
            final Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                final String name = snakeCase(components[i].getName());
                args[i] = bind(fields.get(name), components[i].getGenericType(), path.isEmpty() ? name : path + "." + name);
                types[i] = components[i].getType();
            }
            try {
                final Constructor<?> k = c.getDeclaredConstructor(types);
                k.setAccessible(true);
                return k.newInstance(args);
            } catch (ReflectiveOperationException e) {
                final Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new Malformed((path.isEmpty() ? "the manifest" : path) + ": " + IndexException.oneLine(cause));
            }
        }
        throw new IllegalArgumentException("no binding of " + type + " (" + path + ")");
    }

    private static Malformed mistyped(final String path, final String expected) {
        return new Malformed(path + ": expected " + expected);
    }

    /** A record component's field name as the writer's mapper names it: {@code footerSha256} is {@code footer_sha256}. */
    static String snakeCase(final String name) {
        final StringBuilder b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            final char ch = name.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) {
                    b.append('_');
                }
                b.append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** JSON (RFC 8259) into maps (field order kept), lists, strings, longs, doubles, booleans and nulls. */
    static final class Parser {
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

    /** For tests: the tree of {@code json}. */
    static Object parse(final String json) throws Malformed {
        return new Parser(json).document();
    }
}
