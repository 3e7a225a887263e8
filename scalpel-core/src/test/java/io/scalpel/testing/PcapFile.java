package io.scalpel.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tests' pcap reader: a classic pcap file walked record header by record header with a
 * ByteBuffer, the test's own oracle, independent of scalpel's readers. The walk stops before a
 * record cut short; {@link #end} says where.
 */
public final class PcapFile {
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;

    /**
     * One record: where it starts in the file, its whole length (header + captured bytes) and the
     * length of the packet it holds all or part of.
     */
    public record Record(long offset, long tsNanos, int capturedLength, int length, long originalLength) {
    }

    public final byte[] bytes;
    public final ByteOrder order;
    public final boolean nanos;
    public final int linkType;
    public final List<Record> records;
    /** The byte offset after the last whole record: the file's length unless its last record is cut short. */
    public final long end;

    private PcapFile(final byte[] bytes, final ByteOrder order, final boolean nanos, final int linkType,
                     final List<Record> records, final long end) {
        this.bytes = bytes;
        this.order = order;
        this.nanos = nanos;
        this.linkType = linkType;
        this.records = records;
        this.end = end;
    }

    public static PcapFile read(final Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    public static PcapFile parse(final byte[] bytes) {
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < FILE_HEADER_LENGTH) {
            throw new IllegalArgumentException("shorter than a pcap file header: " + bytes.length + " bytes");
        }
        final int le = b.getInt(0);
        final int be = Integer.reverseBytes(le);
        final ByteOrder order;
        final boolean nanos;
        if (le == MAGIC_MICROS || le == MAGIC_NANOS) {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = le == MAGIC_NANOS;
        } else if (be == MAGIC_MICROS || be == MAGIC_NANOS) {
            order = ByteOrder.BIG_ENDIAN;
            nanos = be == MAGIC_NANOS;
        } else {
            throw new IllegalArgumentException("not a pcap magic: " + Integer.toHexString(le));
        }
        b.order(order);
        final int linkType = b.getInt(20) & 0xFFFF;
        final List<Record> records = new ArrayList<>();
        int pos = FILE_HEADER_LENGTH;
        while (pos + RECORD_HEADER_LENGTH <= bytes.length) {
            final long sec = b.getInt(pos) & 0xFFFFFFFFL;
            final long frac = b.getInt(pos + 4) & 0xFFFFFFFFL;
            final int caplen = b.getInt(pos + 8);
            if (caplen < 0 || pos + RECORD_HEADER_LENGTH + (long) caplen > bytes.length) {
                break;
            }
            final long origlen = b.getInt(pos + 12) & 0xFFFFFFFFL;
            records.add(new Record(pos, sec * 1_000_000_000L + (nanos ? frac : frac * 1000), caplen,
                RECORD_HEADER_LENGTH + caplen, origlen));
            pos += RECORD_HEADER_LENGTH + caplen;
        }
        return new PcapFile(bytes, order, nanos, linkType, records, pos);
    }

    public byte[] header() {
        return Arrays.copyOf(bytes, FILE_HEADER_LENGTH);
    }

    public byte[] recordBytes(final Record r) {
        return Arrays.copyOfRange(bytes, (int) r.offset, (int) r.offset + r.length);
    }

    /** A copy of the captured bytes of a record (without its header). */
    public byte[] frameBytes(final Record r) {
        return Arrays.copyOfRange(bytes, (int) r.offset + RECORD_HEADER_LENGTH, (int) r.offset + r.length);
    }

    /** The captured bytes of a record (without its header). */
    public ByteBuffer data(final Record r) {
        return ByteBuffer.wrap(bytes, (int) r.offset + RECORD_HEADER_LENGTH, r.capturedLength).slice()
            .order(ByteOrder.BIG_ENDIAN);
    }
}
