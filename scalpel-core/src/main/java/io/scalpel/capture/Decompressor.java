package io.scalpel.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Decompresses a gzip or zstd file member by member (gzip) or frame by frame (zstd), from any
 * member or frame on, into the buffers it is given; says where each one starts, so that a scan
 * can record the seek table. Corrupt data throws {@link CompressedCaptureException} with the
 * compressed offset. {@link CompressedFile} runs one over its window.
 */
abstract class Decompressor {
    /** Compressed bytes read from the file at a time. */
    static final int INPUT_BUFFER = 256 << 10;

    private final Path path;
    private final FileChannel channel;
    /** Length of the compressed file when it was opened: where its data ends. */
    final long storedLength;
    private final LongConsumer unitStarts;

    Decompressor(final Path path, final FileChannel channel, final long storedLength, final LongConsumer unitStarts) {
        this.path = path;
        this.channel = channel;
        this.storedLength = storedLength;
        this.unitStarts = unitStarts;
    }

    /**
     * The decompressor of {@code codec} over {@code channel}; {@code unitStarts} is told the
     * compressed offset of each member or frame as its decompression begins.
     */
    static Decompressor of(final Compression codec, final Path path, final FileChannel channel, final long storedLength,
                           final LongConsumer unitStarts) {
        return codec == Compression.GZIP ? new GzipDecompressor(path, channel, storedLength, unitStarts)
            : new ZstdDecompressor(path, channel, storedLength, unitStarts);
    }

    /** Continues at the member or frame that starts at {@code compressedOffset}. */
    abstract void reset(long compressedOffset);

    /** Decompresses into {@code dst}; bytes produced, or -1 at the end of the file. */
    abstract int decode(ByteBuffer dst) throws IOException;

    /** Frees what the decompressor holds outside the heap. */
    void close() {
    }

    /** A member or frame begins at {@code compressedOffset}. */
    final void unitStart(final long compressedOffset) {
        unitStarts.accept(compressedOffset);
    }

    final CompressedCaptureException corrupt(final long offset, final String message) {
        return new CompressedCaptureException(path, offset, message);
    }

    /** Reads {@code dst.remaining()} bytes at {@code position} or up to the end of the file; returns bytes read. */
    final int readFully(final ByteBuffer dst, final long position) throws IOException {
        return PositionalReads.readFully(channel, dst, position);
    }
}
