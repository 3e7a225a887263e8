package io.scalpel.capture;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The seek table of a compressed capture: the (compressed offset, decompressed offset) of the
 * gzip members or zstd frames where decompression can start, ascending, and how many members or
 * frames the file has. One that an index recorded is given whole; a scan records one as members
 * or frames go by ({@link #unitStarts}), keeping at most {@link CompressedFile#MAX_SEEK_POINTS}
 * points: beyond, every other one is dropped and the spacing between the points kept doubles.
 */
final class SeekTable {
    private static final int INITIAL_POINTS = 16;

    private long[] compressed;
    private long[] decompressed;
    private int count;
    /** Decompressed bytes a new point must lie beyond the last one (grows as the table is thinned). */
    private long spacing;
    private long units;

    private SeekTable(final long[] compressed, final long[] decompressed, final int count, final long units) {
        this.compressed = compressed;
        this.decompressed = decompressed;
        this.count = count;
        this.units = units;
    }

    /** An empty table, for a scan to record. */
    static SeekTable empty() {
        return new SeekTable(new long[INITIAL_POINTS], new long[INITIAL_POINTS], 0, 0);
    }

    /** The table {@code layout} holds, which must have at least one point. */
    static SeekTable of(final CompressedLayout layout) {
        final List<long[]> table = layout.seekTable();
        final int n = table.size();
        final long[] compressed = new long[n];
        final long[] decompressed = new long[n];
        for (int i = 0; i < n; i++) {
            compressed[i] = table.get(i)[0];
            decompressed[i] = table.get(i)[1];
        }
        return new SeekTable(compressed, decompressed, n, layout.units());
    }

    /** The last point at or before decompressed {@code position}, or -1. */
    int atOrBefore(final long position) {
        int i = Arrays.binarySearch(decompressed, 0, count, position);
        if (i < 0) {
            i = -i - 2;
        }
        return i;
    }

    /** Compressed offset of point {@code i}. */
    long compressed(final int i) {
        return compressed[i];
    }

    /** Decompressed offset of point {@code i}. */
    long decompressed(final int i) {
        return decompressed[i];
    }

    /** Members or frames of the file: as recorded, or as counted by {@link #unitStarts} so far. */
    long units() {
        return units;
    }

    /**
     * A member or frame of a scan starts at {@code compressedOffset}, at decompressed
     * {@code decompressedOffset}: counted, and kept as a point when it lies far enough beyond the
     * last one (and starts new data).
     */
    void unitStarts(final long compressedOffset, final long decompressedOffset) {
        units++;
        if (count > 0 && (decompressedOffset - decompressed[count - 1] <= spacing
            || compressedOffset <= compressed[count - 1])) {
            return;
        }
        if (count == CompressedFile.MAX_SEEK_POINTS) {
            for (int i = 0; i < count / 2; i++) {
                compressed[i] = compressed[2 * i];
                decompressed[i] = decompressed[2 * i];
            }
            count /= 2;
            spacing = Math.max(1, spacing * 2);
            if (decompressedOffset - decompressed[count - 1] <= spacing) {
                return;
            }
        }
        if (count == compressed.length) {
            compressed = Arrays.copyOf(compressed, count * 2);
            decompressed = Arrays.copyOf(decompressed, count * 2);
        }
        compressed[count] = compressedOffset;
        decompressed[count] = decompressedOffset;
        count++;
    }

    /** The points as {@link CompressedLayout#seekTable()} pairs. */
    List<long[]> points() {
        final List<long[]> table = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            table.add(new long[] {compressed[i], decompressed[i]});
        }
        return table;
    }
}
