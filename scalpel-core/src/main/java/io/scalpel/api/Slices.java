package io.scalpel.api;

import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.WindowQuery;
import io.scalpel.zeek.ConnLogBatches;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.ConnSelection;
import io.scalpel.zeek.SafeText;
import io.scalpel.zeek.Tunnel;
import io.scalpel.zeek.TunnelLogReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The slicing service: runs a {@link SliceRequest} over {@link Captures} (a capture file or a
 * capture set alike) and says what it did ({@link SliceOutcome}), telling a
 * {@link SliceListener} what it finds on the way. The CLI's {@code slice} is this and its
 * options; an embedder needs nothing else.
 *
 * <p>By uid: the uids' rows are read from the conn.log ({@link ConnSelection}, which also finds the
 * log's next row of each key, where a TCP connection's packets after its close end at the
 * latest), then the tunnel.log's tunnels the conn.log lacks; every uid of a log ({@code all}) is
 * sliced in batches of rows ({@link ConnLogBatches}), so memory is bounded by a batch, not by the
 * log. Each batch's rows become queries, are selected and narrowed by the BPF filter, and written
 * ({@link SliceOutputs}: the per-uid files of a batch are committed together). Rows whose logged
 * community_id is not their 5-tuple's are reported (the audit). By Community ID, flow or window: one
 * selection.
 */
public final class Slices {
    /** A uid usable as a file name: Zeek's uids are letters and digits. */
    public static final Pattern SAFE_UID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** How many of a kind of line are shown before the rest are counted. */
    static final int SHOWN = 10;

    private final Captures captures;
    private final SliceRequest request;
    private final SliceListener listener;
    private final BpfFilter filter;
    private final SliceOutputs outputs;
    private final VlanKeying vlan;
    private final List<String> problems = new ArrayList<>();
    private final List<String> empty = new ArrayList<>();
    private long emptyCount;
    private int matched;
    private int selected;
    private long mismatches;

    private Slices(final Captures captures, final SliceRequest request, final SliceListener listener, final BpfFilter filter,
                   final SliceOutputs outputs) {
        this.captures = captures;
        this.request = request;
        this.listener = listener;
        this.filter = filter;
        this.outputs = outputs;
        this.vlan = new VlanKeying(captures.options().vlanKey());
    }

    /**
     * Runs {@code request} over {@code captures}.
     *
     * @throws IllegalArgumentException when the request cannot be run as given: a flow or Community
     *                                  ID that cannot be parsed, an output that is an input of the
     *                                  run ({@link io.scalpel.extract.OutputConflictException}), pcap
     *                                  asked for frames of several link types
     * @throws io.scalpel.slice.BpfFilterException when libpcap refuses the filter or cannot be loaded
     */
    public static SliceOutcome run(final Captures captures, final SliceRequest request, final SliceListener listener)
        throws IOException {
        final BpfFilter filter = request.bpf() == null ? null : BpfFilter.compile(request.bpf());
        try (SliceOutputs outputs = new SliceOutputs(captures, request, listener::warning)) {
            final Slices s = new Slices(captures, request, listener, filter, outputs);
            switch (request.kind()) {
                case UIDS:
                    return s.byUid();
                case COMMUNITY_IDS:
                    return s.byQueries(communityIdQueries(captures, request), "community ID ");
                case FLOWS:
                    return s.byQueries(flowQueries(request, s.vlan.aware()), null);
                default:
                    return s.byQueries(List.of(new WindowQuery("window", request.from(), request.to())), null);
            }
        } finally {
            if (filter != null) {
                filter.close();
            }
        }
    }

