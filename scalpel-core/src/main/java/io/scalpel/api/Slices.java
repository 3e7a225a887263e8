package io.scalpel.api;

import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.BpfFilterException;
import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.WindowQuery;
import io.scalpel.zeek.ConnLogBatches;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.ConnSelection;
import io.scalpel.zeek.SafeText;
import io.scalpel.zeek.Tunnel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
 *
 * <p>Behind this class: {@code UidResolution} turns the logs into queries, {@code CommunityIdAudit}
 * checks the rows' community_id, {@code SliceOutputs} writes, {@code SliceTally} counts what was
 * found and makes the outcome.
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
    private final SliceTally tally;
    private final CommunityIdAudit audit;
    private final ConnLogIndex index;
    private final LogReadAhead ahead;

    private Slices(final Captures captures, final SliceRequest request, final SliceListener listener, final BpfFilter filter,
                   final SliceOutputs outputs, final ConnLogIndex index, final LogReadAhead ahead) {
        this.index = index;
        this.ahead = ahead;
        this.captures = captures;
        this.request = request;
        this.listener = listener;
        this.filter = filter;
        this.outputs = outputs;
        this.vlan = new VlanKeying(captures.options().vlanKey());
        this.tally = new SliceTally(listener, request.all());
        this.audit = new CommunityIdAudit(captures, request.conn(), listener);
    }

    /**
     * Runs {@code request} over {@code captures}.
     *
     * @throws IllegalArgumentException when the request cannot be run as given: a flow or Community
     *                                  ID that cannot be parsed, an output that is an input of the
     *                                  run ({@link io.scalpel.extract.OutputConflictException}), pcap
     *                                  asked for frames of several link types
     * @throws io.scalpel.slice.BpfFilterException when libpcap refuses the filter or cannot be loaded
     * @param captures the capture file or capture set, open
     * @param request what to select and where to write
     * @param listener receives warnings and notes as the slice goes
     * @return what the slice did
     * @throws IOException when a capture, its index or a log cannot be read, or an output cannot be written
     */
    public static SliceOutcome run(final Captures captures, final SliceRequest request, final SliceListener listener)
        throws IOException {
        return run(captures, request, listener, null, null);
    }

    /**
     * Runs {@code request} over {@code captures} as {@link #run(Captures, SliceRequest, SliceListener)}
     * does, finding the rows of its uids through {@code index} when it indexes the request's conn.log
     * and is current (else the log is read): the same outcome and the same extract, without reading
     * the log. The rows of every uid ({@link SliceRequest#all()}) are read from the log.
     *
     * @param captures the capture file or capture set, open
     * @param request what to select and where to write
     * @param listener receives warnings and notes as the slice goes
     * @param index the conn.log's rows kept warm, or null
     * @return what the slice did
     * @throws IOException when a capture, its index or a log cannot be read, or an output cannot be written
     */
    public static SliceOutcome run(final Captures captures, final SliceRequest request, final SliceListener listener,
                                   final ConnLogIndex index) throws IOException {
        return run(captures, request, listener, index, null);
    }

    /**
     * Runs {@code request} over {@code captures} as {@link #run(Captures, SliceRequest, SliceListener)}
     * does, taking the rows of its uids from {@code ahead}, the conn.log read while the captures were
     * opened ({@link LogReadAhead#start}): the same outcome, the same extract, the same warnings and
     * failures in the same order.
     *
     * @param captures the capture file or capture set, open
     * @param request what to select and where to write
     * @param listener receives warnings and notes as the slice goes
     * @param ahead the log read ahead for {@code request}
     * @return what the slice did
     * @throws IOException when a capture, its index or a log cannot be read, or an output cannot be written
     */
    public static SliceOutcome run(final Captures captures, final SliceRequest request, final SliceListener listener,
                                   final LogReadAhead ahead) throws IOException {
        return run(captures, request, listener, null, ahead);
    }

    private static SliceOutcome run(final Captures captures, final SliceRequest request, final SliceListener listener,
                                    final ConnLogIndex index, final LogReadAhead ahead) throws IOException {
        final BpfFilter filter = request.bpf() == null ? null : BpfFilter.compile(request.bpf());
        try (SliceOutputs outputs = new SliceOutputs(captures, request, listener::warning)) {
            final Slices s = new Slices(captures, request, listener, filter, outputs, index, ahead);
            switch (request.kind()) {
                case UIDS:
                    return s.byUid();
                case COMMUNITY_IDS:
                    return s.byQueries(new Queries(captures.options()).ofCommunityIds(new LinkedHashSet<>(request.communityIds()),
                        request.from(), request.to()), "community ID ");
                case FLOWS:
                    return s.byQueries(Queries.ofFlows(request.flows(), request.from(), request.to(), s.vlan.aware()), null);
                case QUERY:
                    return s.byQueries(List.of(Queries.ofExpression(request.query(), request.nowNanos(), request.from(),
                        request.to())), null);
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
     * @throws IllegalArgumentException saying what is wrong: a query expression that cannot be read
     *                                  ({@code --query 'EXPR': column N: ...}), an output that is an input
     *                                  ({@link io.scalpel.extract.OutputConflictException}), or a
     *                                  filter that libpcap refuses ({@code --bpf 'EXPR' is invalid:
     *                                  ...}) or cannot compile as it is not installed ({@code --bpf: ...})
     * @param path the capture file or capture set directory
     * @param indexDirectory its index; null for the default
     * @param request the request to check
     * @throws IOException when an input or output cannot be located
     */
    public static void check(final Path path, final Path indexDirectory, final SliceRequest request) throws IOException {
        if (request.query() != null) {
            Queries.ofExpression(request.query(), request.nowNanos(), request.from(), request.to());
        }
        if (request.bpf() != null) {
            try {
                BpfFilter.compile(request.bpf()).close();
            } catch (BpfFilterException e) {
                throw new IllegalArgumentException(e.libpcapMissing() ? "--bpf: " + e.getMessage()
                    : "--bpf " + e.getMessage().replaceFirst("^BPF expression ", ""), e);
            }
        }
        SliceOutputs.withOutputs(Files.isDirectory(path) ? CaptureSetIndex.inputsOf(path, indexDirectory)
            : CaptureFileIndex.inputsOf(path, indexDirectory), request);
    }

    /**
     * Creates the directory per-uid extracts are written to ({@code --split-dir}), with its parents,
     * as {@link SliceRequest.Builder#splitDir} does when its first file is written.
     *
     * @param dir the directory
     * @throws io.scalpel.extract.OutputException when it cannot be created
     *                                            ({@code cannot create --split-dir DIR: DIR exists and is not a directory})
     * @throws IOException when it cannot be created
     */
    public static void createSplitDir(final Path dir) throws IOException {
        SliceOutputs.createSplitDir(dir);
    }

    /** Community IDs, flows or a window: one selection; an ID or flow without packets is a problem ({@code what} null: never). */
    private SliceOutcome byQueries(final List<Query> queries, final String what) throws IOException {
        final CaptureSet.Selection selection = slice(queries, null);
        for (int i = 0; i < selection.size(); i++) {
            if (selection.frames(i) == 0 && what != null) {
                final Query q = selection.queries().get(i);
                final boolean windowed = request.from() != Long.MIN_VALUE || request.to() != Long.MAX_VALUE;
                tally.report(what + (q instanceof CommunityIdQuery id ? id.communityId() : q.label()) + " (" + noPacketsIn()
                    + (windowed && q instanceof CommunityIdQuery ? " in the window" : "") + ")");
            }
        }
        return tally.outcome(request, captures, outputs, vlan, queries.size(), -1, -1);
    }

    /** By uid: from the conn.log (in batches with {@code all}) and the tunnel.log. */
    private SliceOutcome byUid() throws IOException {
        if (ahead != null && !ahead.ended() && captures instanceof CaptureFile file) {
            file.scalpel().index().readLookupFile(); // while the log's search goes on
        }
        final UidResolution logs = new UidResolution(captures, request, listener, vlan, index, ahead);
        final Map<String, Tunnel> tunnels = logs.tunnels();
        final int requested;
        int unknown = 0;
        final long firstTs;
        final long lastEnd;
        if (request.all()) {
            final UidResolution.Every every = logs.every(tunnels, this::sliceRows);
            requested = every.requested();
            firstTs = every.firstTs();
            lastEnd = every.lastEnd();
        } else {
            final UidResolution.Asked asked = logs.asked(tunnels);
            for (String problem : asked.unknown()) {
                unknown++;
                tally.report(problem);
            }
            requested = request.uids().size();
            firstTs = asked.firstTs();
            lastEnd = asked.lastEnd();
            sliceRows(asked.queries(), asked.rows());
        }
        tally.uidsWithoutPackets(noPacketsIn());
        audit.finish();
        if (tally.matched() == 0) {
            LogNotes.noOverlap(listener, firstTs, lastEnd, captures.path().toString(), captures.firstTimestampNanos(),
                captures.lastTimestampNanos());
        }
        return tally.outcome(request, captures, outputs, vlan, requested, unknown, request.conn() != null ? audit.mismatches() : -1);
    }

    /** Slices the queries of some uids (with their conn rows, for the audit and the Arrow pairs). */
    private void sliceRows(final Map<String, Query> byUid, final List<ConnRecord> rows) throws IOException {
        final Map<String, ConnRecord> rowOf = new HashMap<>();
        for (ConnRecord r : rows) {
            rowOf.putIfAbsent(r.uid(), r);
            audit.audit(r);
        }
        final List<Query> queries = new ArrayList<>();
        final List<ConnRecord> paired = new ArrayList<>();
        for (Map.Entry<String, Query> e : byUid.entrySet()) {
            if (request.splitDir() != null && !SAFE_UID.matcher(e.getKey()).matches()) {
                tally.report("uid " + SafeText.escape(e.getKey(), SafeText.MAX_VALUE_CHARS) + " (not a safe file name; refused)");
                continue;
            }
            queries.add(Query.narrowed(e.getValue(), request.from(), request.to()));
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
        tally.count(selection);
        outputs.add(selection, rows == null ? Collections.nCopies(queries.size(), null) : rows);
        return selection;
    }

    private String noPacketsIn() {
        return "no packets in " + captures.path() + (filter != null ? " that --bpf accepts" : "");
    }
}
