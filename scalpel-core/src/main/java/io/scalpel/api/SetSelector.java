package io.scalpel.api;

import io.scalpel.index.CaptureSetManifest;
import io.scalpel.index.IndexException;
import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.Connection;
import io.scalpel.slice.ExpressionQuery;
import io.scalpel.slice.JoinedConnections;
import io.scalpel.slice.Query;
import io.scalpel.slice.TcpTail;
import io.scalpel.slice.WindowQuery;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Selections across the members of a capture set ({@link CaptureSet#selectQueries},
 * {@link CaptureSet#selectWindow}, narrowed by {@link CaptureSet#narrow}): each query is asked only of the members whose time range meets
 * its window ({@link SetMembers}). Members are read in time order, and a TCP connection's closing
 * is carried from one member to the next: a connection that closed near the end of one file has
 * the rest of its packets (its tail, {@link io.scalpel.slice.TcpEnding}) in the next, which is
 * then opened too.
 */
final class SetSelector {
    private final CaptureSetManifest manifest;
    private final SetMembers members;

    SetSelector(final CaptureSetManifest manifest, final SetMembers members) {
        this.manifest = manifest;
        this.members = members;
    }

    /** Selects the frames of each query in the members whose time range meets its window (or its tail). */
    CaptureSet.Selection select(final List<? extends Query> queries) throws IOException {
        final List<TcpTail> tails = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            tails.add(new TcpTail());
        }
        final List<CaptureSetManifest.Member> inTimeOrder = new ArrayList<>(manifest.members());
        inTimeOrder.sort(Comparator.comparingLong(CaptureSetManifest.Member::firstTimestampNanos));
        final Map<CaptureSetManifest.Member, CaptureSet.MemberSelection> found = new HashMap<>();
        final Set<Long> visited = new HashSet<>(); // (member, query) pairs of the first pass
        for (int k = 0; k < inTimeOrder.size(); k++) {
            final CaptureSetManifest.Member m = inTimeOrder.get(k);
            final List<Integer> meeting = new ArrayList<>();
            for (int i = 0; i < queries.size(); i++) {
                if (members.meets(m, queries.get(i).from(), queries.get(i).to())) {
                    meeting.add(i);
                    visited.add(((long) k << 32) | i);
                }
            }
            selectIn(m, meeting, queries, tails, found);
        }
        // Connections that closed: their tails, in the later members their window did not meet.
        for (int k = 0; k < inTimeOrder.size(); k++) {
            final CaptureSetManifest.Member m = inTimeOrder.get(k);
            final List<Integer> meeting = new ArrayList<>();
            for (int i = 0; i < queries.size(); i++) {
                final long tailEnd = tails.get(i).tailEnd(queries.get(i));
                if (tailEnd != TcpTail.NO_TAIL && !visited.contains(((long) k << 32) | i)
                    && members.meets(m, queries.get(i).to(), tailEnd)) {
                    meeting.add(i);
                }
            }
            selectIn(m, meeting, queries, tails, found);
        }
        final List<CaptureSet.MemberSelection> inNameOrder = new ArrayList<>();
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (found.containsKey(m)) {
                inNameOrder.add(found.get(m));
            }
        }
        return new CaptureSet.Selection(List.copyOf(queries), inNameOrder);
    }

    /** Selects queries {@code meeting} in member {@code m}, adding their frames to what {@code found} has of it. */
    private void selectIn(final CaptureSetManifest.Member m, final List<Integer> meeting, final List<? extends Query> queries,
                          final List<TcpTail> tails, final Map<CaptureSetManifest.Member, CaptureSet.MemberSelection> found)
        throws IOException {
        if (meeting.isEmpty()) {
            return;
        }
        final Scalpel s = members.open(m);
        final List<Query> sub = new ArrayList<>(meeting.size());
        final List<TcpTail> subTails = new ArrayList<>(meeting.size());
        for (int i : meeting) {
            sub.add(queries.get(i));
            subTails.add(tails.get(i));
        }
        final Scalpel.Selection sel;
        try {
            sel = s.selectQueries(sub, subTails);
        } catch (IndexException e) {
            throw members.inSet(e);
        }
        final CaptureSet.MemberSelection before = found.get(m);
        final long[][] offsets;
        if (before != null) {
            offsets = before.offsets();
        } else {
            offsets = new long[queries.size()][];
            Arrays.fill(offsets, new long[0]);
        }
        for (int k = 0; k < meeting.size(); k++) {
            offsets[meeting.get(k)] = sel.offsets(k);
        }
        found.put(m, new CaptureSet.MemberSelection(m, s, offsets));
    }

    /**
     * Each query's frames, in every member, that {@code filter} accepts (each member's selected
     * frames are filtered once, with that member's link types).
     */
    static CaptureSet.Selection narrow(final CaptureSet.Selection selection, final BpfFilter filter) throws IOException {
        final List<CaptureSet.MemberSelection> narrowed = new ArrayList<>(selection.members().size());
        for (CaptureSet.MemberSelection m : selection.members()) {
            final Scalpel.Selection kept = m.capture().narrow(new Scalpel.Selection(selection.queries(), m.offsets()), filter);
            narrowed.add(new CaptureSet.MemberSelection(m.member(), m.capture(), kept.offsets()));
        }
        return new CaptureSet.Selection(selection.queries(), narrowed);
    }

    /**
     * The connections of each member whose time range meets {@code query}'s window (every member
     * without a query), members in time order ({@link Connection#joined} makes them one list).
     */
    List<List<Connection>> connections(final ExpressionQuery query, final boolean vlanAware, final boolean readBackAll)
        throws IOException {
        final List<CaptureSetManifest.Member> inTimeOrder = new ArrayList<>(manifest.members());
        inTimeOrder.sort(Comparator.comparingLong(CaptureSetManifest.Member::firstTimestampNanos));
        final List<List<Connection>> found = new ArrayList<>();
        for (CaptureSetManifest.Member m : inTimeOrder) {
            if (query == null || members.meets(m, query.from(), query.to())) {
                try {
                    final io.scalpel.slice.ConnectionTable t = members.open(m).connections(query, vlanAware, readBackAll);
                    final List<Connection> each = new ArrayList<>(t.size());
                    for (int i = 0; i < t.size(); i++) {
                        each.add(t.get(i));
                    }
                    found.add(each);
                } catch (IndexException e) {
                    throw members.inSet(e);
                }
            }
        }
        return found;
    }

    /**
     * The connections of {@link #connections(ExpressionQuery, boolean, boolean)} joined as
     * {@link Connection#joined} joins them, handed to {@code sink} in time order as the members are
     * read ({@link JoinedConnections}), until the end or until the sink wants no more; returns the
     * connections read back from the members to split them.
     */
    int connections(final ExpressionQuery query, final boolean vlanAware, final Connection.Sink sink) throws IOException {
        final List<CaptureSetManifest.Member> read = new ArrayList<>();
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (query == null || members.meets(m, query.from(), query.to())) {
                read.add(m);
            }
        }
        read.sort(Comparator.comparingLong(CaptureSetManifest.Member::firstTimestampNanos));
        final long[] later = new long[read.size() + 1];
        later[read.size()] = Long.MAX_VALUE;
        for (int k = read.size() - 1; k >= 0; k--) {
            later[k] = Math.min(later[k + 1], members.earliestFrame(read.get(k)));
        }
        int readBack = 0;
        try (JoinedConnections joined = new JoinedConnections(sink)) {
            for (int k = 0; k < read.size() && !joined.stopped(); k++) {
                joined.member(later[k + 1]);
                try {
                    readBack += members.open(read.get(k)).connections(query, vlanAware, joined::connection);
                } catch (IndexException e) {
                    throw members.inSet(e);
                }
            }
            joined.finish();
        }
        return readBack;
    }

    /** Every frame with a timestamp in [{@code from}, {@code to}] ns, as a selection of one query (labelled "window"). */
    CaptureSet.Selection window(final long from, final long to) throws IOException {
        // A query that only carries the label and the window: its frames are every frame in the window.
        final Query label = new WindowQuery("window", from, to);
        final List<CaptureSet.MemberSelection> found = new ArrayList<>();
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (members.meetsFrames(m, from, to)) {
                final Scalpel s = members.open(m);
                try {
                    found.add(new CaptureSet.MemberSelection(m, s, new long[][] {s.selectWindow(from, to)}));
                } catch (IndexException e) {
                    throw members.inSet(e);
                }
            }
        }
        return new CaptureSet.Selection(List.of(label), found);
    }
}
