package io.scalpel.api;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.Frame;
import io.scalpel.decode.CommunityId;
import io.scalpel.extract.Recompressor;
import io.scalpel.extract.RunFiles;
import io.scalpel.index.IndexException;
import io.scalpel.index.IndexManifest;
import io.scalpel.index.PacketIndex;
import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.Slicer;
import io.scalpel.slice.TcpEnding;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Scalpel embedded: open a capture with its index, then select, slice or visit the packets of
 * Zeek connections.
 *
 * <pre>{@code
 * try (Scalpel scalpel = Scalpel.open(Path.of("trace.pcap"))) {
 *     scalpel.slice(List.of(connRecord), Path.of("conn.pcap"));
 * }
 * }</pre>
 *
 * <p>Nothing here prints or exits; errors are exceptions ({@link io.scalpel.capture.CaptureFormatException},
 * {@link IndexException}, {@link io.scalpel.extract.OutputException}). Reads are thread-safe: one
 * instance may serve slices from several threads at once; except over a gzip or zstd capture, which
 * is decompressed into one window: such an instance serves one call at a time.
 *
 * <p>Long because it is the whole public door of one capture, its {@link Options} included, and
 * every method an embedder calls keeps its Javadoc here; the work is behind it:
 * {@code CaptureFileIndex} opens, builds, extends and verifies the index, {@code Queries} makes
 * the queries of conn rows, tunnels and Community IDs, {@link Slicer} selects, visits and writes
 * frames, {@code AtomicWrites} commits files, {@link ArrowPairs} pairs rows with packets.
 */
public final class Scalpel implements Closeable {
    /** This scalpel's version, as its jar's manifest says ("scalpel 0.1.0-SNAPSHOT"). */
    public static final String VERSION = io.scalpel.index.Version.WRITER;

    /** Which connection key conn.log rows are joined by: whether their VLAN tags must match the frames'. */
    public enum VlanKey {
        /**
         * As the log says: VLAN-aware for a row of a log written with Zeek's VLAN-aware connection
         * key ({@link ConnRecord#vlanKeyed()}: it has {@code id.ctx.vlan} columns), VLAN-blind
         * otherwise, as Zeek's default key is.
         */
        AS_LOGGED,
        /** VLAN-aware for every row: its {@code vlan}/{@code inner_vlan} must be the frame's tags (unset: untagged). */
        AWARE,
        /** VLAN-blind for every row, even of a log keyed by VLAN: tags are ignored. */
        BLIND;

        /** Whether {@code conn} is joined VLAN-aware under this choice. */
        public boolean aware(final ConnRecord conn) {
            return this == AWARE || (this == AS_LOGGED && conn.vlanKeyed());
        }
    }

