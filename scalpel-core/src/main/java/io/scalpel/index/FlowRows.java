package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;

import java.io.IOException;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReadStore;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexStore;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * Reads the flows table, a projection of its columns at a time; the filter prunes row groups
 * (statistics, bloom filters) and pages. A join's columns ({@link #scan}) are read column by
 * column and each row decided by a {@link RowTest}; a Community ID lookup's and an unfiltered
 * listing's ({@link #read}, {@link #scanKeys}) record by record into a {@link FlowRowMaterializer},
 * the filter deciding each row; a query's ({@link #scanKeys} with a condition) column by column
 * through {@link FlowPages}, or record by record when its predicate has a shape that does not
 * compile.
 */
final class FlowRows {
    /** The columns of flows.parquet a join reads. */
    static final MessageType JOIN_COLUMNS = Types.buildMessage()
        .addFields(IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.CHUNK), IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.FLOW),
            IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.FLOW_HASH), IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.FIRST_TS),
            IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.LAST_TS))
        .named("flow");

    /** The columns of flows.parquet that give a row's key and time span: what a Community ID lookup reads. */
    static final MessageType KEY_COLUMNS = Types.buildMessage()
        .addFields(IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.CHUNK), IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.FLOW),
            IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.FIRST_TS), IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.LAST_TS),
            IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.IP_VERSION), IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.PROTO),
            IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.SRC), IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.SRC_PORT),
            IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.DST), IndexSchema.Tables.FLOWS_SCHEMA.getType(IndexSchema.DST_PORT))
        .named("flow");

    private FlowRows() {
    }

    /** Called for each row that passes the filter; the materializer holds its values. */
    @FunctionalInterface
    interface RowSink {
        void accept() throws IOException;
    }

    /**
     * Every row of every part whose time span meets [{@code from}, {@code to}] (ns) and that
     * {@code prune} does not rule out, every column read: what lists the connections of an index
     * and what a query expression joins against. Row groups and pages that {@code prune} rules out
     * (dictionaries, bloom filters, statistics, page indexes) are not read.
     */
    static void scanKeys(final PartReaders readers, final List<IndexPart> parts, final TimestampUnit unit, final long from, final long to,
                         final FlowRowFilter prune, final FlowRowView.Visitor visitor) throws IOException {
        final FilterPredicate window = window(unit, from, to) instanceof FilterCompat.FilterPredicateCompat w ? w.getFilterPredicate() : null;
        final FilterPredicate wanted = prune.predicate();
        final FilterPredicate filter = window == null ? wanted : wanted == null ? window : and(window, wanted);
        final FlowRowMaterializer m = new FlowRowMaterializer(IndexSchema.Tables.FLOWS_SCHEMA);
        for (IndexPart part : parts) {
            if (filter == null) {
                read(readers, part, unit, IndexSchema.Tables.FLOWS_SCHEMA, FilterCompat.NOOP, null, m, () -> visitor.flow(m));
            } else {
                final MessageType columns = columnsOf(filter);
                final FlowCondition condition = FlowCondition.compile(filter, columns);
                if (condition != null) {
                    FlowPages.scan(readers, part, unit, filter, columns, condition, wanted == null ? null : prune, visitor);
                    continue;
                }
                final long[][] rows = rowsPassing(readers, part, filter, wanted == null ? null : prune);
                readRows(readers, part, unit, rows, m, () -> visitor.flow(m));
            }
        }
    }

    /**
     * Per row group of {@code part}, the rows that pass {@code filter}, ascending (null: none),
     * found by reading only the columns the filter names: the row groups and pages that the filter
     * or {@code prune} rule out are not read (statistics, dictionaries, bloom filters, page indexes).
     */
    private static long[][] rowsPassing(final PartReaders readers, final IndexPart part, final FilterPredicate filter,
                                        final FlowRowFilter prune) throws IOException {
        final MessageType columns = columnsOf(filter);
        final FlowRowMaterializer m = new FlowRowMaterializer(columns);
        final MessageColumnIO io = new ColumnIOFactory().getColumnIO(columns);
        final FilterCompat.Filter compiled = FilterCompat.get(filter);
        return FlowPages.rowsPassing(readers, part, columns, compiled, prune, pages -> {
            final RecordReader<?> records = io.getRecordReader(pages, m, compiled);
            return row -> records.read() != null && !records.shouldSkipCurrentRecord();
        });
    }

    /** The flows table's columns that {@code p} names, in the table's order. */
    private static MessageType columnsOf(final FilterPredicate p) {
        final java.util.Set<String> named = new java.util.HashSet<>();
        p.accept(new ColumnNames(named));
        final Types.MessageTypeBuilder b = Types.buildMessage();
        for (org.apache.parquet.schema.Type t : IndexSchema.Tables.FLOWS_SCHEMA.getFields()) {
            if (named.contains(t.getName())) {
                b.addField(t);
            }
        }
        return b.named("flow");
    }

    /**
     * Every row of {@code rows} (per row group, ascending; null: none) of {@code part}, every column
     * read into {@code row}: only the pages that hold one are read, and only those rows handed on.
     */
    private static void readRows(final PartReaders readers, final IndexPart part, final TimestampUnit unit, final long[][] rows,
                                 final FlowRowMaterializer row, final RowSink sink) throws IOException {
        final MessageColumnIO io = new ColumnIOFactory().getColumnIO(IndexSchema.Tables.FLOWS_SCHEMA);
        row.unit = part.timestampUnit(IndexSchema.FIRST_TS, unit);
        FlowPages.readChosen(readers, part, rows, (pages, n, wanted) -> {
            final RecordReader<?> records = io.getRecordReader(pages, row, FilterCompat.NOOP);
            final java.util.PrimitiveIterator.OfLong indexes = pages.getRowIndexes().orElse(null);
            int next = 0;
            for (long i = 0; i < n && next < wanted.length; i++) {
                records.read();
                if ((indexes == null ? i : indexes.nextLong()) != wanted[next]) {
                    continue;
                }
                next++;
                try {
                    sink.accept();
                } catch (IOException | RuntimeException e) {
                    throw new PartReader.VisitorFailure(e);
                }
            }
        });
    }

    /** The rows of the pages (of the {@code chunk} column) that hold one of {@code rows}; every row when there is no offset index. */
    static RowRanges pagesOf(final long[] rows, final long rowCount, final ColumnIndexStore indexes) {
        final OffsetIndex offsets;
        try {
            offsets = indexes.getOffsetIndex(org.apache.parquet.hadoop.metadata.ColumnPath.get(IndexSchema.CHUNK));
        } catch (ColumnIndexStore.MissingOffsetIndexException e) {
            return null;
        }
        if (offsets == null) {
            return null;
        }
        final java.util.List<Integer> pages = new java.util.ArrayList<>();
        int p = 0;
        for (long r : rows) {
            while (p + 1 < offsets.getPageCount() && offsets.getFirstRowIndex(p + 1) <= r) {
                p++;
            }
            if (pages.isEmpty() || pages.get(pages.size() - 1) != p) {
                pages.add(p);
            }
        }
        return RowRanges.create(rowCount, pages.stream().mapToInt(Integer::intValue).iterator(), offsets);
    }

    /** Collects the names of the columns a predicate names. */
    private record ColumnNames(java.util.Set<String> names) implements FilterPredicate.Visitor<Void> {
        private Void column(final Operators.Column<?> c) {
            names.add(c.getColumnPath().toDotString());
            return null;
        }

        @Override public <T extends Comparable<T>> Void visit(final Operators.Eq<T> p) { return column(p.getColumn()); }
        @Override public <T extends Comparable<T>> Void visit(final Operators.NotEq<T> p) { return column(p.getColumn()); }
        @Override public <T extends Comparable<T>> Void visit(final Operators.Lt<T> p) { return column(p.getColumn()); }
        @Override public <T extends Comparable<T>> Void visit(final Operators.LtEq<T> p) { return column(p.getColumn()); }
        @Override public <T extends Comparable<T>> Void visit(final Operators.Gt<T> p) { return column(p.getColumn()); }
        @Override public <T extends Comparable<T>> Void visit(final Operators.GtEq<T> p) { return column(p.getColumn()); }
        @Override public <T extends Comparable<T>> Void visit(final Operators.In<T> p) { return column(p.getColumn()); }
        @Override public <T extends Comparable<T>> Void visit(final Operators.NotIn<T> p) { return column(p.getColumn()); }

        @Override
        public Void visit(final Operators.And and) {
            and.getLeft().accept(this);
            return and.getRight().accept(this);
        }

        @Override
        public Void visit(final Operators.Or or) {
            or.getLeft().accept(this);
            return or.getRight().accept(this);
        }

        @Override
        public Void visit(final Operators.Not not) {
            return not.getPredicate().accept(this);
        }

        @Override
        public <T extends Comparable<T>, U extends org.apache.parquet.filter2.predicate.UserDefinedPredicate<T>> Void visit(
            final Operators.UserDefined<T, U> udp) {
            return column(udp.getColumn());
        }

        @Override
        public <T extends Comparable<T>, U extends org.apache.parquet.filter2.predicate.UserDefinedPredicate<T>> Void visit(
            final Operators.LogicalNotUserDefined<T, U> udp) {
            return udp.getUserDefined().accept(this);
        }
    }

    /** The rows whose time span meets [{@code from}, {@code to}] (ns; {@code Long.MIN_VALUE}/{@code MAX_VALUE}: unbounded). */
    static FilterCompat.Filter window(final TimestampUnit unit, final long from, final long to) {
        FilterPredicate filter = null;
        if (from != Long.MIN_VALUE) {
            filter = gtEq(IndexSchema.Tables.LAST_TS_COLUMN, unit.atLeast(from));
        }
        if (to != Long.MAX_VALUE) {
            final FilterPredicate before = ltEq(IndexSchema.Tables.FIRST_TS_COLUMN, unit.atMost(to));
            filter = filter == null ? before : and(filter, before);
        }
        return filter == null ? FilterCompat.NOOP : FilterCompat.get(filter);
    }

    /** Decides from a flow row's hash and time span (ns) whether it is wanted. */
    @FunctionalInterface
    interface RowTest {
        RowTest ALL = (hash, firstTs, lastTs) -> true;

        boolean test(long hash, long firstTs, long lastTs);
    }

    /**
     * The flow rows of every part that {@code test} wants, for a join: chunk, flow, hash and time
     * span. {@code filter} (the same condition, or weaker) prunes row groups and pages; the rows
     * left are read column by column ({@link ColumnReaders}), with no record assembled.
     */
    static void scan(final PartReaders readers, final List<IndexPart> parts, final TimestampUnit unit, final FilterCompat.Filter filter,
                     final RowTest test, final PacketIndex.FlowVisitor visitor) throws IOException {
        final ColumnDescriptor[] columns = new ColumnDescriptor[JOIN_COLUMNS.getFieldCount()];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = JOIN_COLUMNS.getColumnDescription(new String[] {JOIN_COLUMNS.getFieldName(c)});
        }
        for (IndexPart part : parts) {
            final TimestampUnit stored = part.timestampUnit(IndexSchema.FIRST_TS, unit);
            final String createdBy = part.open().footer().getFileMetaData().getCreatedBy();
            PartReader.read(readers, part, JOIN_COLUMNS, filter, (pages, n) -> {
                final ColumnReadStore store = ColumnReaders.of(pages, JOIN_COLUMNS, createdBy);
                final ColumnReader chunk = store.getColumnReader(columns[0]);
                final ColumnReader flow = store.getColumnReader(columns[1]);
                final ColumnReader hash = store.getColumnReader(columns[2]);
                final ColumnReader first = store.getColumnReader(columns[3]);
                final ColumnReader last = store.getColumnReader(columns[4]);
                for (long i = 0; i < n; i++) {
                    // every value is read: a value left unread would be taken for the next row's
                    final int c = chunk.getInteger();
                    final int f = flow.getInteger();
                    final long h = hash.getLong();
                    final long firstTs = stored.toNanos(first.getLong());
                    final long lastTs = stored.toNanos(last.getLong());
                    if (test.test(h, firstTs, lastTs)) {
                        try {
                            visitor.flow(c, f, h, firstTs, lastTs);
                        } catch (IOException | RuntimeException e) {
                            throw new PartReader.VisitorFailure(e);
                        }
                    }
                    chunk.consume();
                    flow.consume();
                    hash.consume();
                    first.consume();
                    last.consume();
                }
            });
        }
    }

    /** Each row of {@code part} that passes {@code filter}, its {@code projection} columns read into {@code row}. */
    static void read(final PartReaders readers, final IndexPart part, final TimestampUnit unit, final MessageType projection, final FilterCompat.Filter filter,
                     final FlowRowMaterializer row, final RowSink sink) throws IOException {
        read(readers, part, unit, projection, filter, null, row, sink);
    }

    /** As above, each row group that {@code prune} rules out skipped (see {@link PartReader}; null: none). */
    private static void read(final PartReaders readers, final IndexPart part, final TimestampUnit unit, final MessageType projection,
                             final FilterCompat.Filter filter, final FlowRowFilter prune,
                             final FlowRowMaterializer row, final RowSink sink) throws IOException {
        final MessageColumnIO io = new ColumnIOFactory().getColumnIO(projection);
        row.unit = part.timestampUnit(IndexSchema.FIRST_TS, unit);
        PartReader.read(readers, part, projection, filter, prune, (pages, n) -> {
            final RecordReader<?> records = io.getRecordReader(pages, row, filter);
            for (long i = 0; i < n; i++) {
                final Object r = records.read();
                if (r == null || records.shouldSkipCurrentRecord()) {
                    continue;
                }
                try {
                    sink.accept();
                } catch (IOException | RuntimeException e) {
                    throw new PartReader.VisitorFailure(e);
                }
            }
        });
    }
}
