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
 * <p>One sequential pass (the index scan) reads a plain capture through {@link SequentialFile}
 * instead, and a slice reads its records at scattered offsets through a {@link ScatteredFile} of
 * its own ({@link #scattered}): a copy through a small window costs less than a page fault per
 * page touched.
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

    /**
     * Maps the first {@code size} bytes of the file (a snapshot of a possibly growing file).
     */
    public MappedFile(final Path path, final long size, final long segmentSize) throws IOException {
        if (segmentSize <= 0 || segmentSize > Integer.MAX_VALUE - OVERLAP) {
            throw new IllegalArgumentException("segmentSize out of range: " + segmentSize);
        }
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        this.opened = FileState.of(path, channel);
        this.size = size < 0 ? opened.size() : Math.min(size, opened.size());
        this.segmentSize = segmentSize;
        final int segments = (int) Math.max(1, (this.size + segmentSize - 1) / segmentSize);
        this.littleEndian = new ByteBuffer[segments];
        this.bigEndian = new ByteBuffer[segments];
        try {
            for (int i = 0; i < segments; i++) {
                final long base = segmentBase(i);
                final long length = Math.max(0, Math.min(segmentSize + OVERLAP, this.size - base));
                final MappedByteBuffer mapped = map(channel, path, base, length, this.size);
                littleEndian[i] = mapped.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                bigEndian[i] = mapped.duplicate().order(ByteOrder.BIG_ENDIAN);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Maps {@code [base, base + length)}. A file cut short since its size was taken cannot be mapped
     * that far (a read-only channel cannot extend it; the JDK says "Channel not open for writing"):
     * that is the capture changing while it is read ({@code size}: what it was when opened), not a
     * fault of the mapping.
     */
    static MappedByteBuffer map(final FileChannel channel, final Path path, final long base, final long length,
                                final long size) throws IOException {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, base, length);
        } catch (IOException e) {
            final long now = channel.size();
            if (now < base + length) {
                throw CaptureChangedException.cutShort(path, now, size);
            }
            throw e;
        }
    }

    public static MappedFile open(final Path path) throws IOException {
        return new MappedFile(path, -1, DEFAULT_SEGMENT_SIZE);
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
        return order == ByteOrder.BIG_ENDIAN ? bigEndian[segment] : littleEndian[segment];
    }

    /** Positional reads of this file's records into a window of the caller's own ({@link ScatteredFile}). */
    @Override
    public CaptureSource scattered(final KeptRecords kept) {
        return new ScatteredFile(this, channel, kept);
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