    /**
     * Checks, before the captures are opened (and their index built), that {@code request} can be
     * run: its BPF filter compiles, and no output is an input of the run (the captures at
     * {@code path} with their index in {@code indexDirectory}, null for the default; the logs) or
     * another output.
     *
     * @throws IllegalArgumentException saying what is wrong: an output that is an input
     *                                  ({@link io.scalpel.extract.OutputConflictException}), or a
     *                                  filter that libpcap refuses ({@code --bpf 'EXPR' is invalid:
     *                                  ...}) or cannot compile as it is not installed ({@code --bpf: ...})
     */
    public static void check(final Path path, final Path indexDirectory, final SliceRequest request) throws IOException {
        if (request.bpf() != null) {
            try {
                BpfFilter.compile(request.bpf()).close();
            } catch (io.scalpel.slice.BpfFilterException e) {
                throw new IllegalArgumentException(e.libpcapMissing() ? "--bpf: " + e.getMessage()
                    : "--bpf " + e.getMessage().replaceFirst("^BPF expression ", ""), e);
            }
        }
        SliceOutputs.withOutputs(java.nio.file.Files.isDirectory(path) ? CaptureSetIndex.inputsOf(path, indexDirectory)
            : CaptureFileIndex.inputsOf(path, indexDirectory), request);
    }

    private static List<Query> communityIdQueries(final Captures captures, final SliceRequest r) {
        final List<Query> queries = new ArrayList<>();
        for (String id : new java.util.LinkedHashSet<>(r.communityIds())) {
            queries.add(CommunityIdQuery.of(id, id, captures.options().communityIdSeed(), r.from(), r.to()));
        }
        return queries;
    }

    private static List<Query> flowQueries(final SliceRequest r, final boolean vlanAware) {
        final List<Query> queries = new ArrayList<>();
        for (String f : r.flows()) {
            queries.add(FlowQuery.parse(f, r.from(), r.to(), vlanAware));
        }
        return queries;
    }

    /** Community IDs, flows or a window: one selection; an ID or flow without packets is a problem ({@code what} null: never). */
    private SliceOutcome byQueries(final List<Query> queries, final String what) throws IOException {
        final CaptureSet.Selection selection = slice(queries, null);
        for (int i = 0; i < selection.size(); i++) {
            if (selection.frames(i) == 0 && what != null) {
                final Query q = selection.queries().get(i);
                final boolean windowed = request.from() != Long.MIN_VALUE || request.to() != Long.MAX_VALUE;
                report(what + (q instanceof CommunityIdQuery id ? id.communityId() : q.label()) + " (" + noPacketsIn()
                    + (windowed && q instanceof CommunityIdQuery ? " in the window" : "") + ")");
            }
        }
        return outcome(queries.size(), -1, -1);
    }

