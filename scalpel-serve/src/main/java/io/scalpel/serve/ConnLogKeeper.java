package io.scalpel.serve;

import io.scalpel.api.ConnLogIndex;
import io.scalpel.api.Failure;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the {@link ConnLogIndex} of the configured logs warm: built on a thread of its own as the
 * server starts, then refreshed every {@link #REFRESH_MS} ms (a grown log's new lines, a new or
 * rotated file), so that a uid is looked up without reading the logs. A request that comes while it
 * is being built, or finds it behind the logs, reads the logs as before: the answer is the same
 * either way, only slower.
 */
final class ConnLogKeeper implements AutoCloseable {
    /** How often the logs are checked for changes, ms. */
    static final long REFRESH_MS = 1000;

    private final ConnLogIndex index;
    private final ScheduledExecutorService refresher;
    private volatile String failure;
    private volatile boolean refreshing = true;

    ConnLogKeeper(final Path logs) {
        this.index = ConnLogIndex.of(logs);
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "scalpel-conn-log-index");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
    }

    /** The index, for look-ups (which check that it is current, else read the logs). */
    ConnLogIndex index() {
        return index;
    }

    private void refresh() {
        try {
            refreshing = true;
            index.refresh();
            failure = null;
        } catch (Exception | LinkageError e) {
            failure = Failure.message(e); // look-ups read the logs, and say the same
        } finally {
            refreshing = false;
        }
    }

    /**
     * The index's state for {@code /api/v1/captures}: building, current, refreshing or failed, with
     * its rows, files and the look-ups it answered.
     */
    Map<String, Object> state() {
        final Map<String, Object> m = new LinkedHashMap<>();
        String state;
        try {
            state = failure != null ? "failed" : !index.ready() ? "building" : index.current() ? "current" : "refreshing";
        } catch (java.io.IOException e) {
            state = "refreshing";
        }
        if (refreshing && !index.ready()) {
            state = "building";
        }
        m.put("state", state);
        m.put("rows", index.rows());
        m.put("files", index.files());
        m.put("lookups", index.answered());
        if (failure != null) {
            m.put("error", failure);
        }
        return m;
    }

    @Override
    public void close() {
        refresher.shutdown(); // a refresh under way ends as it would (its daemon thread does not hold up the JVM's exit)
    }
}
