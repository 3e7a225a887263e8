package io.scalpel.index;

import io.scalpel.decode.CommunityId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * A query's read of the flows table column by column ({@link FlowColumn}), with no record
 * assembled: first the columns its condition names, each row decided by the condition (a term on
 * a dictionary-encoded page tested once per dictionary entry, then by each row's id), then, of the
 * pages that hold a row that passed, the columns a visitor asks for, row by row
 * ({@link FlowRowView} over the pages: a column never asked for is never decompressed). It accepts
 * exactly the rows parquet-java's record filter accepts for the same predicate (null compares as
 * it does there); {@link #compile} returns null for a predicate of any other shape, which is read
 * record by record as before.
 */
final class FlowPages {
    private FlowPages() {
    }

    /** A condition on a row, compiled from a predicate of terms on the columns of {@code columns}. */
    abstract static class Condition {
        abstract boolean test(FlowColumn[] columns, long row);

        /** Forgets what was worked out from the previous row group's dictionaries. */
        abstract void reset();
    }

    /**
     * The condition of {@code p} (and, or, and =, !=, <, <=, >, >= of a column with a value, = and !=
     * of a column with null; ints and longs, binaries with = and != only) on the columns of
     * {@code columns} (numbered in its order), or null when it has another shape.
     */
    static Condition compile(final FilterPredicate p, final MessageType columns) {
        if (p instanceof Operators.And a) {
            final Condition l = compile(a.getLeft(), columns);
            final Condition r = compile(a.getRight(), columns);
            return l == null || r == null ? null : new Both(l, r, true);
        }
        if (p instanceof Operators.Or o) {
            final Condition l = compile(o.getLeft(), columns);
            final Condition r = compile(o.getRight(), columns);
            return l == null || r == null ? null : new Both(l, r, false);
        }
        final Op op;
        final Operators.Column<?> column;
        final Object value;
        if (p instanceof Operators.Eq<?> e) {
            op = Op.EQ;
            column = e.getColumn();
            value = e.getValue();
        } else if (p instanceof Operators.NotEq<?> e) {
            op = Op.NE;
            column = e.getColumn();
            value = e.getValue();
        } else if (p instanceof Operators.Lt<?> e) {
            op = Op.LT;
            column = e.getColumn();
            value = e.getValue();
        } else if (p instanceof Operators.LtEq<?> e) {
            op = Op.LE;
            column = e.getColumn();
            value = e.getValue();
        } else if (p instanceof Operators.Gt<?> e) {
            op = Op.GT;
            column = e.getColumn();
            value = e.getValue();
        } else if (p instanceof Operators.GtEq<?> e) {
            op = Op.GE;
            column = e.getColumn();
            value = e.getValue();
        } else {
            return null;
        }
        final String name = column.getColumnPath().toDotString();
        if (!columns.containsField(name)) {
            return null;
        }
        final PrimitiveTypeName type = columns.getType(name).asPrimitiveType().getPrimitiveTypeName();
        final boolean fits = value == null ? op == Op.EQ || op == Op.NE
            : type == PrimitiveTypeName.INT32 ? value instanceof Integer
            : type == PrimitiveTypeName.INT64 ? value instanceof Long
            : type == PrimitiveTypeName.BINARY && value instanceof Binary && (op == Op.EQ || op == Op.NE);
        return fits ? new Term(columns.getFieldIndex(name), type, op, value) : null;
    }

    private enum Op { EQ, NE, LT, LE, GT, GE }

    private static final class Both extends Condition {
        private final Condition left;
        private final Condition right;
        private final boolean and;

        Both(final Condition left, final Condition right, final boolean and) {
            this.left = left;
            this.right = right;
            this.and = and;
        }

        @Override
        boolean test(final FlowColumn[] columns, final long row) {
            return and ? left.test(columns, row) && right.test(columns, row) : left.test(columns, row) || right.test(columns, row);
        }

        @Override
        void reset() {
            left.reset();
            right.reset();
        }
    }

    /** A column compared with a value, as parquet-java's record filter compares it (a null row passes = null and != a value). */
    private static final class Term extends Condition {
        private final int column;
        private final PrimitiveTypeName type;
        private final Op op;
        private final Object value;
        private final byte[] bytes;
        /** Per dictionary id of the current row group: whether its entry passes; null until needed. */
        private boolean[] byId;

        Term(final int column, final PrimitiveTypeName type, final Op op, final Object value) {
            this.column = column;
            this.type = type;
            this.op = op;
            this.value = value;
            this.bytes = value instanceof Binary b ? b.getBytes() : null;
        }

        @Override
        void reset() {
            byId = null;
        }

        @Override
        boolean test(final FlowColumn[] columns, final long row) {
            final FlowColumn c = columns[column];
            final int i = c.at(row);
            if (c.isNull(i)) {
                return value == null ? op == Op.EQ : op == Op.NE;
            }
            if (value == null) {
                return op == Op.NE;
            }
            if (c.dictionaryEncoded()) {
                if (byId == null) {
                    byId = new boolean[c.dictionarySize()];
                    for (int id = 0; id < byId.length; id++) {
                        byId[id] = type == PrimitiveTypeName.BINARY ? c.dictionaryEntryEquals(id, bytes) == (op == Op.EQ)
                            : passes(type == PrimitiveTypeName.INT32 ? Integer.compare(c.dictionaryInt(id), (Integer) value)
                            : Long.compare(c.dictionaryLong(id), (Long) value));
                    }
                }
                return byId[c.id(i)];
            }
            return switch (type) {
                case INT32 -> passes(Integer.compare(c.intAt(i), (Integer) value));
                case INT64 -> passes(Long.compare(c.longAt(i), (Long) value));
                default -> c.binaryAt(i).equals(value) == (op == Op.EQ);
            };
        }

        private boolean passes(final int cmp) {
            return switch (op) {
                case EQ -> cmp == 0;
                case NE -> cmp != 0;
                case LT -> cmp < 0;
                case LE -> cmp <= 0;
                case GT -> cmp > 0;
                case GE -> cmp >= 0;
            };
        }
    }

    /**
     * Every row of {@code part} that passes {@code filter} (compiled: {@code condition}, on the columns
     * it names, {@code columns}) to {@code visitor}, row groups and pages pruned by {@code filter} and
     * {@code prune} as {@link PartReader} prunes them; timestamps in ns from the part's {@code unit}.
     */
    static void scan(final PartReaders readers, final IndexPart part, final TimestampUnit unit, final FilterPredicate filter,
                     final MessageType columns, final Condition condition, final FlowRowFilter prune,
                     final FlowRowView.Visitor visitor) throws IOException {
        final long[][] rows = new long[part.open().footer().getBlocks().size()][];
        final ColumnDescriptor[] named = descriptors(columns);
        PartReader.read(readers, part, columns, FilterCompat.get(filter), prune, (g, pages, n) -> {
            final FlowColumn[] c = new FlowColumn[named.length];
            for (int k = 0; k < c.length; k++) {
                c[k] = new FlowColumn(pages.getPageReader(named[k]), named[k]);
            }
            condition.reset();
            final PrimitiveIterator.OfLong indexes = pages.getRowIndexes().orElse(null);
            long[] passing = new long[16];
            int k = 0;
            for (long i = 0; i < n; i++) {
                final long row = indexes == null ? i : indexes.nextLong();
                if (condition.test(c, row)) {
                    if (k == passing.length) {
                        passing = java.util.Arrays.copyOf(passing, k * 2);
                    }
                    passing[k++] = row;
                }
            }
            rows[g] = k == 0 ? null : java.util.Arrays.copyOf(passing, k);
        });
        final ColumnDescriptor[] all = descriptors(IndexSchema.FLOWS_SCHEMA);
        final Row view = new Row(part.timestampUnit(IndexSchema.FIRST_TS, unit));
        final int[] group = new int[1];
        PartReader.read(readers, part, IndexSchema.FLOWS_SCHEMA, (g, block, indexes) -> {
            group[0] = g;
            return rows[g] == null ? RowRanges.EMPTY : FlowRows.pagesOf(rows[g], block.getRowCount(), indexes);
        }, false, (pages, n) -> {
            final FlowColumn[] c = new FlowColumn[all.length];
            for (int k = 0; k < c.length; k++) {
                c[k] = new FlowColumn(pages.getPageReader(all[k]), all[k]);
            }
            view.columns = c;
            for (long row : rows[group[0]]) {
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
        private static final int CHUNK = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.CHUNK);
        private static final int FLOW = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.FLOW);
        private static final int FLOW_HASH = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.FLOW_HASH);
        private static final int FIRST_TS = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.FIRST_TS);
        private static final int LAST_TS = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.LAST_TS);
        private static final int PACKETS = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.PACKETS);
        private static final int BYTES = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.BYTES);
        private static final int IP_VERSION = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.IP_VERSION);
        private static final int PROTO = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.PROTO);
        private static final int SRC = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.SRC);
        private static final int SRC_PORT = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.SRC_PORT);
        private static final int DST = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.DST);
        private static final int DST_PORT = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.DST_PORT);
        private static final int VLAN = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.VLAN);
        private static final int INNER_VLAN = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.INNER_VLAN);
        private static final int DEPTH = IndexSchema.FLOWS_SCHEMA.getFieldIndex(IndexSchema.DEPTH);

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