    /** By uid: from the conn.log (in batches with {@code all}) and the tunnel.log. */
    private SliceOutcome byUid() throws IOException {
        final Map<String, Tunnel> tunnels = request.tunnelLog() == null ? Map.of() : readTunnels();
        final String logs = request.conn() == null ? request.tunnelLog()
            : request.tunnelLog() == null ? request.conn() : request.conn() + " or " + request.tunnelLog();
        int requested;
        int unknown = 0;
        long firstTs = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        final Map<String, Query> tunnelQueries = new LinkedHashMap<>();
        if (request.all()) {
            tunnels.forEach((uid, t) -> tunnelQueries.put(uid, captures.query(t)));
            requested = 0;
            if (request.conn() != null) {
                final MalformedLines malformed = new MalformedLines(request.conn());
                try (ConnLogBatches batches = ConnLogBatches.open(request.conn(), vlan::aware, malformed, request.batchRows())) {
                    vlan.logRead(request.conn(), batches.vlanKeyed(), listener);
                    malformed.finish();
                    warnWithoutTimestamps(batches.source(), batches.withoutTimestamp(), batches.rows() - batches.duplicates());
                    ConnLogBatches.Batch b;
                    while ((b = batches.next()) != null) {
                        final List<ConnRecord> rows = b.rows();
                        final Map<String, Query> queries = new LinkedHashMap<>();
                        for (int i = 0; i < rows.size(); i++) {
                            queries.put(rows.get(i).uid(), captures.query(rows.get(i), b.nextStarts()[i]));
                            tunnelQueries.remove(rows.get(i).uid());
                        }
                        requested += queries.size();
                        sliceRows(queries, rows);
                    }
                    firstTs = batches.firstTs();
                    lastEnd = batches.lastEnd();
                }
            }
            requested += tunnelQueries.size();
            sliceRows(tunnelQueries, List.of());
        } else {
            final Map<String, Query> queries = new LinkedHashMap<>();
            final List<ConnRecord> rows = new ArrayList<>();
            ConnSelection.Result read = null;
            if (request.conn() != null) {
                final MalformedLines malformed = new MalformedLines(request.conn());
                read = ConnSelection.read(request.conn(), request.uids(), vlan::aware, malformed);
                vlan.logRead(request.conn(), read.vlanKeyed(), listener);
                for (ConnRecord r : read.rows().values()) {
                    queries.put(r.uid(), captures.query(r, read.nextStart(r)));
                    rows.add(r);
                    firstTs = r.hasTimestamp() ? Math.min(firstTs, r.tsNanos()) : firstTs;
                    lastEnd = r.hasTimestamp() ? Math.max(lastEnd, r.tsNanos() + Math.max(0, r.durationNanos())) : lastEnd;
                }
                malformed.finish();
                warnWithoutTimestamps(read.source(), read.withoutTimestamp(), read.rows().size());
            }
            for (Map.Entry<String, Tunnel> t : tunnels.entrySet()) {
                if (request.uids().contains(t.getKey()) && !queries.containsKey(t.getKey())) {
                    queries.put(t.getKey(), captures.query(t.getValue()));
                }
            }
            for (String u : request.uids()) {
                if (!queries.containsKey(u)) {
                    unknown++;
                    report("uid " + LogNotes.unknownUid(u, logs, read, request.tunnelLog() != null));
                }
            }
            requested = request.uids().size();
            sliceRows(queries, rows);
        }
        if (emptyCount > 0 && request.all()) {
            listener.note(emptyCount + " of " + selected + " uids have " + noPacketsIn()
                + (emptyCount <= SHOWN ? ": " + String.join(", ", empty) : ""));
        }
        for (String uid : request.all() ? List.<String>of() : empty) {
            report("uid " + uid + " (" + noPacketsIn() + ")");
        }
        if (mismatches > SHOWN) {
            listener.warning(request.conn() + ": " + (mismatches - SHOWN) + " more rows whose community_id is not that of their 5-tuple");
        }
        if (matched == 0) {
            LogNotes.noOverlap(listener, firstTs, lastEnd, captures.path().toString(), captures.firstTimestampNanos(),
                captures.lastTimestampNanos());
        }
        return outcome(requested, unknown, request.conn() != null ? mismatches : -1);
    }

    private Map<String, Tunnel> readTunnels() throws IOException {
        final MalformedLines malformed = new MalformedLines(request.tunnelLog());
        try (TunnelLogReader reader = "-".equals(request.tunnelLog())
            ? TunnelLogReader.open(System.in, "<stdin>", malformed) : TunnelLogReader.open(Path.of(request.tunnelLog()), malformed)) {
            final Map<String, Tunnel> tunnels = new LinkedHashMap<>(reader.tunnels());
            malformed.finish();
            return tunnels;
        }
    }

    /** Slices the queries of some uids (with their conn rows, for the audit and the Arrow pairs). */
    private void sliceRows(final Map<String, Query> byUid, final List<ConnRecord> rows) throws IOException {
        final Map<String, ConnRecord> rowOf = new java.util.HashMap<>();
        for (ConnRecord r : rows) {
            rowOf.putIfAbsent(r.uid(), r);
            audit(r);
        }
        final List<Query> queries = new ArrayList<>();
        final List<ConnRecord> paired = new ArrayList<>();
        for (Map.Entry<String, Query> e : byUid.entrySet()) {
            if (request.splitDir() != null && !SAFE_UID.matcher(e.getKey()).matches()) {
                report("uid " + SafeText.escape(e.getKey(), SafeText.MAX_VALUE_CHARS) + " (not a safe file name; refused)");
                continue;
            }
            queries.add(e.getValue());
            paired.add(rowOf.get(e.getKey()));
        }
        if (!queries.isEmpty()) {
            slice(queries, paired);
        }
    }

