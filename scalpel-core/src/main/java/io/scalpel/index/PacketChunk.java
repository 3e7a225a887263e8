package io.scalpel.index;

import io.scalpel.decode.DecodedPacket;

/**
 * Column arrays of consecutive packet rows (one per frame and IP layer) before they go to
 * {@code packets.parquet}. Rows of
 * fragments whose datagram is not complete yet stay here until it is (their flow and datagram
 * time are patched in), so the chunk writes only its resolved prefix and carries the rest.
 */
final class PacketChunk {
    static final long NO_DGRAM_TS = Long.MIN_VALUE;

    long[] ts;
    long[] offset;
    int[] chunk;
    int[] flow;
    long[] dgramTs;
    /** Rows the chunk is meant to hold; the arrays grow beyond it only for rows a datagram adds at once. */
    private final int limit;
    /** Global row number of row 0. */
    long baseRow;
    int size;

    PacketChunk(final int capacity) {
        limit = capacity;
        ts = new long[capacity];
        offset = new long[capacity];
        chunk = new int[capacity];
        flow = new int[capacity];
        dgramTs = new long[capacity];
    }

    /** Most rows one frame adds: one per IP layer, and a second for a GRE-over-UDP layer. */
    static final int MAX_ROWS_PER_FRAME = 2 * DecodedPacket.MAX_LAYERS;

    /** No room for the rows of one more frame. */
    boolean full() {
        return size > limit - MAX_ROWS_PER_FRAME;
    }

    int capacity() {
        return limit;
    }

    /** Appends a row; returns its global row number. */
    long add(final long timestamp, final long recordOffset, final int flowChunk, final int flowId) {
        if (size == ts.length) {
            grow(size + size / 2);
        }
        final int i = size++;
        ts[i] = timestamp;
        offset[i] = recordOffset;
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

    /**
     * Appends a provisional row (no flow yet) for the same frame as {@code row}: one more IP layer's
     * row of a fragment, whose inner keys became known with its datagram's first fragment.
     */
    long copyRow(final long row) {
        final int i = (int) (row - baseRow);
        return add(ts[i], offset[i], chunk[i], IndexBuilder.NO_FLOW);
    }

    /**
     * Makes room for {@code capacity} rows. Only a burst of rows added for fragments that came
     * before their datagram's first fragment gets here (the scan flushes before the chunk is full).
     */
    private void grow(final int capacity) {
        ts = java.util.Arrays.copyOf(ts, capacity);
        offset = java.util.Arrays.copyOf(offset, capacity);
        chunk = java.util.Arrays.copyOf(chunk, capacity);
        flow = java.util.Arrays.copyOf(flow, capacity);
        dgramTs = java.util.Arrays.copyOf(dgramTs, capacity);
    }

    /** Makes {@code dst} hold copies of this chunk's first {@code n} rows (and nothing else). */
    void copyPrefixTo(final PacketChunk dst, final int n) {
        if (dst.ts.length < n) {
            dst.grow(n);
        }
        System.arraycopy(ts, 0, dst.ts, 0, n);
        System.arraycopy(offset, 0, dst.offset, 0, n);
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
        System.arraycopy(chunk, n, chunk, 0, rest);
        System.arraycopy(flow, n, flow, 0, rest);
        System.arraycopy(dgramTs, n, dgramTs, 0, rest);
        baseRow += n;
        size = rest;
    }

    /** Writes row {@code i} into {@code out} (a file of {@link IndexSchema#packets}), its timestamps in {@code unit}. */
    void writeRow(final int i, final ParquetTables.ColumnFile out, final TimestampUnit unit) throws java.io.IOException {
        out.column(0).write(unit.fromNanos(ts[i]), 0, 0);
        out.column(1).write(offset[i], 0, 0);
        out.column(2).write(chunk[i], 0, 0);
        out.column(3).write(flow[i], 0, 0);
        if (dgramTs[i] != NO_DGRAM_TS) {
            out.column(4).write(unit.fromNanos(dgramTs[i]), 0, 1);
        } else {
            out.column(4).writeNull(0, 0);
        }
        out.endRow();
    }
}
