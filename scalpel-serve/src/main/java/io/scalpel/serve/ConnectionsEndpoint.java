package io.scalpel.serve;

import io.scalpel.api.ConnLogIndex;
import io.scalpel.api.Connections;
import io.scalpel.api.Failure;
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
 * Runs on the {@link SlicingThreads} within the request time limit, as a slice does.
 */
final class ConnectionsEndpoint {
    /** Packets listed per connection (the page's plot); the rest are counted. */
    static final int MAX_PACKETS = 10_000;

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
        if (asked.uids().isEmpty()) {
            throw new ApiError(400, "connections are looked up by uid=");
        }
        final List<CaptureRoots.Opening> targets = asked.capture() == null ? roots.roots() : List.of(roots.resolve(asked.capture()));
        final Future<Map<String, Object>> running = threads.submit(() -> lookUp(targets, asked.uids(), deadline));
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
                    byUid.put(c.row().uid(), json(target.name, c));
                }
            }
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("connections", new ArrayList<>(byUid.values()));
        body.put("unknown", unknown.stream().map(u -> roots.redact(u, settings.logs())).toList());
        return body;
    }

    private static Map<String, Object> json(final String capture, final Connections.Connection c) {
        final ConnRecord r = c.row();
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("uid", r.uid());
        m.put("capture", capture);
        m.put("ts", r.hasTimestamp() ? r.tsNanos() / 1e9 : null);
        m.put("duration", r.durationNanos() / 1e9);
        m.put("proto", r.proto());
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
