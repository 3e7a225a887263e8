package io.scalpel.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON form of the versioned manifests ({@link IndexManifest}, {@link CaptureSetManifest}), as
 * written: snake_case fields, indented, and a digest of the file itself as its last field
 * ({@value ManifestText#DIGEST_FIELD}). They are read, and checked (parsable, their own format
 * name, the version this build reads, the digest), by {@link ManifestText}, which needs no JSON
 * library.
 *
 * <p>The digest is the hex SHA-256 of the file's bytes with the digest's own 64 hex digits
 * replaced by {@code 0}s: any changed byte, a damaged or hand-edited manifest, is refused as
 * {@link IndexException.Kind#CORRUPT}.
 */
final class ManifestJson {
    private static final ObjectMapper JSON = new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestJson() {
    }

    /** The manifest as JSON, its digest last. */
    static byte[] write(final Object manifest) {
        try {
            final ObjectNode node = JSON.valueToTree(manifest);
            node.put(ManifestText.DIGEST_FIELD, "0".repeat(ManifestText.HEX_DIGITS));
            final byte[] bytes = JSON.writeValueAsBytes(node);
            final int at = ManifestText.digestAt(bytes);
            final byte[] hex = Digests.sha256(bytes).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(hex, 0, bytes, at, ManifestText.HEX_DIGITS);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
