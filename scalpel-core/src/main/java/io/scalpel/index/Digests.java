package io.scalpel.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of byte arrays and of file ranges, as lower-case hex: the digests of manifests and part files. */
final class Digests {
    /** Bytes read at a time when a file range is digested. */
    private static final int READ_BYTES = 1 << 20;

    private Digests() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static String sha256(final byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /**
     * Digests of a file: of all its bytes and of its bytes from {@code tailFrom} on, read once.
     *
     * @return {whole, tail}
     * @throws IOException when the file ends before {@code length} bytes
     */
    static String[] sha256(final Path file, final long length, final long tailFrom) throws IOException {
        final MessageDigest whole = sha256();
        final MessageDigest tail = sha256();
        final ByteBuffer buf = ByteBuffer.allocate(READ_BYTES);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            while (pos < length) {
                buf.clear().limit((int) Math.min(READ_BYTES, length - pos));
                final int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new java.io.EOFException(file + ": byte offset " + pos + ": the file ends before its " + length + " bytes");
                }
                whole.update(buf.array(), 0, n);
                if (pos + n > tailFrom) {
                    final int skip = (int) Math.max(0, tailFrom - pos);
                    tail.update(buf.array(), skip, n - skip);
                }
                pos += n;
            }
        }
        return new String[] {HexFormat.of().formatHex(whole.digest()), HexFormat.of().formatHex(tail.digest())};
    }

    /** The digest of bytes [{@code from}, {@code to}) of a file. */
    static String sha256Range(final Path file, final long from, final long to) throws IOException {
        final MessageDigest d = sha256();
        final ByteBuffer buf = ByteBuffer.allocate((int) Math.min(READ_BYTES, Math.max(1, to - from)));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = from;
            while (pos < to) {
                buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
                final int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new java.io.EOFException(file + ": byte offset " + pos + ": the file ends before byte " + to);
                }
                d.update(buf.array(), 0, n);
                pos += n;
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
