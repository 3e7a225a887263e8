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

        /**
         * Whether {@code conn} is joined VLAN-aware under this choice.
         *
         * @param conn a conn.log row
         * @return true when its VLAN tags must match the frames'
         */
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
        /**
         * The defaults: the index beside the capture, built when missing, rows joined as their log
         * says, Community ID seed 0, a TCP close delay of 5 s.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(null, VlanKey.AS_LOGGED, true, false, Progress.NONE, CommunityId.DEFAULT_SEED,
                TcpEnding.DEFAULT_CLOSE_DELAY_NANOS);
        }

        /**
         * These options with another index directory.
         *
         * @param p the index directory; null for the default beside the capture
         * @return the new options
         */
        public Options withIndex(final Path p) {
            return new Options(p, vlanKey, buildIfMissing, reindex, progress, communityIdSeed, tcpCloseDelayNanos);
        }

        /**
         * These options with another connection key.
         *
         * @param k whether conn rows are joined by their VLAN tags
         * @return the new options
         */
        public Options withVlanKey(final VlanKey k) {
            return new Options(index, Objects.requireNonNull(k, "vlanKey"), buildIfMissing, reindex, progress,
                communityIdSeed, tcpCloseDelayNanos);
        }

        /**
         * True: {@link VlanKey#AWARE}; false: {@link VlanKey#AS_LOGGED} (VLAN-blind unless the log is keyed by VLAN).
         *
         * @param v VLAN-aware for every row, or as the log says
         * @return the new options
         */
        public Options withVlanAware(final boolean v) {
            return withVlanKey(v ? VlanKey.AWARE : VlanKey.AS_LOGGED);
        }

        /**
         * Whether every conn row is joined VLAN-aware ({@link VlanKey#AWARE}).
         *
         * @return true under {@link VlanKey#AWARE}
         */
        public boolean vlanAware() {
            return vlanKey == VlanKey.AWARE;
        }

        /**
         * These options building (and extending) the index when it is missing (or the capture grew), or not.
         *
         * @param b build when missing
         * @return the new options
         */
        public Options withBuildIfMissing(final boolean b) {
            return new Options(index, vlanKey, b, reindex, progress, communityIdSeed, tcpCloseDelayNanos);
        }

        /**
         * These options rebuilding an index the capture no longer matches, or refusing it.
         *
         * @param r rebuild a stale index
         * @return the new options
         */
        public Options withReindex(final boolean r) {
            return new Options(index, vlanKey, buildIfMissing, r, progress, communityIdSeed, tcpCloseDelayNanos);
        }

        /**
         * These options with another receiver of indexing progress.
         *
         * @param p receives how far a scan has got
         * @return the new options
         */
        public Options withProgress(final Progress p) {
            return new Options(index, vlanKey, buildIfMissing, reindex, p, communityIdSeed, tcpCloseDelayNanos);
        }

        /**
         * These options with another Community ID seed.
         *
         * @throws IllegalArgumentException when the seed is not a 16-bit value
         * @param seed the seed Zeek computed community_id with
         * @return the new options
         */
        public Options withCommunityIdSeed(final int seed) {
            return new Options(index, vlanKey, buildIfMissing, reindex, progress, CommunityId.checkSeed(seed), tcpCloseDelayNanos);
        }

        /**
         * Zeek's {@code tcp_close_delay} on the sensor that wrote the conn.log (5 s unless it was
         * changed): how long a TCP connection takes packets after both endpoints closed.
         *
         * @throws IllegalArgumentException when negative
         * @param nanos the close delay, ns
         * @return the new options
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
        /**
         * Receives one frame, valid until this call returns.
         *
         * @param frame the frame, a view into the capture
         * @throws IOException to stop the visit
         */
        void packet(Frame frame) throws IOException;
    }

    /**
     * What a selection found.
     *
     * @param queries the queries, in the order given
     * @param offsets for each query, the record offsets of its frames in capture order
     */
    public record Selection(List<Query> queries, long[][] offsets) {
        /**
         * The number of queries.
         *
         * @return how many queries were selected for
         */
        public int size() {
            return queries.size();
        }

        /**
         * The frames of one query.
         *
         * @param i the query's position in {@link #queries()}
         * @return the record offsets of its frames, in capture order
         */
        public long[] offsets(final int i) {
            return offsets[i];
        }

        /**
         * Every selected frame once, in capture order.
         *
         * @return the record offsets, ascending, without duplicates
         */
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

    /**
     * Opens a capture with its index beside it, building the index if there is none.
     *
     * @param capture the capture file (pcap or pcapng, plain, gzip'd or zstd'd)
     * @return the open capture
     * @throws IOException when the capture cannot be read or its index cannot be used or built
     */
    public static Scalpel open(final Path capture) throws IOException {
        return open(capture, Options.defaults());
    }

    /**
     * Opens a capture with its index: used as it is, built when missing, rebuilt or extended as
     * {@code options} say ({@link Options#buildIfMissing()}, {@link Options#reindex()}).
     *
     * @param capture the capture file (pcap or pcapng, plain, gzip'd or zstd'd)
     * @param options where the index is, whether it is built or rebuilt, how rows are joined
     * @return the open capture
     * @throws IOException when the capture cannot be read, or its index cannot be used (an
     *                     {@link io.scalpel.index.IndexException} says why and what to do) or built
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
     * @param capture the capture file
     * @param indexDirectory where its index is; null for the default beside it
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
     * @param capture the capture file
     * @param indexDirectory where its index is; null for the default beside it
     * @param progress receives how far the scan has got (null: nothing is reported)
     */
    public static IndexReport index(final Path capture, final Path indexDirectory, final Progress progress,
                                    final boolean rebuild) throws IOException {
        return index(capture, indexDirectory, progress, IndexOptions.defaults().withRebuild(rebuild));
    }

    /**
     * As {@link #index(Path, Path, Progress)}, built as {@code options} say (from the start or not,
     * on one writer thread or two).
     *
     * @param capture the capture file
     * @param indexDirectory where its index is; null for the default beside it
     * @param progress receives how far the scan has got (null: nothing is reported)
     * @param options how the index is built
     * @return what the run did
     * @throws IOException as {@link #index(Path, Path, Progress)}
     */
    public static IndexReport index(final Path capture, final Path indexDirectory, final Progress progress,
                                    final IndexOptions options) throws IOException {
        return CaptureFileIndex.update(capture, indexDirectory, progress, options);
    }

    /**
     * Checks every byte of the index of {@code capture} ({@code indexDirectory} null: beside it),
     * file by file, without writing anything: every page CRC, every part's digests, the
     * manifest's digest, and that the index still describes the capture.
     *
     * @return each file checked, and what rebuilds the index
     * @throws IOException when there is no index to check, or it cannot be listed
     * @param capture the capture file
     * @param indexDirectory where its index is; null for the default beside it
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
     * @param capture the capture file
     * @param copy the copy to write; ends in {@code .zst} for zstd, anything else for gzip
     * @param indexDirectory the capture's index, which the copy may not replace; null for the default beside it
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

    /**
     * The build (or extension) this open ran, or null when the index was used as it was.
     *
     * @return what opening built or extended, or null
     */
    public IndexReport indexBuild() {
        return built;
    }

    /**
     * The manifest of the index in use.
     *
     * @return what the index says of itself and its capture
     */
    public IndexManifest manifest() {
        return index.manifest();
    }

    /**
     * The index in use.
     *
     * @return the open index
     */
    public PacketIndex index() {
        return index;
    }

    /**
     * The capture file.
     *
     * @return its path, as given to {@link #open(Path, Options)}
     */
    public Path capture() {
        return capture;
    }

    /**
     * How this capture was opened, and how conn rows are joined.
     *
     * @return the options given to {@link #open(Path, Options)}
     */
    public Options options() {
        return options;
    }

    /**
     * What this instance reads, which no output may replace: the capture and its index ({@link RunFiles}).
     *
     * @return the inputs of a slice of this capture
     */
    public RunFiles inputs() {
        return CaptureFileIndex.inputsOf(capture, index.directory());
    }

    /**
     * The query for a conn.log row under this instance's options: by 5-tuple, or by
     * community_id when the row has no 5-tuple; VLAN-aware as {@link Options#vlanKey()} says
     * for the row. A TCP connection's packets after its close are bounded by the close delay and a
     * new SYN only: when the log has a later row with the same key, give its start with
     * {@link #query(ConnRecord, long)}.
     *
     * @param conn a conn.log row
     * @return its query
     */
    public Query query(final ConnRecord conn) {
        return query(conn, TcpEnding.NO_NEXT_ROW);
    }

    /**
     * The query for a conn.log row whose log has its next row with the same key at
     * {@code nextRowStart} ns ({@link io.scalpel.zeek.SameKeyRows}; {@link TcpEnding#NO_NEXT_ROW}:
     * none): a TCP connection's packets after its close never reach into that row.
     *
     * @param conn a conn.log row
     * @param nextRowStart the start of the log's next row with the same key, ns
     * @return its query
     */
    public Query query(final ConnRecord conn, final long nextRowStart) {
        return queries.of(conn, nextRowStart);
    }

    /**
     * The Community ID v1 of a conn.log row's 5-tuple under the options' seed, to compare with
     * the row's logged {@code community_id}; null when the row has no 5-tuple, or its protocol
     * or ports are not in the log (unknown_transport without ip_proto, SCTP).
     *
     * @param conn a conn.log row
     * @return its Community ID, or null
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
     * @param communityIds the Community IDs, each a query
     * @param from the window's start, ns
     * @param to the window's end, ns
     * @return the frames of each ID
     * @throws IOException when the index or the capture cannot be read
     */
    public Selection selectCommunityIds(final Collection<String> communityIds, final long from, final long to)
        throws IOException {
        return selectQueries(queries.ofCommunityIds(communityIds, from, to));
    }

    /**
     * The query for a tunnel of a tunnel.log ({@link io.scalpel.zeek.TunnelLogReader#tunnels()}):
     * the frames with its outer key in any IP layer, from its DISCOVER to its CLOSE. VLAN tags are
     * not compared, whatever the options: tunnel.log has none.
     *
     * @param tunnel a tunnel of a tunnel.log
     * @return its query
     */
    public FlowQuery query(final Tunnel tunnel) {
        return FlowQuery.of(tunnel);
    }

    /**
     * Selects the frames of each tunnel (GRE, ERSPAN, IP-in-IP parents named only in tunnel.log).
     *
     * @param tunnels the tunnels, each a query
     * @return the frames of each tunnel
     * @throws IOException when the index or the capture cannot be read
     */
    public Selection selectTunnels(final Collection<Tunnel> tunnels) throws IOException {
        return selectQueries(Queries.ofTunnels(tunnels));
    }

    /**
     * Selects the frames of each conn row. The rows stand for their log: a TCP connection's
     * packets after its close end at the latest where a later row of the same key starts.
     *
     * @param conns the conn.log rows, each a query
     * @return the frames of each row
     * @throws IOException when the index or the capture cannot be read
     */
    public Selection select(final Collection<ConnRecord> conns) throws IOException {
        return selectQueries(queries.ofRows(conns));
    }

    /**
     * Selects the frames of each query.
     *
     * @param queries the queries
     * @return the frames of each query
     * @throws IOException when the index or the capture cannot be read
     */
    public Selection selectQueries(final List<? extends Query> queries) throws IOException {
        return new Selection(List.copyOf(queries), slicer.select(queries));
    }

    /**
     * Selects the frames of each query, carrying each TCP connection's closing state in from (and
     * on to) the other captures of a set: {@code tails.get(i)} belongs to {@code queries.get(i)}.
     *
     * @param queries the queries
     * @param tails each query's TCP closing state, carried from and on to the other captures
     * @return the frames of each query
     * @throws IOException when the index or the capture cannot be read
     */
    public Selection selectQueries(final List<? extends Query> queries, final List<io.scalpel.slice.TcpTail> tails) throws IOException {
        return new Selection(List.copyOf(queries), slicer.select(queries, tails));
    }

    /**
     * Record offsets of every frame with a timestamp in [{@code from}, {@code to}] ns.
     *
     * @param from the window's start, ns
     * @param to the window's end, ns
     * @return the record offsets, in capture order
     * @throws IOException when the index or the capture cannot be read
     */
    public long[] selectWindow(final long from, final long to) throws IOException {
        return slicer.selectWindow(from, to);
    }

    /**
     * The connections of the capture ({@link Flows}): of the keys {@code query} accepts a frame of,
     * every key when null; {@code readBackAll}: every key's frames read back to split them.
     */
    io.scalpel.slice.ConnectionTable connections(final io.scalpel.slice.ExpressionQuery query, final boolean vlanAware,
                                                 final boolean readBackAll) throws IOException {
        return slicer.connections(query, vlanAware, readBackAll);
    }

    /**
     * The connections of the capture ({@link Flows}) handed to {@code sink} in time order as the
     * index is read; returns the connections whose frames were read back from the capture.
     */
    int connections(final io.scalpel.slice.ExpressionQuery query, final boolean vlanAware, final io.scalpel.slice.Connection.Sink sink)
        throws IOException {
        return slicer.connections(query, vlanAware, sink);
    }

    /**
     * Writes the frames of all {@code conns} into one capture file (atomically); returns frames written.
     *
     * @param conns the conn.log rows
     * @param output the capture file to write
     * @return the frames written
     * @throws IOException when the capture cannot be read or the output cannot be written
     */
    public long slice(final Collection<ConnRecord> conns, final Path output) throws IOException {
        return write(select(conns).union(), null, output, w -> { });
    }

    /**
     * Writes the frames of all {@code conns} to a stream in the capture's format; returns frames written.
     *
     * @param conns the conn.log rows
     * @param output the stream to write to
     * @return the frames written
     * @throws IOException when the capture cannot be read or the output cannot be written
     */
    public long slice(final Collection<ConnRecord> conns, final OutputStream output) throws IOException {
        return slicer.write(select(conns).union(), null, output, w -> { });
    }

    /**
     * Writes frames as a capture file, atomically.
     *
     * @param format null for the capture's own
     * @param offsets the frames' record offsets, in capture order
     * @param output the capture file to write
     * @param warnings receives what the extract drops or cannot keep
     * @return the frames written
     * @throws IOException when the capture cannot be read or the output cannot be written
     */
    public long write(final long[] offsets, final CaptureFormat format, final Path output, final Consumer<String> warnings)
        throws IOException {
        return write(offsets, ExtractOptions.defaults().withFormat(format).withWarnings(warnings), output);
    }

    /**
     * Writes frames to a stream as a capture (format null: the capture's own).
     *
     * @param offsets the frames' record offsets, in capture order
     * @param format the output's format; null for the capture's own
     * @param output the stream to write to
     * @param warnings receives what the extract drops or cannot keep
     * @return the frames written
     * @throws IOException when the capture cannot be read or the output cannot be written
     */
    public long write(final long[] offsets, final CaptureFormat format, final OutputStream output,
                      final Consumer<String> warnings) throws IOException {
        return slicer.write(offsets, format, output, warnings);
    }

    /**
     * Writes frames as a capture file, atomically, as {@code options} say (format, decryption
     * secrets kept or not, warnings).
     *
     * @throws io.scalpel.extract.OutputConflictException when {@code output} is the capture or lies in its index
     * @param offsets the frames' record offsets, in capture order
     * @param options the format, the secrets kept, where warnings go
     * @param output the capture file to write
     * @return the frames written
     * @throws IOException when the capture cannot be read or the output cannot be written
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
     * @param offsets each file's frames, record offsets in capture order
     * @param outputs each file's path in {@code directory}, or null for none
     * @param directory the directory every file is written to
     * @param options the format, the secrets kept, where warnings go
     * @throws IOException when the capture cannot be read or a file cannot be written (then none is committed)
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

    /**
     * Writes frames to a stream as a capture, as {@code options} say.
     *
     * @param offsets the frames' record offsets, in capture order
     * @param options the format, the secrets kept, where warnings go
     * @param output the stream to write to
     * @return the frames written
     * @throws IOException when the capture cannot be read or the output cannot be written
     */
    public long write(final long[] offsets, final ExtractOptions options, final OutputStream output) throws IOException {
        return slicer.write(offsets, options, output);
    }

    /**
     * Visits the frames of one conn row without copying them.
     *
     * @param conn a conn.log row
     * @param visitor receives each frame in capture order
     * @throws IOException when the index or the capture cannot be read, or the visitor throws
     */
    public void forEachPacket(final ConnRecord conn, final PacketVisitor visitor) throws IOException {
        final long[] offsets = slicer.select(List.of(query(conn)))[0];
        slicer.visit(offsets, (frame, decoded) -> visitor.packet(frame));
    }

    /**
     * Visits frames, decoded, at the given offsets.
     *
     * @param offsets the frames' record offsets
     * @param visitor receives each frame with what the decoder found in it
     * @throws IOException when the capture cannot be read, or the visitor throws
     */
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
     * @param offsets the frames' record offsets
     * @param filter the compiled filter expression
     * @return the offsets of the frames it accepts
     * @throws IOException when the capture cannot be read
     */
    public long[] narrow(final long[] offsets, final BpfFilter filter) throws IOException {
        return filter.narrow(slicer, offsets);
    }

    /**
     * Each query's frames that {@code filter} accepts (every selected frame is filtered once).
     *
     * @see #narrow(long[], BpfFilter)
     * @param selection what a selection found
     * @param filter the compiled filter expression
     * @return the same queries with the frames it accepts
     * @throws IOException when the capture cannot be read
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
     *
     * @param conns the conn.log rows
     * @param allocator the Arrow allocator the batch is made in
     * @param batchRows the most rows of a batch
     * @param consumer receives each batch, valid until it returns
     * @return the rows delivered
     * @throws IOException when the capture cannot be read, or the consumer throws
     */
    public long pairs(final List<ConnRecord> conns, final org.apache.arrow.memory.BufferAllocator allocator, final int batchRows,
                      final ArrowPairs.BatchConsumer consumer) throws IOException {
        return ArrowPairs.stream(this, conns, select(conns).offsets(), allocator, batchRows,
            ArrowPairs.DEFAULT_MAX_FRAME_BYTES, consumer);
    }

    /**
     * Writes each conn row paired with each of its packets as an Arrow IPC file, atomically; returns the rows written.
     *
     * @param conns the conn.log rows
     * @param output the Arrow IPC file to write
     * @return the rows written
     * @throws IOException when the capture cannot be read or the file cannot be written
     */
    public long writePairs(final List<ConnRecord> conns, final Path output) throws IOException {
        return ArrowPairs.write(this, conns, select(conns).offsets(), output);
    }

    /**
     * The capture's format.
     *
     * @return pcap or pcapng
     * @throws IOException when the capture cannot be read
     */
    public CaptureFormat captureFormat() throws IOException {
        return slicer.captureFormat();
    }

    /**
     * A gzip or zstd capture's codec and seek table as indexed, or null for a plain capture.
     *
     * @return the compressed layout, or null
     */
    public io.scalpel.capture.CompressedLayout compression() {
        return index.manifest().compression();
    }

    /**
     * Members (gzip) or frames (zstd) this instance decompressed so far (a restart counts its
     * member again); 0 for a plain capture.
     *
     * @return the members or frames decompressed
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
