package io.scalpel.capture;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * zstd frames one after another (RFC 8878), decoded by zstd-jni's streaming context, which says
 * where each frame ends; skippable frames are passed over. A frame that needs a window beyond
 * {@link ZstdFrames#MAX_WINDOW} is refused saying so ({@link ZstdFrames#windowTooLarge}).
 */
final class ZstdDecompressor extends Decompressor {
    /** Most bytes of a frame header: magic, descriptor, window, dictionary id, content size. */
    private static final int MAX_FRAME_HEADER = 18;

    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private final ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BUFFER);
    /** File offset of {@code in}'s first byte. */
    private long inBase;
    private boolean frameDone = true;
    private long frameStart;

    ZstdDecompressor(final Path path, final FileChannel channel, final long storedLength, final LongConsumer unitStarts) {
        super(path, channel, storedLength, unitStarts);
    }

    @Override
    void reset(final long compressedOffset) {
        ctx.reset();
        in.clear().limit(0);
        inBase = compressedOffset;
        frameDone = true;
    }

    @Override
    int decode(final ByteBuffer dst) throws IOException {
        if (frameDone) {
            final long c = inBase + in.position();
            if (c >= storedLength) {
                return -1;
            }
            frameStart = c;
            frameDone = false;
            unitStart(c);
        }
        while (true) {
            if (!in.hasRemaining()) {
                inBase += in.limit();
                final long left = storedLength - inBase;
                if (left <= 0) {
                    throw corrupt(frameStart, "zstd frame cut short: the file ends (at compressed byte " + storedLength
                        + ") before the frame does");
                }
                in.clear().limit((int) Math.min(in.capacity(), left));
                readFully(in, inBase);
                in.flip();
            }
            final int p0 = dst.position();
            final int i0 = in.position();
            final boolean done;
            try {
                done = ctx.decompressDirectByteBufferStream(dst, in);
            } catch (ZstdException e) {
                final long window = windowOfFrame(frameStart);
                if (window > ZstdFrames.MAX_WINDOW) {
                    throw corrupt(frameStart, ZstdFrames.windowTooLarge(window, true));
                }
                throw corrupt(frameStart, "corrupt zstd frame, in its compressed bytes before offset "
                    + (inBase + in.limit()) + " (" + e.getMessage() + ")");
            }
            final int n = dst.position() - p0;
            if (done) {
                frameDone = true;
                return n;
            }
            if (n > 0 || !dst.hasRemaining()) {
                return n;
            }
            if (in.hasRemaining() && in.position() == i0) {
                throw corrupt(inBase + in.position(), "zstd decompression makes no progress in the frame starting at compressed byte "
                    + frameStart);
            }
        }
    }

    /** The window the frame at {@code offset} of the file needs, or -1 when its header cannot be read. */
    private long windowOfFrame(final long offset) throws IOException {
        final ByteBuffer header = ByteBuffer.allocate(MAX_FRAME_HEADER);
        final int n = readFully(header, offset);
        return ZstdFrames.windowSize(header.array(), n);
    }

    @Override
    void close() {
        ctx.close();
    }
}
