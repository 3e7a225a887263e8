package io.scalpel.index;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.MappedFile;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngReader;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.parquet.hadoop.ParquetWriter;

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
 */
public final class IndexBuilder {
    /** Rows per chunk (and per row group of the packets table). */
    public static final int CHUNK_ROWS = 256 * 1024;
    /**
     * Bytes the scan reads from the capture at a time. The scan reads through the channel rather
     * than a mapping: touching each page of a fresh mapping costs more than copying it (see
     * docs/performance.md).
     */
    public static final long SCAN_WINDOW = 8L << 20;
    /** Rows per row group of the flows table: the unit a flow-hash lookup reads (with its bloom filter). */
    static final int FLOW_ROW_GROUP_ROWS = 64 * 1024;
    /** The {@code flow} of a frame without an IP flow. */
    public static final int NO_FLOW = -1;
    private static final int PROGRESS_EVERY = 64 * 1024;

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

    /** Extends the index when the capture only grew, keeps it when it already describes the capture, else builds it anew. */
    public Result build() throws IOException {
        final long started = System.nanoTime();
        CaptureReader.requireRegularFile(capture);
        final Path live = IndexDirectory.resolve(indexDirectory);
        final Path manifestFile = live.resolve(IndexSchema.MANIFEST_FILE);
        final boolean exists = Files.isRegularFile(manifestFile);
        String replaced = null;
        if (exists && !rebuild) {
            IndexManifest previous = null;
            CaptureFingerprint.Match match = null;
            try {
                final PacketIndex current = PacketIndex.open(capture, live);
                // Every byte of the index is checked before it is kept or extended: a damaged part
                // must not pass for an index that is up to date, nor be carried into the next one.
                current.verifyAll();
                previous = current.manifest();
                match = current.captureMatch();
            } catch (IndexException e) {
                // stale, another version, damaged or unreadable: built anew below
                replaced = e.problem();
            }
            if (match == CaptureFingerprint.Match.SAME) {
                return new Result(live, previous, IndexDirectory.size(live), System.nanoTime() - started,
                    0, 0, 0, 0, 0, List.of(), Mode.UNCHANGED, 0, previous.resume().offset(), null);
            }
            // a compressed capture that grew is indexed anew (its stream is not resumed mid-way)
            if (match == CaptureFingerprint.Match.GROWN && previous.compression() == null && lastRecordUnchanged(previous)) {
                try {
                    return run(previous, live, started);
                } catch (IndexException e) {
                    if (e.kind() != IndexException.Kind.STALE && e.kind() != IndexException.Kind.CORRUPT) {
                        throw e;
                    }
                    // a fragment of the open tail is not what was indexed: the prefix changed after all
                    replaced = e.problem();
                }
            } else if (match == CaptureFingerprint.Match.GROWN) {
                replaced = "the capture grew, and it cannot be extended";
            }
        }
        final Result r = run(null, null, started);
        return exists ? withMode(r, Mode.REBUILT, replaced) : r;
    }

