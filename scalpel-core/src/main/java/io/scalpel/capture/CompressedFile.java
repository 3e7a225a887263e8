package io.scalpel.capture;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip or zstd capture, decompressed on demand into one reused direct buffer (the window) that
 * moves forward along the capture: heap and disk use do not grow with the capture.
 *
 * <p>Positions are positions in the decompressed capture. {@link #ensure} makes a span readable:
 * a span in the window is there already; one further on is reached by decompressing forward
 * (bytes before it are dropped); one behind the window, or far ahead, restarts decompression at
 * the closest member (gzip) or frame (zstd) of the seek table that starts at or before it, or at
 * the start of the file when there is no such table (a single stream).
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
    private static final int INPUT_BUFFER = 256 << 10;

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
    private final Decoder decoder;
    private long windowBase;
    private int filled;
    private boolean started;
    private boolean ended;
    private long size;
    private long streamPos;
    private long[] seekCompressed;
    private long[] seekDecompressed;
    private int seekCount;
    private long seekSpacing;
    private long units;
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
            this.decoder = codec == Compression.GZIP ? new Gzip() : new Zstd();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (layout != null && layout.seekTable() != null && !layout.seekTable().isEmpty()) {
            seekCount = layout.seekTable().size();
            seekCompressed = new long[seekCount];
            seekDecompressed = new long[seekCount];
            for (int i = 0; i < seekCount; i++) {
                seekCompressed[i] = layout.seekTable().get(i)[0];
                seekDecompressed[i] = layout.seekTable().get(i)[1];
            }
            size = layout.decompressedSize();
            units = layout.units();
        } else {
            seekCompressed = new long[16];
            seekDecompressed = new long[16];
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
        final List<long[]> table = new ArrayList<>(seekCount);
        for (int i = 0; i < seekCount; i++) {
            table.add(new long[] {seekCompressed[i], seekDecompressed[i]});
        }
        return new CompressedLayout(codec.label(), ended ? size : windowBase + filled, units, table);
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
        final int seek = seekIndex(from);
        final long seekAt = seek >= 0 ? seekDecompressed[seek] : 0;
        if (!started || from < windowBase || seekAt > windowBase + filled) {
            restart(seek >= 0 ? seekCompressed[seek] : 0, seekAt);
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
        decoder.reset(compressedOffset);
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
                n = decoder.decode(window);
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

    /** The last seek point at or before {@code position}, or -1. */
    private int seekIndex(final long position) {
        int i = Arrays.binarySearch(seekDecompressed, 0, seekCount, position);
        if (i < 0) {
            i = -i - 2;
        }
        return i;
    }

    /** A member or frame starts at {@code compressedOffset}, at the current decompressed position. */
    private void unitStart(final long compressedOffset) {
        unitsRead++;
        if (!scanning) {
            return;
        }
        units++;
        if (seekCount == 0 || (streamPos - seekDecompressed[seekCount - 1] > seekSpacing
            && compressedOffset > seekCompressed[seekCount - 1])) {
            if (seekCount == MAX_SEEK_POINTS) {
                for (int i = 0; i < seekCount / 2; i++) {
                    seekCompressed[i] = seekCompressed[2 * i];
                    seekDecompressed[i] = seekDecompressed[2 * i];
                }
                seekCount /= 2;
                seekSpacing = Math.max(1, seekSpacing * 2);
                if (streamPos - seekDecompressed[seekCount - 1] <= seekSpacing) {
                    return;
                }
            }
            if (seekCount == seekCompressed.length) {
                seekCompressed = Arrays.copyOf(seekCompressed, seekCount * 2);
                seekDecompressed = Arrays.copyOf(seekDecompressed, seekCount * 2);
            }
            seekCompressed[seekCount] = compressedOffset;
            seekDecompressed[seekCount] = streamPos;
            seekCount++;
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
            decoder.close();
        } finally {
            channel.close();
        }
    }

    private CompressedCaptureException corrupt(final long offset, final String message) {
        return new CompressedCaptureException(path, offset, message);
    }

    /** Reads {@code dst.remaining()} bytes at {@code position} or up to the end of the file; returns bytes read. */
    private int readFully(final ByteBuffer dst, final long position) throws IOException {
        int n = 0;
        while (dst.hasRemaining()) {
            final int r = channel.read(dst, position + n);
            if (r <= 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    /** Produces decompressed bytes. */
    private abstract static class Decoder {
        /** Continues at the member or frame that starts at {@code compressedOffset}. */
        abstract void reset(long compressedOffset);

        /** Decompresses into {@code dst}; bytes produced, or -1 at the end of the file. */
        abstract int decode(ByteBuffer dst) throws IOException;

        void close() {
        }
    }

    /** gzip members one after another, each checked against its CRC-32 and length. */
    private final class Gzip extends Decoder {
        private static final int FTEXT_HCRC = 2;
        private static final int FEXTRA = 4;
        private static final int FNAME = 8;
        private static final int FCOMMENT = 16;
        private final Inflater inflater = new Inflater(true);
        private final ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BUFFER);
        private final CRC32 crc = new CRC32();
        private final byte[] header = new byte[64 * 1024];
        private final ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long next;
        private boolean inMember;
        private long memberStart;
        private long dataStart;
        private long inputPos;
        private long memberOut;

        @Override
        void reset(final long compressedOffset) {
            next = compressedOffset;
            inMember = false;
        }

        @Override
        int decode(final ByteBuffer dst) throws IOException {
            while (true) {
                if (!inMember) {
                    if (next >= storedLength) {
                        return -1;
                    }
                    startMember();
                }
                if (inflater.needsInput()) {
                    final long left = storedLength - inputPos;
                    if (left <= 0) {
                        throw corrupt(memberStart, "gzip member cut short: the file ends (at compressed byte " + storedLength
                            + ") before the member's compressed data does");
                    }
                    in.clear().limit((int) Math.min(in.capacity(), left));
                    final int r = readFully(in, inputPos);
                    inputPos += r;
                    in.flip();
                    inflater.setInput(in);
                }
                final int p0 = dst.position();
                final int n;
                try {
                    n = inflater.inflate(dst);
                } catch (DataFormatException e) {
                    throw corrupt(dataStart + inflater.getBytesRead(), "invalid deflate data in the gzip member starting at compressed byte "
                        + memberStart + " (" + e.getMessage() + ")");
                }
                if (n > 0) {
                    crc.update(dst.duplicate().position(p0).limit(p0 + n));
                    memberOut += n;
                }
                if (inflater.finished()) {
                    endMember();
                    return n;
                }
                if (n > 0 || !dst.hasRemaining()) {
                    return n;
                }
                if (inflater.needsDictionary()) {
                    throw corrupt(memberStart, "gzip member asks for a preset dictionary, which gzip does not have");
                }
            }
        }

        private void startMember() throws IOException {
            final ByteBuffer h = ByteBuffer.wrap(header, 0, (int) Math.min(header.length, storedLength - next));
            final int avail = readFully(h, next);
            if (avail < 10) {
                throw corrupt(next, "gzip member header cut short: " + avail + " of at least 10 bytes");
            }
            if ((header[0] & 0xFF) != 0x1F || (header[1] & 0xFF) != 0x8B) {
                throw corrupt(next, String.format("not a gzip member (bytes 0x%02x 0x%02x, not 0x1f 0x8b): "
                    + "data after the last member, or a member boundary in the wrong place", header[0] & 0xFF, header[1] & 0xFF));
            }
            if (header[2] != 8) {
                throw corrupt(next + 2, "gzip compression method " + (header[2] & 0xFF) + " is not deflate (8)");
            }
            final int flags = header[3] & 0xFF;
            int p = 10;
            if ((flags & FEXTRA) != 0) {
                p = p + 2 > avail ? Integer.MAX_VALUE : p + 2 + ((header[p] & 0xFF) | (header[p + 1] & 0xFF) << 8);
            }
            for (int flag : new int[] {FNAME, FCOMMENT}) {
                if ((flags & flag) != 0 && p < avail) {
                    while (p < avail && header[p] != 0) {
                        p++;
                    }
                    p++;
                }
            }
            if ((flags & FTEXT_HCRC) != 0 && p != Integer.MAX_VALUE) {
                p += 2;
            }
            if (p > avail) {
                throw corrupt(next, avail == header.length ? "gzip member header longer than " + header.length + " bytes"
                    : "gzip member header cut short at the end of the file");
            }
            memberStart = next;
            dataStart = next + p;
            inputPos = dataStart;
            inflater.reset();
            crc.reset();
            memberOut = 0;
            inMember = true;
            unitStart(memberStart);
        }

        private void endMember() throws IOException {
            final long trailerAt = dataStart + inflater.getBytesRead();
            trailer.clear();
            if (readFully(trailer, trailerAt) < 8) {
                throw corrupt(trailerAt, "gzip member (starting at compressed byte " + memberStart
                    + ") cut short in its 8-byte trailer");
            }
            final long stored = trailer.getInt(0) & 0xFFFF_FFFFL;
            final long isize = trailer.getInt(4) & 0xFFFF_FFFFL;
            if (stored != crc.getValue()) {
                throw corrupt(trailerAt, String.format("gzip member (starting at compressed byte %d): CRC-32 0x%08x of the data "
                    + "differs from the 0x%08x its trailer records", memberStart, crc.getValue(), stored));
            }
            if (isize != (memberOut & 0xFFFF_FFFFL)) {
                throw corrupt(trailerAt, "gzip member (starting at compressed byte " + memberStart + "): " + memberOut
                    + " bytes of data, its trailer records " + isize + " (mod 2^32)");
            }
            next = trailerAt + 8;
            inMember = false;
        }

        @Override
        void close() {
            inflater.end();
        }
    }

    /** zstd frames one after another (skippable frames are passed over). */
    private final class Zstd extends Decoder {
        private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
        private final ByteBuffer in = ByteBuffer.allocateDirect(INPUT_BUFFER);
        /** File offset of {@code in}'s first byte. */
        private long inBase;
        private boolean frameDone = true;
        private long frameStart;

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
            final ByteBuffer header = ByteBuffer.allocate(18);
            final int n = readFully(header, offset);
            return ZstdFrames.windowSize(header.array(), n);
        }

        @Override
        void close() {
            ctx.close();
        }
    }
}
