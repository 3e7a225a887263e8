package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.parquet.filter2.compat.FilterCompat;

/**
 * An opened index: its manifest and lookups in its two tables, each read as the part files the
 * manifest lists, in order. Opening checks that the index describes the capture (format version
 * and fingerprint).
 *
 * <p>A flow lookup first finds the flow's rows in the flows table (row groups skipped by
 * their time ranges and one block of the bloom filter on {@code flow_hash}), then reads the rows of those
 * (chunk, flow) pairs in the packets table, reading only the pages whose chunk, flow and time
 * ranges can hold one of them ({@link FlowLookup}, {@link WantedRows}), both through the index's
 * lookup file ({@link LookupFile}, {@link LookupParts}: no Parquet footer is parsed); a Community ID
 * lookup finds the flows by their ID ({@link CommunityIdLookup}). Scans, queries' flows and the
 * Community ID's flows go through parquet-java: {@link PacketRows} reads the packets table column by
 * column, {@link FlowRows} the flows table, both through {@link PartReader}.
 * Thread-safe: a lookup reads through files and readers kept open between lookups
 * ({@link LookupParts}, {@link PartReaders}); {@link #close} closes them. Long because it is the index's one entry
 * point: opening and verifying it, every lookup and scan, each delegated to a class of its own.
 */
public final class PacketIndex implements Closeable {
    /** No datagram time: the row is not an IP fragment. */
    public static final long NO_DGRAM_TS = PacketChunk.NO_DGRAM_TS;

    /** Receives packet rows. */
    @FunctionalInterface
    public interface RowVisitor {
        /**
         * @param ts      frame timestamp
         * @param offset  record offset in the capture
         * @param chunk   the chunk of the frame's flow row
         * @param flow    the frame's flow number in that chunk, {@link IndexBuilder#NO_FLOW} for none
         * @param dgramTs for fragments the datagram's time, else {@link #NO_DGRAM_TS}
         */
        void row(long ts, long offset, int chunk, int flow, long dgramTs) throws IOException;
    }

    /** Receives flow rows (keys left out: only what a join needs); {@code flowHash} as stored ({@link IndexSchema#storedFlowHash}). */
    @FunctionalInterface
    public interface FlowVisitor {
        void flow(int chunk, int flow, long flowHash, long firstTs, long lastTs) throws IOException;
    }

    /** Receives the flow rows a Community ID lookup found. */
    @FunctionalInterface
    public interface CommunityFlowVisitor {
        /** @param communityId the row's Community ID under the lookup's seed */
        void flow(String communityId, int chunk, int flow, long firstTs, long lastTs) throws IOException;
    }

    private final Path directory;
    private final IndexManifest manifest;
    private final CaptureFingerprint.Match match;
    /** The part files of each table, in capture order; each read (and its footer checked) on first use. */
    private final List<IndexPart> packets;
    private final List<IndexPart> flows;
    /** Readers of the part files kept open from one lookup to the next, closed with the index. */
    private final PartReaders readers = new PartReaders();
    /** The part files read through the lookup file, kept open from one lookup to the next, closed with the index. */
    private final LookupParts lookupParts;
    private final FlowLookup flowLookup;
    /** What rebuilds the index, for refusals. */
    private final String advice;
    /** The unit of the tables' timestamps ({@link TimestampUnit#of(IndexManifest)}). */
    private final TimestampUnit unit;
    private final CommunityIdLookup communityIdLookup;

    private PacketIndex(final Path directory, final IndexManifest manifest, final CaptureFingerprint.Match match,
                        final String advice) throws IndexException {
        this.directory = directory;
        this.manifest = manifest;
        this.match = match;
        this.packets = parts(directory, IndexSchema.PACKETS_DIR, manifest, advice);
        this.flows = parts(directory, IndexSchema.FLOWS_DIR, manifest, advice);
        this.unit = TimestampUnit.of(manifest);
        this.advice = advice;
        this.lookupParts = new LookupParts(directory, manifest, advice);
        this.flowLookup = new FlowLookup(readers, lookupParts, packets, flows, unit, manifest.maxFragmentLagNanos());
        this.communityIdLookup = new CommunityIdLookup(readers, flows, unit, flowLookup);
    }

