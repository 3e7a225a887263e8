package io.scalpel.api;

import io.scalpel.index.IndexBuilder;

/**
 * How {@link Scalpel#index(java.nio.file.Path, java.nio.file.Path, Progress, IndexOptions)} and
 * {@link CaptureSet#index(java.nio.file.Path, java.nio.file.Path, Progress, IndexOptions)} build an
 * index. Neither choice changes the index written.
 *
 * @param rebuild       build from the start of the capture even when the index could be extended or kept
 * @param writerThreads the threads that write the index's Parquet parts beside the scan, 0, 1 or 2: 2
 *                      (the default) lets one build use two cores; 0 (the scan thread writes the parts
 *                      itself: one core a build) where several builds run at once and provide the
 *                      parallelism, as Spark's tasks do
 */
public record IndexOptions(boolean rebuild, int writerThreads) {
    /**
     * Checks the number of writer threads.
     *
     * @param rebuild       build from the start
     * @param writerThreads 0, 1 or 2
     * @throws IllegalArgumentException when {@code writerThreads} is not 0, 1 or 2
     */
    public IndexOptions {
        IndexBuilder.checkWriterThreads(writerThreads);
    }

    /**
     * The defaults: an index kept when fresh and extended when its capture grew, two writer threads.
     *
     * @return the default options
     */
    public static IndexOptions defaults() {
        return new IndexOptions(false, IndexBuilder.DEFAULT_WRITER_THREADS);
    }

    /**
     * These options building every index from the start, or only when it cannot be kept or extended.
     *
     * @param r build from the start
     * @return the new options
     */
    public IndexOptions withRebuild(final boolean r) {
        return new IndexOptions(r, writerThreads);
    }

    /**
     * These options writing with {@code n} writer threads.
     *
     * @param n 0 (the scan thread writes: one core), 1 or 2
     * @return the new options
     * @throws IllegalArgumentException when {@code n} is not 0, 1 or 2
     */
    public IndexOptions withWriterThreads(final int n) {
        return new IndexOptions(rebuild, n);
    }
}
