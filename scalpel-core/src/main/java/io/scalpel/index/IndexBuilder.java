package io.scalpel.index;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.MappedFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scans a capture and writes its index: every frame's timestamp, record offset, captured length
 * and flow reference into the {@code packets} table (a tunnelled frame has a row for its
 * innermost IP layer and one per encapsulating layer), the flows' keys into the {@code flows}
 * table, then {@code manifest.json}. The index is built in a temporary directory beside its
 * destination and moved into place only when complete ({@link IndexDirectory}).
 *
 * <p>A capture that grew since it was indexed (its indexed prefix unchanged,
 * {@link CaptureFingerprint.Match#GROWN}) is <em>extended</em>: the scan starts at the end of the
 * last indexed record and its rows become one more part file of each table; the parts already
 * written are carried into the new index unchanged. An index that is missing, stale, of another
 * version or unreadable, or {@link #rebuild(boolean) rebuild} requested, is built from scratch.
 *
 * <p>The per-frame path allocates nothing: flyweight frames and decoder, column arrays per chunk,
 * primitive flow tables (flows, fragments and the Parquet writers allocate per flow, datagram
 * and page, not per frame). Heap use is bounded by the chunk size, whatever the capture's size.
 *
 * <p>A build in its rooms: {@link IndexUpdate} decides whether the index in place is kept,
 * extended or replaced; {@link IndexScan} makes one pass over the capture, in which
 * {@link FrameRows} turns each frame into rows and {@link PartPipeline} writes them on two threads (or one, or the scan's own)
 * ({@link PartWriter}); {@link ScanResume} starts the scan of a grown capture where the last one
 * ended; {@link ScanManifest} describes the result. This class commits it.
 */
public final class IndexBuilder {
    /** Rows per chunk (and per row group of the packets table). */
    public static final int CHUNK_ROWS = 256 * 1024;
    /**
     * Bytes of the window the scan reads a plain capture through ({@link io.scalpel.capture.SequentialFile}),
     * beyond the longest record. Small, so that a record is still in the processor's cache when it
     * is decoded; a mapping would cost a page fault per page (see docs/performance.md).
     */
    public static final long SCAN_WINDOW = 1L << 20;
    /** Writer threads of a build unless told: with the scan thread, both cores of a machine that runs one build. */
    public static final int DEFAULT_WRITER_THREADS = 2;
    /**
     * No writer thread: the scan thread writes each chunk's parts itself, so that a build uses one
     * core, for where several builds at once provide the parallelism (Spark's tasks, one core each).
     */
    public static final int INLINE_WRITER = 0;
    /** The {@code flow} of a frame without an IP flow. */
    public static final int NO_FLOW = -1;

    /** Receives scan progress, in bytes of the capture. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long bytesScanned, long bytesTotal);
    }

    /** What a run did to the index. */
    public enum Mode {
        /** There was no index: built from the start of the capture. */
        BUILT,
        /** An index was replaced by one built from the start (stale, other version, unreadable, or asked for). */
        REBUILT,
        /** The capture grew: only the bytes after the indexed prefix were scanned and added. */
        EXTENDED,
        /** The index already described the capture as it is: nothing was scanned or written. */
        UNCHANGED
    }

    /**
     * What a build did. The frame counts ({@code recordsScanned}, {@code nonIpFrames}, ...) and
     * {@code warnings} are of this run's scan; the manifest describes the whole index.
     * {@code replaced} says why an index that was there was rebuilt ({@link Mode#REBUILT}): it was
     * stale, of another version, or damaged (the refusal's text); null otherwise.
     */
    public record Result(Path indexDirectory, IndexManifest manifest, long indexBytes, long elapsedNanos,
                         long nonIpFrames, long truncatedFrames, long undecodedFrames,
                         long fragmentsCompleted, long fragmentsIncomplete, List<String> warnings,
                         Mode mode, long recordsScanned, long scannedFrom, String replaced) {
    }

    private final Path capture;
    private final Path indexDirectory;
    private final long segmentSize;
    private final int chunkRows;
    private Progress progress = Progress.NONE;
    private boolean rebuild;
    private int writerThreads = DEFAULT_WRITER_THREADS;

    public IndexBuilder(final Path capture, final Path indexDirectory) {
        this(capture, indexDirectory, MappedFile.DEFAULT_SEGMENT_SIZE);
    }

    IndexBuilder(final Path capture, final Path indexDirectory, final long segmentSize) {
        this(capture, indexDirectory, segmentSize, CHUNK_ROWS);
    }

    /** With chunks of {@code chunkRows} rows instead of {@link #CHUNK_ROWS}: for tests that need many chunks from a small capture. */
    IndexBuilder(final Path capture, final Path indexDirectory, final long segmentSize, final int chunkRows) {
        this.capture = capture;
        this.indexDirectory = indexDirectory;
        this.segmentSize = segmentSize;
        this.chunkRows = chunkRows;
    }

    public IndexBuilder progress(final Progress p) {
        this.progress = p;
        return this;
    }

    /** With {@code true}, build from the start of the capture even when the index could be extended or kept. */
    public IndexBuilder rebuild(final boolean r) {
        this.rebuild = r;
        return this;
    }

    /**
     * With {@code n} writer threads (0, 1 or 2; 2 unless told): 0 ({@link #INLINE_WRITER}, the scan
     * thread writes the parts itself: one core) where several builds run at once and provide the
     * parallelism. The index written is the same.
     *
     * @throws IllegalArgumentException when {@code n} is not 0, 1 or 2
     */
    public IndexBuilder writerThreads(final int n) {
        this.writerThreads = checkWriterThreads(n);
        return this;
    }

    /**
     * Returns {@code n} when it is a number of writer threads a build can use (0, 1 or 2).
     *
     * @throws IllegalArgumentException otherwise
     */
    public static int checkWriterThreads(final int n) {
        if (n < INLINE_WRITER || n > 2) {
            throw new IllegalArgumentException("an index build writes with 0, 1 or 2 writer threads, not " + n);
        }
        return n;
    }

    /** Extends the index when the capture only grew, keeps it when it already describes the capture, else builds it anew. */
    public Result build() throws IOException {
        final long started = System.nanoTime();
        CaptureReader.requireRegularFile(capture);
        final Path live = IndexDirectory.resolve(indexDirectory);
        final IndexUpdate update = IndexUpdate.decide(capture, live, rebuild, segmentSize);
        String replaced = update.replaced();
        if (update.action() == IndexUpdate.Action.KEEP) {
            final IndexManifest previous = update.previous();
            return new Result(live, previous, IndexDirectory.size(live), System.nanoTime() - started,
                0, 0, 0, 0, 0, List.of(), Mode.UNCHANGED, 0, previous.resume().offset(), null);
        }
        if (update.action() == IndexUpdate.Action.EXTEND) {
            try {
                return run(update.previous(), live, started);
            } catch (IndexException e) {
                if (e.kind() != IndexException.Kind.STALE && e.kind() != IndexException.Kind.CORRUPT) {
                    throw e;
                }
                // a fragment of the open tail is not what was indexed: the prefix changed after all
                replaced = e.problem();
            }
        }
        final Result r = run(null, null, started);
        return update.action() == IndexUpdate.Action.BUILD ? r : withMode(r, Mode.REBUILT, replaced);
    }

    private static Result withMode(final Result r, final Mode mode, final String replaced) {
        return new Result(r.indexDirectory(), r.manifest(), r.indexBytes(), r.elapsedNanos(), r.nonIpFrames(),
            r.truncatedFrames(), r.undecodedFrames(), r.fragmentsCompleted(), r.fragmentsIncomplete(), r.warnings(),
            mode, r.recordsScanned(), r.scannedFrom(), replaced);
    }

    /**
     * Scans from the start ({@code previous} null) or from where {@code previous} left off, and commits the index.
     * A capture that changed while it was scanned (cut short, or its first or last bytes or its
     * modification time changed at the same size) is refused: the index would describe neither
     * the old bytes nor the new.
     */
    private Result run(final IndexManifest previous, final Path live, final long started) throws IOException {
        try {
            return scanAndCommit(previous, live, started);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // a read of the capture failed under the reader (cut short while it was scanned)
        }
    }

    private Result scanAndCommit(final IndexManifest previous, final Path live, final long started) throws IOException {
        try (CaptureReader reader = CaptureReader.openSequential(capture, -1, Math.min(segmentSize, SCAN_WINDOW));
             IndexDirectory.Staging staging = IndexDirectory.stage(indexDirectory)) {
            final CaptureFingerprint before = CaptureFingerprint.of(capture, reader.file().storedLength());
            final IndexManifest.Resume resume = previous != null ? previous.resume() : null;
            final int nextPart = resume != null ? resume.nextPart() : 0;
            final int firstChunk = resume != null ? resume.nextChunk() : 0;
            final List<IndexManifest.Part> parts = new ArrayList<>();
            final IndexScan scan = new IndexScan(reader, staging.directory(), nextPart, firstChunk, chunkRows, writerThreads, progress);
            final long from;
            try {
                from = previous != null
                    ? new ScanResume(capture, indexDirectory, previous, live).prepare(reader, staging, scan, parts)
                    : reader.position();
            } catch (IOException | RuntimeException e) {
                scan.close();
                throw e;
            }
            scan.run();
            final int parted = scan.pipeline().commit(staging, parts, nextPart);
            final IndexManifest.Resume next = ScanManifest.resume(reader, scan, resume, parted);
            // The whole file as it was scanned, an incomplete last record included: unchanged, it is SAME.
            CaptureChangedException.requireUnchanged(reader.file());
            final CaptureFingerprint fingerprint = CaptureFingerprint.of(capture, reader.file().storedLength());
            if (!fingerprint.headSha256().equals(before.headSha256()) || !fingerprint.tailSha256().equals(before.tailSha256())) {
                throw CaptureChangedException.of(capture, "its first or last " + CaptureFingerprint.SAMPLE / 1024
                    + " KiB changed while it was scanned");
            }
            final IndexManifest.LookupFile lookup = LookupFileWriter.write(staging, parts, live, previous);
            final IndexManifest manifest = ScanManifest.of(capture, reader, scan.rows(), fingerprint, previous, parts, next, lookup);
            staging.write(IndexSchema.MANIFEST_FILE, manifest.toJson());
            final long bytes = staging.commit();
            final FrameRows rows = scan.rows();
            return new Result(indexDirectory, manifest, bytes, System.nanoTime() - started,
                rows.nonIpFrames(), rows.truncatedFrames(), rows.undecodedFrames(), rows.fragments().completed(),
                rows.fragments().incomplete(), reader.warnings(), previous != null ? Mode.EXTENDED : Mode.BUILT,
                rows.packets(), from, null);
        }
    }
}
