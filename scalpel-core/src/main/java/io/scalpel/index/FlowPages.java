package io.scalpel.index;

import io.scalpel.decode.CommunityId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.MessageType;

/**
 * A query's read of the flows table column by column ({@link FlowColumn}), with no record
 * assembled: first the columns its condition names, each row decided by the condition (a term on
 * a dictionary-encoded page tested once per dictionary entry, then by each row's id), then, of the
 * pages that hold a row that passed, the columns a visitor asks for, row by row
 * ({@link FlowRowView} over the pages: a column never asked for is never decompressed). It accepts
 * exactly the rows parquet-java's record filter accepts for the same predicate
 * ({@link FlowCondition}).
 */
final class FlowPages {
    private FlowPages() {
    }

    /**
     * Every row of {@code part} that passes {@code filter} (compiled: {@code condition}, on the columns
     * it names, {@code columns}) to {@code visitor}, row groups and pages pruned by {@code filter} and
     * {@code prune} as {@link PartReader} prunes them; timestamps in ns from the part's {@code unit}.
     */
    static void scan(final PartReaders readers, final IndexPart part, final TimestampUnit unit, final FilterPredicate filter,
                     final MessageType columns, final FlowCondition condition, final FlowRowFilter prune,
                     final FlowRowView.Visitor visitor) throws IOException {
        final ColumnDescriptor[] named = descriptors(columns);
        final long[][] rows = rowsPassing(readers, part, columns, FilterCompat.get(filter), prune, pages -> {
            final FlowColumn[] c = columnsOver(pages, named);
            condition.reset();
            return row -> condition.test(c, row);
        });
        final ColumnDescriptor[] all = descriptors(IndexSchema.Tables.FLOWS_SCHEMA);
        final Row view = new Row(part.timestampUnit(IndexSchema.FIRST_TS, unit));
        readChosen(readers, part, rows, (pages, n, wanted) -> {
            view.columns = columnsOver(pages, all);
            for (long row : wanted) {
                view.at(row);
                try {
                    visitor.flow(view);
                } catch (Damage e) {
                    throw e.getCause();
                } catch (IOException | RuntimeException e) {
                    throw new PartReader.VisitorFailure(e);
                }
            }
        });
    }

    /** A test of a row group's rows, one by one in the order they are read. */
    @FunctionalInterface
    interface Passing {
        /** Whether the next row, {@code row} of its row group, passes. */
        boolean passes(long row);
    }

    /**
     * Per row group of {@code part}, the rows that pass the test {@code test} makes of its pages,
     * ascending (null: none), reading {@code columns} only, of the row groups and pages that
     * {@code filter} and {@code prune} leave.
     */
    static long[][] rowsPassing(final PartReaders readers, final IndexPart part, final MessageType columns,
                                final FilterCompat.Filter filter, final FlowRowFilter prune,
                                final java.util.function.Function<PageReadStore, Passing> test) throws IOException {
        final long[][] rows = new long[part.open().footer().getBlocks().size()][];
        PartReader.read(readers, part, columns, filter, prune, (g, pages, n) -> {
            final Passing passes = test.apply(pages);
            final java.util.PrimitiveIterator.OfLong indexes = pages.getRowIndexes().orElse(null);
            long[] passing = new long[16];
            int k = 0;
            for (long i = 0; i < n; i++) {
                final long row = indexes == null ? i : indexes.nextLong();
                if (passes.passes(row)) {
                    if (k == passing.length) {
                        passing = java.util.Arrays.copyOf(passing, k * 2);
                    }
                    passing[k++] = row;
                }
            }
            rows[g] = k == 0 ? null : java.util.Arrays.copyOf(passing, k);
        });
        return rows;
    }

    /** Reads the pages of a row group that hold rows chosen of it. */
    @FunctionalInterface
    interface ChosenRows {
        /**
         * @param pages  the row group's pages that hold a chosen row, every column
         * @param n      the rows of those pages
         * @param wanted the chosen rows, ascending
         */
        void read(PageReadStore pages, long n, long[] wanted) throws IOException;
    }

    /**
     * Hands {@code chosen} the pages of every column of each row group of {@code part} that hold one
     * of its {@code rows} (per row group, ascending; null: none), with those rows: no other page is read.
     */
    static void readChosen(final PartReaders readers, final IndexPart part, final long[][] rows,
                           final ChosenRows chosen) throws IOException {
        final int[] group = new int[1];
        PartReader.read(readers, part, IndexSchema.Tables.FLOWS_SCHEMA, (g, block, indexes) -> {
            group[0] = g;
            return rows[g] == null ? RowRanges.EMPTY : FlowRows.pagesOf(rows[g], block.getRowCount(), indexes);
        }, false, (pages, n) -> chosen.read(pages, n, rows[group[0]]));
    }

    private static FlowColumn[] columnsOver(final PageReadStore pages, final ColumnDescriptor[] columns) {
        final FlowColumn[] c = new FlowColumn[columns.length];
        for (int k = 0; k < c.length; k++) {
            c[k] = new FlowColumn(pages.getPageReader(columns[k]), columns[k]);
        }
        return c;
    }

