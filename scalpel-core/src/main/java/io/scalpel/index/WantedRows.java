package io.scalpel.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexStore;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;

/**
 * The packet rows a lookup wants: (chunk, flow) pairs, sorted, each with the span of its rows' own
 * timestamps. It chooses the rows of a packets row group to read ({@link #rows}) from the page
 * indexes of {@code chunk}, {@code flow} and {@code ts}: a page is read only when some wanted pair
 * lies in its chunk and flow ranges with a span that meets its time range. Pair by pair, not one
 * predicate for all: the packet rows of a chunk are in flow groups of 1 024 flows, each in capture
 * order, so every page of a group has nearly the whole group's flow range, and a flow is told from
 * its group's other flows by its time span alone. Then each row read is tested on its chunk, flow
 * and time ({@link #test}).
 */
final class WantedRows implements PacketRows.RowTest {
    private static final ColumnPath CHUNK = ColumnPath.get(IndexSchema.CHUNK);
    private static final ColumnPath FLOW = ColumnPath.get(IndexSchema.FLOW);
    private static final ColumnPath TS = ColumnPath.get(IndexSchema.TS);

    /** The wanted pairs ({@link PacketIndex#flowRow}), ascending, each once. */
    private final long[] pairs;
    /** Per pair, the least and greatest own timestamp (ns) its rows can have. */
    private final long[] from;
    private final long[] to;
    /** Rows chosen so far ({@link #rows}): the rows of the pages read. */
    private long rowsChosen;
    /** Flow numbers up to which a chunk's pairs are tabled by flow ({@link #indexOf}). */
    private static final int MAX_TABLE_FLOWS = 1 << 20;
    /** The chunk whose wanted pairs {@link #byFlow} tables (-1: none yet), and per flow number its pair's index or -1. */
    private int tableChunk = -1;
    private int[] byFlow;

    private WantedRows(final long[] pairs, final long[] from, final long[] to) {
        this.pairs = pairs;
        this.from = from;
        this.to = to;
    }

    /** Collects wanted pairs in any order; a pair given twice wants the union of its spans. */
    static final class Builder {
        private long[] pairs = new long[16];
        private long[] from = new long[16];
        private long[] to = new long[16];
        private int n;

        /** Wants the rows of ({@code chunk}, {@code flow}) whose own timestamp lies in [{@code first}, {@code last}] ns. */
        void add(final int chunk, final int flow, final long first, final long last) {
            if (n == pairs.length) {
                pairs = Arrays.copyOf(pairs, n * 2);
                from = Arrays.copyOf(from, n * 2);
                to = Arrays.copyOf(to, n * 2);
            }
            pairs[n] = PacketIndex.flowRow(chunk, flow);
            from[n] = first;
            to[n] = last;
            n++;
        }

        boolean isEmpty() {
            return n == 0;
        }

        /**
         * The pairs, sorted; each span starts {@code lag} ns earlier, for rows whose own time is
         * up to that much before the time they were found by (a fragment's, before its datagram's).
         */
        WantedRows build(final long lag) {
            final long[] sorted = Arrays.copyOf(pairs, n);
            Arrays.sort(sorted);
            int unique = 0;
            for (int i = 0; i < n; i++) {
                if (unique == 0 || sorted[unique - 1] != sorted[i]) {
                    sorted[unique++] = sorted[i];
                }
            }
            final long[] keys = Arrays.copyOf(sorted, unique);
            final long[] lo = new long[unique];
            final long[] hi = new long[unique];
            Arrays.fill(lo, Long.MAX_VALUE);
            Arrays.fill(hi, Long.MIN_VALUE);
            for (int i = 0; i < n; i++) {
                final int k = Arrays.binarySearch(keys, pairs[i]);
                lo[k] = Math.min(lo[k], from[i] < Long.MIN_VALUE + lag ? Long.MIN_VALUE : from[i] - lag);
                hi[k] = Math.max(hi[k], to[i]);
            }
            return new WantedRows(keys, lo, hi);
        }
    }

    /** How many pairs are wanted. */
    int size() {
        return pairs.length;
    }

    /** The rows of the row groups and pages chosen so far ({@link #rows}). */
    long rowsChosen() {
        return rowsChosen;
    }

