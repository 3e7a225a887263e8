package io.scalpel.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;

/**
 * Reads the flows table in chunk order, which is capture order, whatever part each chunk's row
 * group is in (a scan writes its chunks to two parts, alternating): what a listing streamed in
 * time order reads ({@code scalpel flows}). The order and the earliest first time of the rows
 * still to come are told by the row groups' statistics in the parts' footers, no row read.
 */
final class FlowRowsInChunkOrder {
    private FlowRowsInChunkOrder() {
    }

    /** Told after each batch of row groups read in chunk order ({@link #scan}). */
    @FunctionalInterface
    interface BatchEnd {
        /**
         * @param laterFirstTs the earliest {@code first_ts} of the rows not read yet, ns ({@code Long.MAX_VALUE}: none left)
         * @return whether to read on
         */
        boolean end(long laterFirstTs) throws IOException;
    }

    /**
     * Every row of every part in chunk order, that is capture order: the row groups (one chunk
     * each as a scan writes them) sorted by the {@code chunk} statistics of their footers, those
     * whose chunks overlap (an open tail's, or a group without statistics) read in one batch, in
     * part order; after each batch {@code end} is told the earliest {@code first_ts} of the
     * batches left, from the same statistics. One row group is read at a time.
     */
    static void scan(final PartReaders readers, final List<IndexPart> parts, final TimestampUnit unit,
                                 final FlowRowView.Visitor visitor, final BatchEnd end) throws IOException {
        final List<long[]> groups = new ArrayList<>(); // {chunk min, chunk max, first_ts min (ns), part, group}
        for (int p = 0; p < parts.size(); p++) {
            final IndexPart part = parts.get(p);
            final TimestampUnit stored = part.timestampUnit(IndexSchema.FIRST_TS, unit);
            final List<BlockMetaData> blocks = part.open().footer().getBlocks();
            for (int g = 0; g < blocks.size(); g++) {
                long chunkMin = Long.MIN_VALUE;
                long chunkMax = Long.MAX_VALUE;
                long firstMin = Long.MIN_VALUE;
                for (ColumnChunkMetaData c : blocks.get(g).getColumns()) {
                    final Statistics<?> st = c.getStatistics();
                    if (st == null || !st.hasNonNullValue()) {
                        continue;
                    }
                    final String name = c.getPath().toDotString();
                    if (name.equals(IndexSchema.CHUNK)) {
                        chunkMin = ((Number) st.genericGetMin()).longValue();
                        chunkMax = ((Number) st.genericGetMax()).longValue();
                    } else if (name.equals(IndexSchema.FIRST_TS)) {
                        firstMin = stored.toNanos(((Number) st.genericGetMin()).longValue());
                    }
                }
                if (blocks.get(g).getRowCount() > 0) {
                    groups.add(new long[] {chunkMin, chunkMax, firstMin, p, g});
                }
            }
        }
        groups.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : a[3] != b[3] ? Long.compare(a[3], b[3]) : Long.compare(a[4], b[4]));
        final List<List<long[]>> batches = new ArrayList<>();
        long reach = Long.MIN_VALUE;
        for (long[] g : groups) {
            if (batches.isEmpty() || g[0] > reach) {
                batches.add(new ArrayList<>());
            }
            batches.get(batches.size() - 1).add(g);
            reach = Math.max(reach, g[1]);
        }
        final long[] laterFirst = new long[batches.size() + 1];
        laterFirst[batches.size()] = Long.MAX_VALUE;
        for (int b = batches.size() - 1; b >= 0; b--) {
            long min = laterFirst[b + 1];
            for (long[] g : batches.get(b)) {
                min = Math.min(min, g[2]);
            }
            laterFirst[b] = min;
        }
        final MessageColumnIO io = new ColumnIOFactory().getColumnIO(IndexSchema.Tables.FLOWS_SCHEMA);
        final FlowRowMaterializer m = new FlowRowMaterializer(IndexSchema.Tables.FLOWS_SCHEMA);
        for (int b = 0; b < batches.size(); b++) {
            final List<long[]> batch = batches.get(b);
            batch.sort((x, y) -> x[3] != y[3] ? Long.compare(x[3], y[3]) : Long.compare(x[4], y[4])); // read in part order
            for (long[] g : batch) {
                final IndexPart part = parts.get((int) g[3]);
                final int group = (int) g[4];
                m.unit = part.timestampUnit(IndexSchema.FIRST_TS, unit);
                PartReader.readGroup(readers, part, IndexSchema.Tables.FLOWS_SCHEMA, group, (pages, n) -> {
                    final RecordReader<?> records = io.getRecordReader(pages, m, FilterCompat.NOOP);
                    for (long i = 0; i < n; i++) {
                        records.read();
                        try {
                            visitor.flow(m);
                        } catch (IOException | RuntimeException e) {
                            throw new PartReader.VisitorFailure(e);
                        }
                    }
                });
            }
            if (!end.end(laterFirst[b + 1])) {
                return;
            }
        }
    }
}
