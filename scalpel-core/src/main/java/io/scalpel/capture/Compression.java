package io.scalpel.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The compressions a capture file may have, told by the file's first bytes. */
public enum Compression {
    /** gzip (RFC 1952): one member, or several (as BGZF or {@code cat a.gz b.gz} make). */
    GZIP("gzip", "member"),
    /** Zstandard (RFC 8878): one frame, or several. */
    ZSTD("zstd", "frame");

    static final int GZIP_MAGIC = 0x1F8B;

    private final String label;
    private final String unit;

    Compression(final String label, final String unit) {
        this.label = label;
        this.unit = unit;
    }

    /** "gzip" or "zstd". */
    public String label() {
        return label;
    }

    /** What one independently decompressible piece is called: "member" (gzip) or "frame" (zstd). */
    public String unit() {
        return unit;
    }

    public static Compression of(final String label) {
        for (Compression c : values()) {
            if (c.label.equals(label)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression '" + label + "' (gzip or zstd)");
    }

    /** The compression of the file, or null when its first bytes are neither gzip's nor zstd's magic. */
    public static Compression detect(final Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            final ByteBuffer head = ByteBuffer.allocate(4);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // read up to 4 bytes
            }
            head.flip();
            if (head.remaining() >= 2 && (head.getShort(0) & 0xFFFF) == GZIP_MAGIC) {
                return GZIP;
            }
            if (head.remaining() == 4 && ZstdFrames.isZstd(head.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0))) {
                return ZSTD;
            }
            return null;
        }
    }
}
