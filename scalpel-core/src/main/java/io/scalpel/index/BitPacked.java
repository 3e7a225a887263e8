package io.scalpel.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * Parquet's little-endian bit packing, unpacked eight values at a time from a byte array: the
 * miniblocks of DELTA_BINARY_PACKED ({@link DeltaPacked}) and the runs of the RLE/bit-packed hybrid
 * encoding (dictionary ids, definition levels: {@link #hybrid}). parquet-java generates a packer
 * class per bit width (and per int and long), 130 classes a read loads; this is one loop: each value
 * of up to 56 bits is one little-endian read of the eight bytes that hold it, shifted and masked,
 * and only a group within eight bytes of the array's end or of wider values is read byte by byte.
 */
final class BitPacked {
    /** The widest value one eight-byte read holds wherever it starts in its first byte. */
    private static final int MAX_WORD_WIDTH = 56;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private BitPacked() {
    }

    /**
     * Whether the group of eight {@code width}-bit values at {@code pos} can be read by {@link #word}:
     * values of at most 56 bits, the eight bytes from its last value's first byte inside {@code in}.
     */
    static boolean wordReadable(final byte[] in, final int pos, final int width) {
        return width <= MAX_WORD_WIDTH && pos >= 0 && pos + (7 * width >>> 3) + Long.BYTES <= in.length;
    }

    /** Value {@code j} (0 to 7) of the group of {@code width}-bit values at {@code pos}, {@code mask} its low bits: see {@link #wordReadable}. */
    static long word(final byte[] in, final int pos, final int width, final long mask, final int j) {
        final int bit = j * width;
        return (long) LONGS.get(in, pos + (bit >>> 3)) >>> (bit & 7) & mask;
    }

    /**
     * Unpacks eight values of {@code width} bits (0 to 64) from {@code in} at {@code pos}, least
     * significant bit first, into {@code out[0..7]}. Bytes past the end of {@code in} read as 0 (a
     * last group cut short is zero-padded, as Parquet writes it).
     */
    static void unpack8(final byte[] in, final int pos, final int width, final long[] out) {
        if (width == 0) {
            Arrays.fill(out, 0, 8, 0L);
            return;
        }
        if (wordReadable(in, pos, width)) {
            final long mask = (1L << width) - 1;
            for (int j = 0; j < 8; j++) {
                out[j] = word(in, pos, width, mask, j);
            }
            return;
        }
        if (width > MAX_WORD_WIDTH) {
            for (int j = 0; j < 8; j++) {
                out[j] = wide(in, pos, j * width, width);
            }
            return;
        }
        final long mask = (1L << width) - 1;
        long acc = 0;
        int bits = 0;
        int p = pos;
        for (int j = 0; j < 8; j++) {
            while (bits < width) {
                acc |= (long) (p < in.length ? in[p] & 0xFF : 0) << bits;
                p++;
                bits += 8;
            }
            out[j] = acc & mask;
            acc >>>= width;
            bits -= width;
        }
    }

    /** One value of more than 56 bits at bit {@code bit} of the group at {@code pos}, bit by byte. */
    private static long wide(final byte[] in, final int pos, final int bit, final int width) {
        long v = 0;
        for (int b = 0; b < width; ) {
            final int at = bit + b;
            final int p = pos + (at >>> 3);
            final int shift = at & 7;
            final int take = Math.min(8 - shift, width - b);
            final int bits = ((p < in.length ? in[p] & 0xFF : 0) >>> shift) & ((1 << take) - 1);
            v |= (long) bits << b;
            b += take;
        }
        return v;
    }

    /**
     * Decodes {@code count} values of Parquet's RLE/bit-packed hybrid encoding of width {@code width}
     * from {@code in} at {@code pos} into {@code out}: a run repeats one value, a bit-packed run is
     * unpacked eight values at a time.
     */
    static void hybrid(final byte[] in, final int pos, final int width, final int count, final int[] out) {
        if (width < 0 || width > 32) {
            throw new ParquetDecodingException("bit width " + width);
        }
        final int valueBytes = (width + 7) / 8;
        final long[] eight = new long[8];
        int p = pos;
        int i = 0;
        while (i < count) {
            int header = 0;
            int shift = 0;
            int b;
            do {
                if (p >= in.length || shift > 28) {
                    throw new ParquetDecodingException("RLE/bit-packed values end after " + i + " of " + count);
                }
                b = in[p++] & 0xFF;
                header |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            if ((header & 1) == 0) {
                final int run = header >>> 1;
                if (p + valueBytes > in.length) {
                    throw new ParquetDecodingException("RLE run past the end of its page");
                }
                int v = 0;
                for (int k = 0; k < valueBytes; k++) {
                    v |= (in[p++] & 0xFF) << (8 * k);
                }
                final int end = (int) Math.min((long) i + run, count);
                Arrays.fill(out, i, end, v);
                i = end;
            } else {
                final int groups = header >>> 1;
                for (int g = 0; g < groups && i < count; g++) {
                    if (width > 0 && p >= in.length) {
                        throw new ParquetDecodingException("bit-packed run past the end of its page");
                    }
                    unpack8(in, p, width, eight);
                    p += width;
                    final int n = Math.min(8, count - i);
                    for (int j = 0; j < n; j++) {
                        out[i + j] = (int) eight[j];
                    }
                    i += n;
                }
                if (i < count && p > in.length) {
                    throw new ParquetDecodingException("bit-packed run past the end of its page");
                }
            }
        }
    }
}
