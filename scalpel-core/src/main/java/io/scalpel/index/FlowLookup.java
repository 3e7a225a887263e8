package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;

import java.io.IOException;
import java.util.List;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * A flow lookup in two steps: the flow's rows in the flows table (row groups skipped by their time
 * statistics and the bloom filter on {@code flow_hash}), then the packet rows of those
 * (chunk, flow) pairs, each with its time span there: only the row groups and pages that can hold
 * one are read ({@link WantedRows}). The second step serves the
 * Community ID lookup too ({@link CommunityIdLookup}).
 */
final class FlowLookup {
    /** The readers kept open between lookups. */
    private final PartReaders readers;
    private final List<IndexPart> packets;
    /** The unit of the index's timestamps, which its filters are written in. */
    private final TimestampUnit unit;
    private final List<IndexPart> flows;
    /** The index's largest lag from a fragment's own time to its datagram's ({@link IndexManifest#maxFragmentLagNanos}). */
    private final long fragmentLag;

    FlowLookup(final PartReaders readers, final List<IndexPart> packets, final List<IndexPart> flows, final TimestampUnit unit,
               final long fragmentLag) {
        this.readers = readers;
        this.unit = unit;
        this.packets = packets;
        this.flows = flows;
        this.fragmentLag = fragmentLag;
    }

    /** See {@link PacketIndex#lookup}. */
    void lookup(final long flowHash, final long from, final long to, final PacketIndex.RowVisitor visitor) throws IOException {
        final Found found = new Found(from, to);
        final long stored = IndexSchema.storedFlowHash(flowHash);
        FilterPredicate flowFilter = eq(IndexSchema.FLOW_HASH_COLUMN, stored);
        if (from != Long.MIN_VALUE) {
            flowFilter = and(flowFilter, gtEq(IndexSchema.LAST_TS_COLUMN, unit.atLeast(from)));
        }
        if (to != Long.MAX_VALUE) {
            flowFilter = and(flowFilter, ltEq(IndexSchema.FIRST_TS_COLUMN, unit.atMost(to)));
        }
        FlowRows.scan(readers, flows, unit, FilterCompat.get(flowFilter),
            (hash, first, last) -> hash == stored && last >= from && first <= to,
            (chunk, flow, hash, first, last) -> found.add(chunk, flow, first, last));
        readRows(found, visitor);
    }

    /**
     * The flow rows a lookup found in a window [{@code from}, {@code to}]: each (chunk, flow) pair
     * with the time span its rows can have, within the window.
     */
    static final class Found {
        private final long from;
        private final long to;
        private final WantedRows.Builder wanted = new WantedRows.Builder();

        Found(final long from, final long to) {
            this.from = from;
            this.to = to;
        }

        /**
         * Wants the rows of the flow row ({@code chunk}, {@code flow}) whose join times lie in
         * [{@code first}, {@code last}]. A row's join time is its datagram's time for a fragment,
         * whose own ts is at most the index's fragment lag earlier: the span of own times
         * ({@link FlowLookup#readRows}) starts that much earlier.
         */
        void add(final int chunk, final int flow, final long first, final long last) {
            wanted.add(chunk, flow, Math.max(first, from), Math.min(last, to));
        }
    }

    /** Packet rows read by the lookups of this index so far: the rows of the pages they read. */
    private final java.util.concurrent.atomic.LongAdder rowsRead = new java.util.concurrent.atomic.LongAdder();

    long rowsRead() {
        return rowsRead.sum();
    }

    /**
     * The packet rows of the (chunk, flow) pairs {@code found}, each in its pair's span, by join
     * time in the window: only the pages that can hold one are read ({@link WantedRows}).
     */
    void readRows(final Found found, final PacketIndex.RowVisitor visitor) throws IOException {
        if (found.wanted.isEmpty()) {
            return;
        }
        final long from = found.from;
        final long to = found.to;
        final WantedRows wanted = found.wanted.build(fragmentLag);
        PacketRows.scan(readers, packets, unit, wanted, (ts, offset, chunk, flow, dgramTs) -> {
            final long joinTs = dgramTs == PacketChunk.NO_DGRAM_TS ? ts : dgramTs;
            if (joinTs >= from && joinTs <= to) {
                visitor.row(ts, offset, chunk, flow, dgramTs);
            }
        });
        rowsRead.add(wanted.rowsChosen());
    }
}
