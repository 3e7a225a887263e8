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
 * The JSON form of the versioned manifests ({@link IndexManifest}, {@link CaptureSetManifest}), as
 * written: snake_case fields, indented, and a digest of the file itself as its last field
 * ({@value #DIGEST_FIELD}). They are read, and checked (parsable, their own format name, the
 * version this build reads, the digest), by {@link ManifestText}, which needs no JSON library.
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
}
