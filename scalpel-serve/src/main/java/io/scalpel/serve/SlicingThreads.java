package io.scalpel.serve;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The threads slices and connection look-ups run on, at most {@code maxSlices} at once: one more is
 * refused at once with a 429, never queued. Of those, {@code turns} compute at once; the others
 * wait for a turn in the order they asked for one (a fair semaphore), instead of all of them sharing
 * the cores at once, each slower and all finishing late.
 * A slice gives up its turn while it waits on the network ({@link #awayFromTurn}), so that a slow
 * client holds a thread but no turn. The request's thread waits for its task until its deadline; a
 * task given up on keeps its place until it ends, and one whose turn does not come before its
 * deadline ends without running.
 */
final class SlicingThreads {
    /** Something done on a slicing thread outside its turn: a write to the network. */
    @FunctionalInterface
    interface Away {
        void run() throws IOException;
    }

    private static final ThreadLocal<SlicingThreads> IN_TURN = new ThreadLocal<>();

    private final ExecutorService threads;
    private final Semaphore slots;
    private final Semaphore turns;
    private final int maxSlices;
    private final ServiceMetrics metrics;

    SlicingThreads(final ExecutorService threads, final int maxSlices, final int turns, final ServiceMetrics metrics) {
        this.threads = threads;
        this.slots = new Semaphore(maxSlices);
        this.turns = new Semaphore(turns, true);
        this.maxSlices = maxSlices;
        this.metrics = metrics;
    }

    /** With a turn for every slice: {@code maxSlices} compute at once. */
    SlicingThreads(final ExecutorService threads, final int maxSlices, final ServiceMetrics metrics) {
        this(threads, maxSlices, maxSlices, metrics);
    }

    /** Slices computed at once by default: the cores the JVM may use. */
    static int defaultTurns() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code task} on a slicing thread, in its turn, without a deadline.
     *
     * @throws ApiError 429 when {@code maxSlices} tasks are running or waiting for a turn
     */
    <T> Future<T> submit(final Callable<T> task) {
        return submit(task, Long.MAX_VALUE);
    }

    /**
     * Runs {@code task} on a slicing thread once it has a turn; a turn that does not come before
     * {@code deadlineNanos} ({@link System#nanoTime()}; {@link Long#MAX_VALUE}: none) ends it with a 504.
     *
     * @throws ApiError 429 when {@code maxSlices} tasks are running or waiting for a turn
     */
    <T> Future<T> submit(final Callable<T> task, final long deadlineNanos) {
        if (!slots.tryAcquire()) {
            throw new ApiError(429, maxSlices + " slices are running (--max-slices); try again shortly", 1);
        }
        metrics.sliceStarted();
        try {
            return threads.submit(() -> {
                try {
                    takeTurn(deadlineNanos);
                    IN_TURN.set(this);
                    try {
                        return task.call();
                    } finally {
                        IN_TURN.remove();
                        turns.release();
                    }
                } finally {
                    metrics.sliceEnded();
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            metrics.sliceEnded();
            slots.release();
            throw e;
        }
    }

    /**
     * Runs {@code away} outside the calling slice's turn, when it has one (another slice computes
     * meanwhile), and waits for a turn again after it; on any other thread, just runs it.
     */
    static void awayFromTurn(final Away away) throws IOException {
        final SlicingThreads owner = IN_TURN.get();
        if (owner == null) {
            away.run();
            return;
        }
        owner.turns.release();
        try {
            away.run();
        } finally {
            owner.turns.acquireUninterruptibly();
        }
    }

    /** Slices waiting for a turn (for tests). */
    int waiting() {
        return turns.getQueueLength();
    }

    private void takeTurn(final long deadlineNanos) throws InterruptedException {
        if (deadlineNanos == Long.MAX_VALUE) {
            turns.acquire();
        } else if (!turns.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new ApiError(504, "the slice waited for its turn longer than the request time limit (--request-timeout);"
                + " the server is busy: try again shortly");
        }
    }
}