    /**
     * How to open a capture.
     *
     * @param index          index directory; null for the default beside the capture
     * @param vlanKey        whether conn rows are joined by their VLAN tags as well (Zeek's VLAN-aware key):
     *                       as their log says (the default), always or never
     * @param buildIfMissing build the index when there is none, and extend it when the capture grew since it was indexed
     * @param reindex        rebuild the index when the capture changed since (otherwise refuse it)
     * @param progress       receives indexing progress
     * @param communityIdSeed the seed Zeek computed the conn.log's community_id with (0 unless
     *                        Zeek was told otherwise), and the seed of {@link #selectCommunityIds}
     * @param tcpCloseDelayNanos Zeek's {@code tcp_close_delay}: how long a TCP connection still
     *                        takes packets after both endpoints closed (see {@link TcpEnding})
     */
    public record Options(Path index, VlanKey vlanKey, boolean buildIfMissing, boolean reindex,
                          Progress progress, int communityIdSeed, long tcpCloseDelayNanos) {
        public static Options defaults() {
            return new Options(null, VlanKey.AS_LOGGED, true, false, Progress.NONE, CommunityId.DEFAULT_SEED,
                TcpEnding.DEFAULT_CLOSE_DELAY_NANOS);
        }

        public Options withIndex(final Path p) {
            return new Options(p, vlanKey, buildIfMissing, reindex, progress, communityIdSeed, tcpCloseDelayNanos);
        }

        public Options withVlanKey(final VlanKey k) {
            return new Options(index, Objects.requireNonNull(k, "vlanKey"), buildIfMissing, reindex, progress,
                communityIdSeed, tcpCloseDelayNanos);
        }

        /** True: {@link VlanKey#AWARE}; false: {@link VlanKey#AS_LOGGED} (VLAN-blind unless the log is keyed by VLAN). */
        public Options withVlanAware(final boolean v) {
            return withVlanKey(v ? VlanKey.AWARE : VlanKey.AS_LOGGED);
        }

        /** Whether every conn row is joined VLAN-aware ({@link VlanKey#AWARE}). */
        public boolean vlanAware() {
            return vlanKey == VlanKey.AWARE;
        }

        public Options withBuildIfMissing(final boolean b) {
            return new Options(index, vlanKey, b, reindex, progress, communityIdSeed, tcpCloseDelayNanos);
        }

        public Options withReindex(final boolean r) {
            return new Options(index, vlanKey, buildIfMissing, r, progress, communityIdSeed, tcpCloseDelayNanos);
        }

        public Options withProgress(final Progress p) {
            return new Options(index, vlanKey, buildIfMissing, reindex, p, communityIdSeed, tcpCloseDelayNanos);
        }

        /** @throws IllegalArgumentException when the seed is not a 16-bit value */
        public Options withCommunityIdSeed(final int seed) {
            return new Options(index, vlanKey, buildIfMissing, reindex, progress, CommunityId.checkSeed(seed), tcpCloseDelayNanos);
        }

        /**
         * Zeek's {@code tcp_close_delay} on the sensor that wrote the conn.log (5 s unless it was
         * changed): how long a TCP connection takes packets after both endpoints closed.
         *
         * @throws IllegalArgumentException when negative
         */
        public Options withTcpCloseDelayNanos(final long nanos) {
            if (nanos < 0) {
                throw new IllegalArgumentException("tcp_close_delay must not be negative, was " + nanos + " ns");
            }
            return new Options(index, vlanKey, buildIfMissing, reindex, progress, communityIdSeed, nanos);
        }
    }

    /** Receives the frames of a connection, in capture order, as views into the mapped capture (no copy). */
    @FunctionalInterface
    public interface PacketVisitor {
        void packet(Frame frame) throws IOException;
    }

    /**
     * What a selection found.
     *
     * @param queries the queries, in the order given
     * @param offsets for each query, the record offsets of its frames in capture order
     */
    public record Selection(List<Query> queries, long[][] offsets) {
        public int size() {
            return queries.size();
        }

        public long[] offsets(final int i) {
            return offsets[i];
        }

        /** Every selected frame once, in capture order. */
        public long[] union() {
            return Slicer.union(offsets);
        }
    }

    private final Path capture;
    private final Options options;
    private final PacketIndex index;
    private final io.scalpel.capture.CaptureSource file;
    private final Slicer slicer;
    private final Queries queries;
    private final IndexReport built;

    private Scalpel(final Path capture, final Options options, final PacketIndex index, final IndexReport built)
        throws IOException {
        this.capture = capture;
        this.options = options;
        this.index = index;
        this.built = built;
        this.file = io.scalpel.index.CaptureFiles.open(capture, index.manifest());
        this.slicer = new Slicer(file, index);
        this.queries = new Queries(options);
    }

    /** Opens a capture with its index beside it, building the index if there is none. */
    public static Scalpel open(final Path capture) throws IOException {
        return open(capture, Options.defaults());
    }

    /**
     * Opens a capture with its index: used as it is, built when missing, rebuilt or extended as
     * {@code options} say ({@link Options#buildIfMissing()}, {@link Options#reindex()}).
     */
    public static Scalpel open(final Path capture, final Options options) throws IOException {
        final CaptureFileIndex.Opened opened = CaptureFileIndex.open(capture, options);
        return new Scalpel(capture, options, opened.index(), opened.built());
    }

    /**
     * Brings the index of {@code capture} in {@code indexDirectory} (null: beside the capture) up to
     * date: extends it when the capture only grew, keeps it when it describes the capture as it
     * is, builds it anew otherwise.
     *
     * @param progress receives how far the scan has got (null: nothing is reported)
     * @return what the run did
     * @throws IOException when the capture cannot be read (a {@link io.scalpel.capture.CaptureFormatException}
     *                     names the byte offset of a malformed record) or the index cannot be written
     */
    public static IndexReport index(final Path capture, final Path indexDirectory, final Progress progress) throws IOException {
        return index(capture, indexDirectory, progress, false);
    }

