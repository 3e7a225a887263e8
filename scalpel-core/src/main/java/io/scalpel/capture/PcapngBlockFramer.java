package io.scalpel.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Finds pcapng blocks in a capture without parsing them: where the block at an offset starts and
 * ends, its type and length in the byte order of its section (a section header block sets it, by
 * its byte-order magic), and that its trailing length repeats its leading one. What a block holds
 * is parsed by {@link PcapngReader}. After {@link #next} or {@link #at}, {@link #type()},
 * {@link #length()}, {@link #segment()}, {@link #at()} and {@link #view()} describe the block found.
 *
 * <p>The end of the capture inside a block is not an error but a state: {@link #next} returns false
 * and {@link #truncation()} says what was cut short.
 */
final class PcapngBlockFramer {
    static final int BLOCK_TRAILER_LENGTH = 4;
    static final int MIN_BLOCK_LENGTH = 12;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int BLOCK_TOTAL_LENGTH = 4;
    private static final int SHB_BYTE_ORDER = 8;

    private final CaptureSource file;
    /** Reports malformed blocks, naming the capture. */
    private final CaptureReader reader;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private int type;
    private int length;
    private int segment;
    private int at;
    private ByteBuffer view;
    private String truncation;

    PcapngBlockFramer(final CaptureSource file, final CaptureReader reader) {
        this.file = file;
        this.reader = reader;
    }

    /**
     * Frames the block at {@code pos} of a scan; false when the capture ends at {@code pos}
     * ({@link #truncation()} null) or inside the block (what was cut short). {@code inSection}:
     * a section header block was read before, so another block may come here.
     *
     * @throws CaptureFormatException when the block is malformed: a byte-order magic that is
     *     none, a first block that is not a section header, a bad length, a trailing length that
     *     differs
     */
    boolean next(final long pos, final boolean inSection) throws CaptureFormatException {
        truncation = null;
        long size = file.ensure(pos, pos + MIN_BLOCK_LENGTH);
        if (pos >= size) {
            return false;
        }
        if (pos + MIN_BLOCK_LENGTH > size) {
            truncation = "block header cut short: " + (size - pos) + " bytes left";
            return false;
        }
        segment = file.segmentOf(pos);
        at = (int) (pos - file.segmentBase(segment));
        // The section header's type reads the same in both byte orders; other types are in the section's.
        final boolean sectionHeader = file.view(segment, ByteOrder.BIG_ENDIAN).getInt(at) == PcapngBlock.SECTION_HEADER;
        if (sectionHeader) {
            final int bom = file.view(segment, ByteOrder.BIG_ENDIAN).getInt(at + SHB_BYTE_ORDER);
            if (bom == BYTE_ORDER_MAGIC) {
                order = ByteOrder.BIG_ENDIAN;
            } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                order = ByteOrder.LITTLE_ENDIAN;
            } else {
                throw reader.malformed(pos, String.format("section header byte-order magic 0x%08x is not 0x1a2b3c4d in either order", bom));
            }
        } else if (!inSection) {
            throw reader.malformed(pos, String.format("pcapng file does not start with a section header block (type 0x%08x)",
                file.view(segment, order).getInt(at)));
        }
        view = file.view(segment, order);
        type = view.getInt(at);
        length = view.getInt(at + BLOCK_TOTAL_LENGTH);
        if (length < MIN_BLOCK_LENGTH || (length & 3) != 0) {
            throw reader.malformed(pos, String.format("block type 0x%08x has length %d (must be a multiple of 4, at least %d)",
                type, Integer.toUnsignedLong(length), MIN_BLOCK_LENGTH));
        }
        if (pos + length > size) {
            // a compressed capture decompresses the rest of the block now (of a longer block, its trailer)
            size = length <= MappedFile.OVERLAP ? file.ensure(pos, pos + length)
                : file.ensure(pos + length - BLOCK_TRAILER_LENGTH, pos + length);
            locate(pos);
        }
        if (pos + length > size) {
            truncation = String.format("block type 0x%08x of %d bytes cut short at %d", type, length, size - pos);
            return false;
        }
        final long trailerAt = pos + length - BLOCK_TRAILER_LENGTH;
        final int trailerSegment = file.segmentOf(trailerAt);
        final int trailer = file.view(trailerSegment, order).getInt((int) (trailerAt - file.segmentBase(trailerSegment)));
        if (trailer != length) {
            throw reader.malformed(pos, String.format("block type 0x%08x: trailing length %d differs from leading length %d",
                type, Integer.toUnsignedLong(trailer), length));
        }
        return true;
    }

    /**
     * Frames the block at {@code offset} for a random read, in the byte order of the section loaded
     * ({@link #sectionAt}): it must be whole and within {@link MappedFile#OVERLAP}, as a packet block is.
     */
    void at(final long offset) throws CaptureFormatException {
        final long size = file.ensure(offset, offset + MIN_BLOCK_LENGTH);
        if (offset + MIN_BLOCK_LENGTH > size) {
            throw reader.malformed(offset, "no whole block at this offset (the capture ends at " + size + ")");
        }
        locate(offset);
        type = view.getInt(at);
        length = view.getInt(at + BLOCK_TOTAL_LENGTH);
        long end = size;
        if (offset + length > end && length <= MappedFile.OVERLAP && length >= MIN_BLOCK_LENGTH) {
            end = file.ensure(offset, offset + length); // a compressed capture decompresses the rest now
            locate(offset);
        }
        if (length < MIN_BLOCK_LENGTH || (length & 3) != 0 || length > MappedFile.OVERLAP || offset + length > end) {
            throw reader.malformed(offset, "no whole packet block at this offset (length " + Integer.toUnsignedLong(length) + ")");
        }
    }

    /** Takes the byte order of the section whose header block is at {@code sectionOffset}. */
    void sectionAt(final long sectionOffset) throws CaptureFormatException {
        file.ensure(sectionOffset, sectionOffset + MIN_BLOCK_LENGTH);
        final int s = file.segmentOf(sectionOffset);
        final int bom = file.view(s, ByteOrder.BIG_ENDIAN).getInt((int) (sectionOffset - file.segmentBase(s)) + SHB_BYTE_ORDER);
        order = bom == BYTE_ORDER_MAGIC ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Where {@code pos} is in the source now, in the section's byte order. */
    private void locate(final long pos) {
        segment = file.segmentOf(pos);
        at = (int) (pos - file.segmentBase(segment));
        view = file.view(segment, order);
    }

    /** Byte order of the current section. */
    ByteOrder order() {
        return order;
    }

    /** Why the last {@link #next} found no whole block, or null when the capture ended on a block boundary. */
    String truncation() {
        return truncation;
    }

    int type() {
        return type;
    }

    /** Block total length, header and trailer included. */
    int length() {
        return length;
    }

    int segment() {
        return segment;
    }

    /** Offset of the block in {@link #view()}. */
    int at() {
        return at;
    }

    /** The segment holding the block, in the section's byte order. */
    ByteBuffer view() {
        return view;
    }
}
