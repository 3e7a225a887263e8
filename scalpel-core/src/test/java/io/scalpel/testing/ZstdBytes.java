package io.scalpel.testing;

import java.io.ByteArrayOutputStream;

/**
 * zstd frames written byte by byte (RFC 8878), for what a compressor would not make on demand:
 * skippable frames (pzstd starts its output with one) and frames that declare a window larger than
 * a decoder's limit (what {@code zstd --long=31} writes for a stream).
 */
public final class ZstdBytes {
    /** Largest block of a frame (RFC 8878 3.1.1.2.3: Block_Maximum_Size). */
    private static final int MAX_BLOCK = 128 * 1024;

    private ZstdBytes() {
    }

    /** A skippable frame (magic 0x184D2A50 + {@code variant}) holding {@code content} zero bytes. */
    public static byte[] skippable(final int variant, final int content) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        le32(out, 0x184D2A50 + variant); // Magic_Number of a skippable frame
        le32(out, content);              // Frame_Size
        out.writeBytes(new byte[content]); // User_Data
        return out.toByteArray();
    }

    /**
     * A frame of raw (uncompressed) blocks holding {@code data}, whose header declares a window of
     * 2^{@code windowLog} bytes and no content size.
     */
    public static byte[] rawFrame(final byte[] data, final int windowLog) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        le32(out, 0xFD2FB528);             // Magic_Number
        out.write(0x00);                   // Frame_Header_Descriptor: no content size, no single segment, no checksum, no dictionary
        out.write((windowLog - 10) << 3);  // Window_Descriptor: exponent windowLog - 10, mantissa 0
        int at = 0;
        do {
            final int n = Math.min(MAX_BLOCK, data.length - at);
            final boolean last = at + n == data.length;
            final int header = (last ? 1 : 0) | (0 << 1) | (n << 3); // Last_Block, Block_Type raw, Block_Size
            out.write(header);
            out.write(header >>> 8);
            out.write(header >>> 16);
            out.write(data, at, n);
            at += n;
        } while (at < data.length);
        return out.toByteArray();
    }

    private static void le32(final ByteArrayOutputStream out, final int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
