package io.scalpel.serve;

import io.scalpel.api.ConnLogIndex;
import io.scalpel.api.Connections;
import io.scalpel.api.Failure;
import io.scalpel.api.Flows;
import io.scalpel.zeek.ConnRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.util.Fields;

/**
 * {@code GET /api/v1/connections?uid=U[,U]}: each uid's conn row with its packet count, bytes and
 * packets ({@link Connections#find}), from the first configured capture (or the one
 * {@code capture=} names) where it has packets, as JSON; the uids in no log are listed with why.
 * {@code ?query=EXPR} (with {@code from=}, {@code to=}): the connections of every configured capture
 * (or the one named) that the expression accepts a frame of ({@link Flows#list}), each with the
 * {@code flow} that slices it; no conn row, so no uid, service or packet list.
 * Runs on the {@link SlicingThreads} within the request time limit, as a slice does.
 */
final class ConnectionsEndpoint {
    /** Packets listed per connection (the page's plot); the rest are counted. */
    static final int MAX_PACKETS = 10_000;
    /** Connections listed for a query expression; the rest are left out ({@code "truncated": true}). */
    static final int MAX_FLOWS = 1_000;

    private final CaptureRoots roots;
    private final ServeSettings settings;
    private final SlicingThreads threads;
    private final ConnLogIndex logIndex;

    ConnectionsEndpoint(final CaptureRoots roots, final ServeSettings settings, final SlicingThreads threads,
                        final ConnLogIndex logIndex) {
        this.logIndex = logIndex;
        this.roots = roots;
        this.settings = settings;
        this.threads = threads;
    }

    Map<String, Object> find(final Fields query) throws Exception {
        final long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        final SliceParameters asked = SliceParameters.of(query, settings.maxUids());
        if (asked.uids().isEmpty() && asked.query() == null) {
            throw new ApiError(400, "connections are looked up by uid= or query=");
        }
        final List<CaptureRoots.Opening> targets = asked.capture() == null ? roots.roots() : List.of(roots.resolve(asked.capture()));
        final Future<Map<String, Object>> running = threads.submit(() -> asked.query() != null ? flows(targets, asked, deadline)
            : lookUp(targets, asked.uids(), deadline), deadline);
        try {
            return running.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            running.cancel(false); // never interrupted: an interrupt closes the capture's file channel for every request
            throw new ApiError(504, "the look-up took longer than the request time limit (--request-timeout); ask for fewer uids");
        } catch (ExecutionException e) {
            final Throwable t = e.getCause();
            throw t instanceof ApiError a ? a : new ApiError(Failure.kind(t) == Failure.Kind.USAGE ? 400 : 500, Failure.message(t));
        }
    }

    private Map<String, Object> lookUp(final List<CaptureRoots.Opening> targets, final List<String> uids, final long deadline)
        throws Exception {
        final Map<String, Map<String, Object>> byUid = new LinkedHashMap<>();
        List<String> unknown = List.of();
        boolean first = true;
        for (CaptureRoots.Opening target : targets) {
            final Connections.Found found = target.use(deadline,
                captures -> Connections.find(captures, settings.logs().toString(), uids, MAX_PACKETS, logIndex));
            if (first) {
                unknown = found.unknown();
                first = false;
            }
            for (Connections.Connection c : found.connections()) {
                final Map<String, Object> had = byUid.get(c.row().uid());
                if (had == null || (long) had.get("packets") == 0) {
                    byUid.put(c.row().uid(), json(target.name, c, ServiceColumn.of(logIndex.text(c.row().uid()))));
                }
            }
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("connections", new ArrayList<>(byUid.values()));
        body.put("unknown", unknown.stream().map(u -> roots.redact(u, settings.logs())).toList());
        return body;
    }

    /**
     * The connections of the captures a query expression accepts a frame of ({@link Flows#list}), those
     * in the window only, by first time; at most {@link #MAX_FLOWS} (then {@code truncated}).
     */
    private Map<String, Object> flows(final List<CaptureRoots.Opening> targets, final SliceParameters asked, final long deadline)
        throws Exception {
        final List<Object> rows = new ArrayList<>();
        boolean truncated = false;
        for (CaptureRoots.Opening target : targets) {
            final List<Flows.Row> found = target.use(deadline, captures -> Flows.list(captures, asked.query(), asked.nowNanos()));
            for (Flows.Row f : found) {
                if (f.lastTs() < asked.from() || f.firstTs() > asked.to()) {
                    continue;
                }
                if (rows.size() == MAX_FLOWS) {
                    truncated = true;
                    break;
                }
                rows.add(json(target.name, f));
            }
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("connections", rows);
        body.put("unknown", List.of());
        body.put("truncated", truncated);
        return body;
    }

    private static Map<String, Object> json(final String capture, final Flows.Row f) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("uid", null);
        m.put("capture", capture);
        m.put("ts", f.firstTs() / 1e9);
        m.put("duration", (f.lastTs() - f.firstTs()) / 1e9);
        m.put("proto", f.proto());
        m.put("orig_h", f.src());
        m.put("orig_p", f.srcPort());
        m.put("resp_h", f.dst());
        m.put("resp_p", f.dstPort());
        m.put("service", null);
        m.put("community_id", f.communityId());
        m.put("packets", f.packets());
        m.put("bytes", f.bytes());
        m.put("flow", f.proto() + " " + endpoint(f.ipVersion(), f.src(), f.srcPort()) + " " + endpoint(f.ipVersion(), f.dst(), f.dstPort()));
        m.put("from", seconds(f.firstTs())); // exact, for slice?flow=&from=&to=
        m.put("to", seconds(f.lastTs()));
        return m;
    }

    /** ns since the epoch as seconds with nine decimals, as from= and to= take them. */
    private static String seconds(final long nanos) {
        return java.math.BigDecimal.valueOf(nanos, 9).toPlainString();
    }

    private static String endpoint(final int ipVersion, final String address, final int port) {
        return (ipVersion == 6 ? "[" + address + "]" : address) + ":" + port;
    }

    private static Map<String, Object> json(final String capture, final Connections.Connection c, final String service) {
        final ConnRecord r = c.row();
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("uid", r.uid());
        m.put("capture", capture);
        m.put("ts", r.hasTimestamp() ? r.tsNanos() / 1e9 : null);
        m.put("duration", r.durationNanos() / 1e9);
        m.put("proto", r.proto());
        m.put("service", service);
        m.put("orig_h", c.orig());
        m.put("orig_p", r.origPort());
        m.put("resp_h", c.resp());
        m.put("resp_p", r.respPort());
        m.put("community_id", r.communityId());
        m.put("packets", c.frames());
        m.put("bytes", c.bytes());
        final int n = c.packets().size();
        final double[] ts = new double[n];
        final int[] len = new int[n];
        final boolean[] fromOrig = new boolean[n];
        for (int i = 0; i < n; i++) {
            final Connections.Packet p = c.packets().get(i);
            ts[i] = p.timestampNanos() / 1e9;
            len[i] = p.wireLength();
            fromOrig[i] = p.fromOriginator();
        }
        m.put("packet_ts", ts);
        m.put("packet_len", len);
        m.put("packet_from_orig", fromOrig);
        return m;
    }
}
