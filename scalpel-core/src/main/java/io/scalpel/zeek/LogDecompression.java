package io.scalpel.zeek;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStream;
import io.scalpel.capture.ZstdFrames;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The decompressing streams of a gzip'd or zstd-compressed log ({@link LogStream}), and what their
 * failures mean. A class of its own so that reading a plain log loads none of the decompressors'
 * classes (zstd's are a native library's).
 */
final class LogDecompression {
    /** Most bytes of a zstd frame header: magic, descriptor, window, dictionary id, content size. */
    private static final int ZSTD_FRAME_HEADER = 18;

    private LogDecompression() {
    }

    /**
     * The text of gzip data.
     *
     * @throws ConnLogFormatException when its header is unreadable
     */
    static InputStream gzip(final InputStream in, final String source) throws IOException {
        try {
            return new GZIPInputStream(in, LogStream.BUFFER_SIZE);
        } catch (ZipException | EOFException e) {
            throw new ConnLogFormatException(source, 0, "unreadable gzip data: " + e.getMessage(), e);
        }
    }

    /**
     * The text of zstd data.
     *
     * @throws ConnLogFormatException when its first frame needs a window beyond what is decoded
     *                                (told by its header, before decoding)
     */
    static InputStream zstd(final BufferedInputStream in, final String source) throws IOException {
        in.mark(ZSTD_FRAME_HEADER);
        final byte[] header = in.readNBytes(ZSTD_FRAME_HEADER);
        in.reset();
        final long window = ZstdFrames.windowSize(header, header.length);
        if (window > ZstdFrames.MAX_WINDOW) {
            throw new ConnLogFormatException(source, 1, "unreadable zstd data: " + ZstdFrames.windowTooLarge(window, false));
        }
        return new ZstdInputStream(in);
    }

    /** What a failure of the gzip stream means: unreadable gzip data at {@code line}, or {@code e} itself. */
    static IOException gzipFailure(final IOException e, final String source, final long line) {
        if (e instanceof ZipException || e instanceof EOFException) {
            return new ConnLogFormatException(source, line, "unreadable gzip data: " + e.getMessage(), e);
        }
        return e;
    }

    /** What a failure of the zstd stream means: unreadable zstd data at {@code line}, or {@code e} itself. */
    static IOException zstdFailure(final IOException e, final String source, final long line) {
        if (e instanceof ZstdIOException z) {
            final boolean window = z.getErrorCode() == Zstd.errFrameParameterWindowTooLarge();
            return new ConnLogFormatException(source, line, "unreadable zstd data: "
                + (window ? ZstdFrames.windowTooLarge(-1, false) : e.getMessage()), e);
        }
        return e;
    }
}
