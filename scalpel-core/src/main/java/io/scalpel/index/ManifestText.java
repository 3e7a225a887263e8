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
import java.util.List;
import java.util.Map;

/**
 * Reads the versioned manifests ({@link IndexManifest}, {@link CaptureSetManifest}) without a JSON
 * library: a slice opens an index through this, so it loads no Jackson class (which
 * {@link ManifestJson}, the writer, uses). The file is parsed into maps, lists, strings, numbers
 * and booleans ({@link JsonTree}), checked (its format name, the version this build reads, its digest: the hex
 * SHA-256 of the file's bytes with the digest's own 64 hex digits read as {@code 0}s, so any
 * changed byte is refused), then bound to the manifest's record type: each component from its
 * snake_case field ({@code linkTypeField} from {@code link_type_field}), unknown fields ignored,
 * missing ones null (or 0 and false for primitives), as the writer's mapper reads them.
 *
 * <p>What it refuses is CORRUPT with the file, the line and column of a syntax error or the path
 * of a field of the wrong type ({@code parts[1].packets_file.size}).
 */
final class ManifestText {
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
            tree = JsonTree.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IndexException e) {
            throw e;
        } catch (JsonTree.Malformed e) {
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
        } catch (JsonTree.Malformed e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " (" + e.getMessage() + ")", rerun);
        }
    }

    /** {@code value} (of the parsed tree) as a {@code type}, at {@code path} for messages. */
    static Object bind(final Object value, final Type type, final String path) throws JsonTree.Malformed {
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
                throw new JsonTree.Malformed((path.isEmpty() ? "the manifest" : path) + ": " + IndexException.oneLine(cause));
            }
        }
        throw new IllegalArgumentException("no binding of " + type + " (" + path + ")");
    }

    private static JsonTree.Malformed mistyped(final String path, final String expected) {
        return new JsonTree.Malformed(path + ": expected " + expected);
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

}
