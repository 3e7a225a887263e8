package io.scalpel.slice;

import io.scalpel.index.IndexSchema;
import io.scalpel.index.PacketIndex;
import io.scalpel.slice.expr.FlowPruning;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The join of a slice: the index rows of each query's candidate frames, by flow hash
 * ({@link FlowQuery}), by Community ID ({@link CommunityIdQuery}), by the keys of the flows table
 * an expression may accept ({@link ExpressionQuery}), or every row in a time window
 * ({@link WindowQuery}). Up to {@link Slicer#LOOKUPS_BEFORE_SCAN} queries are looked up one by
 * one; more are answered by one pass over each table of the index: the flows give the
 * (chunk, flow) rows of every query, the packets their frames. What the rows say is confirmed
 * against the capture afterwards ({@link Confirmation}).
 */
final class IndexJoin {
    private final PacketIndex index;

    IndexJoin(final PacketIndex index) {
        this.index = index;
    }

    /** The candidates of each query, {@code queries.get(i)}'s at {@code i}. */
    Candidates[] candidates(final List<? extends Query> queries) throws IOException {
        final Candidates[] found = new Candidates[queries.size()];
        for (int i = 0; i < found.length; i++) {
            found[i] = new Candidates();
        }
        if (queries.size() <= Slicer.LOOKUPS_BEFORE_SCAN) {
            for (int i = 0; i < queries.size(); i++) {
                lookup(queries.get(i), found[i]);
            }
            return found;
        }
        // One pass over each table: flows give the (chunk, flow) rows of every query, packets their frames.
        final Map<Long, int[]> byHash = new HashMap<>();
        final Map<Integer, Map<String, int[]>> byCommunityId = new HashMap<>();
        for (int i = 0; i < queries.size(); i++) {
            final Query q = queries.get(i);
            if (q instanceof CommunityIdQuery c) {
                byCommunityId.computeIfAbsent(c.seed(), s -> new HashMap<>()).merge(c.communityId(), new int[] {i}, IndexJoin::concat);
            } else if (q instanceof FlowQuery f) {
                byHash.merge(IndexSchema.storedFlowHash(f.flowHash()), new int[] {i}, IndexJoin::concat);
            } else {
                lookup(q, found[i]); // a window or an expression: its own scan
            }
        }
        final Map<Long, int[]> byFlowRow = new HashMap<>();
        if (!byHash.isEmpty()) {
            index.scanFlows((chunk, flow, hash, firstTs, lastTs) ->
                addFlowRow(queries, byHash.get(hash), chunk, flow, firstTs, lastTs, byFlowRow));
        }
        for (Map.Entry<Integer, Map<String, int[]>> e : byCommunityId.entrySet()) {
            final Map<String, int[]> ids = e.getValue();
            index.communityFlows(ids.keySet(), e.getKey(), Long.MIN_VALUE, Long.MAX_VALUE,
                (id, chunk, flow, firstTs, lastTs) -> addFlowRow(queries, ids.get(id), chunk, flow, firstTs, lastTs, byFlowRow));
        }
        if (!byFlowRow.isEmpty()) {
            index.scanAll((ts, offset, chunk, flow, dgramTs) -> {
                final int[] qs = flow < 0 ? null : byFlowRow.get(PacketIndex.flowRow(chunk, flow));
                if (qs != null) {
                    final long joinTs = dgramTs == PacketIndex.NO_DGRAM_TS ? ts : dgramTs;
                    for (int qi : qs) {
                        if (queries.get(qi).inLookupWindow(joinTs)) {
                            found[qi].add(ts, offset, dgramTs);
                        }
                    }
                }
            });
        }
        return found;
    }

    /** The index rows of one query's candidate frames: by flow hash, by Community ID, or every row in a window. */
    private void lookup(final Query q, final Candidates c) throws IOException {
        final PacketIndex.RowVisitor add = (ts, offset, chunk, flow, dgramTs) -> c.add(ts, offset, dgramTs);
        if (q instanceof CommunityIdQuery id) {
            index.lookupCommunityId(id.communityId(), id.seed(), id.from(), id.lookupTo(), add);
        } else if (q instanceof FlowQuery f) {
            index.lookup(f.flowHash(), f.from(), f.lookupTo(), add);
        } else if (q instanceof ExpressionQuery x) {
            final FlowRowSubject forward = new FlowRowSubject(false);
            final FlowRowSubject reverse = new FlowRowSubject(true);
            index.lookupFlows(x.from(), x.to(), FlowPruning.of(x.expression()), row -> x.mayMatch(forward.of(row), reverse.of(forward)), add);
        } else {
            index.scan(q.from(), q.to(), add);
        }
    }

    /** Ties a flow row to those of {@code qs} (may be null) whose window its time span meets. */
    private static void addFlowRow(final List<? extends Query> queries, final int[] qs, final int chunk, final int flow,
                                   final long firstTs, final long lastTs, final Map<Long, int[]> byFlowRow) {
        if (qs == null) {
            return;
        }
        for (int qi : qs) {
            final Query q = queries.get(qi);
            if (firstTs <= q.lookupTo() && lastTs >= q.from()) {
                byFlowRow.merge(PacketIndex.flowRow(chunk, flow), new int[] {qi}, IndexJoin::concat);
            }
        }
    }

    private static int[] concat(final int[] a, final int[] b) {
        final int[] m = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, m, a.length, b.length);
        return m;
    }
}
