package io.scalpel.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The token every request must carry as {@code Authorization: Bearer TOKEN}. Compared in constant
 * time: both sides are hashed (SHA-256) first, so neither the content nor the length of the token
 * shows in the time a refusal takes.
 */
final class BearerToken {
    private static final String SCHEME = "Bearer ";
    private final byte[] digest;

    BearerToken(final byte[] token) {
        this.digest = sha256(token);
    }

    /** Whether an {@code Authorization} header value (null: none) carries the token. */
    boolean accepts(final String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        final byte[] given = authorization.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(digest, sha256(given));
    }

    private static byte[] sha256(final byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
