package io.scalpel.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A classic pcap file walked record header by record header with a ByteBuffer: the test's own
 * oracle, independent of scalpel's readers.
 */
final class PcapFile {
    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;

    /** One record: where it starts in the file and its whole length (header + captured bytes). */
    record Record(long offset, long tsNanos, int capturedLength, int length) {
    }

    final byte[] bytes;
    final ByteOrder order;
    final boolean nanos;
    final int linkType;
    final List<Record> records;

    private PcapFile(final byte[] bytes, final ByteOrder order, final boolean nanos, final int linkType,
                     final List<Record> records) {
        this.bytes = bytes;
        this.order = order;
        this.nanos = nanos;
        this.linkType = linkType;
        this.records = records;
    }

    static PcapFile read(final Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    static PcapFile parse(final byte[] bytes) {
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
            records.add(new Record(pos, sec * 1_000_000_000L + (nanos ? frac : frac * 1000), caplen,
                RECORD_HEADER_LENGTH + caplen));
            pos += RECORD_HEADER_LENGTH + caplen;
        }
        return new PcapFile(bytes, order, nanos, linkType, records);
    }

    byte[] header() {
        return Arrays.copyOf(bytes, FILE_HEADER_LENGTH);
    }

    byte[] recordBytes(final Record r) {
        return Arrays.copyOfRange(bytes, (int) r.offset, (int) r.offset + r.length);
    }

    /** The captured bytes of a record (without its header). */
    ByteBuffer data(final Record r) {
        return ByteBuffer.wrap(bytes, (int) r.offset + RECORD_HEADER_LENGTH, r.capturedLength).slice()
            .order(ByteOrder.BIG_ENDIAN);
    }
}
