package io.scalpel.serve;

import io.scalpel.api.Captures;
import io.scalpel.api.Failure;
import io.scalpel.api.GrowingCaptures;
import io.scalpel.api.Scalpel;
import io.scalpel.capture.Compression;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The captures a request may slice: the configured roots (files, or directories as capture sets),
 * named by their file names, and what lies inside a root directory ({@code capture=ROOT/SUB/FILE}).
 * A request names a capture by such a name only, never by a path of its own: {@link #resolve}
 * refuses {@code ..}, absolute names and anything whose real path (symbolic links followed) is not
 * inside its root's.
 *
 * <p>Each capture is opened (its index built or extended: {@link GrowingCaptures}) on a thread of its
 * own, the roots as soon as the server starts, so an index build never blocks a request on another
 * capture; a request for a capture still being opened waits for it within its time limit
 * ({@link #await}). Once open, a capture that grows (or a set that gains a file) is extended in
 * the background by one thread ({@link Opening#extend}); requests are answered from the captures
 * as last opened until the extended ones are in place, and the old ones are closed when the last
 * request using them ends.
 */
final class CaptureRoots implements Closeable {
    /** A capture being opened or open, with what opening it found. */
    static final class Opening {
        final String name;
        final Path path;
        /** The captures once open, extended as they grow ({@link #extend}). */
        final CompletableFuture<GrowingCaptures> captures = new CompletableFuture<>();
        /** Captures over gzip or zstd are decompressed into one window: one slice at a time. */
        final boolean oneAtATime;
        /** The turn of a slice on a capture served one at a time. */
        final java.util.concurrent.Semaphore turn = new java.util.concurrent.Semaphore(1);
        /** Each file's size and modification time as it was opened (null: not known, taken as fresh). */
        volatile Map<Path, FileStamp> opened;
        /** The captures requests are answered from: the latest opened. */
        private volatile Generation current;
        /** Why the last extension failed (the captures as opened before keep answering), or null. */
        volatile String extensionFailure;

        Opening(final String name, final Path path) {
            this.name = name;
            this.path = path;
            this.oneAtATime = compressed(path);
        }

        /** The captures are open ({@code growing} null only in tests of what comes after). */
        void open(final GrowingCaptures growing) {
            current = new Generation(growing == null ? null : growing.captures());
            captures.complete(growing);
        }

        /** The captures requests are answered from, or null before they are open. */
        Captures latest() {
            final Generation g = current;
            return g == null ? null : g.captures;
        }

        /**
         * Runs {@code use} on these captures once they are open (waiting until {@code deadlineNanos},
         * as {@link CaptureRoots#await}), in turn with the other uses when they are served one at a time.
         * The captures it gets stay open until it returns, even when an extension replaces them meanwhile.
         *
         * @throws ApiError 503 while building, 500 when they cannot be opened, 504 when the turn does not come in time
         */
        <T> T use(final long deadlineNanos, final Use<T> use) throws Exception {
            await(this, deadlineNanos);
            if (!oneAtATime) {
                return withLatest(use);
            }
            if (!turn.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                throw new ApiError(504, name + " is decompressed for one slice at a time, and the others took the request's time"
                    + " (--request-timeout)");
            }
            try {
                return withLatest(use);
            } finally {
                turn.release();
            }
        }

        private <T> T withLatest(final Use<T> use) throws Exception {
            Generation g;
            while (true) {
                g = current;
                g.users.incrementAndGet();
                if (g == current) {
                    break;
                }
                g.release(); // replaced meanwhile: take the new one
            }
            try {
                return use.apply(g.captures);
            } finally {
                g.release();
            }
        }

        /**
         * Extends the captures when their files changed (a grown file, a set's new member, a file
         * rewritten: {@link GrowingCaptures#refresh(java.util.function.Consumer)}): the new captures
         * answer the requests that come after, the old ones are closed once the requests using them
         * are done. Runs on the one extending thread.
         */
        void extend() {
            if (!captures.isDone() || captures.isCompletedExceptionally()) {
                return; // still being opened, or never opened: nothing to extend
            }
            final GrowingCaptures growing = captures.join();
            if (growing == null) {
                return;
            }
            try {
                final Map<Path, FileStamp> before = FileStamp.of(path);
                if (growing.refresh(old -> {
                    final Generation replaced = current;
                    current = new Generation(growing.captures());
                    replaced.retire();
                })) {
                    opened = before;
                }
                if (!growing.look()) {
                    opened = FileStamp.of(path); // as they were opened, whatever the stamps taken before said
                }
                extensionFailure = null;
            } catch (IOException | RuntimeException e) {
                extensionFailure = Failure.message(e);
            }
        }

        /**
         * {@code building} while its index is built; {@code failed} when it could not be
         * opened; else, its files now against what was opened: {@code stale} when one changed under
         * its index (shorter, rewritten at the same size, or gone), {@code growing} when one grew or
         * a set has a new file (until its index is extended: {@link #extend}), {@code fresh} when they
         * are as they were.
         */
        String state() {
            if (!captures.isDone()) {
                return "building";
            }
            if (captures.isCompletedExceptionally()) {
                return "failed";
            }
            final Map<Path, FileStamp> then = opened;
            if (then == null) {
                return "fresh";
            }
            final Map<Path, FileStamp> now = FileStamp.of(path);
            boolean grew = !then.keySet().containsAll(now.keySet());
            for (Map.Entry<Path, FileStamp> e : then.entrySet()) {
                final FileStamp n = now.get(e.getKey());
                if (n == null || n.size() < e.getValue().size()
                    || (n.size() == e.getValue().size() && n.modifiedMillis() != e.getValue().modifiedMillis())) {
                    return "stale";
                }
                grew |= n.size() > e.getValue().size();
            }
            return grew ? "growing" : "fresh";
        }
    }

    /** Captures as one opening of them found them, closed once replaced and no request uses them any more. */
    private static final class Generation {
        final Captures captures;
        final AtomicInteger users = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean retired;

        Generation(final Captures captures) {
            this.captures = captures;
        }

        void release() {
            if (users.decrementAndGet() == 0 && retired) {
                close();
            }
        }

        /** Replaced: closed now if unused, else by its last user. */
        void retire() {
            retired = true;
            if (users.get() == 0) {
                close();
            }
        }

        private void close() {
            if (captures != null && closed.compareAndSet(false, true)) {
                try {
                    captures.close();
                } catch (IOException e) {
                    // closing read-only captures: nothing to lose
                }
            }
        }
    }

    /** A capture file's size and modification time. */
    record FileStamp(long size, long modifiedMillis) {
        /** The stamps of a capture file, or of a capture set's members (its regular files, hidden ones left out). */
        static Map<Path, FileStamp> of(final Path capture) {
            final Map<Path, FileStamp> stamps = new java.util.HashMap<>();
            try (var files = Files.isDirectory(capture) ? Files.list(capture) : java.util.stream.Stream.of(capture)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f) && !(Files.isDirectory(capture) && f.getFileName().toString().startsWith("."))) {
                        stamps.put(f, new FileStamp(Files.size(f), Files.getLastModifiedTime(f).toMillis()));
                    }
                }
            } catch (IOException e) {
                // gone or unreadable: no stamps, so every file opened counts as gone (stale)
            }
            return stamps;
        }
    }

    /** What a request does with open captures. */
    @FunctionalInterface
    interface Use<T> {
        T apply(Captures captures) throws Exception;
    }

    private final Map<String, Path> roots = new LinkedHashMap<>();
    private final Map<Path, Opening> opened = new ConcurrentHashMap<>();
    private final List<Opening> rootOpenings = new ArrayList<>();
    private final Scalpel.Options options;
    private final ExecutorService opener;
    private final java.util.concurrent.ScheduledExecutorService extender;

    /**
     * Opens every root in the background, then extends what grows every {@code extendMillis} ms
     * ({@link Opening#extend}; 0: never).
     *
     * @throws IllegalArgumentException when a root does not exist or two have the same name
     */
    CaptureRoots(final List<Path> captures, final Scalpel.Options options, final ExecutorService opener, final long extendMillis)
        throws IOException {
        this.options = options;
        this.opener = opener;
        this.extender = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "scalpel-extend");
            t.setDaemon(true);
            return t;
        });
        for (Path c : captures) {
            if (!Files.exists(c)) {
                throw new IllegalArgumentException("--captures " + c + ": no such file or directory");
            }
            final Path real = c.toRealPath();
            final String name = real.getFileName() == null ? "root" : real.getFileName().toString();
            if (roots.putIfAbsent(name, real) != null) {
                throw new IllegalArgumentException("--captures: two captures are named " + name
                    + " (" + roots.get(name) + ", " + real + "); a request names a capture by its file name");
            }
        }
        roots.forEach((name, real) -> rootOpenings.add(open(name, real)));
        if (extendMillis > 0) {
            extender.scheduleWithFixedDelay(this::extendAll, extendMillis, extendMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * {@code message} without the server's own paths: each root's real path is its name, and
     * {@code logs} is "the logs". What a client is told names what it may name, nothing more.
     */
    String redact(final String message, final Path logs) {
        String m = message;
        for (Map.Entry<String, Path> r : roots.entrySet()) {
            m = m.replace(r.getValue().toString(), r.getKey());
        }
        for (Opening o : rootOpenings) {
            m = m.replace(o.path.toString(), o.name);
        }
        return logs == null ? m : m.replace(logs.toString(), "the logs").replace(logs.toAbsolutePath().toString(), "the logs");
    }

    /** The roots, in the order given. */
    List<Opening> roots() {
        return List.copyOf(rootOpenings);
    }

    /**
     * The capture {@code name} names: a root's name, or {@code ROOT/RELATIVE} inside a root directory.
     *
     * @throws ApiError 400 for a name that leaves its root, 404 for one that names nothing
     */
    Opening resolve(final String name) throws IOException {
        if (name.isEmpty() || name.startsWith("/") || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0) {
            throw new ApiError(400, "capture=" + Json.quote(name) + " is not a name relative to a configured capture");
        }
        final String[] parts = name.split("/", -1);
        for (String p : parts) {
            if (p.equals("..") || p.equals(".") || p.isEmpty()) {
                throw new ApiError(400, "capture=" + Json.quote(name) + " has a '" + p + "' segment: captures are named"
                    + " inside a configured root only");
            }
        }
        final Path root = roots.get(parts[0]);
        if (root == null) {
            throw new ApiError(404, "capture=" + Json.quote(name) + ": no configured capture is named " + Json.quote(parts[0]));
        }
        if (parts.length == 1) {
            return opened.get(root);
        }
        final Path candidate = root.resolve(name.substring(parts[0].length() + 1));
        if (!Files.exists(candidate)) {
            throw new ApiError(404, "capture=" + Json.quote(name) + ": no such capture in " + parts[0]);
        }
        final Path real = candidate.toRealPath();
        if (!real.startsWith(root) || real.equals(root)) {
            throw new ApiError(403, "capture=" + Json.quote(name) + " leads outside its configured root " + parts[0]
                + " (a symbolic link): refused");
        }
        return opened.computeIfAbsent(real, p -> start(name, p));
    }

    /** Extends each capture that grew; whatever one throws, the others and the next rounds go on. */
    private void extendAll() {
        for (Opening o : opened.values()) {
            try {
                o.extend();
            } catch (RuntimeException | LinkageError e) {
                o.extensionFailure = Failure.message(e);
            }
        }
    }

    private Opening open(final String name, final Path real) {
        return opened.computeIfAbsent(real, p -> start(name, p));
    }

    private Opening start(final String name, final Path real) {
        final Opening o = new Opening(name, real);
        opener.execute(() -> {
            try {
                o.opened = FileStamp.of(real); // before: what grows while the index is built shows as growing
                o.open(new GrowingCaptures(real, options));
            } catch (IOException | RuntimeException e) {
                o.captures.completeExceptionally(e);
            }
        });
        return o;
    }

    /**
     * The open captures of {@code o}, waiting for its opening until {@code deadlineNanos}.
     *
     * @throws ApiError 503 with Retry-After while its index is still being built, 500 when it could not be opened
     */
    static GrowingCaptures await(final Opening o, final long deadlineNanos) throws InterruptedException {
        try {
            return o.captures.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ApiError(503, "the index of " + o.name + " is being built; try again later", 5);
        } catch (ExecutionException e) {
            throw new ApiError(500, o.name + " cannot be opened: " + Failure.message(e.getCause()));
        }
    }

    /** Whether {@code path} is, or holds, a gzip or zstd capture (by its first bytes). */
    private static boolean compressed(final Path path) {
        try (var files = Files.isDirectory(path) ? Files.list(path) : java.util.stream.Stream.of(path)) {
            return files.filter(Files::isRegularFile).anyMatch(CaptureRoots::startsCompressed);
        } catch (IOException e) {
            return true; // opening will say what is wrong; meanwhile, the safe way
        }
    }

    private static boolean startsCompressed(final Path file) {
        try {
            return Compression.detect(file) != null;
        } catch (IOException e) {
            return false; // unreadable: opening will say so
        }
    }

    @Override
    public void close() {
        extender.shutdown();
        for (Opening o : opened.values()) {
            o.captures.thenAccept(c -> {
                final Generation g = o.current;
                if (g != null) {
                    g.retire(); // closed now, or by the last request using it
                }
            });
        }
    }
}
