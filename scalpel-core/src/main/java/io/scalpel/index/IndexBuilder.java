package io.scalpel.index;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.MappedFile;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngReader;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowHash;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import java.io.IOException;
import java.nio.ByteOrder;
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
 * Scans a capture once and writes its index: every frame's timestamp, record offset, captured
 * length and flow reference into {@code packets.parquet} (a tunnelled frame has a row for its
 * innermost IP layer and one per encapsulating layer), the flows' keys into
 * {@code flows.parquet}, then {@code manifest.json}. The index is built in a temporary directory
 * beside its destination and moved into place only when complete ({@link IndexDirectory}).
 *
 * <p>The per-frame path allocates nothing: flyweight frames and decoder, column arrays per chunk,
 * primitive flow tables (flows, fragments and the Parquet writers allocate per flow, datagram
 * and page, not per frame). Heap use is bounded by the chunk size, whatever the capture's size.
 */
public final class IndexBuilder {
    /** Rows per chunk (and per row group of packets.parquet). */
    public static final int CHUNK_ROWS = 256 * 1024;
    /** Rows per row group of flows.parquet: the unit a flow-hash lookup reads (with its bloom filter). */
    static final int FLOW_ROW_GROUP_ROWS = 64 * 1024;
    /** The {@code flow} of a frame without an IP flow. */
    public static final int NO_FLOW = -1;
    private static final int PROGRESS_EVERY = 64 * 1024;
    /** IP protocol number of GRE. */
    static final int GRE_PROTOCOL = 47;

    /** Receives scan progress, in bytes of the capture. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(long bytesScanned, long bytesTotal);
    }

    /** What a build did. */
    public record Result(Path indexDirectory, IndexManifest manifest, long indexBytes, long elapsedNanos,
                         long nonIpFrames, long truncatedFrames, long undecodedFrames,
                         long fragmentsCompleted, long fragmentsIncomplete, List<String> warnings) {
    }

    private final Path capture;
    private final Path indexDirectory;
    private final long segmentSize;
    private Progress progress = Progress.NONE;

    public IndexBuilder(final Path capture, final Path indexDirectory) {
        this(capture, indexDirectory, MappedFile.DEFAULT_SEGMENT_SIZE);
    }

    IndexBuilder(final Path capture, final Path indexDirectory, final long segmentSize) {
        this.capture = capture;
        this.indexDirectory = indexDirectory;
        this.segmentSize = segmentSize;
    }

    public IndexBuilder progress(final Progress p) {
        this.progress = p;
        return this;
    }