    private static ColumnDescriptor[] descriptors(final MessageType columns) {
        final List<ColumnDescriptor> list = new ArrayList<>();
        for (int i = 0; i < columns.getFieldCount(); i++) {
            list.add(columns.getColumnDescription(new String[] {columns.getFieldName(i)}));
        }
        return list.toArray(new ColumnDescriptor[0]);
    }

    /** A page that failed to decode while the visitor asked a row for a value: the part's damage, not the visitor's failure. */
    private static final class Damage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Damage(final ParquetDecodingException cause) {
            super(cause);
        }

        @Override
        public synchronized ParquetDecodingException getCause() {
            return (ParquetDecodingException) super.getCause();
        }
    }

    /** A flows row over the pages of every column, each value decoded when first asked for (as {@link FlowRowMaterializer} gives it). */
    private static final class Row implements FlowRowView {
        private static final int CHUNK = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.CHUNK);
        private static final int FLOW = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.FLOW);
        private static final int FLOW_HASH = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.FLOW_HASH);
        private static final int FIRST_TS = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.FIRST_TS);
        private static final int LAST_TS = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.LAST_TS);
        private static final int PACKETS = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.PACKETS);
        private static final int BYTES = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.BYTES);
        private static final int IP_VERSION = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.IP_VERSION);
        private static final int PROTO = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.PROTO);
        private static final int SRC = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.SRC);
        private static final int SRC_PORT = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.SRC_PORT);
        private static final int DST = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.DST);
        private static final int DST_PORT = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.DST_PORT);
        private static final int VLAN = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.VLAN);
        private static final int INNER_VLAN = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.INNER_VLAN);
        private static final int DEPTH = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.DEPTH);
        private static final int FACTS = IndexSchema.Tables.FLOWS_SCHEMA.getFieldIndex(IndexSchema.FACTS);

        private final TimestampUnit unit;
        private final CommunityId communityIds = new CommunityId(CommunityId.DEFAULT_SEED);
        private FlowColumn[] columns;
        private long row;
        private String src;
        private String dst;
        private String communityId;
        private boolean communityIdDone;

        Row(final TimestampUnit unit) {
            this.unit = unit;
        }

        void at(final long r) {
            row = r;
            src = null;
            dst = null;
            communityId = null;
            communityIdDone = false;
        }

        /**
         * Column {@code c} positioned on the current row, its page decoded: the index of the row in
         * its page. A page that cannot be decoded is the part's damage, not the visitor's failure.
         */
        private int index(final FlowColumn col) {
            try {
                return col.atDecoded(row);
            } catch (ParquetDecodingException e) {
                throw new Damage(e);
            }
        }

        private int integer(final int c) {
            final FlowColumn col = columns[c];
            return col.intAt(index(col));
        }

        private long longValue(final int c) {
            final FlowColumn col = columns[c];
            return col.longAt(index(col));
        }

        /** An optional INT32 column's value, or {@code ifNull}. */
        private int optional(final int c, final int ifNull) {
            final FlowColumn col = columns[c];
            final int i = index(col);
            return col.isNull(i) ? ifNull : col.intAt(i);
        }

        private boolean isNull(final int c) {
            final FlowColumn col = columns[c];
            return col.isNull(index(col));
        }

        private String text(final int c) {
            final FlowColumn col = columns[c];
            return col.binaryAt(index(col)).toStringUsingUTF8();
        }

        @Override public int chunk() { return integer(CHUNK); }
        @Override public int flow() { return integer(FLOW); }
        @Override public long flowHash() { return longValue(FLOW_HASH); }
        @Override public long firstTs() { return unit.toNanos(longValue(FIRST_TS)); }
        @Override public long lastTs() { return unit.toNanos(longValue(LAST_TS)); }
        @Override public long packets() { return longValue(PACKETS); }
        @Override public long bytes() { return longValue(BYTES); }
        @Override public int ipVersion() { return integer(IP_VERSION); }
        @Override public int proto() { return integer(PROTO); }
        @Override public int facts() { return integer(FACTS); }

        @Override
        public String src() {
            if (src == null) {
                src = text(SRC);
            }
            return src;
        }

        @Override public int srcPort() { return optional(SRC_PORT, 0); }

        @Override
        public String dst() {
            if (dst == null) {
                dst = text(DST);
            }
            return dst;
        }

        @Override public int dstPort() { return optional(DST_PORT, 0); }
        @Override public int vlan() { return optional(VLAN, -1); }
        @Override public int innerVlan() { return optional(INNER_VLAN, -1); }
        @Override public int depth() { return integer(DEPTH); }

        @Override
        public boolean portsKnown() {
            return !isNull(SRC_PORT) || !CommunityId.hasPorts(proto());
        }

        @Override
        public String communityId() {
            if (!communityIdDone) {
                communityId = portsKnown() ? FlowRowMaterializer.communityId(this, communityIds) : null;
                communityIdDone = true;
            }
            return communityId;
        }
    }
}
