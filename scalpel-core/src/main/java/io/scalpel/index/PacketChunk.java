package io.scalpel.index;

import io.scalpel.decode.DecodedPacket;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Column arrays of consecutive packet rows (one per frame and IP layer) before they go to
 * {@code packets.parquet}. Rows of
 * fragments whose datagram is not complete yet stay here until it is (their flow and datagram
 * time are patched in), so the chunk writes only its resolved prefix and carries the rest.
 */
final class PacketChunk {
    static final long NO_DGRAM_TS = Long.MIN_VALUE;

    final long[] ts;
    final long[] offset;
    final int[] caplen;
    final int[] chunk;
    final int[] flow;
    final long[] dgramTs;
    /** Global row number of row 0. */
    long baseRow;
    int size;
    /** Row the writer is at. */
    int cursor;

    PacketChunk(final int capacity) {
        ts = new long[capacity];
        offset = new long[capacity];
        caplen = new int[capacity];
        chunk = new int[capacity];
        flow = new int[capacity];
        dgramTs = new long[capacity];
    }

    /** Most rows one frame adds: one per IP layer, and a second for a GRE-over-UDP layer. */
    static final int MAX_ROWS_PER_FRAME = 2 * DecodedPacket.MAX_LAYERS;

    /** No room for the rows of one more frame. */
    boolean full() {
        return size > ts.length - MAX_ROWS_PER_FRAME;
    }

    int capacity() {
        return ts.length;
    }

    /** Appends a row; returns its global row number. */
    long add(final long timestamp, final long recordOffset, final int capturedLength, final int flowChunk, final int flowId) {
        final int i = size++;
        ts[i] = timestamp;
        offset[i] = recordOffset;
        caplen[i] = capturedLength;
        chunk[i] = flowChunk;
        flow[i] = flowId;
        dgramTs[i] = NO_DGRAM_TS;
        return baseRow + i;
    }

    void patch(final long row, final int flowChunk, final int flowId, final long datagramTs) {
        final int i = (int) (row - baseRow);
        chunk[i] = flowChunk;
        flow[i] = flowId;
        dgramTs[i] = datagramTs;
    }

    long offsetOf(final long row) {
        return offset[(int) (row - baseRow)];
    }

    long tsOf(final long row) {
        return ts[(int) (row - baseRow)];
    }

    /** Makes {@code dst} hold copies of this chunk's first {@code n} rows (and nothing else). */
    void copyPrefixTo(final PacketChunk dst, final int n) {
        System.arraycopy(ts, 0, dst.ts, 0, n);
        System.arraycopy(offset, 0, dst.offset, 0, n);
        System.arraycopy(caplen, 0, dst.caplen, 0, n);
        System.arraycopy(chunk, 0, dst.chunk, 0, n);
        System.arraycopy(flow, 0, dst.flow, 0, n);
        System.arraycopy(dgramTs, 0, dst.dgramTs, 0, n);
        dst.baseRow = baseRow;
        dst.size = n;
    }

    /** Drops the first {@code n} rows (written), moving the rest to the front. */
    void discardPrefix(final int n) {
        final int rest = size - n;
        System.arraycopy(ts, n, ts, 0, rest);
        System.arraycopy(offset, n, offset, 0, rest);
        System.arraycopy(caplen, n, caplen, 0, rest);
        System.arraycopy(chunk, n, chunk, 0, rest);
        System.arraycopy(flow, n, flow, 0, rest);
        System.arraycopy(dgramTs, n, dgramTs, 0, rest);
        baseRow += n;
        size = rest;
    }

    /** Writes row {@link #cursor}. */
    static void writeRow(final PacketChunk c, final RecordConsumer out) {
        final int i = c.cursor;
        out.startMessage();
        out.startField(IndexSchema.TS, 0);
        out.addLong(c.ts[i]);
        out.endField(IndexSchema.TS, 0);
        out.startField(IndexSchema.OFFSET, 1);
        out.addLong(c.offset[i]);
        out.endField(IndexSchema.OFFSET, 1);
        out.startField(IndexSchema.CAPLEN, 2);
        out.addInteger(c.caplen[i]);
        out.endField(IndexSchema.CAPLEN, 2);
        out.startField(IndexSchema.CHUNK, 3);
        out.addInteger(c.chunk[i]);
        out.endField(IndexSchema.CHUNK, 3);
        out.startField(IndexSchema.FLOW, 4);
        out.addInteger(c.flow[i]);
        out.endField(IndexSchema.FLOW, 4);
        if (c.dgramTs[i] != NO_DGRAM_TS) {
            out.startField(IndexSchema.DGRAM_TS, 5);
            out.addLong(c.dgramTs[i]);
            out.endField(IndexSchema.DGRAM_TS, 5);
        }
        out.endMessage();
    }
}
