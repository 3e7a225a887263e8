package io.scalpel.index;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The writer side of a scan. Parquet encoding and compression, the bulk of an index build, run on
 * two writer threads while the scan goes on: each flush hands a copy of the chunk's resolved rows
 * and the chunk's flow table to writer {@code k % 2}, which writes them to its own part file
 * ({@link PartWriter}), so both cores work. With one writer thread (where the parallelism comes
 * from running several builds at once), that thread writes both parts in flush order; with none
 * ({@link IndexBuilder#INLINE_WRITER}, one core a build, as a Spark task has), the scan thread does,
 * each batch as it is handed over: the part files and the chunks each receives are the same, only
 * the thread differs. Batch {@code k % 2} is reused by flush {@code k + 2},
 * on the same writer; a flow table is filled while the two before it may still be being written,
 * hence three. Rows of datagrams still open at the end of the scan go to a third part, the open
 * tail.
 *
 * <p>Each writer thread also opens its part when the pipeline starts (the Parquet writers' set-up,
 * classes loaded, while the scan reads its first chunk) and closes it at the end (last pages,
 * indexes and footer), each as soon as its own last batch is written: the scan thread never waits
 * for a set-up or a close, and the two closes run side by side.
 */
final class PartPipeline {
    private final Path dir;
    private final int chunkRows;
    /** The unit of the timestamps written. */
    private final TimestampUnit unit;
    private final PacketChunk[] batches;
    private final FlowAccumulator[] flowTables = {new FlowAccumulator(4096), new FlowAccumulator(4096), new FlowAccumulator(4096)};
    /** Chunk number of this scan's first flow table: scans of a grown capture continue the numbering. */
    private final int firstChunk;
    private int flushes;
    /**
     * Writer {@code w} of the two: with one writer thread, both are the same thread, which then
     * runs every task in the order submitted; with none, both run each task on the scan thread as it
     * is submitted.
     */
    private final ExecutorService[] writers;
    /** Writer {@code w}'s last task (open, write or close): a failure there surfaces when it is awaited. */
    private final Future<?>[] writing = new Future<?>[2];
    /**
     * The parts the resolved rows go to: flush {@code k} to part {@code k % 2}. Part {@code w} is
     * opened, written and closed on writer thread {@code w}; the scan thread reads it only after
     * awaiting that thread's tasks.
     */
    private final PartWriter[] mains = new PartWriter[2];
    /** The part of the open tail (rows from the first fragment of a datagram still open at the end), or null. */
    private PartWriter tail;
    /** The writer thread the open tail was handed to. */
    private int tailWriter;
    private final String tailPart;
    private boolean partsClosing;
    private boolean closed;

    /**
     * Writes parts {@code firstPart} and {@code firstPart + 1} in {@code dir}, and {@code firstPart + 2}
     * for an open tail, on {@code writerThreads} threads (0: the caller's, 1 or 2).
     */
    PartPipeline(final Path dir, final int firstPart, final int firstChunk, final int chunkRows, final TimestampUnit unit,
                 final int writerThreads) {
        final int threads = IndexBuilder.checkWriterThreads(writerThreads);
        final ExecutorService first = threads == IndexBuilder.INLINE_WRITER ? new CallerThread() : writerThread(0);
        this.writers = new ExecutorService[] {first, threads == 2 ? writerThread(1) : first};
        this.dir = dir;
        this.unit = unit;
        this.chunkRows = chunkRows;
        this.batches = new PacketChunk[] {new PacketChunk(chunkRows), new PacketChunk(chunkRows)};
        this.tailPart = IndexSchema.partFile(firstPart + 2);
        this.firstChunk = firstChunk;
        flowTables[0].reset(firstChunk);
        for (int w = 0; w < 2; w++) {
            final int n = w;
            final String file = IndexSchema.partFile(firstPart + w);
            writing[w] = writers[w].submit(() -> {
                mains[n] = new PartWriter(dir, file, chunkRows, unit);
                return null;
            });
        }
    }

    private static ExecutorService writerThread(final int n) {
        return Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "scalpel-index-writer-" + n);
            t.setDaemon(true);
            // Every task's failure reaches the scan thread, which waits for each task and reports it
            // in one line; an Error that escapes a task's own bookkeeping (out of memory while it
            // records its failure) must not print a stack trace on stderr as well.
            t.setUncaughtExceptionHandler((thread, e) -> { });
            return t;
        });
    }

    /**
     * The writer of a build without writer threads: runs each task on the thread that submits it,
     * before {@code submit} returns; a task's failure is kept in its future, as a writer thread's is,
     * and surfaces where that one's would.
     */
    private static final class CallerThread extends AbstractExecutorService {
        private boolean shutdown;

        @Override
        public void execute(final Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(final long timeout, final TimeUnit unit) {
            return shutdown;
        }
    }

    /** The flow table of the scan's first chunk. */
    FlowAccumulator firstFlowTable() {
        return flowTables[0];
    }

    /** The chunk number the next scan of a grown capture starts at. */
    int nextChunk() {
        return firstChunk + flushes;
    }

    /** The file of the open tail part, or null when there is none. */
    String tailFile() {
        return tail != null ? tail.file() : null;
    }

    /**
     * Hands the first {@code limit} rows of {@code chunk} and its flow table {@code table} to the
     * next writer thread, for its main part; returns the flow table of the next chunk.
     */
    FlowAccumulator emit(final PacketChunk chunk, final int limit, final FlowAccumulator table) throws IOException {
        return emit(chunk, limit, table, false);
    }

    /** Hands every row of {@code chunk} and {@code table} to the next writer thread, for the open tail part (created here). */
    FlowAccumulator emitTail(final PacketChunk chunk, final FlowAccumulator table) throws IOException {
        tail = new PartWriter(dir, tailPart, chunkRows, unit);
        tailWriter = flushes & 1;
        return emit(chunk, chunk.size, table, true);
    }

    private FlowAccumulator emit(final PacketChunk chunk, final int limit, final FlowAccumulator table, final boolean toTail)
        throws IOException {
        // Hand the writer thread a copy of the rows and this chunk's flow table, and fill the next set.
        final int w = flushes & 1;
        awaitWriter(w); // its previous batch, two flushes ago: the batch array is free again
        final PacketChunk batch = batches[w];
        chunk.copyPrefixTo(batch, limit);
        chunk.discardPrefix(limit);
        flushes++;
        final FlowAccumulator next = flowTables[flushes % flowTables.length];
        next.reset(firstChunk + flushes);
        final PartWriter part = toTail ? tail : null;
        writing[w] = writers[w].submit(() -> {
            (part != null ? part : mains[w]).write(batch, table);
            return null;
        });
        return next;
    }

    /**
     * Has each writer thread close its parts once its last batch is written, and waits for both;
     * a failure there surfaces here.
     */
    void finish() throws IOException {
        closeParts();
        awaitWriter(0);
        awaitWriter(1);
    }

    /** Queues the close of each writer's parts behind its batches (once). */
    private void closeParts() {
        if (partsClosing) {
            return;
        }
        partsClosing = true;
        for (int w = 0; w < 2; w++) {
            final int n = w;
            final Future<?> written = writing[w];
            final PartWriter ownTail = tail != null && tailWriter == w ? tail : null;
            writing[w] = writers[w].submit(() -> {
                try {
                    if (written != null) {
                        written.get(); // done (one thread, in order): a batch's failure is the one to report
                    }
                } finally {
                    try {
                        if (mains[n] != null) {
                            mains[n].close();
                        }
                    } finally {
                        if (ownTail != null) {
                            ownTail.close();
                        }
                    }
                }
                return null;
            });
        }
    }

    /** Waits for writer thread {@code w}'s tasks; a failure there surfaces here. */
    private void awaitWriter(final int w) throws IOException {
        final Future<?> f = writing[w];
        if (f == null) {
            return;
        }
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing the index");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ExecutionException earlier) {
                cause = earlier.getCause(); // a batch's failure, reported by the close behind it
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error; // an OutOfMemoryError on a writer thread is the command's, and is reported as one
            }
            throw new IllegalStateException(cause);
        } finally {
            writing[w] = null;
        }
    }

    /**
     * After the scan, failed or not: the parts are closed behind every batch still being written
     * (the writers are never closed under a running batch; a failure there gives way to the
     * scan's own), then the writer threads stop.
     */
    void drainAndClose() throws IOException {
        if (closed) {
            return;
        }
        closeParts();
        for (int w = 0; w < 2; w++) {
            try {
                if (writing[w] != null) {
                    writing[w].get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // the scan failed first; its exception is the one that propagates
            } finally {
                writing[w] = null;
            }
        }
        close();
    }

    /** Closes the parts (once, each on its writer thread) and stops the writer threads. */
    void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            closeParts();
            awaitWriter(0);
            awaitWriter(1);
        } finally {
            closed = true;
            writers[0].shutdown();
            writers[1].shutdown();
        }
    }

    /**
     * Lists the parts written, in order, in {@code parts}, each with its size and digests, and
     * discards a main part that received no row; returns the number of the next part.
     */
    int commit(final IndexDirectory.Staging staging, final List<IndexManifest.Part> parts, final int firstPart) throws IOException {
        int parted = firstPart;
        for (PartWriter w : new PartWriter[] {mains[0], mains[1], tail}) {
            if (w == null) {
                continue;
            }
            if (w.isEmpty() && w != tail) {
                staging.discard(IndexSchema.PACKETS_DIR + "/" + w.file());
                staging.discard(IndexSchema.FLOWS_DIR + "/" + w.file());
            } else {
                parts.add(new IndexManifest.Part(w.file(), w.packets(), w.flows(), w.packetsFile(), w.flowsFile()));
            }
            parted++;
        }
        return Math.max(parted, firstPart + 1);
    }
}
