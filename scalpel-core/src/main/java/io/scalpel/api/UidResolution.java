package io.scalpel.api;

import io.scalpel.slice.Query;
import io.scalpel.zeek.ConnLogBatches;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.ConnSelection;
import io.scalpel.zeek.Tunnel;
import io.scalpel.zeek.TunnelLogReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The uids of a slice by uid, resolved to their queries: the uids' conn.log rows
 * ({@link ConnSelection}, which also finds the log's next row of each key), or every row of the
 * log in batches ({@link ConnLogBatches}), then the tunnel.log's tunnels the conn.log lacks; each
 * as its query under the captures' options. Tells the listener what reading the logs finds on the
 * way: malformed lines, rows without a usable ts, a log keyed by VLAN; and says why a uid is in no
 * log.
 */
final class UidResolution {
    /** Receives the queries of some uids (in order), with their conn rows. */
    @FunctionalInterface
    interface Batch {
        void slice(Map<String, Query> queries, List<ConnRecord> rows) throws IOException;
    }

    /**
     * The uids asked for.
     *
     * @param queries the query of each uid found, by uid, in the conn.log's order then the tunnel.log's
     * @param rows    the conn rows found
     * @param unknown why each uid not found is in no log, one problem each
     * @param firstTs the earliest ts of the rows (Long.MAX_VALUE: none)
     * @param lastEnd the latest end of the rows (Long.MIN_VALUE: none)
     */
    record Asked(Map<String, Query> queries, List<ConnRecord> rows, List<String> unknown, long firstTs, long lastEnd) {
    }

    /**
     * Every uid of the logs, once each batch was sliced.
     *
     * @param requested how many uids
     * @param firstTs   the earliest ts of the conn rows (Long.MAX_VALUE: none)
     * @param lastEnd   the latest end of the conn rows (Long.MIN_VALUE: none)
     */
    record Every(int requested, long firstTs, long lastEnd) {
    }

    private final Captures captures;
    private final SliceRequest request;
    private final SliceListener listener;
    private final VlanKeying vlan;
    /** The conn.log's rows kept warm, or null: the log is read. */
    private final ConnLogIndex index;
    /** The conn.log read while the captures were opened, or null. */
    private final LogReadAhead ahead;

    UidResolution(final Captures captures, final SliceRequest request, final SliceListener listener, final VlanKeying vlan) {
        this(captures, request, listener, vlan, null);
    }

    /** As the other constructor, finding the uids' rows through {@code index} while it is current (null: none). */
    UidResolution(final Captures captures, final SliceRequest request, final SliceListener listener, final VlanKeying vlan,
                  final ConnLogIndex index) {
        this(captures, request, listener, vlan, index, null);
    }

    /** As the other constructors, taking the uids' rows from {@code ahead} when it read them (null: none). */
    UidResolution(final Captures captures, final SliceRequest request, final SliceListener listener, final VlanKeying vlan,
                  final ConnLogIndex index, final LogReadAhead ahead) {
        this.index = index;
        this.ahead = ahead;
        this.captures = captures;
        this.request = request;
        this.listener = listener;
        this.vlan = vlan;
    }

    /** The tunnels of the tunnel.log by uid, in order of first appearance; none without a tunnel.log. */
    Map<String, Tunnel> tunnels() throws IOException {
        if (request.tunnelLog() == null) {
            return Map.of();
        }
        final MalformedLines malformed = new MalformedLines(request.tunnelLog(), listener);
        try (TunnelLogReader reader = "-".equals(request.tunnelLog())
            ? TunnelLogReader.open(System.in, "<stdin>", malformed) : TunnelLogReader.open(Path.of(request.tunnelLog()), malformed)) {
            final Map<String, Tunnel> tunnels = new LinkedHashMap<>(reader.tunnels());
            malformed.finish();
            return tunnels;
        }
    }

    /** The uids of the request: their conn rows, then the {@code tunnels} among them the conn.log lacks. */
    Asked asked(final Map<String, Tunnel> tunnels) throws IOException {
        final Map<String, Query> queries = new LinkedHashMap<>();
        final List<ConnRecord> rows = new ArrayList<>();
        long firstTs = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        ConnSelection.Result read = null;
        if (request.conn() != null) {
            final MalformedLines malformed = new MalformedLines(request.conn(), listener);
            read = ahead == null ? null : ahead.take(request.conn(), request.uids(), malformed);
            if (read == null && index != null) {
                read = index.select(request.conn(), request.uids(), vlan::aware);
            }
            if (read == null) {
                read = ConnSelection.read(request.conn(), request.uids(), vlan::aware, malformed);
            }
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
        final String logs = request.conn() == null ? request.tunnelLog()
            : request.tunnelLog() == null ? request.conn() : request.conn() + " or " + request.tunnelLog();
        final List<String> unknown = new ArrayList<>();
        for (String u : request.uids()) {
            if (!queries.containsKey(u)) {
                unknown.add("uid " + LogNotes.unknownUid(u, logs, read, request.tunnelLog() != null));
            }
        }
        return new Asked(queries, rows, unknown, firstTs, lastEnd);
    }

    /**
     * Every uid of the logs: the conn.log's rows batch by batch, each handed to {@code batch} as it
     * is read, then the {@code tunnels} the conn.log lacks.
     */
    Every every(final Map<String, Tunnel> tunnels, final Batch batch) throws IOException {
        final Map<String, Query> tunnelQueries = new LinkedHashMap<>();
        tunnels.forEach((uid, t) -> tunnelQueries.put(uid, captures.query(t)));
        int requested = 0;
        long firstTs = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        if (request.conn() != null) {
            final MalformedLines malformed = new MalformedLines(request.conn(), listener);
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
                    batch.slice(queries, rows);
                }
                firstTs = batches.firstTs();
                lastEnd = batches.lastEnd();
            }
        }
        requested += tunnelQueries.size();
        batch.slice(tunnelQueries, List.of());
        return new Every(requested, firstTs, lastEnd);
    }

    private void warnWithoutTimestamps(final String source, final long without, final long rows) {
        if (without > 0) {
            listener.warning(source + ": " + without + " of " + rows + " rows have no usable ts (unset or masked): each takes every"
                + " frame of its 5-tuple, as no time window can tell apart the connections that reused it");
        }
    }
}
