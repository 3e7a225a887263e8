package io.scalpel.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A gzip or zstd capture, decompressed on demand into one reused direct buffer (the window) that
 * moves forward along the capture: heap and disk use do not grow with the capture.
 *
 * <p>Positions are positions in the decompressed capture. {@link #ensure} makes a span readable:
 * a span in the window is there already; one further on is reached by decompressing forward
 * (bytes before it are dropped); one behind the window, or far ahead, restarts decompression at
 * the closest member (gzip) or frame (zstd) of the seek table ({@link SeekTable}) that starts at
 * or before it, or at the start of the file when there is no such table (a single stream). The
 * bytes come from a {@link Decompressor}: {@link GzipDecompressor} or {@link ZstdDecompressor}.
 *
 * <p>Scanning ({@code scanning} true) fills the whole window at a time and records the seek
 * table as members or frames go by ({@link #layout()}); slicing fills only up to the end of the
 * span asked for, so that no member after the last one needed is decompressed.
 *
 * <p>Not thread-safe: the window is shared by every reader over the file.
 */
public final class CompressedFile implements CaptureSource {
    /** Window of a scan: decompressed bytes held at once, plus {@link MappedFile#OVERLAP}. */
    public static final int SCAN_WINDOW = 64 << 20;
    /** Window of a slice. */
    public static final int SLICE_WINDOW = 4 << 20;
    /**
     * Most seek points kept: beyond, every other one is dropped and the spacing between the points
     * kept doubles, so the table stays small however many members the file has.
     */
    public static final int MAX_SEEK_POINTS = 1 << 16;

    private final Path path;
    private final FileChannel channel;
    private final long storedLength;
    /** What the file was when opened: to tell that it changed while it was read ({@link #change}). */
    private final FileState opened;
    private final Compression codec;
    private final boolean scanning;
    private final int capacity;
    private final ByteBuffer window;
    private final ByteBuffer littleEndian;
    private final ByteBuffer bigEndian;
    private final Decompressor decompressor;
    private final SeekTable seekTable;
    private long windowBase;
    private int filled;
    private boolean started;
    private boolean ended;
    private long size;
    private long streamPos;
    private long unitsRead;
    private long bytesDecompressed;
    private long restarts;

    private CompressedFile(final Path path, final Compression codec, final CompressedLayout layout, final boolean scanning)
        throws IOException {
        this.path = path;
        this.codec = codec;
        this.scanning = scanning;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            this.opened = FileState.of(path, channel);
            this.storedLength = opened.size();
            this.capacity = (scanning ? SCAN_WINDOW : SLICE_WINDOW) + MappedFile.OVERLAP;
            this.window = ByteBuffer.allocateDirect(capacity);
            this.littleEndian = window.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            this.bigEndian = window.duplicate().order(ByteOrder.BIG_ENDIAN);
            this.decompressor = Decompressor.of(codec, path, channel, storedLength, this::unitStart);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (layout != null && layout.seekTable() != null && !layout.seekTable().isEmpty()) {
            seekTable = SeekTable.of(layout);
            size = layout.decompressedSize();
        } else {
            seekTable = SeekTable.empty();
            size = Long.MAX_VALUE;
        }
    }

    /**
     * Opens a compressed capture.
     *
     * @param layout   what an index recorded of the file (seek table, size), or null
     * @param scanning true to read it from start to end (an index scan), false for reads at offsets (a slice)
     */
    public static CompressedFile open(final Path path, final Compression codec, final CompressedLayout layout,
                                      final boolean scanning) throws IOException {
        return new CompressedFile(path, codec, layout, scanning);
    }

    public Compression compression() {
        return codec;
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
        return storedLength;
    }

    /** Members (gzip) or frames (zstd) whose decompression began, counting each restart. */
    public long unitsRead() {
        return unitsRead;
    }

    /** Decompressed bytes produced so far (skipped ones included). */
    public long bytesDecompressed() {
        return bytesDecompressed;
    }

    /** What a scan to the end found: the seek table and the size. Only complete after the end was reached. */
    public CompressedLayout layout() {
        return new CompressedLayout(codec.label(), ended ? size : windowBase + filled, seekTable.units(), seekTable.points());
    }

    @Override
    public long ensure(final long from, final long to) throws CaptureFormatException {
        final long end = windowBase + filled;
        if (from >= windowBase && (to <= end || (ended && from <= end))) {
            return ended ? size : end;
        }
        return move(from, Math.min(to, from + capacity));
    }

    private long move(final long from, final long to) throws CaptureFormatException {
        final int seek = seekTable.atOrBefore(from);
        final long seekAt = seek >= 0 ? seekTable.decompressed(seek) : 0;
        if (!started || from < windowBase || seekAt > windowBase + filled) {
            restart(seek >= 0 ? seekTable.compressed(seek) : 0, seekAt);
        }
        // forward to `from`, dropping what lies before it
        while (windowBase + filled <= from && !ended) {
            windowBase += filled;
            filled = 0;
            fill(Math.min(windowBase + capacity, Math.max(to, from + 1)));
        }
        if (ended && from >= windowBase + filled) {
            return size;
        }
        if (from > windowBase) {
            final int drop = (int) (from - windowBase);
            window.limit(filled).position(drop);
            window.compact();
            filled -= drop;
            windowBase = from;
        }
        fill(scanning ? windowBase + capacity : to);
        return ended ? size : windowBase + filled;
    }

    private void restart(final long compressedOffset, final long decompressedOffset) throws CaptureFormatException {
        decompressor.reset(compressedOffset);
        windowBase = decompressedOffset;
        streamPos = decompressedOffset;
        filled = 0;
        ended = false;
        if (started) {
            restarts++;
        }
        started = true;
    }

    /** Decompresses into the window until it holds the capture up to {@code target} (or the capture ends). */
    private void fill(final long target) throws CaptureFormatException {
        final long limit = Math.min(target, windowBase + capacity);
        while (!ended && windowBase + filled < limit) {
            window.limit((int) (limit - windowBase)).position(filled);
            final int n;
            try {
                n = decompressor.decode(window);
            } catch (IOException e) {
                if (e instanceof CaptureFormatException c) {
                    throw c;
                }
                throw new UncheckedIOException(path + ": " + e.getMessage(), e);
            }
            if (n < 0) {
                ended = true;
                size = windowBase + filled;
            } else {
                filled += n;
                streamPos += n;
                bytesDecompressed += n;
            }
        }
    }

    /** A member or frame starts at {@code compressedOffset}, at the current decompressed position. */
    private void unitStart(final long compressedOffset) {
        unitsRead++;
        if (scanning) {
            seekTable.unitStarts(compressedOffset, streamPos);
        }
    }

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
        return opened.change(path, channel, storedLength);
    }

    @Override
    public void close() throws IOException {
        try {
            decompressor.close();
        } finally {
            channel.close();
        }
    }
}
