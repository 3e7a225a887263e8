package io.scalpel.zeek;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page decompression for Parquet Zeek logs without Hadoop's codec classes: UNCOMPRESSED, SNAPPY
 * (the default of DuckDB, pyarrow and Spark), GZIP and ZSTD. Read only.
 */
final class ParquetLogCodecs implements CompressionCodecFactory {
    static final ParquetLogCodecs INSTANCE = new ParquetLogCodecs();

    /** The codecs {@link #getDecompressor} reads, for messages. */
    static final String SUPPORTED = "UNCOMPRESSED, SNAPPY, GZIP or ZSTD";

    private ParquetLogCodecs() {
    }

    @Override
    public BytesInputCompressor getCompressor(final CompressionCodecName codec) {
        throw new UnsupportedOperationException("Zeek logs are only read");
    }

    @Override
    public BytesInputDecompressor getDecompressor(final CompressionCodecName codec) {
        switch (codec) {
            case UNCOMPRESSED:
            case SNAPPY:
            case GZIP:
            case ZSTD:
                return new Decompressor(codec);
            default:
                throw new UnsupportedCodecException(codec);
        }
    }

    @Override
    public void release() {
    }

    /** Pages compressed with a codec this reader does not have. */
    static final class UnsupportedCodecException extends UnsupportedOperationException {
        private static final long serialVersionUID = 1L;

        UnsupportedCodecException(final CompressionCodecName codec) {
            super("pages compressed with " + codec + ", which scalpel does not read (" + SUPPORTED
                + "); rewrite the file with one of those, e.g. DuckDB's COPY ... (FORMAT parquet, COMPRESSION zstd)");
        }
    }

    private static final class Decompressor implements BytesInputDecompressor {
        /** A gzip member's header and trailer. */
        private static final int GZIP_MIN_BYTES = 18;

        private final CompressionCodecName codec;

        Decompressor(final CompressionCodecName codec) {
            this.codec = codec;
        }

        @Override
        public BytesInput decompress(final BytesInput bytes, final int uncompressedSize) throws IOException {
            if (codec == CompressionCodecName.UNCOMPRESSED) {
                return bytes;
            }
            final byte[] in = bytes.toByteArray();
            checkSize(in, uncompressedSize);
            final byte[] out = new byte[uncompressedSize];
            final int n;
            switch (codec) {
                case SNAPPY:
                    n = Snappy.uncompress(in, 0, in.length, out, 0);
                    break;
                case ZSTD:
                    final long z = Zstd.decompressByteArray(out, 0, uncompressedSize, in, 0, in.length);
                    if (Zstd.isError(z)) {
                        throw corrupt("zstd " + Zstd.getErrorName(z));
                    }
                    n = (int) z;
                    break;
                default: // GZIP
                    try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(in))) {
                        n = gz.readNBytes(out, 0, uncompressedSize);
                    }
                    break;
            }
            if (n != uncompressedSize) {
                throw corrupt(codec + " page of " + n + " bytes, expected " + uncompressedSize);
            }
            return BytesInput.from(out);
        }

        @Override
        public void decompress(final ByteBuffer input, final int compressedSize, final ByteBuffer output, final int uncompressedSize)
            throws IOException {
            final byte[] in = new byte[compressedSize];
            input.duplicate().get(in);
            output.put(decompress(BytesInput.from(in), uncompressedSize).toByteArray());
        }

        @Override
        public void release() {
        }

        /**
         * Holds the size a page header declares (no checksum covers it) to what the compressed data
         * says of itself, before anything of that size is allocated.
         */
        private void checkSize(final byte[] in, final int uncompressedSize) throws IOException {
            final long declared;
            switch (codec) {
                case SNAPPY:
                    declared = Snappy.uncompressedLength(in);
                    break;
                case ZSTD:
                    declared = Zstd.getFrameContentSize(in, 0, in.length);
                    break;
                default: // GZIP: ISIZE, the last four bytes, the length mod 2^32
                    declared = in.length < GZIP_MIN_BYTES ? -1 : (in[in.length - 4] & 0xFFL) | (in[in.length - 3] & 0xFFL) << 8
                        | (in[in.length - 2] & 0xFFL) << 16 | (in[in.length - 1] & 0xFFL) << 24;
                    break;
            }
            if (uncompressedSize < 0 || declared != uncompressedSize) {
                throw corrupt(codec + " page header gives " + uncompressedSize + " bytes uncompressed, its data "
                    + (declared < 0 ? "no size" : declared + " bytes"));
            }
        }

        private static IOException corrupt(final String what) {
            return new IOException("corrupt page: " + what);
        }
    }
}