    /** Whether the row ({@code chunk}, {@code flow}) at own timestamp {@code ts} (ns) is wanted. */
    @Override
    public boolean test(final int chunk, final int flow, final long ts) {
        final int i = indexOf(chunk, flow);
        return i >= 0 && ts >= from[i] && ts <= to[i];
    }

    /** Whether ({@code chunk}, {@code flow}) is a wanted pair. */
    @Override
    public boolean flowWanted(final int chunk, final int flow) {
        return indexOf(chunk, flow) >= 0;
    }

    /**
     * The index of the pair ({@code chunk}, {@code flow}), or -1: through a table by flow number of
     * the wanted pairs of the chunk asked for last (a lookup reads its rows chunk by chunk), else by
     * a binary search.
     */
    private int indexOf(final int chunk, final int flow) {
        if (chunk != tableChunk) {
            table(chunk);
        }
        if (byFlow == null) {
            final int i = Arrays.binarySearch(pairs, PacketIndex.flowRow(chunk, flow));
            return i < 0 ? -1 : i;
        }
        return flow >= 0 && flow < byFlow.length ? byFlow[flow] : -1;
    }

    private void table(final int chunk) {
        tableChunk = chunk;
        byFlow = null;
        if (chunk < 0) {
            return; // no table: the binary search serves
        }
        final int lo = lowerBound(PacketIndex.flowRow(chunk, 0));
        final int hi = lowerBound(PacketIndex.flowRow(chunk, Integer.MAX_VALUE) + 1); // flows 0 .. Integer.MAX_VALUE
        final int maxFlow = hi > lo ? (int) pairs[hi - 1] : -1;
        if (maxFlow >= MAX_TABLE_FLOWS) {
            return;
        }
        byFlow = new int[maxFlow + 1];
        Arrays.fill(byFlow, -1);
        for (int i = lo; i < hi; i++) {
            byFlow[(int) pairs[i]] = i;
        }
    }

    /**
     * The rows of a row group that can hold a wanted row: none ({@link RowRanges#EMPTY}) when no
     * wanted pair's chunk is in the row group's statistics, else the pages of {@code indexes} that
     * can hold one (every row, null, when the row group has no page index of chunk, flow or ts).
     *
     * @param stored the unit of the row group's timestamps
     */
    RowRanges rows(final BlockMetaData block, final ColumnIndexStore indexes, final TimestampUnit stored) {
        final RowRanges rows = choose(block, indexes, stored);
        rowsChosen += rows == null ? block.getRowCount() : rows.rowCount();
        return rows;
    }

    private RowRanges choose(final BlockMetaData block, final ColumnIndexStore indexes, final TimestampUnit stored) {
        final long rowCount = block.getRowCount();
        final long[] chunks = chunkRange(block);
        if (chunks != null && !anyPair(chunks[0], 0, chunks[1], Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE)) {
            return RowRanges.EMPTY;
        }
        final Pages chunk = Pages.of(indexes, CHUNK, rowCount, false);
        final Pages flow = Pages.of(indexes, FLOW, rowCount, false);
        final Pages ts = Pages.of(indexes, TS, rowCount, true);
        if (chunk == null || flow == null || ts == null) {
            return null;
        }
        // The pages of the three columns may end at different rows: walk the segments between any
        // column's page boundaries, each with the page of each column that holds it.
        final boolean[] chunkPages = new boolean[chunk.count()];
        final boolean[] flowPages = new boolean[flow.count()];
        final boolean[] tsPages = new boolean[ts.count()];
        int c = 0;
        int f = 0;
        int t = 0;
        boolean any = false;
        long row = 0;
        while (row < rowCount) {
            c = chunk.pageOf(row, c);
            f = flow.pageOf(row, f);
            t = ts.pageOf(row, t);
            if (anyPair(chunk.min[c], flow.min[f], chunk.max[c], flow.max[f], stored.toNanos(ts.min[t]), stored.toNanos(ts.max[t]))) {
                chunkPages[c] = true;
                flowPages[f] = true;
                tsPages[t] = true;
                any = true;
            }
            row = Math.min(chunk.end(c), Math.min(flow.end(f), ts.end(t)));
        }
        if (!any) {
            return RowRanges.EMPTY;
        }
        return RowRanges.intersection(chunk.ranges(chunkPages, rowCount),
            RowRanges.intersection(flow.ranges(flowPages, rowCount), ts.ranges(tsPages, rowCount)));
    }

