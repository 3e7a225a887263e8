package io.scalpel.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A plain capture read at scattered offsets (the records a slice confirms and writes) by
 * positional reads ({@link FileChannel#read(ByteBuffer, long)}) into one small reused window,
 * instead of through the file's mapping: the first touch of a mapped page is a page fault, which
 * costs more than copying a record's bytes out of the page cache, and a slice touches one or two
 * pages per record, each once.
 *
 * <p>A span asked for ({@link #ensure}) that is not in the window is read from its start, with
 * some bytes after it (the read-ahead): a record's header and its frame come in one read, and so do
 * records that lie close together. The read-ahead starts at {@link #FIRST_READ_AHEAD} bytes and
 * doubles, up to {@link #MAX_READ_AHEAD}, while each read starts where the window ends (a run of
 * adjacent records, e.g. a time window); a read elsewhere starts it small again.
 *
 * <p>A record kept from an earlier read ({@link KeptRecords}) is copied into the window instead of
 * read: the extract of a slice reads again the records its confirmation read.
 *
 * <p>The view of a span is valid until the next {@link #ensure} of a span outside the window. For
 * one thread: each reader of a {@link MappedFile} gets its own ({@link MappedFile#scattered}); the
 * channel, the size and the check for changes are the mapped file's.
 */
final class ScatteredFile implements CaptureSource {
    /**
     * Bytes read after a span that starts a new run of reads: a record's header and a full Ethernet
     * frame (1 514 bytes) come in one read. 15 443 reads at scattered offsets of the 8 GiB capture,
     * pages cached, took 26 to 35 ms with 2 KiB, 31 to 47 ms with 4 KiB (docs/performance.md).
     */
    static final int FIRST_READ_AHEAD = 2 * 1024;
    /** Most bytes read after a span, when the reads follow one another. */
    static final int MAX_READ_AHEAD = MappedFile.OVERLAP;
    /** The window a reader starts with (a record and its read-ahead), grown to the longest span read. */
    private static final int SMALLEST_WINDOW = 16 * 1024;

    private final MappedFile file;
    private final FileChannel channel;
    /** Records read before, served without a read (null: none). */
    private final KeptRecords kept;
    private final long size;
    private ByteBuffer bigEndian;
    private ByteBuffer littleEndian;
    /** File position of the window's first byte, and how many bytes of the file it holds. */
    private long windowBase;
    private int filled;
    private int readAhead = FIRST_READ_AHEAD;
    private long reads;

    ScatteredFile(final MappedFile file, final FileChannel channel, final KeptRecords kept) {
        this.file = file;
        this.channel = channel;
        this.kept = kept;
        this.size = file.size();
        allocate(SMALLEST_WINDOW);
    }

    private void allocate(final int capacity) {
        bigEndian = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
        littleEndian = bigEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        filled = 0;
    }

    @Override
    public Path path() {
        return file.path();
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
     * Reads {@code [from, to)} (or the file up to its end) into the window when it is not there;
     * returns the file's size when the window reaches its end, else the end of the window (at least
     * {@code to}).
     *
     * @throws CaptureChangedException when the file is shorter than it was when opened
     * @throws UncheckedIOException     when the file cannot be read
     */
    @Override
    public long ensure(final long from, final long to) throws CaptureFormatException {
        if (from >= size) {
            return size;
        }
        final long end = windowBase + filled;
        if (from < windowBase || to > end) {
            fill(from, to);
        }
        final long now = windowBase + filled;
        return now >= size ? size : now;
    }

    private void fill(final long from, final long to) throws CaptureFormatException {
        final int keptLength = kept == null ? -1 : kept.copy(from, to, bigEndian);
        if (keptLength >= 0) {
            windowBase = from;
            filled = keptLength;
            return;
        }
        final long end = windowBase + filled;
        readAhead = filled > 0 && from >= windowBase && from <= end ? Math.min(readAhead * 2, MAX_READ_AHEAD) : FIRST_READ_AHEAD;
        final long limit = Math.min(size, Math.max(to, from) + readAhead);
        final int length = (int) (limit - from);
        if (length > bigEndian.capacity()) {
            allocate(Integer.highestOneBit(length - 1) << 1);
        }
        final ByteBuffer target = bigEndian.duplicate();
        target.clear().limit(length);
        filled = 0;
        try {
            final int n = PositionalReads.readFully(channel, target, from);
            reads++;
            if (n < length) {
                throw cutShort(from + n);
            }
        } catch (CaptureChangedException e) {
            throw e;
        } catch (ClosedChannelException e) {
            windowBase = from;
            filled = copyMapped(from, length);
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(file.path() + ": cannot read bytes " + from + " to " + limit + ": "
                + e.getMessage(), e));
        }
        windowBase = from;
        filled = length;
    }

    /**
     * Copies {@code [from, from + length)} from the file's mapping, or as much of it as the view of
     * its segment holds (at least the span asked for, which {@link MappedFile#OVERLAP} bounds), and
     * returns how many bytes: the file's owner closed its channel, but a mapping outlives the
     * channel, and a reader that still holds the file reads on as it did through the mapping (a
     * capture replaced under a service, still read by a request).
     */
    private int copyMapped(final long from, final int length) {
        final int segment = file.segmentOf(from);
        final ByteBuffer view = file.view(segment, ByteOrder.BIG_ENDIAN);
        final int at = (int) (from - file.segmentBase(segment));
        final int n = Math.min(length, view.limit() - at);
        bigEndian.put(0, view, at, n);
        return n;
    }

    /**
     * The exception for a read that found the file's end at {@code at}, before the size it had when
     * opened: in the words of {@link #change()}, as a read of the mapping would have it.
     */
    private CaptureChangedException cutShort(final long at) throws IOException {
        final String how = file.change();
        return how != null ? new CaptureChangedException(file.path(), at, how)
            : CaptureChangedException.cutShort(file.path(), Math.min(at, channel.size()), size);
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

    /** Windows filled from the channel so far (for tests). */
    long reads() {
        return reads;
    }

    @Override
    public String change() throws IOException {
        return file.change();
    }

    /** The mapped file owns the channel: nothing to close. */
    @Override
    public void close() {
    }
}
