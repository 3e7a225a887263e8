package io.scalpel.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * Decodes a page of Parquet's DELTA_BINARY_PACKED encoding (the packets table's {@code ts},
 * {@code offset} and {@code flow}, most integer columns of the flows table) from a byte array into
 * an array in one pass, each miniblock unpacked eight values at a time ({@link BitPacked}).
 * parquet-java's reader of the encoding does the same through a {@code ByteBuffer}, a bounds-checked
 * call per byte, which was most of the time a query spent on its packet rows.
 */
final class DeltaPacked {
    private DeltaPacked() {
    }

    /**
     * The bytes of {@code input}: its own array when it is one whole byte array (a page as the codec
     * decompressed it), else a copy. Only read, never written.
     */
    static byte[] bytes(final BytesInput input) throws IOException {
        final ByteBuffer b = input.toByteBuffer();
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        return input.toByteArray();
    }

    /** Decodes the {@code count} values of {@code in} into {@code out[0 .. count-1]}; a page that holds another count or runs short is refused. */
    static void decode(final byte[] in, final int count, final long[] out) {
        final int[] pos = {0};
        final long blockSize = varint(in, pos);
        final long miniblocks = varint(in, pos);
        final long total = varint(in, pos);
        if (total != count) {
            throw new ParquetDecodingException("DELTA_BINARY_PACKED page of " + total + " values, " + count + " expected");
        }
        if (count == 0) {
            return;
        }
        if (blockSize <= 0 || blockSize % 128 != 0 || miniblocks <= 0 || blockSize % miniblocks != 0
            || blockSize / miniblocks % 8 != 0 || blockSize > 1 << 16) {
            throw new ParquetDecodingException("DELTA_BINARY_PACKED header: blocks of " + blockSize + " values in " + miniblocks + " miniblocks");
        }
        final int perMiniblock = (int) (blockSize / miniblocks);
        long value = ThriftCompact.zigzag(varint(in, pos));
        out[0] = value;
        int n = 1;
        final long[] eight = new long[8];
        final byte[] widths = new byte[(int) miniblocks];
        while (n < count) {
            final long minDelta = ThriftCompact.zigzag(varint(in, pos));
            if (pos[0] + miniblocks > in.length) {
                throw new ParquetDecodingException("DELTA_BINARY_PACKED block past the end of its page");
            }
            System.arraycopy(in, pos[0], widths, 0, widths.length);
            pos[0] += widths.length;
            for (int m = 0; m < widths.length && n < count; m++) {
                final int width = widths[m] & 0xFF;
                if (width > 64) {
                    throw new ParquetDecodingException("DELTA_BINARY_PACKED miniblock of bit width " + width);
                }
                int p = pos[0];
                final long mask = width == 64 ? -1L : (1L << width) - 1;
                for (int k = 0; k < perMiniblock && n < count; k += 8) {
                    if (count - n >= 8 && (width == 0 || BitPacked.wordReadable(in, p, width))) {
                        for (int j = 0; j < 8; j++) { // the common group: whole, each value one read
                            value += minDelta + (width == 0 ? 0 : BitPacked.word(in, p, width, mask, j));
                            out[n++] = value;
                        }
                        p += width;
                        continue;
                    }
                    if (width > 0 && p >= in.length) {
                        throw new ParquetDecodingException("DELTA_BINARY_PACKED miniblock past the end of its page");
                    }
                    BitPacked.unpack8(in, p, width, eight); // a group cut short is zero-padded
                    p += width;
                    final int take = Math.min(8, count - n);
                    for (int j = 0; j < take; j++) {
                        value += minDelta + eight[j];
                        out[n++] = value;
                    }
                }
                pos[0] += perMiniblock / 8 * width;
            }
        }
    }

    private static long varint(final byte[] in, final int[] pos) {
        long v = 0;
        int shift = 0;
        int p = pos[0];
        while (true) {
            if (p >= in.length || shift > 63) {
                throw new ParquetDecodingException("DELTA_BINARY_PACKED varint past the end of its page");
            }
            final int b = in[p++] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                pos[0] = p;
                return v;
            }
            shift += 7;
        }
    }
}
