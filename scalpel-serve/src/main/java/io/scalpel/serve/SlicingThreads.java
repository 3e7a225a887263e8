package io.scalpel.serve;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The threads slices and connection look-ups run on, at most {@code maxSlices} at once: one more is
 * refused at once with a 429, never queued. The request's thread waits for its task until its
 * deadline; a task given up on keeps its place until it ends.
 */
final class SlicingThreads {
    private final ExecutorService threads;
    private final Semaphore slots;
    private final int maxSlices;
    private final ServiceMetrics metrics;

    SlicingThreads(final ExecutorService threads, final int maxSlices, final ServiceMetrics metrics) {
        this.threads = threads;
        this.slots = new Semaphore(maxSlices);
        this.maxSlices = maxSlices;
        this.metrics = metrics;
    }

    /**
     * Runs {@code task} on a slicing thread.
     *
     * @throws ApiError 429 when {@code maxSlices} tasks are running
     */
    <T> Future<T> submit(final Callable<T> task) {
        if (!slots.tryAcquire()) {
            throw new ApiError(429, maxSlices + " slices are running (--max-slices); try again shortly", 1);
        }
        metrics.sliceStarted();
        try {
            return threads.submit(() -> {
                try {
                    return task.call();
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
}