    /**
     * Whether the last record the index holds is still at its offset, with its timestamp and
     * captured length: with the fingerprint's head and tail hashes, the check that the capture
     * only grew (the tail hash alone misses the header of a last record longer than its sample).
     */
    private boolean lastRecordUnchanged(final IndexManifest previous) throws IOException {
        final IndexManifest.LastRecord last = previous.resume().lastRecord();
        if (last == null) {
            return true;
        }
        try (CaptureReader reader = CaptureReader.open(capture, previous.resume().offset(), segmentSize)) {
            if (reader instanceof PcapngReader ng) {
                ng.layout(previous.pcapngBlocks());
            }
            final Frame f = new Frame();
            return CaptureChangedException.read(reader.file(), () -> {
                reader.readAt(last.offset(), f);
                return f.capturedLength() == last.capturedLength()
                    && (!f.timestampKnown() || f.timestampNanos() == last.timestampNanos());
            });
        } catch (CaptureChangedException e) {
            throw e;
        } catch (io.scalpel.capture.CaptureFormatException e) {
            return false;
        }
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
            final Scan scan = new Scan(reader, staging.directory(), nextPart, firstChunk);
            final long from;
            try {
                from = previous != null ? resumeFrom(previous, live, reader, staging, scan, parts) : reader.position();
            } catch (IOException | RuntimeException e) {
                scan.close();
                throw e;
            }
            scan.run();
            int parted = nextPart;
            for (PartWriter w : new PartWriter[] {scan.mains[0], scan.mains[1], scan.tail}) {
                if (w == null) {
                    continue;
                }
                if (w.isEmpty() && w != scan.tail) {
                    staging.discard(IndexSchema.PACKETS_DIR + "/" + w.file);
                    staging.discard(IndexSchema.FLOWS_DIR + "/" + w.file);
                } else {
                    parts.add(new IndexManifest.Part(w.file, w.packets, w.flows,
                        IndexPart.describe(staging.directory().resolve(IndexSchema.PACKETS_DIR).resolve(w.file)),
                        IndexPart.describe(staging.directory().resolve(IndexSchema.FLOWS_DIR).resolve(w.file))));
                }
                parted++;
            }
            final IndexManifest.Resume next = new IndexManifest.Resume(reader.position(), scan.firstChunk + scan.flushes,
                reader instanceof PcapngReader ng ? ng.lastTimestampNanos() : 0, Math.max(parted, nextPart + 1),
                scan.tail != null ? scan.tail.file : null, List.copyOf(scan.openFragments),
                scan.packets > 0 ? new IndexManifest.LastRecord(scan.lastOffset, scan.lastTs, scan.lastCaplen)
                    : resume != null ? resume.lastRecord() : null);
            // The whole file as it was scanned, an incomplete last record included: unchanged, it is SAME.
            CaptureChangedException.requireUnchanged(reader.file());
            final CaptureFingerprint fingerprint = CaptureFingerprint.of(capture, reader.file().storedLength());
            if (!fingerprint.headSha256().equals(before.headSha256()) || !fingerprint.tailSha256().equals(before.tailSha256())) {
                throw CaptureChangedException.of(capture, "its first or last " + CaptureFingerprint.SAMPLE / 1024
                    + " KiB changed while it was scanned");
            }
            final IndexManifest manifest = scan.manifest(fingerprint, previous, parts, next);
            staging.write(IndexSchema.MANIFEST_FILE, manifest.toJson());
            final long bytes = staging.commit();
            return new Result(indexDirectory, manifest, bytes, System.nanoTime() - started,
                scan.nonIp, scan.truncated, scan.undecoded, scan.fragments.completed(), scan.fragments.incomplete(),
                reader.warnings(), previous != null ? Mode.EXTENDED : Mode.BUILT, scan.packets, from, null);
        }
    }

    /**
     * Prepares the scan of a grown capture: carries the previous index's parts into the new one
     * (all but the open tail, whose rows the scan takes back), and moves the reader to where the
     * previous scan ended. Returns that offset.
     */
    private long resumeFrom(final IndexManifest previous, final Path live, final CaptureReader reader,
                            final IndexDirectory.Staging staging, final Scan scan, final List<IndexManifest.Part> parts)
        throws IOException {
        final IndexManifest.Resume resume = previous.resume();
        if (!previous.captureFormat().equals(reader.format().extension())) {
            throw new IndexException(IndexException.Kind.STALE, "index " + live + " describes a "
                + previous.captureFormat() + " capture, but " + capture + " is " + reader.format().extension());
        }
        for (IndexManifest.Part p : previous.parts()) {
            if (!p.file().equals(resume.openPart())) {
                staging.carry(live, IndexSchema.PACKETS_DIR + "/" + p.file());
                staging.carry(live, IndexSchema.FLOWS_DIR + "/" + p.file());
                parts.add(p);
            }
        }
        if (resume.openPart() != null) {
            IndexManifest.PartFile open = null;
            for (IndexManifest.Part p : previous.parts()) {
                if (p.file().equals(resume.openPart())) {
                    open = p.packetsFile();
                }
            }
            if (open == null) {
                throw new IndexException(IndexException.Kind.CORRUPT, live + ": the index manifest's open part " + resume.openPart()
                    + " is not one of its parts", PacketIndex.rebuildAdvice(capture, indexDirectory));
            }
            scan.reopen(live.resolve(IndexSchema.PACKETS_DIR).resolve(resume.openPart()), open, resume.openFragments(),
                previous.pcapngBlocks());
        }
        if (reader instanceof PcapReader p) {
            p.seek(resume.offset());
        } else {
            ((PcapngReader) reader).resume(previous.pcapngBlocks(), resume.offset(), resume.lastTimestampNanos());
        }
        return resume.offset();
    }

    /** The two Parquet files of one part (packets and flows), and the rows written to each. */
    private static final class PartWriter {
        final String file;
        final ParquetWriter<PacketChunk> packetWriter;
        final ParquetWriter<FlowAccumulator> flowWriter;
        long packets;
        long flows;

        PartWriter(final Path dir, final String file, final int chunkRows) throws IOException {
            this.file = file;
            final Map<String, String> meta = Map.of("scalpel.index.version", Integer.toString(IndexManifest.VERSION));
            this.packetWriter = ParquetTables.open(dir.resolve(IndexSchema.PACKETS_DIR).resolve(file), IndexSchema.PACKETS_SCHEMA,
                PacketChunk::writeRow, meta, chunkRows, ParquetTables.PACKET_PAGE_ROWS, List.of(), IndexSchema.CAPLEN, IndexSchema.CHUNK);
            ParquetWriter<FlowAccumulator> f = null;
            try {
                f = ParquetTables.open(dir.resolve(IndexSchema.FLOWS_DIR).resolve(file), IndexSchema.FLOWS_SCHEMA,
                    FlowAccumulator::writeRow, meta, FLOW_ROW_GROUP_ROWS, ParquetTables.FLOW_PAGE_ROWS,
                    List.of(IndexSchema.FLOW_HASH, IndexSchema.COMMUNITY_ID), IndexSchema.PROTO, IndexSchema.SRC,
                    IndexSchema.DST, IndexSchema.SRC_PORT, IndexSchema.DST_PORT, IndexSchema.VLAN, IndexSchema.INNER_VLAN,
                    IndexSchema.IP_VERSION, IndexSchema.DEPTH);
            } finally {
                if (f == null) {
                    packetWriter.close();
                }
            }
            this.flowWriter = f;
        }

        /** Writer thread: one batch of packet rows and its chunk's flows. */
        void write(final PacketChunk batch, final FlowAccumulator table) throws IOException {
            // By chunk, then flow group, then capture order (PacketOrder): a lookup reads a few pages per chunk.
            for (int row : PacketOrder.of(batch)) {
                batch.cursor = row;
                packetWriter.write(batch);
            }
            packets += batch.size;
            // Each chunk's flows in flow-hash order: a lookup by hash reads one page per chunk.
            final int[] order = table.hashOrder();
            for (int i = 0; i < order.length; i++) {
                table.cursor = order[i];
                flowWriter.write(table);
            }
            flows += order.length;
        }

        boolean isEmpty() {
            return packets == 0 && flows == 0;
        }

        void close() throws IOException {
            try {
                packetWriter.close();
            } finally {
                flowWriter.close();
            }
        }
    }

    private static FlowKey[] newKeys(final int n) {
        final FlowKey[] keys = new FlowKey[n];
        for (int i = 0; i < n; i++) {
            keys[i] = new FlowKey();
        }
        return keys;
    }

    /** One pass over the capture. */
    private final class Scan implements FragmentTracker.Resolution {
        final CaptureReader reader;
        final Frame frame = new Frame();
        final PacketDecoder decoder = new PacketDecoder();
        final DecodedPacket decoded = new DecodedPacket();
        /** The keys inside a fragmented datagram's first fragment, and their depths. */
        final FlowKey[] innerKeys = newKeys(PacketChunk.MAX_ROWS_PER_FRAME);
        final int[] innerDepths = new int[PacketChunk.MAX_ROWS_PER_FRAME];
        int innerCount;
        final PacketChunk chunk = new PacketChunk(chunkRows);
        /**
         * What a flush hands to a writer thread. Flushes alternate between two writer threads, each
         * writing its own part file (so Parquet encoding, the bulk of an index build, runs on both
         * cores while the scan goes on): batch {@code k % 2} is reused by flush {@code k + 2}, on the
         * same writer; a flow table is filled while the two before it may still be being written.
         */
        final PacketChunk[] batches = {new PacketChunk(chunkRows), new PacketChunk(chunkRows)};
        final FlowAccumulator[] flowTables = {new FlowAccumulator(4096), new FlowAccumulator(4096), new FlowAccumulator(4096)};
        FlowAccumulator flows = flowTables[0];
        /** Chunk number of this scan's first flow table: scans of a grown capture continue the numbering. */
        final int firstChunk;
        int flushes;
        final ExecutorService[] writers = {writerThread(0), writerThread(1)};
        final Future<?>[] writing = new Future<?>[2];
        final FragmentTracker fragments = new FragmentTracker(this);
        final Path dir;
        /** The parts the resolved rows go to: flush {@code k} to part {@code k % 2}. */
        final PartWriter[] mains = new PartWriter[2];
        /** The part of the open tail (rows from the first fragment of a datagram still open at the end), or null. */
        PartWriter tail;
        final String tailPart;
        /** Record offsets of the fragments whose datagram was still open at the end of the scan. */
        final List<Long> openFragments = new ArrayList<>();
        private boolean closed;
        final TreeSet<Integer> linkTypes = new TreeSet<>();
        long packets;
        long outerRows;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;
        long nonIp;
        long truncated;
        long undecoded;
        int lastLinkType = -1;
        long maxFragmentLag;
        long lastOffset = -1;
        long lastTs;
        int lastCaplen;

        /** Writes parts {@code firstPart} and {@code firstPart + 1}, and {@code firstPart + 2} for an open tail. */
        Scan(final CaptureReader reader, final Path dir, final int firstPart, final int firstChunk) throws IOException {
            this.reader = reader;
            this.dir = dir;
            this.tailPart = IndexSchema.partFile(firstPart + 2);
            this.firstChunk = firstChunk;
            flows.reset(firstChunk);
            mains[0] = new PartWriter(dir, IndexSchema.partFile(firstPart), chunkRows);
            try {
                mains[1] = new PartWriter(dir, IndexSchema.partFile(firstPart + 1), chunkRows);
            } catch (IOException | RuntimeException e) {
                mains[0].close();
                throw e;
            }
        }

        private ExecutorService writerThread(final int n) {
            return Executors.newSingleThreadExecutor(r -> {
                final Thread t = new Thread(r, "scalpel-index-writer-" + n);
                t.setDaemon(true);
                return t;
            });
        }

        /**
         * Takes back the open tail of the previous scan: its rows (from {@code tailRows}, a part
         * file), with the fragments at {@code open} offsets returned to the fragment tracker as
         * pending, read again from the capture for their keys. Every other row keeps the flow and
         * datagram time it was written with.
         */
        void reopen(final Path tailRows, final IndexManifest.PartFile expected, final List<Long> open,
                    final List<io.scalpel.capture.PcapngBlock> structure) throws IOException {
            final java.util.Set<Long> pending = new java.util.HashSet<>(open);
            // a tunnelled fragment's frame has more rows (its outer layers, with their flows):
            // only its first row is the fragment, the others are kept as they were
            final java.util.Set<Long> reopened = new java.util.HashSet<>();
            try (CaptureReader again = CaptureReader.on(reader.file())) {
                if (again instanceof PcapngReader ng) {
                    ng.layout(structure);
                }
                final Frame f = new Frame();
                final PacketDecoder d = new PacketDecoder();
                final DecodedPacket dp = new DecodedPacket();
                PacketIndex.scanPart(tailRows, expected, PacketIndex.rebuildAdvice(capture, indexDirectory),
                    (ts, offset, caplen, chunkRef, flowRef, dgramTs) -> {
                    if (!pending.contains(offset) || !reopened.add(offset)) {
                        final long row = chunk.add(ts, offset, caplen, chunkRef, flowRef);
                        if (dgramTs != PacketChunk.NO_DGRAM_TS) {
                            chunk.patch(row, chunkRef, flowRef, dgramTs);
                        }
                        return;
                    }
                    again.readAt(offset, f);
                    d.decode(f.linkType(), f.buffer(), f.dataOffset(), f.capturedLength(), dp);
                    final FlowKey key = dp.innermost();
                    if (key == null || !key.isFragment() || f.capturedLength() != caplen) {
                        throw new IndexException(IndexException.Kind.STALE, capture + ": byte offset " + offset
                            + ": the IP fragment indexed here is not there any more; re-run `scalpel index --rebuild`");
                    }
                    final long row = chunk.add(ts, offset, caplen, flows.chunk(), NO_FLOW);
                    fragments.add(key, dp.outerVlan(), dp.innerVlan(), row, ts, f.originalLength());
                });
            }
            if (chunk.full()) {
                flush(false);
            }
        }

        void run() throws IOException {
            try {
                while (reader.next(frame)) {
                    add();
                    if (chunk.full()) {
                        flush(false);
                    }
                    if ((packets & (PROGRESS_EVERY - 1)) == 0) {
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
                    emit((int) (pending - chunk.baseRow), mains[flushes & 1]);
                    fragments.resolveAll();
                    tail = new PartWriter(dir, tailPart, chunkRows);
                    emit(chunk.size, tail);
                }
                awaitWriter(0);
                awaitWriter(1);
                progress.update(reader.position(), reader.size());
            } finally {
                for (Future<?> w : writing) {
                    if (w == null) {
                        continue;
                    }
                    try {
                        w.get(); // never close the writers under a running batch
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (ExecutionException e) {
                        // the scan failed first; its exception is the one that propagates
                    }
                }
                close();
            }
        }

        /** Stops the writer threads and closes the part files (once). */
        void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            writers[0].shutdown();
            writers[1].shutdown();
            try {
                mains[0].close();
            } finally {
                try {
                    mains[1].close();
                } finally {
                    if (tail != null) {
                        tail.close();
                    }
                }
            }
        }

        private void add() {
            final long ts = frame.timestampNanos();
            final int linkType = frame.linkType();
            if (linkType != lastLinkType) {
                linkTypes.add(linkType);
                lastLinkType = linkType;
            }
            packets++;
            lastOffset = frame.recordOffset();
            lastTs = ts;
            lastCaplen = frame.capturedLength();
            minTs = Math.min(minTs, ts);
            maxTs = Math.max(maxTs, ts);
            final int status = decoder.decode(linkType, frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
            final FlowKey key = decoded.innermost();
            if (key == null) {
                if (status == DecodedPacket.STATUS_NOT_IP) {
                    nonIp++;
                } else {
                    undecoded++;
                }
                chunk.add(ts, frame.recordOffset(), frame.capturedLength(), flows.chunk(), NO_FLOW);
                return;
            }
            if (status == DecodedPacket.STATUS_TRUNCATED) {
                truncated++;
            }
            final int layers = decoded.layerCount();
            int fragment = layers; // the outermost layer that is an IP fragment
            for (int i = 0; i < layers; i++) {
                if (decoded.layer(i).isFragment()) {
                    fragment = i;
                    break;
                }
            }
            boolean first = true;
            if (fragment < layers) {
                // The layers inside a fragmented datagram are in its first fragment only: they become
                // rows of every fragment of the datagram, through FragmentTracker.
                innerCount = 0;
                for (int i = layers - 1; i > fragment; i--) {
                    addInnerKey(decoded.layer(i), layers - 1 - i);
                    if (decoded.aliasKey(i) != null) {
                        addInnerKey(decoded.aliasKey(i), layers - 1 - i);
                    }
                }
                if (decoded.aliasKey(fragment) != null) {
                    addInnerKey(decoded.aliasKey(fragment), layers - 1 - fragment);
                }
                final long row = chunk.add(ts, frame.recordOffset(), frame.capturedLength(), flows.chunk(), NO_FLOW);
                fragments.add(decoded.layer(fragment), decoded.outerVlan(), decoded.innerVlan(), row, ts, frame.originalLength(),
                    innerKeys, innerDepths, innerCount, layers - 1 - fragment);
                first = false;
            }
            // A tunnelled frame: one more row per encapsulating IP layer, next to its innermost row,
            // so that a lookup of an outer key (a tunnel's own connection) finds the frame too.
            for (int i = Math.min(layers, fragment) - 1; i >= 0; i--) {
                final int depth = layers - 1 - i;
                final FlowKey layer = decoded.layer(i);
                addLayer(layer, depth, ts);
                if (!first) {
                    outerRows++;
                }
                first = false;
                if (decoded.aliasKey(i) != null) {
                    // the layer's other name (GRE over UDP: tunnel.log's address-only key) is indexed too
                    addLayer(decoded.aliasKey(i), depth, ts);
                    outerRows++;
                }
            }
        }

        private void addInnerKey(final FlowKey key, final int depth) {
            innerKeys[innerCount].copyFrom(key);
            innerDepths[innerCount++] = depth;
        }

        /** Appends the frame's row for one IP layer outside any fragmented datagram. */
        private void addLayer(final FlowKey key, final int depth, final long ts) {
            final long flow = key.flowHash(); // a key without ports (cut short) hashes with ports 0
            final int id = flows.add(flow, key, decoded.outerVlan(), decoded.innerVlan(), depth, ts, 1, frame.originalLength());
            chunk.add(ts, frame.recordOffset(), frame.capturedLength(), flows.chunk(), id);
        }

        @Override
        public long copyRow(final long row) {
            outerRows++;
            return chunk.copyRow(row);
        }

        @Override
        public void resolved(final long[] rows, final int count, final long flow, final FlowKey key, final int outerVlan,
                             final int innerVlan, final int depth, final long datagramTs, final int bytes) {
            final int id = flows.add(flow, key, outerVlan, innerVlan, depth, datagramTs, count, bytes);
            for (int i = 0; i < count; i++) {
                chunk.patch(rows[i], flows.chunk(), id, datagramTs);
                maxFragmentLag = Math.max(maxFragmentLag, datagramTs - chunk.tsOf(rows[i]));
            }
        }

        /** Writes the chunk's resolved prefix (everything when {@code last}). */
        private void flush(final boolean last) throws IOException {
            int limit = chunk.size;
            if (!last) {
                final long pending = fragments.firstPendingRow();
                if (pending != Long.MAX_VALUE && pending - chunk.baseRow < chunk.capacity() / 2) {
                    // A datagram open for half a chunk: give up waiting for the rest of it.
                    fragments.resolveRowsBefore(chunk.baseRow + chunk.capacity() / 2);
                }
                limit = (int) Math.min(chunk.size, fragments.firstPendingRow() - chunk.baseRow);
            }
            emit(limit, mains[flushes & 1]);
        }

        /** Hands the chunk's first {@code limit} rows and its flow table to writer thread {@code flushes % 2}, for {@code part}. */
        private void emit(final int limit, final PartWriter part) throws IOException {
            // Parquet encoding and compression run on a writer thread while the scan goes on: hand
            // it a copy of the rows and this chunk's flow table, and fill the next set.
            final int w = flushes & 1;
            awaitWriter(w); // its previous batch, two flushes ago: the batch array is free again
            final PacketChunk batch = batches[w];
            chunk.copyPrefixTo(batch, limit);
            chunk.discardPrefix(limit);
            final FlowAccumulator table = flows;
            flushes++;
            flows = flowTables[flushes % flowTables.length];
            flows.reset(firstChunk + flushes);
            writing[w] = writers[w].submit(() -> {
                part.write(batch, table);
                return null;
            });
        }

        /** Waits for writer thread {@code w}'s batch; a failure there surfaces here. */
        private void awaitWriter(final int w) throws IOException {
            final Future<?> f = writing[w];
            if (f == null) {
                return;
            }
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while writing the index");
            } catch (ExecutionException e) {
                final Throwable cause = e.getCause();
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

        /** The manifest of the index: this scan's, merged with {@code previous} when it extends one. */
        IndexManifest manifest(final CaptureFingerprint fingerprint, final IndexManifest previous,
                               final List<IndexManifest.Part> parts, final IndexManifest.Resume resume) {
            String byteOrder = null;
            Boolean nanos = null;
            Integer snaplen = null;
            Integer linkTypeField = null;
            List<io.scalpel.capture.PcapngBlock> blocks = null;
            if (reader instanceof PcapReader p) {
                byteOrder = p.byteOrder() == ByteOrder.BIG_ENDIAN ? "big" : "little";
                nanos = p.nanosecondResolution();
                snaplen = p.snaplen();
                linkTypeField = p.linkTypeField();
            } else if (reader instanceof PcapngReader ng) {
                blocks = new ArrayList<>();
                if (previous != null && previous.pcapngBlocks() != null) {
                    blocks.addAll(previous.pcapngBlocks());
                }
                int others = 0;
                for (io.scalpel.capture.PcapngBlock b : blocks) {
                    others += b.isStructural() ? 0 : 1;
                }
                for (io.scalpel.capture.PcapngBlock b : ng.blocks()) {
                    if (b.isStructural() || others++ < PcapngReader.MAX_BLOCKS_KEPT) {
                        blocks.add(b);
                    }
                }
            }
            long allRows = 0;
            long allFlows = 0;
            for (IndexManifest.Part p : parts) {
                allRows += p.packets();
                allFlows += p.flows();
            }
            // rows for outer IP layers: this scan's, plus the earlier scans' (an open tail taken
            // back keeps its rows without counting them again)
            final long outer = outerRows + (previous != null ? previous.outerRows() : 0);
            long first = minTs;
            long last = maxTs;
            long warnings = reader.warningCount();
            long lag = maxFragmentLag;
            if (previous != null) {
                linkTypes.addAll(previous.linkTypes());
                first = Math.min(first, previous.firstTimestampNanos());
                last = Math.max(last, previous.lastTimestampNanos());
                warnings += previous.warnings();
                lag = Math.max(lag, previous.maxFragmentLagNanos());
            }
            return new IndexManifest(IndexManifest.FORMAT, IndexManifest.VERSION, Version.WRITER,
                capture.getFileName().toString(), reader.format().extension(), fingerprint,
                byteOrder, nanos, snaplen, linkTypeField, new ArrayList<>(linkTypes), blocks,
                allRows - outer, allFlows, first, last, reader.truncatedTailOffset(), warnings, lag, outer, parts, resume,
                reader.file() instanceof io.scalpel.capture.CompressedFile c ? c.layout() : null);
        }
    }
}
