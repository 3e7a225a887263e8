package io.scalpel.index;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over a capture: each frame read becomes rows ({@link FrameRows}); a full chunk is
 * flushed to the writer pipeline ({@link PartPipeline}) up to its first row still waiting for an
 * IP datagram. At the end, the rows of datagrams still open, and every row after the first of
 * them, go to the open tail part, resolved as at the end of a capture.
 */
final class IndexScan {
    private static final int PROGRESS_EVERY = 64 * 1024;

    private final CaptureReader reader;
    private final Frame frame = new Frame();
    private final IndexBuilder.Progress progress;
    private final PartPipeline pipeline;
    private final FrameRows rows;
    /** Record offsets of the fragments whose datagram was still open at the end of the scan. */
    private final List<Long> openFragments = new ArrayList<>();

    /**
     * Writes parts {@code firstPart} and {@code firstPart + 1} in {@code dir}, and {@code firstPart + 2}
     * for an open tail, on {@code writerThreads} writer threads.
     */
    IndexScan(final CaptureReader reader, final Path dir, final int firstPart, final int firstChunk, final int chunkRows,
              final int writerThreads, final IndexBuilder.Progress progress) throws IOException {
        this.reader = reader;
        this.progress = progress;
        this.pipeline = new PartPipeline(dir, firstPart, firstChunk, chunkRows, TimestampUnit.of(reader), writerThreads);
        this.rows = new FrameRows(chunkRows, pipeline.firstFlowTable());
    }

    FrameRows rows() {
        return rows;
    }

    PartPipeline pipeline() {
        return pipeline;
    }

    /** Record offsets of the fragments whose datagram was still open at the end of the scan. */
    List<Long> openFragments() {
        return openFragments;
    }

    /** Reads the capture to its end, writes every row and closes the parts. */
    void run() throws IOException {
        final PacketChunk chunk = rows.chunk();
        final FragmentTracker fragments = rows.fragments();
        try {
            while (reader.next(frame)) {
                rows.add(frame);
                if (chunk.full()) {
                    flush(false);
                }
                if ((rows.packets() & (PROGRESS_EVERY - 1)) == 0) {
                    fragments.expire(frame.timestampNanos());
                    progress.update(reader.position(), reader.size());
                }
            }
            final long pending = fragments.firstPendingRow();
            if (pending == Long.MAX_VALUE) {
                flush(true);
            } else {
                // Datagrams still open: the capture may grow and complete them. Their rows, and
                // every row after the first of them, go to a part of their own, which the next
                // scan of the grown capture takes back instead of keeping.
                for (long row : fragments.pendingRows()) {
                    openFragments.add(chunk.offsetOf(row));
                }
                rows.flows(pipeline.emit(chunk, (int) (pending - chunk.baseRow), rows.flows()));
                fragments.resolveAll();
                rows.flows(pipeline.emitTail(chunk, rows.flows()));
            }
            pipeline.finish();
            progress.update(reader.position(), reader.size());
        } finally {
            pipeline.drainAndClose();
        }
    }

    /** Flushes the chunk when it is full (after rows were taken back from an open tail). */
    void flushIfFull() throws IOException {
        if (rows.chunk().full()) {
            flush(false);
        }
    }

    /** Writes the chunk's resolved prefix (everything when {@code last}). */
    private void flush(final boolean last) throws IOException {
        final PacketChunk chunk = rows.chunk();
        final FragmentTracker fragments = rows.fragments();
        int limit = chunk.size;
        if (!last) {
            final long pending = fragments.firstPendingRow();
            if (pending != Long.MAX_VALUE && pending - chunk.baseRow < chunk.capacity() / 2) {
                // A datagram open for half a chunk: give up waiting for the rest of it.
                fragments.resolveRowsBefore(chunk.baseRow + chunk.capacity() / 2);
            }
            limit = (int) Math.min(chunk.size, fragments.firstPendingRow() - chunk.baseRow);
        }
        rows.flows(pipeline.emit(chunk, limit, rows.flows()));
    }

    /** Stops the writer threads and closes the part files (once): for a scan that fails before it runs. */
    void close() throws IOException {
        pipeline.close();
    }
}