    /** The row group's least and greatest chunk, or null when its statistics do not say. */
    private static long[] chunkRange(final BlockMetaData block) {
        for (ColumnChunkMetaData c : block.getColumns()) {
            if (c.getPath().equals(CHUNK)) {
                final Statistics<?> s = c.getStatistics();
                if (s == null || !s.hasNonNullValue() || !(s.genericGetMin() instanceof Integer min) || !(s.genericGetMax() instanceof Integer max)) {
                    return null;
                }
                return new long[] {min, max};
            }
        }
        return null;
    }

    /**
     * Whether a wanted pair has a chunk in [{@code chunkMin}, {@code chunkMax}], a flow in
     * [{@code flowMin}, {@code flowMax}] and a span that meets [{@code tsMin}, {@code tsMax}].
     */
    private boolean anyPair(final long chunkMin, final long flowMin, final long chunkMax, final long flowMax, final long tsMin,
                            final long tsMax) {
        if (flowMax < 0 || chunkMax < 0) {
            return false; // rows without a flow (-1) are never wanted
        }
        final long lowFlow = Math.max(flowMin, 0);
        long chunk = Math.max(chunkMin, 0);
        while (chunk <= chunkMax) {
            int i = lowerBound(PacketIndex.flowRow((int) chunk, (int) lowFlow));
            if (i == pairs.length) {
                return false;
            }
            final long last = PacketIndex.flowRow((int) chunk, (int) Math.min(flowMax, Integer.MAX_VALUE));
            for (; i < pairs.length && pairs[i] <= last; i++) {
                if (from[i] <= tsMax && to[i] >= tsMin) {
                    return true;
                }
            }
            if (i == pairs.length) {
                return false;
            }
            chunk = Math.max(chunk + 1, pairs[i] >>> 32); // the next chunk that has a wanted pair
        }
        return false;
    }

    /** The first pair at or after {@code key}. */
    private int lowerBound(final long key) {
        final int i = Arrays.binarySearch(pairs, key);
        return i >= 0 ? i : -i - 1;
    }

    /** One column's pages in a row group: where each starts, and its least and greatest value. */
    private record Pages(OffsetIndex offsets, long[] first, long[] min, long[] max, long rowCount) {
        /** The pages of column {@code path}, or null when the row group has no page index of it or one that cannot be read. */
        static Pages of(final ColumnIndexStore store, final ColumnPath path, final long rowCount, final boolean isLong) {
            final ColumnIndex index;
            final OffsetIndex offsets;
            try {
                index = store.getColumnIndex(path);
                offsets = store.getOffsetIndex(path);
            } catch (ColumnIndexStore.MissingOffsetIndexException e) {
                return null;
            }
            if (index == null || offsets == null) {
                return null;
            }
            final int n = offsets.getPageCount();
            final List<ByteBuffer> mins = index.getMinValues();
            final List<ByteBuffer> maxes = index.getMaxValues();
            final List<Boolean> nullPages = index.getNullPages();
            if (n == 0 || mins.size() != n || maxes.size() != n || offsets.getFirstRowIndex(0) != 0) {
                return null;
            }
            final long[] first = new long[n];
            final long[] min = new long[n];
            final long[] max = new long[n];
            for (int p = 0; p < n; p++) {
                first[p] = offsets.getFirstRowIndex(p);
                if (p > 0 && first[p] <= first[p - 1] || nullPages.get(p)) {
                    return null;
                }
                min[p] = value(mins.get(p), isLong);
                max[p] = value(maxes.get(p), isLong);
            }
            return new Pages(offsets, first, min, max, rowCount);
        }

        private static long value(final ByteBuffer b, final boolean isLong) {
            final ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            return isLong ? le.getLong(le.position()) : le.getInt(le.position());
        }

        int count() {
            return first.length;
        }

        /** The page that holds {@code row}, searching on from page {@code from}. */
        int pageOf(final long row, final int from) {
            int p = from;
            while (p + 1 < first.length && first[p + 1] <= row) {
                p++;
            }
            return p;
        }

        /** The row after page {@code p}. */
        long end(final int p) {
            return p + 1 < first.length ? first[p + 1] : rowCount;
        }

        RowRanges ranges(final boolean[] wanted, final long rows) {
            return RowRanges.create(rows, IntStream.range(0, wanted.length).filter(p -> wanted[p]).iterator(), offsets);
        }
    }
}
