package io.scalpel.api;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.extract.MergedExtract;
import io.scalpel.index.CaptureSetBuilder;
import io.scalpel.index.CaptureSetManifest;
import io.scalpel.index.IndexBuilder;
import io.scalpel.index.IndexException;
import io.scalpel.index.IndexManifest;
import io.scalpel.extract.AtomicOutput;
import io.scalpel.extract.RunFiles;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.WindowQuery;
import io.scalpel.slice.TcpTail;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 */
public final class CaptureSet implements Captures {

    /** The frames of one member for each query of a selection. */
    public record MemberSelection(CaptureSetManifest.Member member, Scalpel capture, long[][] offsets) {
    }

    /**
     * What a selection found.
     *
     * @param queries the queries, in the order given
     * @param members the members opened for them, in name order, with each query's frames in each
     */
    public record Selection(List<Query> queries, List<MemberSelection> members) {
        public int size() {
            return queries.size();
        }

        /** Frames of query {@code i}, over every member. */
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
    private final Map<String, Scalpel> opened = new LinkedHashMap<>();
    /** What this set reads, located once ({@link #located()}). */
    private RunFiles located;

    private CaptureSet(final Path directory, final Path indexDirectory, final Scalpel.Options options,
                       final CaptureSetManifest manifest, final CaptureSetBuilder.Result built) {
        this.directory = directory;
        this.indexDirectory = indexDirectory;
        this.options = options;
        this.manifest = manifest;
        this.built = built;
    }

    /** Opens a capture set with its index in {@code DIR/.scalpel}, building it if there is none. */
    public static CaptureSet open(final Path directory) throws IOException {
        return open(directory, Scalpel.Options.defaults());
    }