    /**
     * As {@link #index(Path, Path, Progress)}; with {@code rebuild}, always builds from the start of the capture.
     *
     * @param rebuild build from the start even when the index could be extended or kept
     * @return what the run did
     * @throws IOException as {@link #index(Path, Path, Progress)}
     */
    public static IndexReport index(final Path capture, final Path indexDirectory, final Progress progress,
                                    final boolean rebuild) throws IOException {
        return CaptureFileIndex.update(capture, indexDirectory, progress, rebuild);
    }

    /**
     * Checks every byte of the index of {@code capture} ({@code indexDirectory} null: beside it),
     * file by file, without writing anything: every page CRC, every part's digests, the
     * manifest's digest, and that the index still describes the capture.
     *
     * @return each file checked, and what rebuilds the index
     * @throws IOException when there is no index to check, or it cannot be listed
     */
    public static IndexCheck verify(final Path capture, final Path indexDirectory) throws IOException {
        return CaptureFileIndex.verify(capture, indexDirectory);
    }

    /**
     * Writes a seekable copy of {@code capture} to {@code copy}: gzip members, or zstd frames when
     * {@code copy} ends in {@code .zst}, of 1 MiB of capture each, so that a slice decompresses only
     * the pieces holding the packets it needs. The copy is written atomically and may be neither
     * the capture nor its index ({@code indexDirectory}, null: beside the capture), whatever path
     * or link names them.
     *
     * @return what was written
     * @throws IOException when the capture cannot be read, or the copy would replace an input or cannot be written
     */
    public static Recompression recompress(final Path capture, final Path copy, final Path indexDirectory) throws IOException {
        final RunFiles files = CaptureFileIndex.inputsOf(capture, null);
        files.output(copy, "--recompress");
        if (indexDirectory != null) {
            files.check(indexDirectory, "--index");
        }
        final Recompressor.Result r = Recompressor.recompress(capture, copy, Recompressor.codecFor(copy));
        return new Recompression(copy, r.codec().label(), r.codec().unit(), r.members(), r.bytesIn(), r.bytesOut());
    }

    /** The build (or extension) this open ran, or null when the index was used as it was. */
    public IndexReport indexBuild() {
        return built;
    }

    public IndexManifest manifest() {
        return index.manifest();
    }

    public PacketIndex index() {
        return index;
    }

    public Path capture() {
        return capture;
    }

    /** How this capture was opened, and how conn rows are joined. */
    public Options options() {
        return options;
    }

    /** What this instance reads, which no output may replace: the capture and its index ({@link RunFiles}). */
    public RunFiles inputs() {
        return CaptureFileIndex.inputsOf(capture, index.directory());
    }

    /**
     * The query for a conn.log row under this instance's options: by 5-tuple, or by
     * community_id when the row has no 5-tuple; VLAN-aware as {@link Options#vlanKey()} says
     * for the row. A TCP connection's packets after its close are bounded by the close delay and a
     * new SYN only: when the log has a later row with the same key, give its start with
     * {@link #query(ConnRecord, long)}.
     */
    public Query query(final ConnRecord conn) {
        return query(conn, TcpEnding.NO_NEXT_ROW);
    }

    /**
     * The query for a conn.log row whose log has its next row with the same key at
     * {@code nextRowStart} ns ({@link io.scalpel.zeek.SameKeyRows}; {@link TcpEnding#NO_NEXT_ROW}:
     * none): a TCP connection's packets after its close never reach into that row.
     */
    public Query query(final ConnRecord conn, final long nextRowStart) {
        return queries.of(conn, nextRowStart);
    }

    /**
     * The Community ID v1 of a conn.log row's 5-tuple under the options' seed, to compare with
     * the row's logged {@code community_id}; null when the row has no 5-tuple, or its protocol
     * or ports are not in the log (unknown_transport without ip_proto, SCTP).
     */
    public String communityIdOf(final ConnRecord conn) {
        return queries.communityIdOf(conn);
    }

