package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.in;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.api.Binary;

/**
 * Lookups by Community ID v1. Under seed 0, the one the index stores, the flows are found through
 * the {@code community_id} column and its bloom filter; under another seed every flow row in the
 * window is read and its ID computed from its key. Their packet rows are then read as a flow
 * lookup reads them ({@link FlowLookup#readRows}).
 */
final class CommunityIdLookup {
    private final PartReaders readers;
    private final List<IndexPart> flows;
    /** The unit of the index's timestamps, which its filters are written in. */
    private final TimestampUnit unit;
    private final FlowLookup rows;

    CommunityIdLookup(final PartReaders readers, final List<IndexPart> flows, final TimestampUnit unit, final FlowLookup rows) {
        this.readers = readers;
        this.unit = unit;
        this.flows = flows;
        this.rows = rows;
    }

    /** See {@link PacketIndex#lookupCommunityId}. */
    void lookup(final String communityId, final int seed, final long from, final long to, final PacketIndex.RowVisitor visitor)
        throws IOException {
        final FlowLookup.Found found = new FlowLookup.Found(from, to);
        flows(Set.of(communityId), seed, from, to, (id, chunk, flow, first, last) -> found.add(chunk, flow, first, last));
        rows.readRows(found, visitor);
    }

    /** See {@link PacketIndex#communityFlows}. */
    void flows(final Set<String> communityIds, final int seed, final long from, final long to,
               final PacketIndex.CommunityFlowVisitor visitor) throws IOException {
        if (communityIds.isEmpty()) {
            return;
        }
        FilterPredicate filter = null;
        if (seed == CommunityId.DEFAULT_SEED) {
            final Set<Binary> wanted = new HashSet<>();
            for (String id : communityIds) {
                wanted.add(Binary.fromString(id));
            }
            filter = wanted.size() == 1 ? eq(IndexSchema.COMMUNITY_ID_COLUMN, wanted.iterator().next())
                : in(IndexSchema.COMMUNITY_ID_COLUMN, wanted);
        }
        if (from != Long.MIN_VALUE) {
            filter = filter == null ? gtEq(IndexSchema.LAST_TS_COLUMN, unit.atLeast(from))
                : and(filter, gtEq(IndexSchema.LAST_TS_COLUMN, unit.atLeast(from)));
        }
        if (to != Long.MAX_VALUE) {
            filter = filter == null ? ltEq(IndexSchema.FIRST_TS_COLUMN, unit.atMost(to))
                : and(filter, ltEq(IndexSchema.FIRST_TS_COLUMN, unit.atMost(to)));
        }
        final FlowRowMaterializer m = new FlowRowMaterializer(FlowRows.COMMUNITY_COLUMNS);
        final CommunityId calculator = seed == CommunityId.DEFAULT_SEED ? null : new CommunityId(seed);
        final FilterCompat.Filter compiled = filter == null ? FilterCompat.NOOP : FilterCompat.get(filter);
        for (IndexPart part : flows) {
            FlowRows.read(readers, part, unit, FlowRows.COMMUNITY_COLUMNS, compiled, m, () -> {
                if (m.communityId == null) {
                    return;
                }
                String id = m.communityId;
                if (calculator != null) {
                    final Addresses.Parsed src = Addresses.parse(m.src);
                    final Addresses.Parsed dst = Addresses.parse(m.dst);
                    id = calculator.of(m.ipVersion, src.hi(), src.lo(), m.srcPort, dst.hi(), dst.lo(), m.dstPort, m.proto);
                }
                if (communityIds.contains(id)) {
                    visitor.flow(id, m.chunk, m.flow, m.firstTs, m.lastTs);
                }
            });
        }
    }
}
