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
 * and time ({@link #test}). Long because it chooses from two descriptions of the same pages: the
 * lookup file's ({@link #segments}) and parquet-java's page indexes ({@link #rows}, the path through
 * the parts' footers that tests hold the lookup to).
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
        return i >= 0 && inSpan(i, ts);
    }

    /** Whether {@code ts} (ns) lies in the time span of the pair at {@link #indexOf} {@code i}. */
    boolean inSpan(final int i, final long ts) {
        return ts >= from[i] && ts <= to[i];
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
    int indexOf(final int chunk, final int flow) {
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
        if (chunks != null && !anyChunk(chunks[0], chunks[1])) {
            return RowRanges.EMPTY;
        }
        final OffsetIndex[] offsets = new OffsetIndex[3];
        final Pages chunk = Pages.of(indexes, CHUNK, rowCount, false, offsets, 0);
        final Pages flow = Pages.of(indexes, FLOW, rowCount, false, offsets, 1);
        final Pages ts = Pages.of(indexes, TS, rowCount, true, offsets, 2);
        if (chunk == null || flow == null || ts == null) {
            return null;
        }
        final boolean[] chunkPages = new boolean[chunk.count()];
        final boolean[] flowPages = new boolean[flow.count()];
        final boolean[] tsPages = new boolean[ts.count()];
        final boolean any = walk(chunk, flow, ts, stored, (from, to, c, f, t) -> {
            chunkPages[c] = true;
            flowPages[f] = true;
            tsPages[t] = true;
        });
        if (!any) {
            return RowRanges.EMPTY;
        }
        return RowRanges.intersection(ranges(offsets[0], chunkPages, rowCount),
            RowRanges.intersection(ranges(offsets[1], flowPages, rowCount), ranges(offsets[2], tsPages, rowCount)));
    }

    private static RowRanges ranges(final OffsetIndex offsets, final boolean[] wanted, final long rows) {
        return RowRanges.create(rows, IntStream.range(0, wanted.length).filter(p -> wanted[p]).iterator(), offsets);
    }

    /** Whether a wanted pair has a chunk in [{@code chunkMin}, {@code chunkMax}]. */
    boolean anyChunk(final long chunkMin, final long chunkMax) {
        return anyPair(chunkMin, 0, chunkMax, Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * The rows of a row group of the lookup file that can hold a wanted row, as [from, to) pairs,
     * ascending: the stretches between any of the {@code chunk}, {@code flow} and {@code ts} columns'
     * page boundaries whose pages' ranges meet a wanted pair (empty when none; the row group's chunk
     * range is tested first).
     *
     * @param stored the unit of the row group's timestamps
     */
    long[] segments(final LookupFile.RowGroup group, final TimestampUnit stored) throws IndexException {
        if (!anyChunk(group.chunkMin(), group.chunkMax())) {
            return new long[0];
        }
        final long rows = group.rows();
        final Pages chunk = Pages.of(group.columns()[LookupFile.P_CHUNK], rows);
        final Pages flow = Pages.of(group.columns()[LookupFile.P_FLOW], rows);
        final Pages ts = Pages.of(group.columns()[LookupFile.P_TS], rows);
        final long[][] out = {new long[8]};
        final int[] n = {0};
        walk(chunk, flow, ts, stored, (from, to, c, f, t) -> {
            if (n[0] > 0 && out[0][n[0] - 1] == from) {
                out[0][n[0] - 1] = to; // continues the last stretch
                return;
            }
            if (n[0] + 2 > out[0].length) {
                out[0] = Arrays.copyOf(out[0], out[0].length * 2);
            }
            out[0][n[0]++] = from;
            out[0][n[0]++] = to;
        });
        final long[] segments = Arrays.copyOf(out[0], n[0]);
        for (int i = 0; i < segments.length; i += 2) {
            rowsChosen += segments[i + 1] - segments[i];
        }
        return segments;
    }

    /** Receives a stretch of rows [{@code from}, {@code to}) that lies in page {@code c}, {@code f} and {@code t} of the three columns. */
    @FunctionalInterface
    private interface Stretch {
        void rows(long from, long to, int c, int f, int t);
    }

    /**
     * Walks the stretches between any of the three columns' page boundaries, each with the page of
     * each column that holds it, and hands on those whose pages' ranges meet a wanted pair; whether
     * there was one.
     */
    private boolean walk(final Pages chunk, final Pages flow, final Pages ts, final TimestampUnit stored, final Stretch wanted) {
        final long rowCount = chunk.rowCount();
        int c = 0;
        int f = 0;
        int t = 0;
        boolean any = false;
        long row = 0;
        while (row < rowCount) {
            c = chunk.pageOf(row, c);
            f = flow.pageOf(row, f);
            t = ts.pageOf(row, t);
            final long end = Math.min(chunk.end(c), Math.min(flow.end(f), ts.end(t)));
            if (anyPair(chunk.min[c], flow.min[f], chunk.max[c], flow.max[f], stored.toNanos(ts.min[t]), stored.toNanos(ts.max[t]))) {
                wanted.rows(row, end, c, f, t);
                any = true;
            }
            row = end;
        }
        return any;
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
    private record Pages(long[] first, long[] min, long[] max, long rowCount) {
        /** The pages of a column of the lookup file. */
        static Pages of(final LookupFile.Column column, final long rowCount) {
            return new Pages(column.first(), column.min(), column.max(), rowCount);
        }

        /**
         * The pages of column {@code path}, or null when the row group has no page index of it or one
         * that cannot be read; its offset index into {@code offsets[i]}.
         */
        static Pages of(final ColumnIndexStore store, final ColumnPath path, final long rowCount, final boolean isLong,
                        final OffsetIndex[] offsets, final int i) {
            final ColumnIndex index;
            final OffsetIndex offset;
            try {
                index = store.getColumnIndex(path);
                offset = store.getOffsetIndex(path);
            } catch (ColumnIndexStore.MissingOffsetIndexException e) {
                return null;
            }
            if (index == null || offset == null) {
                return null;
            }
            final int n = offset.getPageCount();
            final List<ByteBuffer> mins = index.getMinValues();
            final List<ByteBuffer> maxes = index.getMaxValues();
            final List<Boolean> nullPages = index.getNullPages();
            if (n == 0 || mins.size() != n || maxes.size() != n || offset.getFirstRowIndex(0) != 0) {
                return null;
            }
            final long[] first = new long[n];
            final long[] min = new long[n];
            final long[] max = new long[n];
            for (int p = 0; p < n; p++) {
                first[p] = offset.getFirstRowIndex(p);
                if (p > 0 && first[p] <= first[p - 1] || nullPages.get(p)) {
                    return null;
                }
                min[p] = value(mins.get(p), isLong);
                max[p] = value(maxes.get(p), isLong);
            }
            offsets[i] = offset;
            return new Pages(first, min, max, rowCount);
        }

        private static long value(final ByteBuffer b, final boolean isLong) {
            final ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            return isLong ? le.getLong(le.position()) : le.getInt(le.position());
        }

        int count() {
            return min.length;
        }

        /** The page that holds {@code row}, searching on from page {@code from}. */
        int pageOf(final long row, final int from) {
            int p = from;
            while (p + 1 < min.length && first[p + 1] <= row) {
                p++;
            }
            return p;
        }

        /** The row after page {@code p}. */
        long end(final int p) {
            return p + 1 < min.length ? first[p + 1] : rowCount;
        }
    }
}
