package io.scalpel.follow;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.Captures;
import io.scalpel.api.GrowingCaptures;
import io.scalpel.api.Slices;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.Query;
import io.scalpel.slice.TcpEnding;
import io.scalpel.zeek.SafeText;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The loop of {@code scalpel follow}: reads conn records from a {@link ConnSource}, keeps them in
 * {@link PendingConnections} until the capture's index ({@link GrowingCaptures}) covers the last
 * time a frame of theirs may have, writes each uid's extract ({@code SPLIT_DIR/UID.pcap}, or
 * {@code .pcapng} when pcap cannot hold its frames; the extracts of a batch are synced before any
 * is renamed into place), and only then lets the source commit the records before them
 * ({@link Deliveries}). When the capture stays as it is for the idle grace, what waits is written
 * with the frames there; a record that waited longer than the capture grace is written as well.
 *
 * <p>One thread does everything, so nothing here is shared; {@link #run} returns when {@code stop}
 * says so (or, with an exit-idle time, once everything is quiet) after committing what is done.
 */
public final class Follower {
    /** What a run reports as it goes. */
    public interface Listener {
        /**
         * A warning, one line (a bad record, a uid without packets, the pending limit reached).
         *
         * @param message what happened
         */
        void warning(String message);

        /**
         * A status line's values, every status interval.
         *
         * @param status the values, in order
         */
        void status(Map<String, Object> status);

        /**
         * An extract was written and synced (called for each, for measurements; does nothing unless overridden).
         *
         * @param uid          its uid
         * @param packets      frames in it
         * @param delayNanos   from the time its record was sent (Kafka's timestamp) or read (a tailed log) to now
         */
        default void extract(String uid, long packets, long delayNanos) {
        }
    }

    /** The temporary files of an extract an earlier run left when it was killed mid-write. */
    private static final Pattern STALE_TEMPORARY = Pattern.compile("\\..+\\.(pcap|pcapng)\\.tmp-[0-9a-f]+");
    /** How many uids without packets are named in warnings before the rest are only counted. */
    private static final int NAMED_WITHOUT_PACKETS = 10;
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration GRACE_CHECK = Duration.ofSeconds(1);

    private final FollowSettings settings;
    private final ConnSource source;
    private final FollowCounters counters;
    private final Listener listener;
    private final Deliveries deliveries = new Deliveries();
    private final PendingConnections pending;
    private final Duration indexInterval;
    private final DelayHistogram intervalDelays = new DelayHistogram();
    private final DelayHistogram runDelays = new DelayHistogram();
    private GrowingCaptures captures;
    private boolean warnedFull;
    private long lastRefresh;
    private long lastGraceCheck;
    private long lastActivity;
    private long lastStatus;
    private long extractsAtStatus;
    private final long started = System.nanoTime();

    /**
     * A follower of {@code source} over the capture {@code settings} name.
     *
     * @param settings      the capture, the output directory and the times
     * @param indexInterval how often the index is extended while records wait for the capture
     * @param source        where the conn records come from
     * @param counters      what the source counts and the follower too
     * @param listener      receives warnings and status lines
     */
    public Follower(final FollowSettings settings, final Duration indexInterval, final ConnSource source,
                    final FollowCounters counters, final Listener listener) {
        this.settings = settings;
        this.indexInterval = indexInterval;
        this.source = source;
        this.counters = counters;
        this.listener = listener;
        this.pending = new PendingConnections(settings.maxPending());
    }

    /**
     * Prepares the output directory: creates it, and deletes the temporary files of extracts an
     * earlier run was killed while writing (their records were not committed, so they come again).
     *
     * @param splitDir the output directory
     * @throws IOException when it cannot be created (an output error naming it)
     */
    public static void prepare(final Path splitDir) throws IOException {
        Slices.createSplitDir(splitDir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(splitDir)) {
            for (Path f : files) {
                if (STALE_TEMPORARY.matcher(String.valueOf(f.getFileName())).matches() && Files.isRegularFile(f)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * Follows until {@code stop} says so, or everything was quiet for the exit-idle time.
     *
     * @param stop asked between rounds whether to stop
     * @throws IOException when a capture, its index or the source cannot be read, or an extract cannot be written
     */
    public void run(final BooleanSupplier stop) throws IOException {
        captures = new GrowingCaptures(settings.capture(), settings.options());
        lastActivity = System.nanoTime();
        lastStatus = lastActivity;
        try {
            while (!stop.getAsBoolean()) {
                read();
                release();
                commit();
                status(false);
                if (quietLongEnough()) {
                    break;
                }
            }
            commit();
            status(true);
        } finally {
            captures.close();
        }
    }

    private void read() throws IOException {
        final boolean full = pending.full();
        if (full && !warnedFull) {
            listener.warning(pending.size() + " conn records wait for " + settings.capture() + " (--max-pending " + pending.limit()
                + "): reading " + source.name() + " is paused until the capture catches up");
        }
        warnedFull = full;
        source.pause(full);
        final boolean ready = !pending.isEmpty() && pending.nextDue() < captures.coveredNanos();
        final List<Arrival> got = source.poll(ready ? Duration.ZERO : POLL);
        final Set<String> revoked = source.revoked();
        for (String p : revoked) {
            deliveries.drop(p);
        }
        if (!got.isEmpty()) {
            lastActivity = System.nanoTime();
        }
        final Captures c = captures.captures();
        for (Arrival a : got) {
            final Deliveries.Slot slot = deliveries.track(a);
            if (a.conn() == null) {
                deliveries.done(slot);
            } else {
                pending.add(a, c.query(a.conn(), TcpEnding.NO_NEXT_ROW), slot);
            }
        }
    }

    private void release() throws IOException {
        final long now = System.nanoTime();
        if (!pending.isEmpty() && pending.nextDue() >= captures.coveredNanos() && now - lastRefresh >= indexInterval.toNanos()) {
            lastRefresh = now;
            if (captures.refresh()) {
                lastActivity = now;
            }
        }
        // Records that waited past the capture grace are looked for once a second, not every round.
        final boolean graceCheck = now - lastGraceCheck >= GRACE_CHECK.toNanos();
        if (graceCheck) {
            lastGraceCheck = now;
        }
        while (!pending.isEmpty()) {
            final boolean idle = idle();
            if (idle) {
                captures.refresh(); // what the capture has, all of it
            }
            final long covered = captures.coveredNanos();
            final List<PendingConnections.Pending> batch = idle ? pending.takeAny(settings.batch())
                : pending.takeReady(covered, graceCheck ? System.nanoTime() - settings.captureGrace().toNanos() : Long.MIN_VALUE,
                settings.batch());
            if (batch.isEmpty()) {
                return;
            }
            write(batch, covered);
        }
    }

    /** Whether the capture stayed as it is for the idle grace (looked at again before saying so). */
    private boolean idle() throws IOException {
        final long grace = settings.idleGrace().toNanos();
        if (System.nanoTime() - captures.lastChangeNanos() < grace) {
            return false;
        }
        captures.look();
        return System.nanoTime() - captures.lastChangeNanos() >= grace;
    }

    /** Writes the extracts of a batch (committed together), then marks their records done. */
    private void write(final List<PendingConnections.Pending> batch, final long covered) throws IOException {
        final Map<String, PendingConnections.Pending> byUid = new LinkedHashMap<>();
        final List<PendingConnections.Pending> done = new ArrayList<>();
        for (PendingConnections.Pending p : batch) {
            final String uid = p.conn().uid();
            if (!Slices.SAFE_UID.matcher(uid).matches()) {
                counters.refused++;
                listener.warning("uid " + SafeText.escape(uid, SafeText.MAX_VALUE_CHARS) + " (not a safe file name; refused)");
                done.add(p);
                continue;
            }
            final PendingConnections.Pending before = byUid.put(uid, p);
            if (before != null) {
                done.add(before); // the same uid twice (a record sent again): one extract
            }
        }
        final List<PendingConnections.Pending> items = new ArrayList<>(byUid.values());
        if (!items.isEmpty()) {
            final Captures c = captures.captures();
            final List<Query> queries = new ArrayList<>(items.size());
            for (PendingConnections.Pending p : items) {
                queries.add(p.query());
            }
            final CaptureSet.Selection selection = c.selectQueries(queries);
            final Path[] outs = new Path[items.size()];
            for (int i = 0; i < items.size(); i++) {
                if (selection.frames(i) > 0) {
                    outs[i] = settings.splitDir().resolve(items.get(i).conn().uid() + "." + c.defaultFormat(selection, i).extension());
                }
            }
            final long[] frames = c.writeEach(selection, outs, settings.splitDir(),
                ExtractOptions.defaults().withWarnings(listener::warning));
            final long now = System.nanoTime();
            for (int i = 0; i < items.size(); i++) {
                final PendingConnections.Pending p = items.get(i);
                if (p.dueNanos() >= covered) {
                    counters.early++;
                }
                if (outs[i] == null) {
                    if (counters.noPackets++ < NAMED_WITHOUT_PACKETS) {
                        listener.warning("uid " + p.conn().uid() + " (no packets in " + settings.capture() + ")"
                            + (counters.noPackets == NAMED_WITHOUT_PACKETS ? "; further uids without packets are only counted"
                            : ""));
                    }
                } else {
                    counters.extracts++;
                    counters.packets += frames[i];
                    final long delay = now - p.sentNanos();
                    intervalDelays.record(delay);
                    runDelays.record(delay);
                    listener.extract(p.conn().uid(), frames[i], delay);
                }
                done.add(p);
            }
        }
        for (PendingConnections.Pending p : done) {
            deliveries.done(p.slot());
        }
    }

    private void commit() throws IOException {
        final Map<String, Long> moved = deliveries.takeMoved();
        if (!moved.isEmpty()) {
            source.commit(moved);
        }
    }

    private boolean quietLongEnough() throws IOException {
        if (settings.exitIdle().isZero() || !pending.isEmpty()) {
            return false;
        }
        captures.look();
        final long now = System.nanoTime();
        final long quiet = settings.exitIdle().toNanos();
        return now - lastActivity >= quiet && now - captures.lastChangeNanos() >= quiet && source.lag() == 0;
    }

    private void status(final boolean last) {
        final long now = System.nanoTime();
        if (!last && (settings.statusEvery().isZero() || now - lastStatus < settings.statusEvery().toNanos())) {
            return;
        }
        final double seconds = Math.max(1e-9, (now - lastStatus) / 1e9);
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("seconds", Math.round((now - started) / 1e6) / 1e3);
        s.put("source", source.name());
        s.put("lag", source.lag());
        s.put("read", counters.read);
        s.put("conn_records", counters.conns);
        s.put("other_logs", counters.otherLogs);
        s.put("bad_records", counters.bad);
        s.put("pending", pending.size());
        s.put("paused", pending.full());
        s.put("extracts", counters.extracts);
        s.put("extracts_per_second", Math.round((counters.extracts - extractsAtStatus) / seconds * 10) / 10.0);
        s.put("packets", counters.packets);
        s.put("no_packets", counters.noPackets);
        s.put("refused", counters.refused);
        s.put("written_early", counters.early);
        s.put("capture_ts_ns", captures.coveredNanos());
        s.put("index_opens", captures.opened());
        s.put("delay_p50_ms", intervalDelays.quantileMillis(0.50));
        s.put("delay_p99_ms", intervalDelays.quantileMillis(0.99));
        s.put("run_delay_p50_ms", runDelays.quantileMillis(0.50));
        s.put("run_delay_p99_ms", runDelays.quantileMillis(0.99));
        final Runtime rt = Runtime.getRuntime();
        s.put("heap_used_mib", (rt.totalMemory() - rt.freeMemory()) >> 20);
        s.put("heap_after_gc_mib", heapAfterGc() >> 20);
        s.put("heap_max_mib", rt.maxMemory() >> 20);
        intervalDelays.clear();
        extractsAtStatus = counters.extracts;
        lastStatus = now;
        listener.status(s);
    }

    /** The heap in use after the last collection of each pool: what is held, not garbage not yet collected. */
    private static long heapAfterGc() {
        long used = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            final java.lang.management.MemoryUsage u = pool.getCollectionUsage();
            if (pool.getType() == java.lang.management.MemoryType.HEAP && u != null) {
                used += u.getUsed();
            }
        }
        return used;
    }
}
