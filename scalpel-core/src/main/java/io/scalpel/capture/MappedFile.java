package io.scalpel.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file mapped read-only as a row of overlapping segments, so that files far beyond the 2 GiB
 * limit of one {@link MappedByteBuffer} can be read with plain {@code ByteBuffer} gets.
 *
 * <p>Segment {@code i} starts at {@code i * segmentSize} and maps {@code segmentSize + OVERLAP}
 * bytes (less at the end of the file). Any span of at most {@link #OVERLAP} bytes that starts in
 * segment {@code i} therefore lies wholly inside that one mapping: a record never has to be
 * stitched together from two buffers. All segments are mapped when the file is opened (mapping
 * reserves address space; pages are read on first touch); the mapping lives outside the heap and
 * is released with the file's last reference.
 *
 * <p>Each segment has a little- and a big-endian view over the same memory; readers pick the
 * view whose order matches the field they read, so byte order is explicit at every read.
 * Thread-safe: views are shared read-only and only absolute gets are used on them.
 *
 * <p>{@link #buffered} opens the same row of segments without mapping: a segment's view is a
 * reused direct buffer that the channel fills on demand, two segments at a time. That is for one
 * sequential pass (the index scan): reading ahead through the channel costs a copy, but no page
 * fault per page touched, which is what a mapped first pass spends most of its time on. A
 * buffered file is for one thread, and a view is valid until the next {@link #view} call that
 * loads a third segment.
 */
public final class MappedFile implements CaptureSource {
    /** Default segment size: 1 GiB. */
    public static final long DEFAULT_SEGMENT_SIZE = 1L << 30;
    /** Longest span guaranteed to be readable from one segment view. */
    public static final int OVERLAP = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    /** What the file was when opened: to tell that it changed while it was read ({@link #change}). */
    private final FileState opened;
    private final long segmentSize;
    private final ByteBuffer[] littleEndian;
    private final ByteBuffer[] bigEndian;
    /** Buffered mode: the two windows, the segment each holds (-1: none) and the one used last. */
    private final Window[] windows;
    private int lastWindow;

    /** A reused direct buffer holding one segment of a buffered file. */
    private static final class Window {
        final ByteBuffer bigEndian;
        final ByteBuffer littleEndian;
        int segment = -1;

        Window(final int capacity) {
            bigEndian = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
            littleEndian = bigEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * Maps the first {@code size} bytes of the file (a snapshot of a possibly growing file).
     */
    public MappedFile(final Path path, final long size, final long segmentSize) throws IOException {
        this(path, size, segmentSize, false);
    }

    private MappedFile(final Path path, final long size, final long segmentSize, final boolean buffered) throws IOException {
        if (segmentSize <= 0 || segmentSize > Integer.MAX_VALUE - OVERLAP) {
            throw new IllegalArgumentException("segmentSize out of range: " + segmentSize);
        }
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.opened = FileState.of(path, channel);
        this.size = size < 0 ? opened.size() : Math.min(size, opened.size());
        this.segmentSize = segmentSize;
        if (buffered) {
            littleEndian = null;
            bigEndian = null;
            final int capacity = (int) Math.min(segmentSize + OVERLAP, Math.max(1, this.size));
            windows = new Window[] {new Window(capacity), new Window(capacity)};
            return;
        }
        windows = null;
        final int segments = (int) Math.max(1, (this.size + segmentSize - 1) / segmentSize);
        this.littleEndian = new ByteBuffer[segments];
        this.bigEndian = new ByteBuffer[segments];
        try {
            for (int i = 0; i < segments; i++) {
                final long base = segmentBase(i);
                final long length = Math.max(0, Math.min(segmentSize + OVERLAP, this.size - base));
                final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, base, length);
                littleEndian[i] = mapped.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                bigEndian[i] = mapped.duplicate().order(ByteOrder.BIG_ENDIAN);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public static MappedFile open(final Path path) throws IOException {
        return new MappedFile(path, -1, DEFAULT_SEGMENT_SIZE);
    }

    /**
     * Opens the first {@code size} bytes (all when negative) for one sequential pass, read through
     * the channel into two reused buffers of {@code segmentSize + OVERLAP} bytes instead of mapped
     * (see the class comment).
     */
    public static MappedFile buffered(final Path path, final long size, final long segmentSize) throws IOException {
        return new MappedFile(path, size, segmentSize, true);
    }

    @Override
    public Path path() {
        return path;
    }

    /** Bytes of the file covered by this mapping. */
    @Override
    public long size() {
        return size;
    }

    @Override
    public long storedLength() {
        return size;
    }

    /** Every byte is mapped: nothing to do. */
    @Override
    public long ensure(final long from, final long to) {
        return size;
    }

    public long segmentSize() {
        return segmentSize;
    }

    /** Index of the segment whose view holds a span starting at {@code position}. */
    @Override
    public int segmentOf(final long position) {
        return (int) (position / segmentSize);
    }

    /** File position of the first byte of segment {@code segment}. */
    @Override
    public long segmentBase(final int segment) {
        return segment * segmentSize;
    }

    /**
     * The view of segment {@code segment} in the given byte order. Position {@code p} of the file
     * is at index {@code p - segmentBase(segment)} of the view, for every p the segment maps.
     */
    @Override
    public ByteBuffer view(final int segment, final ByteOrder order) {
        if (windows != null) {
            final Window w = window(segment);
            return order == ByteOrder.BIG_ENDIAN ? w.bigEndian : w.littleEndian;
        }
        return order == ByteOrder.BIG_ENDIAN ? bigEndian[segment] : littleEndian[segment];
    }

    /** Buffered mode: the window holding {@code segment}, filled from the channel into the one used less recently. */
    private Window window(final int segment) {
        if (windows[lastWindow].segment == segment) {
            return windows[lastWindow];
        }
        final int other = lastWindow ^ 1;
        final Window w = windows[other];
        lastWindow = other;
        if (w.segment == segment) {
            return w;
        }
        final long base = segmentBase(segment);
        final int length = (int) Math.max(0, Math.min(segmentSize + OVERLAP, size - base));
        final ByteBuffer target = w.bigEndian.duplicate();
        target.clear().limit(length);
        w.segment = -1;
        try {
            long p = base;
            while (target.hasRemaining()) {
                final int n = channel.read(target, p);
                if (n < 0) {
                    throw CaptureChangedException.cutShort(path, p, size);
                }
                p += n;
            }
        } catch (CaptureChangedException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(new IOException(path + ": cannot read bytes " + base + " to "
                + (base + length) + ": " + e.getMessage(), e));
        }
        w.bigEndian.limit(length);
        w.littleEndian.limit(length);
        w.segment = segment;
        return w;
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