    /** The parts of one table, each checked for its size (a stat: no part is read when an index is opened). */
    private static List<IndexPart> parts(final Path directory, final String table, final IndexManifest manifest, final String advice)
        throws IndexException {
        final List<IndexPart> parts = new ArrayList<>();
        for (IndexManifest.Part part : manifest.parts()) {
            final IndexPart p = new IndexPart(directory.resolve(table).resolve(part.file()),
                table.equals(IndexSchema.PACKETS_DIR) ? part.packetsFile() : part.flowsFile(), advice);
            p.checkSize();
            parts.add(p);
        }
        return List.copyOf(parts);
    }

    /**
     * What rebuilds the index of {@code capture} in {@code directory}, for messages:
     * {@code scalpel index CAPTURE} (with {@code --index DIR} when it is not the default), or
     * {@code slice --reindex}.
     */
    public static String rebuildAdvice(final Path capture, final Path directory) {
        final boolean atDefault = directory.toAbsolutePath().normalize().equals(IndexDirectory.defaultFor(capture).normalize());
        return "rebuild it with `scalpel index " + (atDefault ? "" : "--index " + directory + " ") + capture
            + "` (or slice with --reindex)";
    }

    /**
     * Opens the index of {@code capture} in {@code directory}.
     *
     * @throws IndexException MISSING when there is none, STALE when the capture changed since,
     *                        CORRUPT or VERSION when it cannot be read
     */
    public static PacketIndex open(final Path capture, final Path directory) throws IOException {
        final Path dir = IndexDirectory.resolve(directory);
        final Path manifestFile = dir.resolve(IndexSchema.MANIFEST_FILE);
        final String advice = rebuildAdvice(capture, directory);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IndexException(IndexException.Kind.MISSING, "no index at " + dir + "; run `scalpel index " + capture + "`");
        }
        final IndexManifest manifest = IndexManifest.read(manifestFile, advice);
        return new PacketIndex(dir, manifest, describes(capture, directory, dir, manifest, advice), advice);
    }

    /**
     * Whether the index whose manifest is {@code manifest} still describes {@code capture} (its
     * fingerprint; a capture that only grew does).
     *
     * @throws IndexException STALE when the capture changed since it was indexed
     */
    private static CaptureFingerprint.Match describes(final Path capture, final Path directory, final Path dir,
                                                      final IndexManifest manifest, final String advice) throws IOException {
        final CaptureFingerprint.Match match = manifest.fingerprint().compareTo(capture);
        if (match == CaptureFingerprint.Match.CHANGED || match == CaptureFingerprint.Match.TOUCHED) {
            final String name = capture.getFileName().toString();
            final String why = match == CaptureFingerprint.Match.TOUCHED
                ? "was modified since it was indexed (same size, different modification time)"
                : !name.equals(manifest.captureName()) && manifest.captureName() != null
                ? "is not the capture it was made for (" + IndexException.printable(manifest.captureName()) + ", " + manifest.fingerprint().length()
                    + " bytes; " + name + " has " + Files.size(capture) + ")"
                : "changed since it was indexed (indexed " + manifest.fingerprint().length() + " bytes, now " + Files.size(capture) + ")";
            throw new IndexException(IndexException.Kind.STALE, "index " + dir + " is stale: " + capture + " " + why,
                "re-run `scalpel index " + (advice.contains("--index") ? "--index " + directory + " " : "") + capture
                    + "` (or slice with --reindex)");
        }
        return match;
    }

    /**
     * Checks every byte of the index of {@code capture} in {@code directory}, file by file: the
     * manifest (its digest, format and version), whether it still describes the capture (the
     * fingerprint; a capture that only grew is fine), and each part file against its size and
     * digests, with the byte offset of the first damaged page where one is found. Nothing is
     * written.
     *
     * @return one check per file: the manifest, the capture, then each part of each table; only the
     *         manifest when it cannot be read
     */
    public static List<IndexFileCheck> verify(final Path capture, final Path directory) throws IOException {
        final Path dir = IndexDirectory.resolve(directory);
        final Path manifestFile = dir.resolve(IndexSchema.MANIFEST_FILE);
        final String advice = rebuildAdvice(capture, directory);
        final List<IndexFileCheck> checks = new ArrayList<>();
        if (!Files.isRegularFile(manifestFile)) {
            throw new IndexException(IndexException.Kind.MISSING, "no index at " + dir + "; run `scalpel index " + capture + "`");
        }
        final IndexManifest manifest;
        try {
            manifest = IndexManifest.read(manifestFile, advice);
            checks.add(new IndexFileCheck(IndexSchema.MANIFEST_FILE, Files.size(manifestFile), null));
        } catch (IndexException e) {
            checks.add(new IndexFileCheck(IndexSchema.MANIFEST_FILE, Files.size(manifestFile), relative(e.problem(), manifestFile)));
            return checks;
        }
        try {
            describes(capture, directory, dir, manifest, advice);
            checks.add(new IndexFileCheck(capture.toString(), Files.size(capture), null));
        } catch (IndexException e) {
            checks.add(new IndexFileCheck(capture.toString(), Files.exists(capture) ? Files.size(capture) : -1, e.problem()));
        }
        for (IndexManifest.Part part : manifest.parts()) {
            for (String table : new String[] {IndexSchema.PACKETS_DIR, IndexSchema.FLOWS_DIR}) {
                final Path file = dir.resolve(table).resolve(part.file());
                final IndexManifest.PartFile expected = table.equals(IndexSchema.PACKETS_DIR) ? part.packetsFile() : part.flowsFile();
                String problem = null;
                try {
                    new IndexPart(file, expected, advice).verifyAll();
                } catch (IndexException e) {
                    problem = relative(e.problem(), file);
                }
                checks.add(new IndexFileCheck(table + "/" + part.file(), Files.exists(file) ? Files.size(file) : -1, problem));
            }
        }
        final Path lookupFile = dir.resolve(IndexSchema.LOOKUP_FILE);
        String problem = null;
        try {
            verifyLookupFile(dir, manifest, advice);
        } catch (IndexException e) {
            problem = relative(e.problem(), lookupFile);
        }
        checks.add(new IndexFileCheck(IndexSchema.LOOKUP_FILE, Files.exists(lookupFile) ? Files.size(lookupFile) : -1, problem));
        return checks;
    }

    /** A problem's text without the file's path in front (the check names the file). */
    private static String relative(final String problem, final Path file) {
        final String prefix = file.toString();
        if (problem.startsWith(prefix + ": ")) {
            return problem.substring(prefix.length() + 2);
        }
        return problem.startsWith(prefix + " ") ? problem.substring(prefix.length() + 1) : problem;
    }

    /**
     * Reads every byte of every part file and compares each with its digest in the manifest
     * ({@link IndexManifest.PartFile}): what {@code scalpel index} does before it keeps or extends
     * an index, and {@code slice --reindex} before it uses one. The first damaged file is refused.
     *
     * @throws IndexException CORRUPT, naming the file and, where it can be found, the byte offset
     */
    public void verifyAll() throws IndexException {
        for (int i = 0; i < packets.size(); i++) {
            packets.get(i).verifyAll();
            flows.get(i).verifyAll();
        }
        verifyLookupFile(directory, manifest, advice);
    }

    /**
     * Reads the lookup file of the index in {@code dir} as a lookup does (size, header, CRC32C, every
     * page it describes within its part), then checks it against the manifest's SHA-256 of it.
     */
    private static void verifyLookupFile(final Path dir, final IndexManifest manifest, final String advice) throws IndexException {
        final LookupFile lookup = LookupFile.read(dir, manifest, advice);
        lookup.parseAll(); // says where, when it can
        if (!Digests.sha256(lookup.bytes()).equals(manifest.lookup().sha256())) {
            throw new IndexException(IndexException.Kind.CORRUPT, lookup.path() + ": the file does not match its digest in the index manifest",
                advice);
        }
    }

    public IndexManifest manifest() {
        return manifest;
    }

    public Path directory() {
        return directory;
    }

    /** How the capture on disk relates to the indexed bytes: SAME, or GROWN (the index covers a prefix). */
    public CaptureFingerprint.Match captureMatch() {
        return match;
    }

    /**
     * Packet rows of the flow with hash {@code flowHash} whose timestamp, or datagram time for
     * fragments, lies in [{@code from}, {@code to}] ({@code Long.MIN_VALUE}/{@code MAX_VALUE}: unbounded).
     */
    public void lookup(final long flowHash, final long from, final long to, final RowVisitor visitor) throws IOException {
        flowLookup.lookup(flowHash, from, to, visitor);
    }

    /**
     * Reads and checks the lookup file now, as the first lookup would, for a caller with time to
     * spare before its first lookup (a slice waiting for its conn.log's search). A lookup file that
     * cannot be used is left to the first lookup, which refuses it as it would have: it is read again
     * from the file opened with the index.
     */
    public void readLookupFile() {
        try {
            lookupParts.file();
        } catch (IndexException e) {
            // the first lookup reads it again and says what is wrong
        }
    }

    /** As {@link #lookup}, through parquet-java's readers and the parts' footers: the reference tests hold the lookup to. */
    void lookupThroughFooters(final long flowHash, final long from, final long to, final RowVisitor visitor) throws IOException {
        flowLookup.lookupThroughFooters(flowHash, from, to, visitor);
    }

    /**
     * Packet rows of the flows whose Community ID v1 under {@code seed} is {@code communityId},
     * with a join time in [{@code from}, {@code to}]: every flow row in the window is read and its
     * ID computed from its key (format 6 stores none).
     */
    public void lookupCommunityId(final String communityId, final int seed, final long from, final long to,
                                  final RowVisitor visitor) throws IOException {
        communityIdLookup.lookup(communityId, seed, from, to, visitor);
    }

    /**
     * The flow rows whose Community ID v1 under {@code seed} is one of {@code communityIds} and
     * whose time span meets [{@code from}, {@code to}]. Rows without a Community ID (a key
     * without the ports its protocol needs) never match.
     */
    public void communityFlows(final Set<String> communityIds, final int seed, final long from, final long to,
                               final CommunityFlowVisitor visitor) throws IOException {
        communityIdLookup.flows(communityIds, seed, from, to, visitor);
    }

    /**
     * Every flow row whose time span meets [{@code from}, {@code to}] ({@code Long.MIN_VALUE}/{@code
     * MAX_VALUE}: unbounded), with its key and counts; row groups outside the window are skipped.
     */
    public void flowRows(final long from, final long to, final FlowRowView.Visitor visitor) throws IOException {
        flowRows(from, to, FlowRowFilter.ANY, visitor);
    }

    /**
     * Every flow row whose time span meets [{@code from}, {@code to}] and that {@code prune} does
     * not rule out, with its key and counts; row groups and pages that the window or {@code prune}
     * rule out are skipped.
     */
    public void flowRows(final long from, final long to, final FlowRowFilter prune, final FlowRowView.Visitor visitor) throws IOException {
        FlowRows.scanKeys(PartReaders.NONE, flows, unit, from, to, prune, visitor);
    }

    /**
     * Packet rows of the flow rows that {@code which} accepts among those whose time span meets
     * [{@code from}, {@code to}], with a join time in that window: a lookup by any test of a flow
     * row's key (a query expression), its packet rows read as a flow-hash lookup reads them.
     */
    public void lookupFlows(final long from, final long to, final java.util.function.Predicate<FlowRowView> which,
                            final RowVisitor visitor) throws IOException {
        lookupFlows(from, to, FlowRowFilter.ANY, which, visitor);
    }

    /**
     * As {@link #lookupFlows(long, long, java.util.function.Predicate, RowVisitor)}, the flows table's
     * row groups and pages that {@code prune} rules out skipped (a condition every row that
     * {@code which} accepts satisfies).
     */
    public void lookupFlows(final long from, final long to, final FlowRowFilter prune, final java.util.function.Predicate<FlowRowView> which,
                            final RowVisitor visitor) throws IOException {
        final FlowLookup.Found found = new FlowLookup.Found(from, to);
        FlowRows.scanKeys(readers, flows, unit, from, to, prune, row -> {
            if (which.test(row)) {
                found.add(row.chunk(), row.flow(), row.firstTs(), row.lastTs());
            }
        });
        flowLookup.readRows(found, visitor);
    }

    /** Told after each batch of flow rows read in chunk order ({@link #flowRowsInChunkOrder}). */
    @FunctionalInterface
    public interface ChunksRead {
        /**
         * @param laterFirstTs the earliest {@code first_ts} of the flow rows not read yet, ns ({@code Long.MAX_VALUE}: none left)
         * @return whether to read on
         */
        boolean chunksRead(long laterFirstTs) throws IOException;
    }

    /**
     * Every flow row in chunk order (capture order), row group by row group, with every column;
     * after each batch of chunks, {@code read} is told the earliest first time of the rows still
     * to come (from the row groups' statistics), and may stop the read.
     */
    public void flowRowsInChunkOrder(final FlowRowView.Visitor visitor, final ChunksRead read) throws IOException {
        FlowRowsInChunkOrder.scan(PartReaders.NONE, flows, unit, visitor, read::chunksRead);
    }

    /**
     * Packet rows of the flow rows ({@code chunks[i]}, {@code flows[i]}), {@code i < n}, each with
     * a join time in [{@code firstTs[i]}, {@code lastTs[i]}] (its span in the flows table): the
     * frames of flow rows already read, without reading the flows table again.
     */
    public void lookupFlowRows(final int n, final int[] chunks, final int[] flowNumbers, final long[] firstTs, final long[] lastTs,
                               final RowVisitor visitor) throws IOException {
        final FlowLookup.Found found = new FlowLookup.Found(Long.MIN_VALUE, Long.MAX_VALUE);
        for (int i = 0; i < n; i++) {
            found.add(chunks[i], flowNumbers[i], firstTs[i], lastTs[i]);
        }
        flowLookup.readRows(found, visitor);
    }

    /** Row groups of the flows table read and skipped by the reads of this index so far: {read, skipped}. */
    long[] flowRowGroups() {
        long read = 0;
        long skipped = 0;
        for (IndexPart p : flows) {
            read += p.rowGroupsRead.sum();
            skipped += p.rowGroupsSkipped.sum();
        }
        return new long[] {read, skipped};
    }

    /** Packet rows read by the lookups of this index so far (the rows of the pages they read). */
    long packetRowsRead() { return flowLookup.rowsRead(); }

    /** One long for a (chunk, flow) pair, to key maps and sorted arrays by flow row. */
    public static long flowRow(final int chunk, final int flow) {
        return ((long) chunk << 32) | (flow & 0xFFFF_FFFFL);
    }

    /** Every packet row whose timestamp lies in [{@code from}, {@code to}]. */
    public void scan(final long from, final long to, final RowVisitor visitor) throws IOException {
        PacketRows.scan(readers, packets, unit,
            FilterCompat.get(and(gtEq(IndexSchema.Tables.TS_COLUMN, unit.atLeast(from)), ltEq(IndexSchema.Tables.TS_COLUMN, unit.atMost(to)))),
            (chunk, flow, ts) -> ts >= from && ts <= to, visitor);
    }

    /** Every packet row, in capture order. */
    public void scanAll(final RowVisitor visitor) throws IOException {
        PacketRows.scan(PartReaders.NONE, packets, unit, FilterCompat.NOOP, PacketRows.RowTest.ALL, visitor);
    }

    /** Every flow row. */
    public void scanFlows(final FlowVisitor visitor) throws IOException {
        FlowRows.scan(PartReaders.NONE, flows, unit, FilterCompat.NOOP, FlowRows.RowTest.ALL, visitor);
    }

    @Override
    public void close() {
        try (LookupParts l = lookupParts) {
            readers.close();
        } catch (java.io.IOException e) {
            // closing files only read: nothing to lose
        }
    }

    /** Readers of part files opened so far by lookups (for tests). */
    long readersOpened() {
        return readers.opened();
    }

    /** Dictionary pages read from the part files by lookups so far, not from those kept (for tests). */
    long dictionariesRead() {
        return readers.dictionariesRead();
    }
}
