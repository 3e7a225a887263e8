package io.scalpel.index;

import org.apache.parquet.column.ColumnReadStore;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Column readers over one row group of a Parquet file whose values are taken with their getters
 * ({@code getLong()}, {@code getBinary()}, ...), row by row, with no record assembled: the way the
 * index reads its packets table and a Parquet conn.log is read. parquet-java's column readers want
 * a converter for each column even then; the one given here receives nothing and mirrors the
 * schema's nesting, so it serves a flat table and a projection with groups alike.
 */
public final class ColumnReaders {
    private ColumnReaders() {
    }

    /**
     * The column readers of the row group {@code pages} of a file of {@code schema} (or a projection
     * of it) written by {@code createdBy} (the footer's {@code created_by}, which tells parquet-java
     * the bugs of old writers to work around). Each column's first page is read when its reader is
     * asked for.
     */
    public static ColumnReadStore of(final PageReadStore pages, final MessageType schema, final String createdBy) {
        return new ColumnReadStoreImpl(pages, new NoConverter(schema), schema, createdBy);
    }

    /** Converters are never called: values are read from the column readers. Mirrors the schema's nesting. */
    private static final class NoConverter extends GroupConverter {
        private final Converter[] children;

        NoConverter(final GroupType type) {
            children = new Converter[type.getFieldCount()];
            for (int i = 0; i < children.length; i++) {
                final Type t = type.getType(i);
                children[i] = t.isPrimitive() ? new PrimitiveConverter() { } : new NoConverter(t.asGroupType());
            }
        }

        @Override
        public Converter getConverter(final int fieldIndex) {
            return children[fieldIndex];
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    }
}
