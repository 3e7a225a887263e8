package io.scalpel.index;

import io.scalpel.capture.Settling;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identifies the bytes an index describes: the indexed length, SHA-256 of the first and of the
 * last 64 KiB of that prefix, and the capture's modification time. A capture that only grew
 * still has the same head and the same tail at the old length; one that changed does not, and
 * one modified in place without changing its length has a new modification time. (An edit that
 * also restores the time is caught record by record: a slice checks every record it reads.)
 *
 * @param length      indexed bytes (a prefix of the capture)
 * @param headSha256  hex SHA-256 of bytes [0, min(length, 64 KiB))
 * @param tailSha256  hex SHA-256 of bytes [max(0, length - 64 KiB), length)
 * @param mtimeMillis capture modification time when indexed
 */
public record CaptureFingerprint(long length, String headSha256, String tailSha256, long mtimeMillis) {
    public static final int SAMPLE = 64 * 1024;

    /** How a capture on disk relates to the bytes a fingerprint describes. */
    public enum Match {
        /** Same length, head, tail and modification time. */
        SAME,
        /** Longer now, with the indexed prefix unchanged (head and tail at the old length match). */
        GROWN,
        /** Same length and sampled bytes but a different modification time: modified in place, refused as stale. */
        TOUCHED,
        /** Different: the index does not describe this capture. */
        CHANGED
    }

    /**
     * The fingerprint of the first {@code length} bytes of {@code capture}.
     *
     * @throws io.scalpel.capture.CaptureChangedException when the capture ends before them (it was
     *                                                    cut short while it was being read)
     */
    public static CaptureFingerprint of(final Path capture, final long length) throws IOException {
        try (FileChannel ch = FileChannel.open(capture, StandardOpenOption.READ)) {
            final long mtime = Files.getLastModifiedTime(capture).toMillis();
            return new CaptureFingerprint(length, sha256(capture, ch, 0, Math.min(length, SAMPLE)),
                sha256(capture, ch, Math.max(0, length - SAMPLE), length), mtime);
        }
    }

    public Match compareTo(final Path capture) throws IOException {
        final long size = Files.size(capture);
        if (size < length) {
            return Match.CHANGED;
        }
        final CaptureFingerprint now = of(capture, length);
        if (!now.headSha256.equals(headSha256) || !now.tailSha256.equals(tailSha256)) {
            return Match.CHANGED;
        }
        if (size > length) {
            return Match.GROWN;
        }
        if (now.mtimeMillis == mtimeMillis) {
            return Match.SAME;
        }
        // a capture still being written shows a write's time before its size: watch it land first
        return Settling.settles(() -> Files.size(capture) > length) ? Match.TOUCHED : Match.GROWN;
    }

    private static String sha256(final Path capture, final FileChannel ch, final long from, final long to) throws IOException {
        final MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        final ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, to - from));
        long p = from;
        while (buf.hasRemaining()) {
            final int n = ch.read(buf, p);
            if (n < 0) {
                throw io.scalpel.capture.CaptureChangedException.of(capture, "it ends at byte offset " + p + ", before the " + to
                    + " bytes to fingerprint");
            }
            p += n;
        }
        buf.flip();
        md.update(buf);
        return HexFormat.of().formatHex(md.digest());
    }
}
