package io.scalpel.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The bytes of a capture as the readers see them: positions in the (decompressed) capture, read
 * through segment views. {@link MappedFile} maps a plain capture; {@link CompressedFile}
 * decompresses a gzip or zstd capture into a window that moves along the capture.
 *
 * <p>Before reading the span {@code [from, to)} through {@link #view}, a reader calls
 * {@link #ensure}: a mapped file has every byte already, a compressed one decompresses up to
 * {@code to}. Afterwards the span lies in the view of {@code segmentOf(from)} at index
 * {@code p - segmentBase(segment)}, until the next {@code ensure} of a span outside it.
 */
public interface CaptureSource extends Closeable {
    /** The file on disk. */
    Path path();

    /**
     * Bytes of the capture. For a compressed capture whose end has not been decompressed yet and
     * whose size was not given: {@link Long#MAX_VALUE}.
     */
    long size();

    /** Bytes of the file on disk that the capture is read from (what an index fingerprints). */
    long storedLength();

    /**
     * Makes {@code [from, to)} readable (at most {@link MappedFile#OVERLAP} bytes, unless the file is
     * mapped) and returns a bound on the capture's size: the size itself when the capture ends
     * before {@code to}, else a value of at least {@code to}.
     *
     * @throws CaptureFormatException when the compressed bytes are corrupt or cut short
     */
    long ensure(long from, long to) throws CaptureFormatException;

    /** Index of the segment whose view holds a span starting at {@code position}. */
    int segmentOf(long position);

    /** Capture position of the first byte of segment {@code segment}'s view. */
    long segmentBase(int segment);

    /** The view of segment {@code segment} in the given byte order. */
    ByteBuffer view(int segment, ByteOrder order);

    /**
     * Copies the {@code length} bytes of the capture at {@code position} into {@code dst} at
     * {@code dstOffset}, through the segment views as the readers read them, in spans of at most
     * {@link MappedFile#OVERLAP} bytes: a span of any length, from a mapped or a compressed capture.
     * The bytes must lie in the capture (a reader has read the records or blocks they belong to).
     *
     * @throws CaptureFormatException when the compressed bytes are corrupt or cut short
     */
    default void get(final long position, final byte[] dst, final int dstOffset, final int length) throws CaptureFormatException {
        int done = 0;
        while (done < length) {
            final long at = position + done;
            final int n = Math.min(length - done, MappedFile.OVERLAP);
            ensure(at, at + n);
            final int segment = segmentOf(at);
            view(segment, ByteOrder.BIG_ENDIAN).get((int) (at - segmentBase(segment)), dst, dstOffset + done, n);
            done += n;
        }
    }

    /**
     * A source for one thread's reads of records at scattered offsets (a slice's confirmation and
     * writing), over the same file: for a mapped capture, positional reads into a small window of its
     * own ({@link ScatteredFile}), which cost less than a page fault per page; else this source.
     * Closing it leaves this source open.
     */
    default CaptureSource scattered() {
        return scattered(null);
    }

    /**
     * As {@link #scattered()}, with the records {@code kept} (null: none) served from there instead
     * of read from the file again, where the source reads the file (a mapped capture).
     */
    default CaptureSource scattered(final KeptRecords kept) {
        return this;
    }

    /**
     * How the file changed since it was opened, in words, or null when it did not: it is shorter
     * than the bytes read from it, or, at the same size, it was modified in place. A file that grew
     * did not change (a capture still being written); nor did one replaced by another file under the
     * same name (the open file is still the one read).
     */
    String change() throws IOException;

    /** Opens a capture: mapped, or decompressing when it is gzip or zstd (the format is told by its first bytes). */
    static CaptureSource open(final Path path, final long length, final long segmentSize) throws IOException {
        return open(path, length, segmentSize, false);
    }

    /**
     * Opens a capture for one sequential pass: a plain capture read through the channel into a
     * window of {@code segmentSize} bytes that moves along it ({@link SequentialFile}), a
     * compressed one decompressed as by {@link #open}.
     */
    static CaptureSource openSequential(final Path path, final long length, final long segmentSize) throws IOException {
        return open(path, length, segmentSize, true);
    }

    private static CaptureSource open(final Path path, final long length, final long segmentSize, final boolean sequential)
        throws IOException {
        final Compression codec = Compression.detect(path);
        if (codec != null) {
            return CompressedFile.open(path, codec, null, true);
        }
        return sequential ? SequentialFile.open(path, length, segmentSize) : new MappedFile(path, length, segmentSize);
    }
}
