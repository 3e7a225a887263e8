package io.scalpel.index;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet page compression over zstd-jni, so that writing and reading the index needs no Hadoop
 * codec classes. Supports ZSTD and UNCOMPRESSED; the index is always written with ZSTD.
 */
final class ZstdCodecFactory implements CompressionCodecFactory {
    /**
     * The level pages are compressed at (format 6; 3 before): on a 1 GiB capture shaped like real
     * traffic, 0.6 % smaller an index for 3 % more CPU time of the build (docs/index-format.md).
     */
    static final int LEVEL = 9;
    static final ZstdCodecFactory INSTANCE = new ZstdCodecFactory(LEVEL);

    private final int level;

    ZstdCodecFactory(final int level) {
        this.level = level;
    }

    @Override
    public BytesInputCompressor getCompressor(final CompressionCodecName codec) {
        switch (codec) {
            case ZSTD:
                return new Compressor();
            case UNCOMPRESSED:
                return new Passthrough();
            default:
                throw new UnsupportedOperationException("index pages are not written with " + codec);
        }
    }

    @Override
    public BytesInputDecompressor getDecompressor(final CompressionCodecName codec) {
        switch (codec) {
            case ZSTD:
                return new Decompressor();
            case UNCOMPRESSED:
                return new PassthroughDecompressor();
            default:
                throw new UnsupportedOperationException("index pages compressed with " + codec
                    + " cannot be read: this index was not written by scalpel; re-run `scalpel index`");
        }
    }

    @Override
    public void release() {
    }

    private final class Compressor implements BytesInputCompressor {
        @Override
        public BytesInput compress(final BytesInput bytes) throws IOException {
            return BytesInput.from(Zstd.compress(bytes.toByteArray(), level));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
        }
    }

    private static final class Passthrough implements BytesInputCompressor {
        @Override
        public BytesInput compress(final BytesInput bytes) {
            return bytes;
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.UNCOMPRESSED;
        }

        @Override
        public void release() {
        }
    }

    private static final class Decompressor implements BytesInputDecompressor {
        @Override
        public BytesInput decompress(final BytesInput bytes, final int uncompressedSize) throws IOException {
            final byte[] in = bytes.toByteArray();
            // The size comes from a page header, which no CRC covers; the frame's own content size
            // comes from the page body, which the CRC does. They must agree before anything is allocated.
            final long content = Zstd.getFrameContentSize(in, 0, in.length);
            if (content != uncompressedSize) {
                throw new IOException("corrupt index page: its header gives " + uncompressedSize
                    + " bytes uncompressed, its zstd frame " + (content < 0 ? "no size" : content + " bytes"));
            }
            final byte[] out = new byte[uncompressedSize];
            final long n = Zstd.decompressByteArray(out, 0, uncompressedSize, in, 0, in.length);
            if (Zstd.isError(n) || n != uncompressedSize) {
                throw new IOException("corrupt index page: zstd " + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " of " + uncompressedSize + " bytes"));
            }
            return BytesInput.from(out);
        }

        @Override
        public void decompress(final ByteBuffer input, final int compressedSize, final ByteBuffer output, final int uncompressedSize)
            throws IOException {
            final byte[] in = new byte[compressedSize];
            input.duplicate().get(in);
            final byte[] out = decompress(BytesInput.from(in), uncompressedSize).toByteArray();
            output.put(out);
        }

        @Override
        public void release() {
        }
    }

    private static final class PassthroughDecompressor implements BytesInputDecompressor {
        @Override
        public BytesInput decompress(final BytesInput bytes, final int uncompressedSize) {
            return bytes;
        }

        @Override
        public void decompress(final ByteBuffer input, final int compressedSize, final ByteBuffer output, final int uncompressedSize) {
            final ByteBuffer src = input.duplicate();
            src.limit(src.position() + compressedSize);
            output.put(src);
        }

        @Override
        public void release() {
        }
    }
}
