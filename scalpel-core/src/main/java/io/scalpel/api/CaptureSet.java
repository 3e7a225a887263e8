package io.scalpel.api;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.extract.MergedExtract;
import io.scalpel.extract.RunFiles;
import io.scalpel.index.CaptureSetBuilder;
import io.scalpel.index.CaptureSetManifest;
import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.TcpEnding;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A directory of captures (rotated files) under one index: select and slice the packets of Zeek
 * connections across all of them, reading only the members whose time range meets the query.
 *
 * <pre>{@code
 * try (CaptureSet set = CaptureSet.open(Path.of("/data/rotated"))) {
 *     set.slice(List.of(connRecord), Path.of("conn.pcap"));
 * }
 * }</pre>
 *
 * <p>The set index ({@link CaptureSetBuilder}; {@code DIR/.scalpel} by default, or
 * {@link Scalpel.Options#index()}) lists the members with their time ranges; each member has its
 * own ordinary index inside it. A selection opens (and keeps open until {@link #close()}) only
 * the members whose time range, widened by their largest fragment lag, meets a query's window;
 * a member whose size changed since the set was indexed is always opened (its range is no longer
 * known), and {@link Scalpel#open} then extends or refuses its index as for a single capture.
 * Extracts merge the members' frames by timestamp ({@link MergedExtract}).
 *
 * <p>Long because it is the whole public door of a capture set and every method an embedder
 * calls keeps its Javadoc here (about 180 lines are code); the work is behind it:
 * {@code CaptureSetIndex} opens, builds and verifies the set index, {@code SetMembers} opens the
 * members a window meets, {@code SetSelector} selects across them in time order,
 * {@code SetExtracts} writes what was selected.
 */
public final class CaptureSet implements Captures {

    /**
     * The frames of one member for each query of a selection.
     *
     * @param member  the member, as the set index lists it
     * @param capture the member, open
     * @param offsets for each query, the record offsets of its frames in the member, in capture order
     */
    public record MemberSelection(CaptureSetManifest.Member member, Scalpel capture, long[][] offsets) {
    }

    /**
     * What a selection found.
     *
     * @param queries the queries, in the order given
     * @param members the members opened for them, in name order, with each query's frames in each
     */
    public record Selection(List<Query> queries, List<MemberSelection> members) {
        /**
         * How many queries.
         *
         * @return the number of queries
         */
        public int size() {
            return queries.size();
        }

        /**
         * Frames of query {@code i}, over every member.
         *
         * @param i the query's position in {@link #queries()}
         * @return its frames, summed over the members
         */
        public long frames(final int i) {
            long n = 0;
            for (MemberSelection m : members) {
                n += m.offsets()[i].length;
            }
            return n;
        }
    }

    private final Path directory;
    private final Path indexDirectory;
    private final Scalpel.Options options;
    private final CaptureSetManifest manifest;
    private final CaptureSetBuilder.Result built;
    private final Queries queries;
    private final SetMembers members;
    private final SetSelector selector;
    private final SetExtracts extracts;

    private CaptureSet(final Path directory, final Scalpel.Options options, final CaptureSetIndex.Opened opened) {
        this.directory = directory;
        this.indexDirectory = opened.directory();
        this.options = options;
        this.manifest = opened.manifest();
        this.built = opened.built();
        this.queries = new Queries(options);
        this.members = new SetMembers(directory, indexDirectory, options);
        this.selector = new SetSelector(manifest, members);
        this.extracts = new SetExtracts(manifest, directory, indexDirectory);
    }

    /**
     * Opens a capture set with its index in {@code DIR/.scalpel}, building it if there is none.
     *
     * @param directory the directory of captures
     * @return the open set
     * @throws IOException when a member cannot be read, or the set index cannot be used or built
     */
    public static CaptureSet open(final Path directory) throws IOException {
        return open(directory, Scalpel.Options.defaults());
    }

    /**
     * Opens a capture set. {@code options.index()} names the set index (null: {@code DIR/.scalpel});
     * with {@code buildIfMissing}, a set without an index is indexed first; with {@code reindex},
     * a set index that cannot be read is rebuilt, and so is the index of a member that changed.
     *
     * @param directory the directory of captures
     * @param options where the set index is, whether it is built or rebuilt, how rows are joined
     * @return the open set
     * @throws IOException when a member cannot be read, or the set index cannot be used (an
     *                     {@link io.scalpel.index.IndexException} says why and what to do) or built
     */
    public static CaptureSet open(final Path directory, final Scalpel.Options options) throws IOException {
        return new CaptureSet(directory, options, CaptureSetIndex.open(directory, options));
    }

    /**
     * The index directory of the capture set {@code directory} when none is given: {@code DIR/.scalpel}.
     *
     * @param directory the directory of captures
     * @return its default set index
     */
    public static Path defaultIndexOf(final Path directory) {
        return CaptureSetBuilder.defaultFor(directory);
    }

    /**
     * Brings the index of the capture set {@code directory} up to date: indexes new members, extends
     * grown ones, rebuilds changed ones (every member with {@code rebuild}), drops removed ones.
     *
     * @param indexDirectory the set index; null for {@code DIR/.scalpel}
     * @param directory the directory of captures
     * @param progress receives how far each scan has got (null: nothing is reported)
     * @param rebuild rebuild every member's index from the start
     * @return what the run did
     * @throws IOException when a member cannot be read or the index cannot be written
     */
    public static CaptureSetIndexReport index(final Path directory, final Path indexDirectory, final Progress progress,
                                              final boolean rebuild) throws IOException {
        return index(directory, indexDirectory, progress, IndexOptions.defaults().withRebuild(rebuild));
    }

    /**
     * As {@link #index(Path, Path, Progress, boolean)}, each member built as {@code options} say
     * (from the start or not, on one writer thread or two).
     *
     * @param directory the directory of captures
     * @param indexDirectory the set index; null for {@code DIR/.scalpel}
     * @param progress receives how far each scan has got (null: nothing is reported)
     * @param options how each member's index is built
     * @return what the run did
     * @throws IOException when a member cannot be read or the index cannot be written
     */
    public static CaptureSetIndexReport index(final Path directory, final Path indexDirectory, final Progress progress,
                                              final IndexOptions options) throws IOException {
        return CaptureSetIndexReport.of(directory, CaptureSetIndex.build(directory, indexDirectory, progress, options));
    }

    /**
     * Checks every byte of the set index of {@code directory} (see
     * {@link io.scalpel.index.PacketIndex#verify}): {@code set.json}, then each member's index, file by
     * file, named relative to the set index ({@code members/a.pcap.scalpel/manifest.json}). Nothing is
     * written.
     *
     * @param indexDirectory the set index; null for {@code DIR/.scalpel}
     * @param directory the directory of captures
     * @return each file checked, and what rebuilds the index
     * @throws IOException when there is no set index to check, or it cannot be listed
     */
    public static IndexCheck verify(final Path directory, final Path indexDirectory) throws IOException {
        return CaptureSetIndex.verify(directory, indexDirectory);
    }

    /**
     * The indexing this open ran, or null when the set index was used as it was.
     *
     * @return what opening indexed, or null
     */
    public CaptureSetIndexReport indexBuild() {
        return built == null ? null : CaptureSetIndexReport.of(directory, built);
    }

    /**
     * What the set index lists: the members with their time ranges.
     *
     * @return the set index's manifest
     */
    public CaptureSetManifest manifest() {
        return manifest;
    }

    /**
     * The directory of the captures.
     *
     * @return the directory, as given
     */
    public Path directory() {
        return directory;
    }

    @Override
    public Path path() {
        return directory;
    }

    @Override
    public Scalpel.Options options() {
        return options;
    }

    @Override
    public List<String> notes() {
        return OpenNotes.ofSet(directory, built != null, manifest.members().size(), indexDirectory);
    }

    @Override
    public String communityIdOf(final ConnRecord conn) {
        return queries.communityIdOf(conn);
    }

    @Override
    public long firstTimestampNanos() {
        long first = Long.MAX_VALUE;
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (m.packets() > 0) {
                first = Math.min(first, m.firstTimestampNanos());
            }
        }
        return first;
    }

    @Override
    public long lastTimestampNanos() {
        long last = Long.MIN_VALUE;
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (m.packets() > 0) {
                last = Math.max(last, m.lastTimestampNanos());
            }
        }
        return last;
    }

    /**
     * Writes the frames of each query {@code i} to its own file {@code outputs[i]} (null: none),
     * merged by timestamp, all in {@code directory}, committed together
     * ({@link io.scalpel.extract.AtomicOutputBatch}): every file is written and synced under a
     * temporary name before any is renamed into place. No file is written when one of them is a
     * member or lies in the set directory or its index.
     *
     * @return frames written to each file
     * @throws IllegalArgumentException when pcap is asked for and a query's members have different link types
     */
    @Override
    public long[] writeEach(final Selection selection, final Path[] outputs, final Path directory, final ExtractOptions extract)
        throws IOException {
        return extracts.writeEach(selection, outputs, directory, extract);
    }

    /**
     * Adds the pairs of each conn row with each of its packets, member by member in time order
     * (so a uid's packets come in time order but for members whose times overlap).
     */
    @Override
    public long addPairs(final Selection selection, final List<ConnRecord> rows, final ArrowPairs.FileWriter writer)
        throws IOException {
        return SetExtracts.addPairs(selection, rows, writer);
    }

    /**
     * The set index directory, absolute.
     *
     * @return the set index directory
     */
    public Path indexDirectory() {
        return indexDirectory;
    }

    /**
     * What this set reads, which no output may replace or be written into: the directory, each
     * file it lists (a member may be a link to a file elsewhere) and the set index ({@link RunFiles}).
     */
    @Override
    public RunFiles inputs() throws IOException {
        return CaptureSetIndex.inputsOf(directory, indexDirectory);
    }

    /**
     * The member files opened so far, in the order they were opened.
     *
     * @return the members' file names
     */
    public List<String> filesOpened() {
        return members.filesOpened();
    }

    /**
     * The query for a conn.log row under this set's options (see {@link Scalpel#query(ConnRecord)}).
     *
     * @param conn a conn.log row
     * @return its query
     */
    public Query query(final ConnRecord conn) {
        return query(conn, TcpEnding.NO_NEXT_ROW);
    }

    /** The query for a conn.log row whose log's next row of the same key starts at {@code nextRowStart} (see {@link Scalpel#query(ConnRecord, long)}). */
    @Override
    public Query query(final ConnRecord conn, final long nextRowStart) {
        return queries.of(conn, nextRowStart);
    }

    /** The query for a tunnel of a tunnel.log. */
    @Override
    public FlowQuery query(final Tunnel tunnel) {
        return FlowQuery.of(tunnel);
    }

    /**
     * Selects the frames of each conn row; the rows stand for their log (see {@link Scalpel#select(Collection)}).
     *
     * @param conns the conn.log rows, each a query
     * @return the frames of each row, member by member
     * @throws IOException when an index or a capture cannot be read
     */
    public Selection select(final Collection<ConnRecord> conns) throws IOException {
        return selectQueries(queries.ofRows(conns));
    }

    /**
     * Selects, for each Community ID v1, the frames of its flows whose join time lies in [{@code from}, {@code to}] ns.
     *
     * @param communityIds the Community IDs, each a query
     * @param from the window's start, ns
     * @param to the window's end, ns
     * @return the frames of each ID, member by member
     * @throws IOException when an index or a capture cannot be read
     */
    public Selection selectCommunityIds(final Collection<String> communityIds, final long from, final long to) throws IOException {
        return selectQueries(queries.ofCommunityIds(communityIds, from, to));
    }

    /**
     * Selects the frames of each query in the members whose time range meets its window. Members
     * are read in time order, and a TCP connection's closing is carried from one member to the
     * next: a connection that closed near the end of one file has the rest of its packets (its
     * tail, {@link io.scalpel.slice.TcpEnding}) in the next, which is then opened too.
     */
    @Override
    public Selection selectQueries(final List<? extends Query> queries) throws IOException {
        return selector.select(queries);
    }

    /**
     * The connections of the members, a connection that runs on from one file into the next as one
     * ({@link Flows}), handed to {@code sink} in time order as the members are read; returns those
     * read back from the members to split them.
     */
    int connections(final io.scalpel.slice.ExpressionQuery query, final boolean vlanAware, final io.scalpel.slice.Connection.Sink sink)
        throws IOException {
        return selector.connections(query, vlanAware, sink);
    }

    /**
     * The connections of the members, a connection that runs on from one file into the next as one
     * ({@link Flows}), joined in memory: what the streamed join is held to.
     */
    io.scalpel.slice.ConnectionTable connections(final io.scalpel.slice.ExpressionQuery query, final boolean vlanAware,
                                                 final boolean readBackAll) throws IOException {
        return io.scalpel.slice.ConnectionTable.of(io.scalpel.slice.Connection.joined(selector.connections(query, vlanAware, readBackAll)));
    }

    /**
     * Every frame with a timestamp in [{@code from}, {@code to}] ns, as a selection of one query (labelled "window").
     *
     * @param from the window's start, ns
     * @param to the window's end, ns
     * @return the frames of the window, member by member
     * @throws IOException when an index or a capture cannot be read
     */
    public Selection selectWindow(final long from, final long to) throws IOException {
        return selector.window(from, to);
    }

    /**
     * Writes the frames of all {@code conns}, merged by timestamp, into one capture file (atomically); returns frames written.
     *
     * @param conns the conn.log rows
     * @param output the capture file to write
     * @return the frames written
     * @throws IOException when a capture cannot be read or the output cannot be written
     */
    public long slice(final Collection<ConnRecord> conns, final Path output) throws IOException {
        return write(select(conns), -1, ExtractOptions.defaults(), output);
    }

    /**
     * The format an extract of query {@code query} (-1: of every query) gets without
     * {@link ExtractOptions#format()}: the members' own when they are all pcap of one link type or all
     * pcapng, pcapng otherwise.
     */
    @Override
    public CaptureFormat defaultFormat(final Selection selection, final int query) throws IOException {
        return extracts.defaultFormat(selection, query);
    }

    /**
     * Writes the frames of query {@code query} (-1: of every query, each frame once) as one capture
     * file, atomically, merged by timestamp.
     *
     * @return frames written
     * @throws IllegalArgumentException when pcap is asked for and the members have different link types
     * @throws io.scalpel.extract.OutputConflictException when {@code output} is a member, or lies in the set directory or its index
     */
    @Override
    public long write(final Selection selection, final int query, final ExtractOptions extract, final Path output) throws IOException {
        return extracts.write(selection, query, extract, output);
    }

    /** As {@link #write(Selection, int, ExtractOptions, Path)}, to a stream. */
    @Override
    public long write(final Selection selection, final int query, final ExtractOptions extract, final OutputStream output)
        throws IOException {
        return extracts.write(selection, query, extract, output);
    }

    /**
     * Each query's frames, in every member, that {@code filter} accepts (each member's selected
     * frames are filtered once, with that member's link types).
     *
     * @see Scalpel#narrow(Scalpel.Selection, io.scalpel.slice.BpfFilter)
     */
    @Override
    public Selection narrow(final Selection selection, final BpfFilter filter) throws IOException {
        return SetSelector.narrow(selection, filter);
    }

    /** Closes every member opened; throws the first failure after trying them all. */
    @Override
    public void close() throws IOException {
        members.close();
    }
}