    /**
     * Selects, for each Community ID v1 (computed with the options' seed), the frames of the flows
     * that have it, whose join time lies in [{@code from}, {@code to}] ns
     * ({@code Long.MIN_VALUE}/{@code MAX_VALUE}: unbounded). Each query is labelled with its ID.
     *
     * @throws IllegalArgumentException when an ID is not a base64 Community ID v1
     */
    public Selection selectCommunityIds(final Collection<String> communityIds, final long from, final long to)
        throws IOException {
        return selectQueries(queries.ofCommunityIds(communityIds, from, to));
    }

    /**
     * The query for a tunnel of a tunnel.log ({@link io.scalpel.zeek.TunnelLogReader#tunnels()}):
     * the frames with its outer key in any IP layer, from its DISCOVER to its CLOSE. VLAN tags are
     * not compared, whatever the options: tunnel.log has none.
     */
    public FlowQuery query(final Tunnel tunnel) {
        return FlowQuery.of(tunnel);
    }

    /** Selects the frames of each tunnel (GRE, ERSPAN, IP-in-IP parents named only in tunnel.log). */
    public Selection selectTunnels(final Collection<Tunnel> tunnels) throws IOException {
        return selectQueries(Queries.ofTunnels(tunnels));
    }

    /**
     * Selects the frames of each conn row. The rows stand for their log: a TCP connection's
     * packets after its close end at the latest where a later row of the same key starts.
     */
    public Selection select(final Collection<ConnRecord> conns) throws IOException {
        return selectQueries(queries.ofRows(conns));
    }

    /** Selects the frames of each query. */
    public Selection selectQueries(final List<? extends Query> queries) throws IOException {
        return new Selection(List.copyOf(queries), slicer.select(queries));
    }

    /**
     * Selects the frames of each query, carrying each TCP connection's closing state in from (and
     * on to) the other captures of a set: {@code tails.get(i)} belongs to {@code queries.get(i)}.
     */
    public Selection selectQueries(final List<? extends Query> queries, final List<io.scalpel.slice.TcpTail> tails) throws IOException {
        return new Selection(List.copyOf(queries), slicer.select(queries, tails));
    }

    /** Record offsets of every frame with a timestamp in [{@code from}, {@code to}] ns. */
    public long[] selectWindow(final long from, final long to) throws IOException {
        return slicer.selectWindow(from, to);
    }

    /** Writes the frames of all {@code conns} into one capture file (atomically); returns frames written. */
    public long slice(final Collection<ConnRecord> conns, final Path output) throws IOException {
        return write(select(conns).union(), null, output, w -> { });
    }

    /** Writes the frames of all {@code conns} to a stream in the capture's format; returns frames written. */
    public long slice(final Collection<ConnRecord> conns, final OutputStream output) throws IOException {
        return slicer.write(select(conns).union(), null, output, w -> { });
    }

    /**
     * Writes frames as a capture file, atomically.
     *
     * @param format null for the capture's own
     */
    public long write(final long[] offsets, final CaptureFormat format, final Path output, final Consumer<String> warnings)
        throws IOException {
        return write(offsets, ExtractOptions.defaults().withFormat(format).withWarnings(warnings), output);
    }

    /** Writes frames to a stream as a capture (format null: the capture's own). */
    public long write(final long[] offsets, final CaptureFormat format, final OutputStream output,
                      final Consumer<String> warnings) throws IOException {
        return slicer.write(offsets, format, output, warnings);
    }

    /**
     * Writes frames as a capture file, atomically, as {@code options} say (format, decryption
     * secrets kept or not, warnings).
     *
     * @throws io.scalpel.extract.OutputConflictException when {@code output} is the capture or lies in its index
     */
    public long write(final long[] offsets, final ExtractOptions options, final Path output) throws IOException {
        inputs().check(output, "the output");
        return AtomicWrites.write(output, out -> slicer.write(offsets, options, out));
    }

