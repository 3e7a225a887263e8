package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;

import io.scalpel.decode.Addresses;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;

/**
 * A condition that every flow row a query may want satisfies, in terms of the flows table's
 * columns: what lets a query skip the row groups of the flows table that cannot hold such a row
 * (their bloom filters on {@code src}, {@code dst}, {@code src_port} and {@code dst_port}, their
 * statistics and dictionaries) and the pages (page indexes), before any row is read
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
    public static final FlowRowFilter ANY = new FlowRowFilter(null);

    /** The predicate, or null for {@link #ANY}. */
    private final FilterPredicate predicate;
    /**
     * The predicate without its "ports are null" alternatives, or null for {@link #ANY}: what the
     * dictionaries and bloom filters of a row group without such rows are asked (they hold no
     * null, so parquet-java's test of them could never rule out a predicate that accepts one).
     */
    private final FilterPredicate withPorts;

    private FlowRowFilter(final FilterPredicate predicate) {
        this(predicate, predicate);
    }

    private FlowRowFilter(final FilterPredicate predicate, final FilterPredicate withPorts) {
        this.predicate = predicate;
        this.withPorts = withPorts;
    }

    /** Rows whose {@code src} or {@code dst} is the address {@code hi:lo} of IP version {@code ipVersion}. */
    public static FlowRowFilter host(final int ipVersion, final long hi, final long lo) {
        final Binary text = Binary.fromString(Addresses.format(ipVersion, hi, lo));
        return new FlowRowFilter(FilterApi.or(eq(IndexSchema.SRC_COLUMN, text), eq(IndexSchema.DST_COLUMN, text)));
    }

    /**
     * Rows with a port in [{@code low}, {@code high}] on either side, or without their ports (a
     * fragmented datagram whose first fragment was never seen, which a port term leaves undecided).
     */
    public static FlowRowFilter port(final int low, final int high) {
        final FilterPredicate src = low == high ? eq(IndexSchema.SRC_PORT_COLUMN, low)
            : FilterApi.and(gtEq(IndexSchema.SRC_PORT_COLUMN, low), ltEq(IndexSchema.SRC_PORT_COLUMN, high));
        final FilterPredicate dst = low == high ? eq(IndexSchema.DST_PORT_COLUMN, low)
            : FilterApi.and(gtEq(IndexSchema.DST_PORT_COLUMN, low), ltEq(IndexSchema.DST_PORT_COLUMN, high));
        return new FlowRowFilter(FilterApi.or(FilterApi.or(src, dst), eq(IndexSchema.SRC_PORT_COLUMN, (Integer) null)),
            FilterApi.or(src, dst));
    }

    /** Rows of IP protocol {@code number} or {@code alternative}. */
    public static FlowRowFilter protocol(final int number, final int alternative) {
        final FilterPredicate p = eq(FilterApi.intColumn(IndexSchema.PROTO), number);
        return new FlowRowFilter(alternative == number ? p : FilterApi.or(p, eq(FilterApi.intColumn(IndexSchema.PROTO), alternative)));
    }

    /** Rows of IP version {@code version}. */
    public static FlowRowFilter ipVersion(final int version) {
        return new FlowRowFilter(eq(FilterApi.intColumn(IndexSchema.IP_VERSION), version));
    }

    /** Rows with VLAN {@code id} as their outer or inner tag. */
    public static FlowRowFilter vlan(final int id) {
        return new FlowRowFilter(FilterApi.or(eq(FilterApi.intColumn(IndexSchema.VLAN), id),
            eq(FilterApi.intColumn(IndexSchema.INNER_VLAN), id)));
    }

    /** Rows that satisfy both. */
    public FlowRowFilter and(final FlowRowFilter other) {
        return predicate == null ? other : other.predicate == null ? this
            : new FlowRowFilter(FilterApi.and(predicate, other.predicate), FilterApi.and(withPorts, other.withPorts));
    }

    /** Rows that satisfy either. */
    public FlowRowFilter or(final FlowRowFilter other) {
        return predicate == null || other.predicate == null ? ANY
            : new FlowRowFilter(FilterApi.or(predicate, other.predicate), FilterApi.or(withPorts, other.withPorts));
    }

    /** The predicate, null when it rules nothing out. */
    FilterPredicate predicate() {
        return predicate;
    }

    /** The predicate that the dictionaries and bloom filters of {@code block}, a row group of the flows table, may be asked. */
    FilterPredicate forValueSets(final BlockMetaData block) {
        for (ColumnChunkMetaData c : block.getColumns()) {
            if (c.getPath().toDotString().equals(IndexSchema.SRC_PORT)) {
                final Statistics<?> stats = c.getStatistics();
                return stats == null || stats.isEmpty() || !stats.isNumNullsSet() || stats.getNumNulls() > 0 ? predicate : withPorts;
            }
        }
        return predicate;
    }

    @Override
    public String toString() {
        return predicate == null ? "any" : predicate.toString();
    }
}