    public Result build() throws IOException {
        final long started = System.nanoTime();
        try (CaptureReader reader = CaptureReader.open(capture, -1, segmentSize);
             IndexDirectory.Staging staging = IndexDirectory.stage(indexDirectory)) {
            final Scan scan = new Scan(reader, staging.directory());
            scan.run();
            // The whole file as it was scanned, an incomplete last record included: unchanged, it is SAME.
            final CaptureFingerprint fingerprint = CaptureFingerprint.of(capture, reader.size());
            final IndexManifest manifest = scan.manifest(fingerprint);
            staging.write(IndexSchema.MANIFEST_FILE, manifest.toJson());
            final long bytes = staging.commit();
            return new Result(indexDirectory, manifest, bytes, System.nanoTime() - started,
                scan.nonIp, scan.truncated, scan.undecoded, scan.fragments.completed(), scan.fragments.incomplete(),
                reader.warnings());
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
        /** The address-only key of a GRE-over-UDP layer. */
        final FlowKey greKey = new FlowKey();
        /** The keys inside a fragmented datagram's first fragment, and their depths. */
        final FlowKey[] innerKeys = newKeys(PacketChunk.MAX_ROWS_PER_FRAME);
        final int[] innerDepths = new int[PacketChunk.MAX_ROWS_PER_FRAME];
        int innerCount;
        final PacketChunk chunk = new PacketChunk(CHUNK_ROWS);
        /** Two sets of what a flush hands to the writer thread: one written while the other fills. */
        final PacketChunk[] batches = {new PacketChunk(CHUNK_ROWS), new PacketChunk(CHUNK_ROWS)};
        final FlowAccumulator[] flowTables = {new FlowAccumulator(4096), new FlowAccumulator(4096)};
        FlowAccumulator flows = flowTables[0];
        int flushes;
        final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "scalpel-index-writer");
            t.setDaemon(true);
            return t;
        });
        Future<?> writing;
        final FragmentTracker fragments = new FragmentTracker(this);
        final ParquetWriter<PacketChunk> packetWriter;
        final ParquetWriter<FlowAccumulator> flowWriter;
        final TreeSet<Integer> linkTypes = new TreeSet<>();
        long packets;
        long flowRows;
        long outerRows;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;
        long nonIp;
        long truncated;
        long undecoded;
        int lastLinkType = -1;
        long maxFragmentLag;

        Scan(final CaptureReader reader, final Path dir) throws IOException {
            this.reader = reader;
            final Map<String, String> meta = Map.of("scalpel.index.version", Integer.toString(IndexManifest.VERSION));
            this.packetWriter = ParquetTables.open(dir.resolve(IndexSchema.PACKETS_FILE), IndexSchema.PACKETS_SCHEMA,
                PacketChunk::writeRow, meta, CHUNK_ROWS, ParquetTables.PACKET_PAGE_ROWS, null, IndexSchema.CAPLEN, IndexSchema.CHUNK);
            this.flowWriter = ParquetTables.open(dir.resolve(IndexSchema.FLOWS_FILE), IndexSchema.FLOWS_SCHEMA,
                FlowAccumulator::writeRow, meta, FLOW_ROW_GROUP_ROWS, ParquetTables.FLOW_PAGE_ROWS, IndexSchema.FLOW_HASH, IndexSchema.PROTO, IndexSchema.SRC,
                IndexSchema.DST, IndexSchema.SRC_PORT, IndexSchema.DST_PORT, IndexSchema.VLAN, IndexSchema.INNER_VLAN,
                IndexSchema.IP_VERSION, IndexSchema.DEPTH);
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
                fragments.resolveAll();
                flush(true);
                awaitWriter();
                progress.update(reader.position(), reader.size());
            } finally {
                try {
                    if (writing != null) {
                        writing.get(); // never close the writers under a running batch
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException e) {
                    // the scan failed first; its exception is the one that propagates
                } finally {
                    writer.shutdown();
                    packetWriter.close();
                    flowWriter.close();
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
                    if (greOverUdp(i)) {
                        addInnerKey(greKey(decoded.layer(i)), layers - 1 - i);
                    }
                }
                if (greOverUdp(fragment)) {
                    addInnerKey(greKey(decoded.layer(fragment)), layers - 1 - fragment);
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
                if (greOverUdp(i)) {
                    // GRE over UDP: tunnel.log names the tunnel by the layer's addresses alone (ports 0),
                    // as for GRE over IP, so the layer is indexed under that key as well.
                    addLayer(greKey(layer), depth, ts);
                    outerRows++;
                }
            }
        }

        /** Whether layer {@code i} is a UDP (or other ported) layer that carries GRE. */
        private boolean greOverUdp(final int i) {
            return decoded.tunnelType(i) == DecodedPacket.TUNNEL_GRE
                && FlowHash.protocolClass(decoded.layer(i).protocol()) != FlowHash.OTHER_PROTOCOLS;
        }

        /** The address-only key tunnel.log gives a GRE-over-UDP layer (held in a reused key). */
        private FlowKey greKey(final FlowKey layer) {
            greKey.copyFrom(layer);
            greKey.setProtocol(GRE_PROTOCOL);
            greKey.setPorts(0, 0);
            return greKey;
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
            // Parquet encoding and compression run on the writer thread while the scan goes on:
            // hand it a copy of the rows and this chunk's flow table, and fill the other set.
            awaitWriter();
            final PacketChunk batch = batches[flushes & 1];
            chunk.copyPrefixTo(batch, limit);
            chunk.discardPrefix(limit);
            final FlowAccumulator table = flows;
            flowRows += table.size();
            flushes++;
            flows = flowTables[flushes & 1];
            flows.reset(flushes);
            writing = writer.submit(() -> {
                write(batch, table);
                return null;
            });
        }

        /** Writer thread: one batch of packet rows and its chunk's flows. */
        private void write(final PacketChunk batch, final FlowAccumulator table) throws IOException {
            for (int i = 0; i < batch.size; i++) {
                batch.cursor = i;
                packetWriter.write(batch);
            }
            // Each chunk's flows in flow-hash order: a lookup by hash reads one page per chunk.
            final int[] order = table.hashOrder();
            for (int i = 0; i < order.length; i++) {
                table.cursor = order[i];
                flowWriter.write(table);
            }
        }

        /** Waits for the batch being written; a failure there surfaces here. */
        private void awaitWriter() throws IOException {
            if (writing == null) {
                return;
            }
            try {
                writing.get();
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
                throw new IllegalStateException(cause);
            } finally {
                writing = null;
            }
        }

        IndexManifest manifest(final CaptureFingerprint fingerprint) {
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
                blocks = new ArrayList<>(ng.blocks());
            }
            return new IndexManifest(IndexManifest.FORMAT, IndexManifest.VERSION, Version.WRITER,
                capture.getFileName().toString(), reader.format().extension(), fingerprint,
                byteOrder, nanos, snaplen, linkTypeField, new ArrayList<>(linkTypes), blocks,
                packets, flowRows, minTs, maxTs, reader.truncatedTailOffset(), reader.warningCount(), maxFragmentLag, outerRows);
        }
    }
}