    /**
     * Writes the frames of each {@code offsets[i]} to its own file {@code outputs[i]} (null: none),
     * all in {@code directory}, committed together ({@link io.scalpel.extract.AtomicOutputBatch}):
     * every file is written and synced under a temporary name before any is renamed into place.
     * No file is written when one of them is the capture or lies in its index
     * ({@link io.scalpel.extract.OutputConflictException}).
     *
     * @return frames written to each file
     */
    public long[] writeEach(final long[][] offsets, final Path[] outputs, final Path directory, final ExtractOptions options)
        throws IOException {
        final RunFiles inputs = inputs();
        for (Path output : outputs) {
            if (output != null) {
                inputs.check(output, "the output");
            }
        }
        return AtomicWrites.writeEach(offsets.length, outputs, directory, (i, out) -> slicer.write(offsets[i], options, out));
    }

    /** Writes frames to a stream as a capture, as {@code options} say. */
    public long write(final long[] offsets, final ExtractOptions options, final OutputStream output) throws IOException {
        return slicer.write(offsets, options, output);
    }

    /** Visits the frames of one conn row without copying them. */
    public void forEachPacket(final ConnRecord conn, final PacketVisitor visitor) throws IOException {
        final long[] offsets = slicer.select(List.of(query(conn)))[0];
        slicer.visit(offsets, (frame, decoded) -> visitor.packet(frame));
    }

    /** Visits frames, decoded, at the given offsets. */
    public void visit(final long[] offsets, final Slicer.FrameVisitor visitor) throws IOException {
        slicer.visit(offsets, visitor);
    }

    /**
     * The frames at {@code offsets} that {@code filter} accepts, in the given order: narrows any
     * selection (uids, flows, Community IDs, a time window) with a libpcap filter expression.
     * Reads only those frames.
     *
     * @throws io.scalpel.slice.BpfFilterException when libpcap refuses the expression for the link
     *                                             type of a frame, or cannot be loaded
     */
    public long[] narrow(final long[] offsets, final BpfFilter filter) throws IOException {
        return filter.narrow(slicer, offsets);
    }

    /**
     * Each query's frames that {@code filter} accepts (every selected frame is filtered once).
     *
     * @see #narrow(long[], BpfFilter)
     */
    public Selection narrow(final Selection selection, final BpfFilter filter) throws IOException {
        final long[] kept = narrow(selection.union(), filter);
        final long[][] offsets = new long[selection.size()][];
        for (int i = 0; i < offsets.length; i++) {
            final long[] all = selection.offsets(i);
            final long[] some = new long[all.length];
            int n = 0;
            for (long o : all) {
                if (java.util.Arrays.binarySearch(kept, o) >= 0) {
                    some[n++] = o;
                }
            }
            offsets[i] = java.util.Arrays.copyOf(some, n);
        }
        return new Selection(selection.queries(), offsets);
    }

    /**
     * Streams each conn row paired with each of its packets as Arrow record batches of at most
     * {@code batchRows} rows, conn row by conn row (see {@link ArrowPairs} for the columns and the
     * reuse of the batch); returns the rows delivered.
     */
    public long pairs(final List<ConnRecord> conns, final org.apache.arrow.memory.BufferAllocator allocator, final int batchRows,
                      final ArrowPairs.BatchConsumer consumer) throws IOException {
        return ArrowPairs.stream(this, conns, select(conns).offsets(), allocator, batchRows,
            ArrowPairs.DEFAULT_MAX_FRAME_BYTES, consumer);
    }

    /** Writes each conn row paired with each of its packets as an Arrow IPC file, atomically; returns the rows written. */
    public long writePairs(final List<ConnRecord> conns, final Path output) throws IOException {
        return ArrowPairs.write(this, conns, select(conns).offsets(), output);
    }

    /** The capture's format. */
    public CaptureFormat captureFormat() throws IOException {
        return slicer.captureFormat();
    }

    /** A gzip or zstd capture's codec and seek table as indexed, or null for a plain capture. */
    public io.scalpel.capture.CompressedLayout compression() {
        return index.manifest().compression();
    }

    /**
     * Members (gzip) or frames (zstd) this instance decompressed so far (a restart counts its
     * member again); 0 for a plain capture.
     */
    public long compressedUnitsRead() {
        return file instanceof io.scalpel.capture.CompressedFile c ? c.unitsRead() : 0;
    }

    @Override
    public void close() throws IOException {
        try {
            file.close();
        } finally {
            index.close();
        }
    }

}
