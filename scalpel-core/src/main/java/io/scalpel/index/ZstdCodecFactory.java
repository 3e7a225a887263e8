package io.scalpel.index;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
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
     * The level pages are compressed at: zstd's default. On the 1 GiB traffic-shaped capture level 9
     * (format 6's first builds) made the index 0.5 % smaller for 2.8 times the compression's CPU time
     * (0.29 s against 0.10 s, about 6 % of the build's); level 2 was 0.1 % larger again for 0.07 s
     * (docs/performance.md). Readers take any level.
     */
    static final int LEVEL = 3;
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

    /**
     * Decompression contexts idle between pages: zstd's one-shot {@code Zstd.decompressByteArray}
     * sets up (and frees) a context per page, which took three times the decompression's own time
     * when a query reads a few hundred small pages. A context serves one page at a time; as many are
     * kept as pages were ever decompressed at once (one per reading thread, a few hundred kilobytes
     * of native memory each).
     */
    private static final java.util.concurrent.ConcurrentLinkedDeque<ZstdDecompressCtx> IDLE_CONTEXTS =
        new java.util.concurrent.ConcurrentLinkedDeque<>();

    /**
     * The page body {@code in[off, off + length)}, one zstd frame, decompressed into {@code size}
     * bytes. The size comes from a page header (or the lookup file), which no page CRC covers; the
     * frame's own content size comes from the page body, which the CRC does. They must agree before
     * anything is allocated.
     */
    static byte[] decompress(final byte[] in, final int off, final int length, final int size) throws IOException {
        final long content = Zstd.getFrameContentSize(in, off, length);
        if (content != size) {
            throw new IOException("corrupt index page: its header gives " + size
                + " bytes uncompressed, its zstd frame " + (content < 0 ? "no size" : content + " bytes"));
        }
        final byte[] out = new byte[size];
        ZstdDecompressCtx context = IDLE_CONTEXTS.pollFirst();
        if (context == null) {
            context = new ZstdDecompressCtx();
        }
        final int n;
        try {
            n = context.decompressByteArray(out, 0, size, in, off, length);
        } catch (ZstdException e) {
            context.close(); // not kept after a failure
            throw new IOException("corrupt index page: zstd " + e.getMessage());
        }
        IDLE_CONTEXTS.offerFirst(context);
        if (n != size) {
            throw new IOException("corrupt index page: zstd " + n + " of " + size + " bytes");
        }
        return out;
    }

    /**
     * One context for every page a writer compresses, used by one thread at a time: zstd's one-shot
     * {@code Zstd.compress} sets up (and frees) a context of its level per page, which at level 9
     * cost about a sixth of the compression's time. The frames are the same bytes.
     */
    private final class Compressor implements BytesInputCompressor {
        private ZstdCompressCtx context;

        @Override
        public BytesInput compress(final BytesInput bytes) throws IOException {
            if (context == null) {
                context = new ZstdCompressCtx().setLevel(level);
            }
            return BytesInput.from(context.compress(bytes.toByteArray()));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        /** Frees the context (its native memory); a later page sets up another. */
        @Override
        public void release() {
            if (context != null) {
                context.close();
                context = null;
            }
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

    /** Decompresses pages through {@link #decompress(byte[], int, int, int)}, on any thread. */
    private static final class Decompressor implements BytesInputDecompressor {
        /**
         * Decompresses from the page's own bytes where they are a heap buffer (as the index's
         * reader gives them), else from a copy: {@code BytesInput.toByteArray} copies a buffer
         * through a channel eight kilobytes at a time.
         */
        @Override
        public BytesInput decompress(final BytesInput bytes, final int uncompressedSize) throws IOException {
            final ByteBuffer page = bytes.toByteBuffer();
            if (page.hasArray()) {
                return BytesInput.from(ZstdCodecFactory.decompress(page.array(), page.arrayOffset() + page.position(), page.remaining(),
                    uncompressedSize));
            }
            final byte[] in = bytes.toByteArray();
            return BytesInput.from(ZstdCodecFactory.decompress(in, 0, in.length, uncompressedSize));
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