    /**
     * Opens a capture set. {@code options.index()} names the set index (null: {@code DIR/.scalpel});
     * with {@code buildIfMissing}, a set without an index is indexed first; with {@code reindex},
     * a set index that cannot be read is rebuilt, and so is the index of a member that changed.
     */
    public static CaptureSet open(final Path directory, final Scalpel.Options options) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new java.nio.file.NoSuchFileException(directory.toString(), null, "not a directory");
        }
        final Path dir = (options.index() != null ? options.index() : CaptureSetBuilder.defaultFor(directory)).toAbsolutePath();
        final Path manifestFile = dir.resolve(CaptureSetManifest.MANIFEST_FILE);
        CaptureSetBuilder.Result built = null;
        CaptureSetManifest manifest;
        if (!Files.isRegularFile(manifestFile)) {
            if (!options.buildIfMissing()) {
                throw new IndexException(IndexException.Kind.MISSING, directory + ": no capture set index in " + dir
                    + "; run `scalpel index " + directory + "`");
            }
            built = build(directory, dir, options.progress(), false);
            manifest = built.manifest();
        } else {
            try {
                manifest = CaptureSetManifest.read(manifestFile, CaptureSetManifest.rebuildAdvice(directory, options.index()));
            } catch (IndexException e) {
                if (!options.reindex()) {
                    throw e;
                }
                built = build(directory, dir, options.progress(), false);
                manifest = built.manifest();
            }
        }
        return new CaptureSet(directory, dir, options, manifest, built);
    }

    /** The index directory of the capture set {@code directory} when none is given: {@code DIR/.scalpel}. */
    public static Path defaultIndexOf(final Path directory) {
        return CaptureSetBuilder.defaultFor(directory);
    }

    /**
     * Brings the index of the capture set {@code directory} up to date: indexes new members, extends
     * grown ones, rebuilds changed ones (every member with {@code rebuild}), drops removed ones.
     *
     * @param indexDirectory the set index; null for {@code DIR/.scalpel}
     */
    public static CaptureSetIndexReport index(final Path directory, final Path indexDirectory, final Progress progress,
                                              final boolean rebuild) throws IOException {
        return CaptureSetIndexReport.of(directory, build(directory, indexDirectory, progress, rebuild));
    }

    private static CaptureSetBuilder.Result build(final Path directory, final Path indexDirectory, final Progress progress,
                                                  final boolean rebuild) throws IOException {
        return new CaptureSetBuilder(directory, indexDirectory).progress(IndexReport.internal(progress)).rebuild(rebuild).build();
    }

    /**
     * Checks every byte of the set index of {@code directory} (see
     * {@link io.scalpel.index.PacketIndex#verify}): {@code set.json}, then each member's index, file by
     * file, named relative to the set index ({@code members/a.pcap.scalpel/manifest.json}). Nothing is
     * written.
     *
     * @param indexDirectory the set index; null for {@code DIR/.scalpel}
     */
    public static IndexCheck verify(final Path directory, final Path indexDirectory) throws IOException {
        final Path dir = (indexDirectory != null ? indexDirectory : CaptureSetBuilder.defaultFor(directory)).toAbsolutePath();
        return IndexCheck.of(directory, dir, checks(directory, indexDirectory), CaptureSetManifest.rebuildAdvice(directory, indexDirectory));
    }

    private static List<io.scalpel.index.IndexFileCheck> checks(final Path directory, final Path indexDirectory) throws IOException {
        final Path dir = (indexDirectory != null ? indexDirectory : CaptureSetBuilder.defaultFor(directory)).toAbsolutePath();
        final Path manifestFile = dir.resolve(CaptureSetManifest.MANIFEST_FILE);
        final String advice = CaptureSetManifest.rebuildAdvice(directory, indexDirectory);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IndexException(IndexException.Kind.MISSING, directory + ": no capture set index in " + dir
                + "; run `scalpel index " + directory + "`");
        }
        final List<io.scalpel.index.IndexFileCheck> checks = new ArrayList<>();
        final CaptureSetManifest manifest;
        try {
            manifest = CaptureSetManifest.read(manifestFile, advice);
            checks.add(new io.scalpel.index.IndexFileCheck(CaptureSetManifest.MANIFEST_FILE, Files.size(manifestFile), null));
        } catch (IndexException e) {
            checks.add(new io.scalpel.index.IndexFileCheck(CaptureSetManifest.MANIFEST_FILE, Files.size(manifestFile), e.problem()));
            return checks;
        }
        for (CaptureSetManifest.Member m : manifest.members()) {
            final Path capture = directory.resolve(m.file());
            try {
                for (io.scalpel.index.IndexFileCheck c : io.scalpel.index.PacketIndex.verify(capture, dir.resolve(m.index()))) {
                    checks.add(c.file().equals(capture.toString()) ? c
                        : new io.scalpel.index.IndexFileCheck(m.index() + "/" + c.file(), c.bytes(), c.problem()));
                }
            } catch (IndexException e) {
                checks.add(new io.scalpel.index.IndexFileCheck(m.index(), -1, e.problem()));
            }
        }
        return checks;
    }

    /** The indexing this open ran, or null when the set index was used as it was. */
    public CaptureSetIndexReport indexBuild() {
        return built == null ? null : CaptureSetIndexReport.of(directory, built);
    }

    public CaptureSetManifest manifest() {
        return manifest;
    }

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
        return built == null ? List.of() : List.of("no capture set index for " + directory + ": indexed its "
            + manifest.members().size() + " member files into " + indexDirectory);
    }

    @Override
    public String communityIdOf(final ConnRecord conn) {
        return query(conn) instanceof FlowQuery f ? f.communityIdOfKey(options.communityIdSeed()) : null;
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
        final long[] frames = new long[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] != null) {
                located().check(outputs[i], "the output");
                final CaptureFormat format = extract.format() != null ? extract.format() : defaultFormat(selection, i);
                if (format == CaptureFormat.PCAP) {
                    MergedExtract.checkOneLinkType(sources(selection, i)); // before any file is created
                }
            }
        }
        try (io.scalpel.extract.AtomicOutputBatch batch = new io.scalpel.extract.AtomicOutputBatch(directory)) {
            for (int i = 0; i < outputs.length; i++) {
                if (outputs[i] == null) {
                    continue;
                }
                final AtomicOutput out = batch.open(outputs[i]);
                try {
                    frames[i] = write(selection, i, extract, out.stream());
                    batch.done(out);
                } catch (IOException | RuntimeException e) {
                    out.close();
                    throw e;
                }
            }
            batch.commit();
        }
        return frames;
    }

    /**
     * Adds the pairs of each conn row with each of its packets, member by member in time order
     * (so a uid's packets come in time order but for members whose times overlap).
     */
    @Override
    public long addPairs(final Selection selection, final List<ConnRecord> rows, final ArrowPairs.FileWriter writer)
        throws IOException {
        final List<MemberSelection> inTimeOrder = new ArrayList<>(selection.members());
        inTimeOrder.sort(java.util.Comparator.comparingLong(m -> m.member().firstTimestampNanos()));
        long pairs = 0;
        for (MemberSelection m : inTimeOrder) {
            pairs += writer.add(m.capture(), rows, m.offsets());
        }
        return pairs;
    }

    public Path indexDirectory() {
        return indexDirectory;
    }

    /**
     * What this set reads, which no output may replace or be written into: the directory, each
     * file it lists (a member may be a link to a file elsewhere) and the set index ({@link RunFiles}).
     */
    public RunFiles inputs() throws IOException {
        return inputsOf(directory, indexDirectory);
    }

    /** {@link #inputs()}, located once for every write of this instance: a set may have many members, and many outputs. */
    private RunFiles located() throws IOException {
        if (located == null) {
            located = inputs();
        }
        return located;
    }

    /** What a slice of the capture set {@code directory} reads (see {@link #inputs()}); {@code indexDirectory} null: {@code DIR/.scalpel}. */
    static RunFiles inputsOf(final Path directory, final Path indexDirectory) throws IOException {
        return new RunFiles().inputDirectory(directory, "the capture set directory", "the capture set member")
            .inputDirectory(indexDirectory != null ? indexDirectory : CaptureSetBuilder.defaultFor(directory), "the capture set index");
    }

    /** The member files opened so far, in the order they were opened. */
    public List<String> filesOpened() {
        return List.copyOf(opened.keySet());
    }

    /** The query for a conn.log row under this set's options (see {@link Scalpel#query(ConnRecord)}). */
    public Query query(final ConnRecord conn) {
        return query(conn, io.scalpel.slice.TcpEnding.NO_NEXT_ROW);
    }

    /** The query for a conn.log row whose log's next row of the same key starts at {@code nextRowStart} (see {@link Scalpel#query(ConnRecord, long)}). */
    public Query query(final ConnRecord conn, final long nextRowStart) {
        return Query.of(conn, options.vlanKey().aware(conn), options.communityIdSeed(), options.tcpCloseDelayNanos(),
            nextRowStart);
    }

    /** The query for a tunnel of a tunnel.log. */
    public FlowQuery query(final Tunnel tunnel) {
        return FlowQuery.of(tunnel);
    }

    /** Selects the frames of each conn row; the rows stand for their log (see {@link Scalpel#select(Collection)}). */
    public Selection select(final Collection<ConnRecord> conns) throws IOException {
        return selectQueries(Scalpel.queries(conns, options));
    }

    /** Selects, for each Community ID v1, the frames of its flows whose join time lies in [{@code from}, {@code to}] ns. */
    public Selection selectCommunityIds(final Collection<String> communityIds, final long from, final long to) throws IOException {
        final List<Query> queries = new ArrayList<>(communityIds.size());
        for (String id : communityIds) {
            queries.add(CommunityIdQuery.of(id, id, options.communityIdSeed(), from, to));
        }
        return selectQueries(queries);
    }

    /**
     * Selects the frames of each query in the members whose time range meets its window. Members
     * are read in time order, and a TCP connection's closing is carried from one member to the
     * next: a connection that closed near the end of one file has the rest of its packets (its
     * tail, {@link io.scalpel.slice.TcpEnding}) in the next, which is then opened too.
     */
    public Selection selectQueries(final List<? extends Query> queries) throws IOException {
        final List<TcpTail> tails = new ArrayList<>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            tails.add(new TcpTail());
        }
        final List<CaptureSetManifest.Member> inTimeOrder = new ArrayList<>(manifest.members());
        inTimeOrder.sort(java.util.Comparator.comparingLong(CaptureSetManifest.Member::firstTimestampNanos));
        final Map<CaptureSetManifest.Member, MemberSelection> found = new java.util.HashMap<>();
        final java.util.Set<Long> visited = new java.util.HashSet<>(); // (member, query) pairs of the first pass
        for (int k = 0; k < inTimeOrder.size(); k++) {
            final CaptureSetManifest.Member m = inTimeOrder.get(k);
            final List<Integer> meeting = new ArrayList<>();
            for (int i = 0; i < queries.size(); i++) {
                if (meets(m, queries.get(i).from(), queries.get(i).to())) {
                    meeting.add(i);
                    visited.add(((long) k << 32) | i);
                }
            }
            selectIn(m, meeting, queries, tails, found);
        }
        // Connections that closed: their tails, in the later members their window did not meet.
        for (int k = 0; k < inTimeOrder.size(); k++) {
            final CaptureSetManifest.Member m = inTimeOrder.get(k);
            final List<Integer> meeting = new ArrayList<>();
            for (int i = 0; i < queries.size(); i++) {
                final long tailEnd = tails.get(i).tailEnd(queries.get(i));
                if (tailEnd != TcpTail.NO_TAIL && !visited.contains(((long) k << 32) | i)
                    && meets(m, queries.get(i).to(), tailEnd)) {
                    meeting.add(i);
                }
            }
            selectIn(m, meeting, queries, tails, found);
        }
        final List<MemberSelection> inNameOrder = new ArrayList<>();
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (found.containsKey(m)) {
                inNameOrder.add(found.get(m));
            }
        }
        return new Selection(List.copyOf(queries), inNameOrder);
    }

    /** Selects queries {@code meeting} in member {@code m}, adding their frames to what {@code found} has of it. */
    private void selectIn(final CaptureSetManifest.Member m, final List<Integer> meeting, final List<? extends Query> queries,
                          final List<TcpTail> tails, final Map<CaptureSetManifest.Member, MemberSelection> found)
        throws IOException {
        if (meeting.isEmpty()) {
            return;
        }
        final Scalpel s = member(m);
        final List<Query> sub = new ArrayList<>(meeting.size());
        final List<TcpTail> subTails = new ArrayList<>(meeting.size());
        for (int i : meeting) {
            sub.add(queries.get(i));
            subTails.add(tails.get(i));
        }
        final Scalpel.Selection sel;
        try {
            sel = s.selectQueries(sub, subTails);
        } catch (IndexException e) {
            throw inSet(e);
        }
        final MemberSelection before = found.get(m);
        final long[][] offsets;
        if (before != null) {
            offsets = before.offsets();
        } else {
            offsets = new long[queries.size()][];
            java.util.Arrays.fill(offsets, new long[0]);
        }
        for (int k = 0; k < meeting.size(); k++) {
            offsets[meeting.get(k)] = sel.offsets(k);
        }
        found.put(m, new MemberSelection(m, s, offsets));
    }

    /** Every frame with a timestamp in [{@code from}, {@code to}] ns, as a selection of one query (labelled "window"). */
    public Selection selectWindow(final long from, final long to) throws IOException {
        // A query that only carries the label and the window: its frames are every frame in the window.
        final Query label = new WindowQuery("window", from, to);
        final List<MemberSelection> found = new ArrayList<>();
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (meetsFrames(m, from, to)) {
                final Scalpel s = member(m);
                try {
                    found.add(new MemberSelection(m, s, new long[][] {s.selectWindow(from, to)}));
                } catch (IndexException e) {
                    throw inSet(e);
                }
            }
        }
        return new Selection(List.of(label), found);
    }

    /** Writes the frames of all {@code conns}, merged by timestamp, into one capture file (atomically); returns frames written. */
    public long slice(final Collection<ConnRecord> conns, final Path output) throws IOException {
        return write(select(conns), -1, ExtractOptions.defaults(), output);
    }

    /**
     * The format an extract of query {@code query} (-1: of every query) gets without
     * {@link ExtractOptions#format()}: the members' own when they are all pcap of one link type or all
     * pcapng, pcapng otherwise.
     */
    public CaptureFormat defaultFormat(final Selection selection, final int query) throws IOException {
        final List<MergedExtract.Source> sources = sources(selection, query);
        final List<CaptureFormat> formats = new ArrayList<>();
        for (MemberSelection m : selectionMembers(selection, query)) {
            formats.add(m.capture().captureFormat());
        }
        return sources.isEmpty() ? formatOf(selection) : MergedExtract.defaultFormat(sources, formats);
    }

    /**
     * Writes the frames of query {@code query} (-1: of every query, each frame once) as one capture
     * file, atomically, merged by timestamp.
     *
     * @return frames written
     * @throws IllegalArgumentException when pcap is asked for and the members have different link types
     * @throws io.scalpel.extract.OutputConflictException when {@code output} is a member, or lies in the set directory or its index
     */
    public long write(final Selection selection, final int query, final ExtractOptions extract, final Path output) throws IOException {
        final CaptureFormat format = extract.format() != null ? extract.format() : defaultFormat(selection, query);
        if (format == CaptureFormat.PCAP) {
            MergedExtract.checkOneLinkType(sources(selection, query)); // before the output file is created
        }
        located().check(output, "the output");
        try (AtomicOutput out = AtomicOutput.open(output)) {
            final long n = write(selection, query, extract, out.stream());
            out.commit();
            return n;
        }
    }

    /** As {@link #write(Selection, int, ExtractOptions, Path)}, to a stream. */
    public long write(final Selection selection, final int query, final ExtractOptions extract, final OutputStream output)
        throws IOException {
        final CaptureFormat format = extract.format() != null ? extract.format() : defaultFormat(selection, query);
        final List<MemberSelection> members = selectionMembers(selection, query);
        if (members.size() == 1 && members.get(0).capture().captureFormat() == format) {
            // One member in its own format: the single-capture extract, records copied as they are.
            return members.get(0).capture().write(offsetsOf(members.get(0), query), extract.withFormat(format), output);
        }
        if (extract.keepSecrets()) {
            extract.warnings().accept("--keep-secrets: an extract merged from several capture set members has no decryption secrets");
        }
        return MergedExtract.write(sources(selection, query), format, extract.warnings(), output);
    }

    /** The members with frames for the query (-1: any query). */
    private static List<MemberSelection> selectionMembers(final Selection selection, final int query) {
        final List<MemberSelection> with = new ArrayList<>();
        for (MemberSelection m : selection.members()) {
            if (offsetsOf(m, query).length > 0) {
                with.add(m);
            }
        }
        return with;
    }

    private static long[] offsetsOf(final MemberSelection m, final int query) {
        return query >= 0 ? m.offsets()[query] : io.scalpel.slice.Slicer.union(m.offsets());
    }

    private List<MergedExtract.Source> sources(final Selection selection, final int query) {
        final List<MergedExtract.Source> sources = new ArrayList<>();
        for (MemberSelection m : selectionMembers(selection, query)) {
            final IndexManifest im = m.capture().manifest();
            sources.add(new MergedExtract.Source(m.capture().capture(), im.fingerprint().length(),
                im.pcapngBlocks() == null ? List.of() : im.pcapngBlocks(), im.linkTypes(), offsetsOf(m, query)));
        }
        return sources;
    }

    /** The format of an empty extract: that of the first member, pcapng when the set's members differ. */
    private CaptureFormat formatOf(final Selection selection) {
        String f = null;
        for (CaptureSetManifest.Member m : manifest.members()) {
            if (f == null) {
                f = m.captureFormat();
            } else if (!f.equals(m.captureFormat())) {
                return CaptureFormat.PCAPNG;
            }
        }
        return "pcapng".equals(f) ? CaptureFormat.PCAPNG : CaptureFormat.PCAP;
    }

    /** Whether a frame of {@code m} can join a query window [{@code from}, {@code to}]. */
    private boolean meets(final CaptureSetManifest.Member m, final long from, final long to) throws IOException {
        return changed(m) || m.overlaps(from, to);
    }

    /** Whether a frame of {@code m} can have a timestamp in [{@code from}, {@code to}]. */
    private boolean meetsFrames(final CaptureSetManifest.Member m, final long from, final long to) throws IOException {
        return changed(m) || (m.packets() > 0 && m.firstTimestampNanos() <= to && m.lastTimestampNanos() >= from);
    }

    /** Whether the member's size differs from the one indexed (a stat, the file is not opened). */
    private boolean changed(final CaptureSetManifest.Member m) throws IOException {
        final Path p = directory.resolve(m.file());
        if (!Files.isRegularFile(p)) {
            throw new java.nio.file.NoSuchFileException(p.toString(), null,
                "member of the capture set index " + indexDirectory + " is gone; re-run `scalpel index " + directory + "`");
        }
        return Files.size(p) != m.size();
    }

    /**
     * Each query's frames, in every member, that {@code filter} accepts (each member's selected
     * frames are filtered once, with that member's link types).
     *
     * @see Scalpel#narrow(Scalpel.Selection, io.scalpel.slice.BpfFilter)
     */
    public Selection narrow(final Selection selection, final io.scalpel.slice.BpfFilter filter) throws IOException {
        final List<MemberSelection> members = new java.util.ArrayList<>(selection.members().size());
        for (MemberSelection m : selection.members()) {
            final Scalpel.Selection kept = m.capture().narrow(new Scalpel.Selection(selection.queries(), m.offsets()), filter);
            members.add(new MemberSelection(m.member(), m.capture(), kept.offsets()));
        }
        return new Selection(selection.queries(), members);
    }

    private Scalpel member(final CaptureSetManifest.Member m) throws IOException {
        Scalpel s = opened.get(m.file());
        if (s == null) {
            try {
                s = Scalpel.open(directory.resolve(m.file()), options.withIndex(indexDirectory.resolve(m.index())));
            } catch (IndexException e) {
                throw inSet(e);
            }
            opened.put(m.file(), s);
        }
        return s;
    }

    /**
     * A member's index refused: what rebuilds it is {@code scalpel index DIR} (the set), not the
     * command the member's own index would name.
     */
    private IndexException inSet(final IndexException e) {
        return e.advice() == null ? e : e.withAdvice(CaptureSetManifest.rebuildAdvice(directory, options.index()));
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Scalpel s : opened.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        opened.clear();
        if (first != null) {
            throw first;
        }
    }
}
