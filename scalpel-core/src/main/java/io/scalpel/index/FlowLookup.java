package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.in;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;
import static org.apache.parquet.filter2.predicate.FilterApi.or;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;

/**
 * A flow lookup in two steps: the flow's rows in the flows table (row groups skipped by their time
 * statistics and the bloom filter on {@code flow_hash}), then the packet rows of those
 * (chunk, flow) pairs, with chunk, flow and time window pushed down to row-group statistics and
 * page indexes so that only the pages that hold them are read. The second step serves the
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
     * The flow rows a lookup found in a window [{@code from}, {@code to}], by chunk: per chunk, the
     * flow numbers and the time span they have there, within the window.
     */
    static final class Found {
        private final long from;
        private final long to;
        private final Map<Integer, ChunkRows> byChunk = new TreeMap<>();

        Found(final long from, final long to) {
            this.from = from;
            this.to = to;
        }

        void add(final int chunk, final int flow, final long first, final long last) {
            byChunk.computeIfAbsent(chunk, c -> new ChunkRows()).add(flow, Math.max(first, from), Math.min(last, to));
        }
    }

    /** The flow numbers of one chunk that a lookup wants, and their time span there. */
    private static final class ChunkRows {
        final Set<Integer> flows = new HashSet<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;

        void add(final int flow, final long first, final long last) {
            flows.add(flow);
            from = Math.min(from, first);
            to = Math.max(to, last);
        }
    }

    /** The packet rows of the (chunk, flow) pairs {@code found}, each in its chunk's span, by join time in the window. */
    void readRows(final Found found, final PacketIndex.RowVisitor visitor) throws IOException {
        if (found.byChunk.isEmpty()) {
            return;
        }
        final long from = found.from;
        final long to = found.to;
        // Per chunk: its flow numbers, and only the time span they have there. The span is on the
        // join time; a fragment's own ts is at most the index's fragment lag earlier, so pruning
        // reads from that much earlier and the join time is checked row by row.
        final long lag = fragmentLag;
        FilterPredicate rows = null;
        int pairs = 0;
        for (ChunkRows c : found.byChunk.values()) {
            pairs += c.flows.size();
        }
        final long[] wanted = new long[pairs];
        final Map<Integer, long[]> spans = new HashMap<>();
        int w = 0;
        for (Map.Entry<Integer, ChunkRows> e : found.byChunk.entrySet()) {
            final ChunkRows c = e.getValue();
            final FilterPredicate inChunk = and(and(eq(IndexSchema.CHUNK_COLUMN, e.getKey()),
                c.flows.size() == 1 ? eq(IndexSchema.FLOW_COLUMN, c.flows.iterator().next()) : in(IndexSchema.FLOW_COLUMN, c.flows)),
                and(gtEq(IndexSchema.TS_COLUMN, unit.atLeast(c.from - lag)), ltEq(IndexSchema.TS_COLUMN, unit.atMost(c.to))));
            rows = rows == null ? inChunk : or(rows, inChunk);
            for (int flow : c.flows) {
                wanted[w++] = PacketIndex.flowRow(e.getKey(), flow);
            }
            spans.put(e.getKey(), new long[] {c.from - lag, c.to});
        }
        Arrays.sort(wanted);
        PacketRows.scan(readers, packets, unit, FilterCompat.get(rows), (chunk, flow, ts) -> {
            if (Arrays.binarySearch(wanted, PacketIndex.flowRow(chunk, flow)) < 0) {
                return false;
            }
            final long[] span = spans.get(chunk);
            return ts >= span[0] && ts <= span[1];
        }, (ts, offset, chunk, flow, dgramTs) -> {
            final long joinTs = dgramTs == PacketChunk.NO_DGRAM_TS ? ts : dgramTs;
            if (joinTs >= from && joinTs <= to) {
                visitor.row(ts, offset, chunk, flow, dgramTs);
            }
        });
    }
}
