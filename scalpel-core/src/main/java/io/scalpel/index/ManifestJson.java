package io.scalpel.index;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The JSON form of the versioned manifests ({@link IndexManifest}, {@link CaptureSetManifest}):
 * snake_case fields, indented, unknown fields ignored, and a digest of the file itself as its
 * last field ({@value #DIGEST_FIELD}); and the checks every manifest gets on reading (parsable,
 * its own format name, the version this build reads, the digest), each refused with a message
 * naming the file and what to re-run.
 *
 * <p>The digest is the hex SHA-256 of the file's bytes with the digest's own 64 hex digits
 * replaced by {@code 0}s: any changed byte, a damaged or hand-edited manifest, is refused as
 * {@link IndexException.Kind#CORRUPT}.
 */
final class ManifestJson {
    /** The field that holds the manifest's digest. */
    static final String DIGEST_FIELD = "manifest_sha256";
    private static final byte[] DIGEST_MARK = ("\"" + DIGEST_FIELD + "\" : \"").getBytes(StandardCharsets.US_ASCII);
    private static final int HEX_DIGITS = 64;
    /** A manifest larger than this is not read into memory (a real one is well below). */
    static final long MAX_BYTES = 256L << 20;

    private static final ObjectMapper JSON = new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** What a manifest says of itself. */
    interface Versioned {
        String format();

        int version();
    }

    private ManifestJson() {
    }

    /** The manifest as JSON, its digest last. */
    static byte[] write(final Object manifest) {
        try {
            final ObjectNode node = JSON.valueToTree(manifest);
            node.put(DIGEST_FIELD, "0".repeat(HEX_DIGITS));
            final byte[] bytes = JSON.writeValueAsBytes(node);
            final int at = digestAt(bytes);
            final byte[] hex = Digests.sha256(bytes).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(hex, 0, bytes, at, HEX_DIGITS);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where the digest's hex digits start in {@code bytes}, or -1 when there is no digest field. */
    private static int digestAt(final byte[] bytes) {
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

    /**
     * Reads {@code file} as a {@code type} and checks its digest, its format name and its version.
     * A manifest of another version is refused as {@link IndexException.Kind#VERSION} (older ones
     * have no digest); one whose digest does not match its bytes, or that is not JSON or lacks
     * its digest, as {@link IndexException.Kind#CORRUPT}.
     *
     * @param what   what the file is, for messages ("index manifest")
     * @param rerun  what makes a good one, for messages ("rebuild it with `scalpel index X`")
     * @param format the format name it must have
     * @param version the version it must have
     * @param versionName what the version numbers ("index format"), for messages
     */
    static <T extends Versioned> T read(final Path file, final Class<T> type, final String what, final String rerun,
                                        final String format, final int version, final String versionName) throws IndexException {
        final byte[] bytes;
        final JsonNode tree;
        try {
            final long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IndexException(IndexException.Kind.CORRUPT, file + ": " + what + " of " + size
                    + " bytes is larger than any scalpel writes (" + MAX_BYTES + ")", rerun);
            }
            bytes = Files.readAllBytes(file);
            tree = JSON.readTree(bytes);
        } catch (IndexException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message runs over several lines and quotes its API: say what and where in one
            final com.fasterxml.jackson.core.JsonLocation loc = e.getLocation();
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " ("
                + (loc != null ? "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": " : "")
                + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("") + ")", rerun, e);
        } catch (IOException | RuntimeException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " ("
                + IndexException.oneLine(e) + ")", rerun, e);
        }
        if (tree == null || !tree.isObject() || !format.equals(tree.path("format").asText(null))) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": not a scalpel " + what, rerun);
        }
        final int at = digestAt(bytes);
        final boolean hasDigest = tree.has(DIGEST_FIELD);
        if (hasDigest && (at < 0 || !digestMatches(bytes, at))) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": " + what
                + " does not match its digest (" + DIGEST_FIELD + "): it was changed or damaged after it was written", rerun);
        }
        final JsonNode v = tree.path("version");
        if (!v.isInt() || v.intValue() != version) {
            throw new IndexException(IndexException.Kind.VERSION, file + ": " + versionName + " version "
                + (v.isMissingNode() ? "(none)" : v.asText()) + " is not the version this scalpel reads (" + version + ")", rerun);
        }
        if (!hasDigest) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": " + what + " has no digest (" + DIGEST_FIELD + ")", rerun);
        }
        try {
            return JSON.treeToValue(tree, type);
        } catch (IOException | RuntimeException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable " + what + " ("
                + IndexException.oneLine(e) + ")", rerun, e);
        }
    }

    private static boolean digestMatches(final byte[] bytes, final int at) {
        final String stored = new String(bytes, at, HEX_DIGITS, StandardCharsets.US_ASCII);
        final byte[] zeroed = bytes.clone();
        Arrays.fill(zeroed, at, at + HEX_DIGITS, (byte) '0');
        return stored.equals(Digests.sha256(zeroed));
    }
}
