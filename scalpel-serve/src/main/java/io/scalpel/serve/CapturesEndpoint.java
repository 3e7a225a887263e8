package io.scalpel.serve;

import io.scalpel.api.Captures;
import io.scalpel.api.Failure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * {@code GET /api/v1/captures}: each configured capture with its state ({@code building} while its
 * index is built or extended; once open, {@code fresh}, {@code growing} when it grew since, or
 * {@code stale} when it changed under its index; {@code failed} with why:
 * {@link CaptureRoots.Opening#state()}), its kind (file or set), its time range and what opening
 * it did; and the state of the conn.log index ({@link ConnLogKeeper}). Never waits for a build.
 */
final class CapturesEndpoint {
    private final CaptureRoots roots;
    private final java.nio.file.Path logs;
    private final ConnLogKeeper logIndex;

    CapturesEndpoint(final CaptureRoots roots, final java.nio.file.Path logs, final ConnLogKeeper logIndex) {
        this.roots = roots;
        this.logs = logs;
        this.logIndex = logIndex;
    }

    Map<String, Object> list() {
        final List<Object> captures = new ArrayList<>();
        for (CaptureRoots.Opening o : roots.roots()) {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", o.name);
            m.put("kind", java.nio.file.Files.isDirectory(o.path) ? "set" : "file");
            m.put("state", o.state());
            if (o.captures.isDone()) {
                try {
                    o.captures.get(); // how it failed, if it did
                    final Captures c = o.latest();
                    m.put("first_ts", c.firstTimestampNanos() == Long.MAX_VALUE ? null : c.firstTimestampNanos() / 1e9);
                    m.put("last_ts", c.lastTimestampNanos() == Long.MIN_VALUE ? null : c.lastTimestampNanos() / 1e9);
                    m.put("notes", c.notes().stream().map(n -> roots.redact(n, logs)).toList());
                    if (o.extensionFailure != null) {
                        m.put("error", roots.redact(o.extensionFailure, logs));
                    }
                } catch (ExecutionException e) {
                    m.put("error", roots.redact(Failure.message(e.getCause()), logs));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            captures.add(m);
        }
        final Map<String, Object> index = logIndex.state();
        index.computeIfPresent("error", (k, v) -> roots.redact((String) v, logs));
        return Map.of("captures", captures, "conn_log_index", index);
    }
}
