package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;

import io.scalpel.decode.Addresses;
import java.util.List;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.DictionaryPageReadStore;
import org.apache.parquet.filter2.bloomfilterlevel.BloomFilterImpl;
import org.apache.parquet.filter2.dictionarylevel.DictionaryFilter;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.filter2.statisticslevel.StatisticsFilter;
import org.apache.parquet.hadoop.BloomFilterReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * A condition that every flow row a query may want satisfies, in terms of the flows table's
 * columns: what lets a query skip the row groups of the flows table that cannot hold such a row
 * (their dictionaries and bloom filters on {@code src}, {@code dst}, {@code src_port} and
 * {@code dst_port}, their statistics: {@link #canDrop}) and the pages (page indexes), before any row is read
 * (docs/index-format.md, "Query pruning"). It is necessary, not sufficient: the rows left are
 * still decided one by one by the query.
 *
 * <p>{@link #ANY} is the condition that rules nothing out; {@link #and} and {@link #or} combine
 * conditions. There is no negation: {@code not host A} rules out no row group by A's bloom
 * filters (a bloom filter can say a value is absent, never that every row has it), so a query
 * builds it as {@link #ANY}.
 */
public final class FlowRowFilter {
    /** Rules nothing out. */
    public static final FlowRowFilter ANY = new FlowRowFilter(null, null, null, null);

    /** The predicate, or null for {@link #ANY}: what the page indexes and each row are tested with. */
    private final FilterPredicate predicate;
    /** A term's own predicate (when {@link #left} is null), or null for {@link #ANY}. */
    private final FilterPredicate term;
    /** Of an {@code and} or {@code or}: its operands, and whether it is an {@code and}. */
    private final FlowRowFilter left;
    private final FlowRowFilter right;
    private final boolean both;

    private FlowRowFilter(final FilterPredicate term, final FlowRowFilter left, final FlowRowFilter right, final Boolean both) {
        this.term = term;
        this.left = left;
        this.right = right;
        this.both = Boolean.TRUE.equals(both);
        this.predicate = left == null ? term : this.both ? FilterApi.and(left.predicate, right.predicate)
            : FilterApi.or(left.predicate, right.predicate);
    }

    private static FlowRowFilter of(final FilterPredicate term) {
        return new FlowRowFilter(term, null, null, null);
    }

    /** Rows whose {@code src} or {@code dst} is the address {@code hi:lo} of IP version {@code ipVersion}. */
    public static FlowRowFilter host(final int ipVersion, final long hi, final long lo) {
        final Binary text = Binary.fromString(Addresses.format(ipVersion, hi, lo));
        return of(eq(IndexSchema.Tables.SRC_COLUMN, text)).or(of(eq(IndexSchema.Tables.DST_COLUMN, text)));
    }

    /**
     * Rows with a port in [{@code low}, {@code high}] on either side, or without their ports (a
     * fragmented datagram whose first fragment was never seen, which a port term leaves undecided).
     */
    public static FlowRowFilter port(final int low, final int high) {
        final FilterPredicate src = low == high ? eq(IndexSchema.Tables.SRC_PORT_COLUMN, low)
            : FilterApi.and(gtEq(IndexSchema.Tables.SRC_PORT_COLUMN, low), ltEq(IndexSchema.Tables.SRC_PORT_COLUMN, high));
        final FilterPredicate dst = low == high ? eq(IndexSchema.Tables.DST_PORT_COLUMN, low)
            : FilterApi.and(gtEq(IndexSchema.Tables.DST_PORT_COLUMN, low), ltEq(IndexSchema.Tables.DST_PORT_COLUMN, high));
        return of(src).or(of(dst)).or(of(eq(IndexSchema.Tables.SRC_PORT_COLUMN, (Integer) null)));
    }

    /** Rows of IP protocol {@code number} or {@code alternative}. */
    public static FlowRowFilter protocol(final int number, final int alternative) {
        final FlowRowFilter p = of(eq(FilterApi.intColumn(IndexSchema.PROTO), number));
        return alternative == number ? p : p.or(of(eq(FilterApi.intColumn(IndexSchema.PROTO), alternative)));
    }

    /** Rows of IP version {@code version}. */
    public static FlowRowFilter ipVersion(final int version) {
        return of(eq(FilterApi.intColumn(IndexSchema.IP_VERSION), version));
    }

    /** Rows with VLAN {@code id} as their outer or inner tag. */
    public static FlowRowFilter vlan(final int id) {
        return of(eq(FilterApi.intColumn(IndexSchema.VLAN), id)).or(of(eq(FilterApi.intColumn(IndexSchema.INNER_VLAN), id)));
    }

    /** Rows that satisfy both. */
    public FlowRowFilter and(final FlowRowFilter other) {
        return predicate == null ? other : other.predicate == null ? this : new FlowRowFilter(null, this, other, Boolean.TRUE);
    }

    /** Rows that satisfy either. */
    public FlowRowFilter or(final FlowRowFilter other) {
        return predicate == null || other.predicate == null ? ANY : new FlowRowFilter(null, this, other, Boolean.FALSE);
    }

    /** The predicate, null when it rules nothing out. */
    FilterPredicate predicate() {
        return predicate;
    }

    /**
     * Whether no row of a row group (its column chunks {@code columns}) can satisfy this condition:
     * a term is ruled out by the row group's statistics, its dictionaries or its bloom filters,
     * whichever tells (parquet-java's filters each decide a whole predicate alone, so an {@code or}
     * of a column with only a dictionary and one with only a bloom filter would never be ruled out
     * by either); an {@code and} when either operand is, an {@code or} when both are.
     */
    boolean canDrop(final List<ColumnChunkMetaData> columns, final DictionaryPageReadStore dictionaries, final BloomFilterReader blooms) {
        if (predicate == null) {
            return false;
        }
        if (left == null) {
            if (StatisticsFilter.canDrop(term, columns)) {
                return true;
            }
            final Boolean lacks = dictionaryLacks(term, columns, dictionaries);
            return (lacks != null ? lacks : DictionaryFilter.canDrop(term, columns, dictionaries))
                || BloomFilterImpl.canDrop(term, columns, blooms);
        }
        return both ? left.canDrop(columns, dictionaries, blooms) || right.canDrop(columns, dictionaries, blooms)
            : left.canDrop(columns, dictionaries, blooms) && right.canDrop(columns, dictionaries, blooms);
    }

    /**
     * For a term {@code column = value} on a column chunk whose every data page is dictionary-encoded:
     * whether its dictionary lacks the value, found in the dictionary page's plain-encoded entries
     * (parquet-java's {@link DictionaryFilter} decodes every entry into a set first). Null for any
     * other term or column chunk, which {@link DictionaryFilter} decides.
     */
    private static Boolean dictionaryLacks(final FilterPredicate term, final List<ColumnChunkMetaData> columns,
                                           final DictionaryPageReadStore dictionaries) {
        if (!(term instanceof Operators.Eq<?> eq) || eq.getValue() == null) {
            return null;
        }
        final ColumnChunkMetaData chunk = columns.stream().filter(c -> c.getPath().equals(eq.getColumn().getColumnPath())).findFirst().orElse(null);
        if (chunk == null || chunk.getEncodingStats() == null || !chunk.getEncodingStats().hasDictionaryPages()
            || chunk.getEncodingStats().hasNonDictionaryEncodedPages()) {
            return null;
        }
        final DictionaryPage page = dictionaries.readDictionaryPage(IndexSchema.Tables.FLOWS_SCHEMA.getColumnDescription(chunk.getPath().toArray()));
        if (page == null) {
            return null;
        }
        final byte[] entries;
        try {
            entries = DeltaPacked.bytes(page.getBytes()); // only read
        } catch (java.io.IOException e) {
            throw new org.apache.parquet.io.ParquetDecodingException("dictionary of " + chunk.getPath().toDotString() + ": " + e.getMessage(), e);
        }
        final int size = page.getDictionarySize();
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(entries).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (eq.getValue() instanceof Binary value && chunk.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BINARY) {
            final byte[] wanted = value.getBytes();
            int off = 0;
            for (int i = 0; i < size; i++) {
                if (off + 4 > entries.length) {
                    return null; // a short dictionary: parquet-java's filter says what is wrong with it
                }
                final int length = b.getInt(off);
                if (length < 0 || off + 4L + length > entries.length) {
                    return null;
                }
                if (length == wanted.length && java.util.Arrays.equals(entries, off + 4, off + 4 + length, wanted, 0, length)) {
                    return false;
                }
                off += 4 + length;
            }
            return true;
        }
        if (eq.getValue() instanceof Integer value && chunk.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT32
            && (long) size * 4 <= entries.length) {
            for (int i = 0; i < size; i++) {
                if (b.getInt(i * 4) == value) {
                    return false;
                }
            }
            return true;
        }
        return null;
    }

    @Override
    public String toString() {
        return predicate == null ? "any" : predicate.toString();
    }
}
