package io.scalpel.capture;

/**
 * What a zstd stream's first bytes and frame headers say (RFC 8878), for telling a zstd file
 * from others and for saying why a frame cannot be decoded: the magic numbers of a frame and of a
 * skippable frame (pzstd starts its output with one), and the window a frame needs.
 */
public final class ZstdFrames {
    /** The magic number of a zstd frame, read little-endian. */
    public static final int FRAME_MAGIC = 0xFD2FB528;
    /** The magic numbers of skippable frames, read little-endian: this and the 15 after it. */
    public static final int SKIPPABLE_MAGIC = 0x184D2A50;
    /**
     * Largest window decoded: zstd's default limit for decoders (ZSTD_WINDOWLOG_LIMIT_DEFAULT, 2^27).
     * A larger one would take that much memory outside the heap for every stream decoded.
     */
    public static final long MAX_WINDOW = 1L << 27;

    private static final int MIN_WINDOW_LOG = 10;
    private static final int SINGLE_SEGMENT = 0x20;
    private static final int[] CONTENT_SIZE_BYTES = {0, 2, 4, 8};

    private ZstdFrames() {
    }

    /** Whether a stream starting with {@code magic} (4 bytes read little-endian) is zstd: a frame or a skippable frame. */
    public static boolean isZstd(final int magic) {
        return magic == FRAME_MAGIC || (magic & 0xFFFFFFF0) == SKIPPABLE_MAGIC;
    }

    /**
     * The window the frame whose first {@code length} bytes are {@code header} needs, in bytes, or -1
     * when they are not the start of a zstd frame (or too few to tell).
     */
    public static long windowSize(final byte[] header, final int length) {
        if (length < 6 || le32(header, 0) != FRAME_MAGIC) {
            return -1;
        }
        final int descriptor = header[4] & 0xFF;
        if ((descriptor & SINGLE_SEGMENT) == 0) {
            final int w = header[5] & 0xFF; // Window_Descriptor: exponent, mantissa
            final long base = 1L << (MIN_WINDOW_LOG + (w >>> 3));
            return base + (base / 8) * (w & 7);
        }
        // a single segment: the window is the content size, after the dictionary id
        final int dictionaryBytes = CONTENT_SIZE_BYTES[descriptor & 3];
        final int sizeBytes = descriptor >>> 6 == 0 ? 1 : CONTENT_SIZE_BYTES[descriptor >>> 6];
        final int at = 5 + dictionaryBytes;
        if (length < at + sizeBytes) {
            return -1;
        }
        long size = 0;
        for (int i = sizeBytes - 1; i >= 0; i--) {
            size = (size << 8) | (header[at + i] & 0xFF);
        }
        return sizeBytes == 2 ? size + 256 : size;
    }

    /**
     * Why a frame that needs a window of {@code window} bytes (-1: unknown, but too large) is not
     * decoded, and what to do about it; for a capture ({@code capture}), also how to make a seekable copy.
     */
    public static String windowTooLarge(final long window, final boolean capture) {
        return "zstd frame needs a window " + (window < 0 ? "larger than the " : "of " + mib(window) + ", more than the ")
            + mib(MAX_WINDOW) + " this reader decodes"
            + " with (it was compressed with --long or a high level); recompress it with a smaller window, e.g."
            + " zstd -d --long=31 -c FILE | zstd -o NEW.zst"
            + (capture ? ", or decompress it and write a seekable copy with `scalpel index --recompress OUT.zst CAPTURE`" : "");
    }

    private static String mib(final long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    private static int le32(final byte[] b, final int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
