package io.scalpel.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A plain capture read once from start to end (the index scan) through one small window that
 * moves along the file, as {@link CompressedFile} moves along a decompressed one: when a span
 * asked for ({@link #ensure}) is not in the window, the bytes still needed are moved to its front
 * and the rest is filled from the channel. Every byte of the file is read once, and the window
 * stays small enough to be in the processor's cache when its records are decoded, which is what
 * a scan of a mapping (a page fault per page) or of large buffers (the bytes gone from the cache
 * by the time they are read) spends most of its time on.
 *
 * <p>A read behind the window (a record read again at its offset) refills the window from there;
 * the scan's next read moves it forward again. For one thread; a view is valid until the next
 * {@link #ensure} of a span outside the window.
 */
public final class SequentialFile implements CaptureSource {
    private final Path path;
    private final FileChannel channel;
    private final long size;
    /** What the file was when opened: to tell that it changed while it was read ({@link #change}). */
    private final FileState opened;
    private final int capacity;
    private final ByteBuffer bigEndian;
    private final ByteBuffer littleEndian;
    /** File position of the window's first byte, and how many bytes of the file it holds. */
    private long windowBase;
    private int filled;

    private SequentialFile(final Path path, final long size, final int window) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            this.opened = FileState.of(path, channel);
            this.size = size < 0 ? opened.size() : Math.min(size, opened.size());
            this.capacity = (int) Math.min(window + (long) MappedFile.OVERLAP, Math.max(1, this.size));
            this.bigEndian = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
            this.littleEndian = bigEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens the first {@code size} bytes of a plain capture (all when negative) for one pass,
     * through a window of {@code window} bytes plus {@link MappedFile#OVERLAP} (the longest span
     * a reader asks for at once).
     */
    public static SequentialFile open(final Path path, final long size, final long window) throws IOException {
        if (window <= 0 || window > Integer.MAX_VALUE - MappedFile.OVERLAP) {
            throw new IllegalArgumentException("window out of range: " + window);
        }
        return new SequentialFile(path, size, (int) window);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long storedLength() {
        return size;
    }

    /**
     * Moves the window so that it holds {@code [from, to)} (or the file up to its end), reading
     * from the channel; returns the file's size when the window reaches its end, else the end of
     * the window (at least {@code to}).
     *
     * @throws UncheckedIOException when the file is shorter than it was when opened
     *                              ({@link CaptureChangedException}) or cannot be read
     */
    @Override
    public long ensure(final long from, final long to) {
        if (from >= size) {
            return size;
        }
        final long end = windowBase + filled;
        if (from < windowBase || to > end && end < size) {
            move(from);
        }
        final long now = windowBase + filled;
        return now >= size ? size : now;
    }

    private void move(final long from) {
        if (from >= windowBase && from < windowBase + filled) {
            // keep the bytes from `from` on (the start of a record), at the front
            final int keep = (int) (from - windowBase);
            bigEndian.limit(filled).position(keep);
            bigEndian.compact();
            filled -= keep;
        } else {
            filled = 0;
        }
        windowBase = from;
        final long limit = Math.min(size, from + capacity);
        final ByteBuffer target = bigEndian.duplicate();
        target.limit((int) (limit - from)).position(filled);
        try {
            final long start = from + filled;
            final long end = start + PositionalReads.readFully(channel, target, start);
            if (end < limit) {
                filled = 0;
                throw new UncheckedIOException(CaptureChangedException.cutShort(path, Math.min(end, channel.size()), size));
            }
        } catch (IOException e) {
            filled = 0;
            throw new UncheckedIOException(new IOException(path + ": cannot read bytes " + from + " to " + limit + ": "
                + e.getMessage(), e));
        }
        filled = (int) (limit - from);
        bigEndian.clear();
    }

    /** One window: every span is in segment 0. */
    @Override
    public int segmentOf(final long position) {
        return 0;
    }

    @Override
    public long segmentBase(final int segment) {
        return windowBase;
    }

    @Override
    public ByteBuffer view(final int segment, final ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? bigEndian : littleEndian;
    }

    @Override
    public String change() throws IOException {
        return opened.change(path, channel, size);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
