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
 * A flow lookup in two steps, both through the index's {@link LookupFile} ({@link LookupParts}): the
 * flow's rows in the flows table (row groups skipped by their time range and one block of the bloom
 * filter on {@code flow_hash}, then the {@code flow_hash} pages whose range holds the hash, then
 * only the pages of the other columns that hold the rows found), then the packet rows of those
 * (chunk, flow) pairs, each with its time span there: only the row groups and pages that can hold
 * one are read ({@link WantedRows#segments}). No footer is parsed and no parquet-java reader is
 * made. The second step serves the Community ID lookup and a query's packet rows too
 * ({@link CommunityIdLookup}, {@link PacketIndex#lookupFlows}). The same two steps through
 * parquet-java's readers and the parts' footers ({@link #lookupThroughFooters}) are what tests
 * hold this path to.
 */
final class FlowLookup {
    /** The readers kept open between lookups (the path through the footers). */
    private final PartReaders readers;
    /** The part files read through the lookup file, kept open between lookups. */
    private final LookupParts lookup;
    private final List<IndexPart> packets;
    /** The unit of the index's timestamps, which its filters are written in. */
    private final TimestampUnit unit;
    private final List<IndexPart> flows;
    /** The index's largest lag from a fragment's own time to its datagram's ({@link IndexManifest#maxFragmentLagNanos}). */
    private final long fragmentLag;

    FlowLookup(final PartReaders readers, final LookupParts lookup, final List<IndexPart> packets, final List<IndexPart> flows,
               final TimestampUnit unit, final long fragmentLag) {
        this.readers = readers;
        this.lookup = lookup;
        this.unit = unit;
        this.packets = packets;
        this.flows = flows;
        this.fragmentLag = fragmentLag;
    }

    /** See {@link PacketIndex#lookup}. */
    void lookup(final long flowHash, final long from, final long to, final PacketIndex.RowVisitor visitor) throws IOException {
        final Found found = new Found(from, to);
        final long stored = IndexSchema.storedFlowHash(flowHash);
        final long bloomHash = FlowHashBloom.hash(stored);
        final LookupFile file = lookup.file();
        for (int i = 0; i < file.parts(); i++) {
            final LookupFile.Table table = file.part(i).flows();
            final LookupFile.RowGroup[] groups = table.groups();
            for (int g = 0; g < groups.length; g++) {
                final LookupFile.RowGroup group = groups[g];
                if (from != Long.MIN_VALUE && group.timeMax() < table.unit().atLeast(from)
                    || to != Long.MAX_VALUE && group.timeMin() > table.unit().atMost(to)
                    || !lookup.mightContain(table, group, bloomHash)) {
                    continue;
                }
                flowRows(table, g, stored, found);
            }
        }
        readRows(found, visitor);
    }

    /** The rows of flows row group {@code g} of {@code table} whose hash is {@code stored}, their time span meeting the window, into {@code found}. */
    private void flowRows(final LookupFile.Table table, final int g, final long stored, final Found found) throws IndexException {
        final LookupFile.Column hashes = table.groups()[g].columns()[LookupFile.F_HASH];
        final LookupColumn hash = column(table, g, LookupFile.F_HASH);
        long[] rows = null;
        int n = 0;
        for (int p = 0; p < hashes.pages(); p++) {
            if (stored < hashes.min()[p] || stored > hashes.max()[p]) {
                continue;
            }
            final long[] values = hash.page(p);
            for (int r = 0; r < hash.rows(p); r++) {
                if (values[r] == stored) {
                    if (rows == null || n == rows.length) {
                        rows = rows == null ? new long[4] : java.util.Arrays.copyOf(rows, n * 2);
                    }
                    rows[n++] = hashes.first()[p] + r;
                }
            }
        }
        if (n == 0) {
            return;
        }
        final LookupColumn chunk = column(table, g, LookupFile.F_CHUNK);
        final LookupColumn flow = column(table, g, LookupFile.F_FLOW);
        final LookupColumn first = column(table, g, LookupFile.F_FIRST);
        final LookupColumn last = column(table, g, LookupFile.F_LAST);
        for (int k = 0; k < n; k++) {
            final long row = rows[k];
            final long firstTs = table.unit().toNanos(first.value(first.at(row)));
            final long lastTs = table.unit().toNanos(last.value(last.at(row)));
            if (lastTs >= found.from && firstTs <= found.to) {
                found.add((int) chunk.value(chunk.at(row)), (int) flow.value(flow.at(row)), firstTs, lastTs);
            }
        }
    }

    /** Column {@code c} of flows row group {@code g}. */
    private LookupColumn column(final LookupFile.Table table, final int g, final int c) throws IndexException {
        return new LookupColumn(lookup, table, g, c, LookupFile.FLOW_COLUMNS[c], c != LookupFile.F_CHUNK && c != LookupFile.F_FLOW);
    }

    /**
     * As {@link #lookup}, through parquet-java's readers and the parts' footers, as the index was read
     * before the lookup file: what tests hold the lookup to.
     */
    void lookupThroughFooters(final long flowHash, final long from, final long to, final PacketIndex.RowVisitor visitor) throws IOException {
        final Found found = new Found(from, to);
        final long stored = IndexSchema.storedFlowHash(flowHash);
        FilterPredicate flowFilter = eq(IndexSchema.Tables.FLOW_HASH_COLUMN, stored);
        if (from != Long.MIN_VALUE) {
            flowFilter = and(flowFilter, gtEq(IndexSchema.Tables.LAST_TS_COLUMN, unit.atLeast(from)));
        }
        if (to != Long.MAX_VALUE) {
            flowFilter = and(flowFilter, ltEq(IndexSchema.Tables.FIRST_TS_COLUMN, unit.atMost(to)));
        }
        FlowRows.scan(readers, flows, unit, FilterCompat.get(flowFilter),
            (hash, first, last) -> hash == stored && last >= from && first <= to,
            (chunk, flow, hash, first, last) -> found.add(chunk, flow, first, last));
        readRowsThroughFooters(found, visitor);
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
     * time in the window: only the stretches of rows whose pages can hold one are read
     * ({@link WantedRows#segments}), and of those rows only the wanted ones have their offset and
     * datagram time decoded.
     */
    void readRows(final Found found, final PacketIndex.RowVisitor visitor) throws IOException {
        if (found.wanted.isEmpty()) {
            return;
        }
        final WantedRows wanted = found.wanted.build(fragmentLag);
        final LookupFile file = lookup.file();
        for (int i = 0; i < file.parts(); i++) {
            final LookupFile.Table table = file.part(i).packets();
            for (int g = 0; g < table.groups().length; g++) {
                final long[] segments = wanted.segments(table.groups()[g], table.unit());
                if (segments.length > 0) {
                    packetRows(table, g, segments, wanted, found, visitor);
                }
            }
        }
        rowsRead.add(wanted.rowsChosen());
    }

    private void packetRows(final LookupFile.Table table, final int g, final long[] segments, final WantedRows wanted, final Found found,
                            final PacketIndex.RowVisitor visitor) throws IOException {
        final TimestampUnit stored = table.unit();
        final LookupColumn chunk = packetColumn(table, g, LookupFile.P_CHUNK);
        final LookupColumn flow = packetColumn(table, g, LookupFile.P_FLOW);
        final LookupColumn ts = packetColumn(table, g, LookupFile.P_TS);
        final LookupColumn offset = packetColumn(table, g, LookupFile.P_OFFSET);
        final LookupColumn dgram = packetColumn(table, g, LookupFile.P_DGRAM);
        for (int s = 0; s < segments.length; s += 2) {
            final long end = segments[s + 1];
            for (long row = segments[s]; row < end; ) {
                // the rows up to where the chunk's or the flow's page ends, tested from the two pages' arrays
                final int ci = chunk.at(row);
                final int fi = flow.at(row);
                final long stop = Math.min(end, Math.min(chunk.pageEnd(), flow.pageEnd()));
                final long[] chunks = chunk.values();
                final long[] flows = flow.values();
                for (int k = 0, n = (int) (stop - row); k < n; k++) {
                    final int c = (int) chunks[ci + k];
                    final int f = (int) flows[fi + k];
                    final int pair = wanted.indexOf(c, f);
                    if (pair >= 0) {
                        wantedRow(row + k, c, f, pair, ts, offset, dgram, stored, wanted, found, visitor);
                    }
                }
                row = stop;
            }
        }
    }

    /** Hands {@code visitor} packet row {@code row} of the wanted pair {@code pair} ({@code c}, {@code f}) when its times are wanted. */
    private static void wantedRow(final long row, final int c, final int f, final int pair, final LookupColumn ts, final LookupColumn offset,
                                  final LookupColumn dgram, final TimestampUnit stored, final WantedRows wanted, final Found found,
                                  final PacketIndex.RowVisitor visitor) throws IOException {
        final long t = stored.toNanos(ts.value(ts.at(row)));
        if (!wanted.inSpan(pair, t)) {
            return;
        }
        final int d = dgram.at(row);
        final long dgramTs = dgram.isNull(d) ? PacketChunk.NO_DGRAM_TS : stored.toNanos(dgram.value(d));
        final long joinTs = dgramTs == PacketChunk.NO_DGRAM_TS ? t : dgramTs;
        if (joinTs >= found.from && joinTs <= found.to) {
            visitor.row(t, offset.value(offset.at(row)), c, f, dgramTs);
        }
    }

    /** Column {@code c} of packets row group {@code g}. */
    private LookupColumn packetColumn(final LookupFile.Table table, final int g, final int c) throws IndexException {
        return new LookupColumn(lookup, table, g, c, LookupFile.PACKET_COLUMNS[c], c != LookupFile.P_CHUNK && c != LookupFile.P_FLOW);
    }

    /** As {@link #readRows}, through parquet-java's readers and the parts' footers and page indexes. */
    void readRowsThroughFooters(final Found found, final PacketIndex.RowVisitor visitor) throws IOException {
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