    /** Selects, narrows and writes one set of queries; counts the queries with and without packets. */
    private CaptureSet.Selection slice(final List<Query> queries, final List<ConnRecord> rows) throws IOException {
        CaptureSet.Selection selection = captures.selectQueries(queries);
        if (filter != null) {
            selection = captures.narrow(selection, filter);
        }
        for (int i = 0; i < selection.size(); i++) {
            selected++;
            if (selection.frames(i) > 0) {
                matched++;
            } else if (emptyCount++ < SHOWN || !request.all()) {
                empty.add(selection.queries().get(i).label());
            }
        }
        outputs.add(selection, rows == null ? nulls(queries.size()) : rows);
        return selection;
    }

    private static List<ConnRecord> nulls(final int n) {
        return java.util.Collections.nCopies(n, null);
    }

    /**
     * Compares a row's logged community_id with the one of its 5-tuple under the seed, and warns
     * when they differ (the first {@value #SHOWN}, then a count). Such a row is still joined by its
     * 5-tuple.
     */
    private void audit(final ConnRecord r) {
        if (r.communityId() == null || r.communityId().isEmpty() || !r.hasFiveTuple()) {
            return;
        }
        final String computed = captures.communityIdOf(r);
        if (computed == null || computed.equals(r.communityId())) {
            return;
        }
        final int seed = captures.options().communityIdSeed();
        if (mismatches++ < SHOWN) {
            listener.warning(request.conn() + " line " + r.line() + ": uid " + SafeText.escape(r.uid(), SafeText.MAX_VALUE_CHARS)
                + ": community_id " + SafeText.escape(r.communityId(), SafeText.MAX_VALUE_CHARS) + " is not the Community ID of its"
                + " 5-tuple with seed " + seed + " (" + computed + "); joined by the 5-tuple"
                + (seed == io.scalpel.decode.CommunityId.DEFAULT_SEED
                    ? " (if Zeek used another seed, give it with --community-id-seed)" : ""));
        }
    }

    private void warnWithoutTimestamps(final String source, final long without, final long rows) {
        if (without > 0) {
            listener.warning(source + ": " + without + " of " + rows + " rows have no usable ts (unset or masked): each takes every"
                + " frame of its 5-tuple, as no time window can tell apart the connections that reused it");
        }
    }

    private void report(final String problem) {
        problems.add(problem);
        listener.note(problem);
    }

    private String noPacketsIn() {
        return "no packets in " + captures.path() + (filter != null ? " that --bpf accepts" : "");
    }

    private SliceOutcome outcome(final int requested, final int unknown, final long mismatchCount) throws IOException {
        final long arrowRows = outputs.finish();
        final SliceOutcome.Status status = matched == 0 ? SliceOutcome.Status.NOTHING_FOUND
            : problems.isEmpty() ? SliceOutcome.Status.OK : SliceOutcome.Status.PARTIAL;
        return new SliceOutcome(request.kind(), status, outputs.packets(), outputs.captureFiles(), outputs.arrowFile(), matched,
            requested, unknown,
            List.copyOf(problems), mismatchCount, arrowRows, vlan.aware(), vlan.reason(),
            captures instanceof CaptureSet set ? set.filesOpened() : null,
            captures instanceof CaptureFile file ? file.compression() : null);
    }

    /** Warns of the first {@value #SHOWN} malformed lines of a log, then counts the rest. */
    private final class MalformedLines implements ConnLogListener {
        private final String log;
        private long count;

        MalformedLines(final String log) {
            this.log = log;
        }

        @Override
        public void malformedLine(final String source, final long line, final String message) {
            if (count++ < SHOWN) {
                listener.warning(source + " line " + line + ": " + message + " (line skipped)");
            }
        }

        @Override
        public void notice(final String source, final long line, final String message) {
            listener.warning(source + " line " + line + ": " + message);
        }

        void finish() {
            if (count > SHOWN) {
                listener.warning(log + ": " + (count - SHOWN) + " more malformed lines skipped");
            }
            count = 0;
        }
    }
}
