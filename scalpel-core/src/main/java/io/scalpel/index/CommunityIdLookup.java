package io.scalpel.index;

import io.scalpel.decode.CommunityId;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.parquet.filter2.compat.FilterCompat;

/**
 * Lookups by Community ID v1: every flow row in the window is read and its ID computed from its
 * key under the lookup's seed (format 6 stores no Community ID: it would be a fifth of the
 * index). Their packet rows are then read as a flow lookup reads them ({@link FlowLookup#readRows}).
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
        final FlowRowMaterializer m = new FlowRowMaterializer(FlowRows.KEY_COLUMNS);
        final CommunityId calculator = new CommunityId(seed);
        final FilterCompat.Filter window = FlowRows.window(unit, from, to);
        for (IndexPart part : flows) {
            FlowRows.read(readers, part, unit, FlowRows.KEY_COLUMNS, window, m, () -> {
                final String id = m.communityId(calculator);
                if (id != null && communityIds.contains(id)) {
                    visitor.flow(id, m.chunk, m.flow, m.firstTs, m.lastTs);
                }
            });
        }
    }
}
