package io.scalpel.index;

import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * A condition on a flows row, compiled from a predicate of terms on the columns of a projection
 * ({@link #compile}) and tested on the row's columns ({@link FlowColumn}) as {@link FlowPages}
 * reads them: a term on a dictionary-encoded page is worked out once per dictionary entry of the
 * row group, then looked up by each row's id. It passes exactly the rows parquet-java's record
 * filter passes for the same predicate: null passes {@code = null} and {@code != value} only.
 */
abstract class FlowCondition {
    abstract boolean test(FlowColumn[] columns, long row);

    /** Forgets what was worked out from the previous row group's dictionaries. */
    abstract void reset();

    /**
     * The condition of {@code p} (and, or, and =, !=, <, <=, >, >= of a column with a value, = and !=
     * of a column with null; ints and longs, binaries with = and != only) on the columns of
     * {@code columns} (numbered in its order), or null when it has another shape.
     */
    static FlowCondition compile(final FilterPredicate p, final MessageType columns) {
        if (p instanceof Operators.And a) {
            final FlowCondition l = compile(a.getLeft(), columns);
            final FlowCondition r = compile(a.getRight(), columns);
            return l == null || r == null ? null : new Both(l, r, true);
        }
        if (p instanceof Operators.Or o) {
            final FlowCondition l = compile(o.getLeft(), columns);
            final FlowCondition r = compile(o.getRight(), columns);
            return l == null || r == null ? null : new Both(l, r, false);
        }
        if (p instanceof Operators.Eq<?> e) {
            return term(Op.EQ, e.getColumn(), e.getValue(), columns);
        }
        if (p instanceof Operators.NotEq<?> e) {
            return term(Op.NE, e.getColumn(), e.getValue(), columns);
        }
        if (p instanceof Operators.Lt<?> e) {
            return term(Op.LT, e.getColumn(), e.getValue(), columns);
        }
        if (p instanceof Operators.LtEq<?> e) {
            return term(Op.LE, e.getColumn(), e.getValue(), columns);
        }
        if (p instanceof Operators.Gt<?> e) {
            return term(Op.GT, e.getColumn(), e.getValue(), columns);
        }
        if (p instanceof Operators.GtEq<?> e) {
            return term(Op.GE, e.getColumn(), e.getValue(), columns);
        }
        return null;
    }

    /**
     * One comparison of a column with a value (parquet-java's comparison predicates share no public
     * type), or null when the column is not among {@code columns} or the value does not fit it.
     */
    private static FlowCondition term(final Op op, final Operators.Column<?> column, final Object value,
                                      final MessageType columns) {
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

    private static final class Both extends FlowCondition {
        private final FlowCondition left;
        private final FlowCondition right;
        private final boolean and;

        Both(final FlowCondition left, final FlowCondition right, final boolean and) {
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
    private static final class Term extends FlowCondition {
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
}
