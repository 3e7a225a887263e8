package io.scalpel.testdata;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Writes classic pcap: the 24-byte file header, then 16-byte record headers and frame bytes. */
final class PcapFileWriter implements Closeable {
    static final long MAGIC_MICROSECONDS = 0xa1b2c3d4L;
    static final long MAGIC_NANOSECONDS = 0xa1b23c4dL;
    static final int FILE_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    private static final int VERSION_MAJOR = 2;
    private static final int VERSION_MINOR = 4;

    private final OutputStream out;
    private final ByteOrder order;
    private final boolean nanosecond;
    private final List<TruthBlock> blocks = new ArrayList<>();
    private long position;

    PcapFileWriter(final OutputStream out, final ByteOrder order, final boolean nanosecond, final int snaplen,
                   final int linkType) throws IOException {
        this.out = out;
        this.order = order;
        this.nanosecond = nanosecond;
        final ByteArrayBuilder header = new ByteArrayBuilder(order, FILE_HEADER_LENGTH);
        header.u32(nanosecond ? MAGIC_NANOSECONDS : MAGIC_MICROSECONDS);
        header.u16(VERSION_MAJOR).u16(VERSION_MINOR);
        header.u32(0);        // thiszone
        header.u32(0);        // sigfigs
        header.u32(snaplen);
        header.u32(linkType); // no FCS bits
        write(header, "pcap-header", 0);
    }

    /** Writes one record; returns its offset. */
    long record(final int frame, final long tsNanos, final byte[] data, final int capturedLength) throws IOException {
        final long divisor = nanosecond ? 1 : 1000;
        if (tsNanos % divisor != 0) {
            throw new IllegalStateException("timestamp " + tsNanos + " has sub-microsecond digits in a µs pcap");
        }
        final ByteArrayBuilder record = new ByteArrayBuilder(order, RECORD_HEADER_LENGTH + capturedLength);
        record.u32(Math.floorDiv(tsNanos, 1_000_000_000L));
        record.u32(Math.floorMod(tsNanos, 1_000_000_000L) / divisor);
        record.u32(capturedLength);
        record.u32(data.length);
        record.bytes(data, 0, capturedLength);
        final long offset = position;
        write(record, "pcap", frame);
        return offset;
    }

    List<TruthBlock> blocks() {
        return blocks;
    }

    private void write(final ByteArrayBuilder bytes, final String type, final int frame) throws IOException {
        out.write(bytes.array(), 0, bytes.size());
        blocks.add(new TruthBlock(position, bytes.size(), type, frame, 0));
        position += bytes.size();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
