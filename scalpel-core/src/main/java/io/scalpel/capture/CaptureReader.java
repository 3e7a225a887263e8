package io.scalpel.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the records of a capture in file order into a reused {@link Frame}. The file is memory
 * mapped ({@link MappedFile}), or decompressed into a moving window ({@link CompressedFile}, for
 * gzip and zstd captures); nothing of it is loaded into the heap.
 *
 * <p>Malformed structures throw {@link CaptureFormatException} with the byte offset. A file that
 * ends inside a record (cut short, or still being written) is not malformed: {@link #next}
 * returns false and {@link #truncatedTailOffset()} says where the incomplete record starts.
 */
public abstract class CaptureReader implements Closeable {
    /** Largest captured length accepted for one frame; larger is corruption. */
    public static final int MAX_CAPLEN = 256 * 1024;
    /** Most warnings kept as text; the rest are only counted. */
    public static final int MAX_WARNINGS_KEPT = 20;

    static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;
    static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    static final int PCAPNG_SHB_TYPE = 0x0A0D0D0A;

    protected final CaptureSource file;
    protected long position;
    private boolean ownsFile = true;
    private long truncatedTailOffset = -1;
    private String truncatedTailReason;
    private final java.util.List<String> warnings = new java.util.ArrayList<>();
    private long warningCount;

    protected CaptureReader(final CaptureSource file) {
        this.file = file;
    }

    /**
     * A reader over an already mapped capture (several readers may share one mapping, e.g. one
     * per thread); closing the reader leaves the mapping open.
     */
    public static CaptureReader on(final CaptureSource file) throws IOException {
        final CaptureReader r = forMagic(file);
        r.ownsFile = false;
        return r;
    }

    /** Opens a capture, choosing the reader by its magic number. */
    public static CaptureReader open(final Path path) throws IOException {
        return open(path, -1, MappedFile.DEFAULT_SEGMENT_SIZE);
    }

    /**
     * Opens the first {@code length} bytes of a capture ({@code -1}: the whole file as it is now),
     * mapped in segments of {@code segmentSize} bytes (or decompressed, for a gzip or zstd capture).
     */
    public static CaptureReader open(final Path path, final long length, final long segmentSize) throws IOException {
        requireRegularFile(path);
        return owning(CaptureSource.open(path, length, segmentSize));
    }

    /**
     * Opens a capture for one sequential pass, read through the channel in windows of
     * {@code segmentSize} bytes instead of mapped ({@link MappedFile#buffered}): for the index scan.
     */
    public static CaptureReader openSequential(final Path path, final long length, final long segmentSize) throws IOException {
        requireRegularFile(path);
        return owning(CaptureSource.openSequential(path, length, segmentSize));
    }

    /**
     * Refuses what cannot be a capture file: a missing file ({@link java.nio.file.NoSuchFileException}),
     * stdin ({@code -}), a pipe or a device: a capture is read at random offsets and indexed beside
     * it, so it is never read as a stream (a FileSystemException saying so).
     */
    public static void requireRegularFile(final Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return;
        }
        final String advice = "a capture is read at random offsets and indexed beside it; save it to a file first"
            + " (gzip and zstd captures are read as they are)";
        if (path.toString().equals("-")) {
            throw new java.nio.file.FileSystemException("-", null, "a capture cannot come from stdin: " + advice);
        }
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        throw new java.nio.file.FileSystemException(path.toString(), null,
            "not a regular file (a pipe, a device or a directory): " + advice);
    }

    private static CaptureReader owning(final CaptureSource file) throws IOException {
        try {
            return forMagic(file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static CaptureReader forMagic(final CaptureSource file) throws IOException {
        final Path path = file.path();
        {
            final long size = file.ensure(0, 4);
            if (size < 4) {
                throw new CaptureFormatException(path, 0, size == 0
                    ? "empty file: not a pcap or pcapng capture"
                    : "file of " + size + " bytes is too short for a capture header");
            }
            final int magic = file.view(0, ByteOrder.BIG_ENDIAN).getInt(0);
            if (magic == PCAPNG_SHB_TYPE) {
                return new PcapngReader(file);
            }
            if (magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS
                || magic == Integer.reverseBytes(PCAP_MAGIC_MICROS) || magic == Integer.reverseBytes(PCAP_MAGIC_NANOS)) {
                return new PcapReader(file);
            }
            throw new CaptureFormatException(path, 0, String.format(
                "unknown capture format: magic number 0x%08x is neither pcap nor pcapng%s", magic,
                (magic & 0xFFFF0000) == 0x1F8B0000 ? " (the file is gzip-compressed)" : ""));
        }
    }

    /** Reads the next frame into {@code frame}; false at the end of the capture (clean or truncated). */
    public abstract boolean next(Frame frame) throws CaptureFormatException;

    /**
     * Reads the record that starts at {@code offset} (random access, e.g. from an index) without
     * moving {@link #position()}. For pcapng the reader must have seen, or been given with
     * {@link PcapngReader#layout}, the section and interface blocks before that offset.
     *
     * @throws CaptureFormatException when there is no whole, well-formed record at that offset
     */
    public abstract void readAt(long offset, Frame frame) throws CaptureFormatException;

    public abstract CaptureFormat format();

    /** Byte order of the file's headers (of the current section for pcapng). */
    public abstract ByteOrder byteOrder();

    public Path path() {
        return file.path();
    }

    public CaptureSource file() {
        return file;
    }

    /** Bytes of the capture covered by this reader. */
    public long size() {
        return file.size();
    }

    /** Offset of the next record to be read: after the last whole record once {@link #next} returned false. */
    public long position() {
        return position;
    }

    /** Offset of the incomplete last record, or -1 when the capture ended on a record boundary. */
    public long truncatedTailOffset() {
        return truncatedTailOffset;
    }

    public String truncatedTailReason() {
        return truncatedTailReason;
    }

    protected final void truncatedTail(final long offset, final String reason) {
        truncatedTailOffset = offset;
        truncatedTailReason = reason;
    }

    /** Oddities the reader accepted and normalised (e.g. a timestamp fraction of a second or more). */
    public java.util.List<String> warnings() {
        return java.util.Collections.unmodifiableList(warnings);
    }

    public long warningCount() {
        return warningCount;
    }

    protected final void warn(final long offset, final String message) {
        warningCount++;
        if (warnings.size() < MAX_WARNINGS_KEPT) {
            warnings.add("byte offset " + offset + ": " + message);
        }
    }

    protected final CaptureFormatException malformed(final long offset, final String message) {
        return new CaptureFormatException(file.path(), offset, message);
    }

    @Override
    public void close() throws IOException {
        if (ownsFile) {
            file.close();
        }
    }
}
