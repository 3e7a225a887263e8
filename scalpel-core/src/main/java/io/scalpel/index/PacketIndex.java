package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.in;
import static org.apache.parquet.filter2.predicate.FilterApi.intColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;
import static org.apache.parquet.filter2.predicate.FilterApi.or;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.CommunityId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;

/**
 * An opened index: its manifest and lookups in its two tables, each read as the part files the
 * manifest lists, in order. Opening checks that the index describes the capture (format version
 * and fingerprint).
 *
 * <p>A flow lookup first finds the flow's rows in the flows table (row groups skipped by
 * their time statistics and the bloom filter on {@code flow_hash}), then reads the rows of those
 * (chunk, flow) pairs in the packets table, pushing chunk, flow and time window down to
 * row-group statistics and page indexes so only the pages that hold them are read.
 * Thread-safe: each lookup reads with its own file handles.
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
         * @param caplen  captured length
         * @param chunk   the chunk of the frame's flow row
         * @param flow    the frame's flow number in that chunk, {@link IndexBuilder#NO_FLOW} for none
         * @param dgramTs for fragments the datagram's time, else {@link #NO_DGRAM_TS}
         */
        void row(long ts, long offset, int caplen, int chunk, int flow, long dgramTs) throws IOException;
    }

    /** Receives flow rows (keys left out: only what a join needs). */
    @FunctionalInterface
    public interface FlowVisitor {
        void flow(int chunk, int flow, long flowHash, long firstTs, long lastTs) throws IOException;
    }

    private static final Operators.LongColumn TS = longColumn(IndexSchema.TS);
    private static final Operators.IntColumn CHUNK = intColumn(IndexSchema.CHUNK);
    private static final Operators.IntColumn FLOW = intColumn(IndexSchema.FLOW);
    private static final Operators.LongColumn FLOW_HASH = longColumn(IndexSchema.FLOW_HASH);
    private static final Operators.LongColumn FIRST_TS = longColumn(IndexSchema.FIRST_TS);
    private static final Operators.LongColumn LAST_TS = longColumn(IndexSchema.LAST_TS);
    private static final Operators.BinaryColumn COMMUNITY_ID = binaryColumn(IndexSchema.COMMUNITY_ID);

    /** Receives the flow rows a Community ID lookup found. */
    @FunctionalInterface
    public interface CommunityFlowVisitor {
        /** @param communityId the row's Community ID under the lookup's seed */
        void flow(String communityId, int chunk, int flow, long firstTs, long lastTs) throws IOException;
    }

    /** The columns of flows.parquet a Community ID lookup reads, keys included for other seeds. */
    private static final MessageType FLOW_COMMUNITY_COLUMNS = Types.buildMessage()
        .addFields(IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.CHUNK), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FLOW),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FIRST_TS), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.LAST_TS),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.IP_VERSION), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.PROTO),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.SRC), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.SRC_PORT),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.DST), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.DST_PORT),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.COMMUNITY_ID))
        .named("flow");

    /** The columns of flows.parquet a join reads. */
    private static final MessageType FLOW_JOIN_COLUMNS = Types.buildMessage()
        .addFields(IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.CHUNK), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FLOW),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FLOW_HASH), IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.FIRST_TS),
            IndexSchema.FLOWS_SCHEMA.getType(IndexSchema.LAST_TS))
        .named("flow");

    private final Path directory;
    private final IndexManifest manifest;
    private final CaptureFingerprint.Match match;
    /** The part files of each table, in capture order; each read (and its footer checked) on first use. */
    private final List<IndexPart> packets;
    private final List<IndexPart> flows;

    private PacketIndex(final Path directory, final IndexManifest manifest, final CaptureFingerprint.Match match,
                        final String advice) throws IndexException {
        this.directory = directory;
        this.manifest = manifest;
        this.match = match;
        this.packets = parts(directory, IndexSchema.PACKETS_DIR, manifest, advice);
        this.flows = parts(directory, IndexSchema.FLOWS_DIR, manifest, advice);
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
        final Map<Integer, ChunkRows> byChunk = new TreeMap<>();
        FilterPredicate flowFilter = eq(FLOW_HASH, flowHash);
        if (from != Long.MIN_VALUE) {
            flowFilter = and(flowFilter, gtEq(LAST_TS, from));
        }
        if (to != Long.MAX_VALUE) {
            flowFilter = and(flowFilter, ltEq(FIRST_TS, to));
        }
        scanFlows(FilterCompat.get(flowFilter), (chunk, flow, hash, first, last) ->
            byChunk.computeIfAbsent(chunk, c -> new ChunkRows()).add(flow, Math.max(first, from), Math.min(last, to)));
        readRows(byChunk, from, to, visitor);
    }

    /**
     * Packet rows of the flows whose Community ID v1 under {@code seed} is {@code communityId},
     * with a join time in [{@code from}, {@code to}]. With seed 0 the flows are found through
     * the {@code community_id} column and its bloom filter; with another seed every flow row in
     * the window is read and its ID computed from its key.
     */
    public void lookupCommunityId(final String communityId, final int seed, final long from, final long to,
                                  final RowVisitor visitor) throws IOException {
        final Map<Integer, ChunkRows> byChunk = new TreeMap<>();
        communityFlows(Set.of(communityId), seed, from, to, (id, chunk, flow, first, last) ->
            byChunk.computeIfAbsent(chunk, c -> new ChunkRows()).add(flow, Math.max(first, from), Math.min(last, to)));
        readRows(byChunk, from, to, visitor);
    }

    /**
     * The flow rows whose Community ID v1 under {@code seed} is one of {@code communityIds} and
     * whose time span meets [{@code from}, {@code to}]. Rows without a Community ID (a key
     * without the ports its protocol needs) never match.
     */
    public void communityFlows(final Set<String> communityIds, final int seed, final long from, final long to,
                               final CommunityFlowVisitor visitor) throws IOException {
        if (communityIds.isEmpty()) {
            return;
        }
        FilterPredicate filter = null;
        if (seed == CommunityId.DEFAULT_SEED) {
            final Set<Binary> wanted = new HashSet<>();
            for (String id : communityIds) {
                wanted.add(Binary.fromString(id));
            }
            filter = wanted.size() == 1 ? eq(COMMUNITY_ID, wanted.iterator().next()) : in(COMMUNITY_ID, wanted);
        }
        if (from != Long.MIN_VALUE) {
            filter = filter == null ? gtEq(LAST_TS, from) : and(filter, gtEq(LAST_TS, from));
        }
        if (to != Long.MAX_VALUE) {
            filter = filter == null ? ltEq(FIRST_TS, to) : and(filter, ltEq(FIRST_TS, to));
        }
        final FlowRowMaterializer m = new FlowRowMaterializer(FLOW_COMMUNITY_COLUMNS);
        final CommunityId calculator = seed == CommunityId.DEFAULT_SEED ? null : new CommunityId(seed);
        final FilterCompat.Filter compiled = filter == null ? FilterCompat.NOOP : FilterCompat.get(filter);
        for (IndexPart part : flows) {
            read(part, FLOW_COMMUNITY_COLUMNS, compiled, m, () -> {
                if (m.communityId == null) {
                    return;
                }
                String id = m.communityId;
                if (calculator != null) {
                    final Addresses.Parsed src = Addresses.parse(m.src);
                    final Addresses.Parsed dst = Addresses.parse(m.dst);
                    id = calculator.of(m.ipVersion, src.hi(), src.lo(), m.srcPort, dst.hi(), dst.lo(), m.dstPort, m.proto);
                }
                if (communityIds.contains(id)) {
                    visitor.flow(id, m.chunk, m.flow, m.firstTs, m.lastTs);
                }
            });
        }
    }

    /** The packet rows of the (chunk, flow) pairs in {@code byChunk}, each in its chunk's span, by join time in the window. */
    private void readRows(final Map<Integer, ChunkRows> byChunk, final long from, final long to, final RowVisitor visitor)
        throws IOException {
        if (byChunk.isEmpty()) {
            return;
        }
        // Per chunk: its flow numbers, and only the time span they have there. The span is on the
        // join time; a fragment's own ts is at most the index's fragment lag earlier, so pruning
        // reads from that much earlier and the join time is checked row by row.
        final long lag = manifest.maxFragmentLagNanos();
        FilterPredicate rows = null;
        int pairs = 0;
        for (ChunkRows c : byChunk.values()) {
            pairs += c.flows.size();
        }
        final long[] wanted = new long[pairs];
        final Map<Integer, long[]> spans = new HashMap<>();
        int w = 0;
        for (Map.Entry<Integer, ChunkRows> e : byChunk.entrySet()) {
            final ChunkRows c = e.getValue();
            final FilterPredicate inChunk = and(and(eq(CHUNK, e.getKey()),
                c.flows.size() == 1 ? eq(FLOW, c.flows.iterator().next()) : in(FLOW, c.flows)),
                and(gtEq(TS, c.from - lag), ltEq(TS, c.to)));
            rows = rows == null ? inChunk : or(rows, inChunk);
            for (int flow : c.flows) {
                wanted[w++] = flowRow(e.getKey(), flow);
            }
            spans.put(e.getKey(), new long[] {c.from - lag, c.to});
        }
        java.util.Arrays.sort(wanted);
        scanPackets(FilterCompat.get(rows), (chunk, flow, ts) -> {
            if (java.util.Arrays.binarySearch(wanted, flowRow(chunk, flow)) < 0) {
                return false;
            }
            final long[] span = spans.get(chunk);
            return ts >= span[0] && ts <= span[1];
        }, (ts, offset, caplen, chunk, flow, dgramTs) -> {
            final long joinTs = dgramTs == NO_DGRAM_TS ? ts : dgramTs;
            if (joinTs >= from && joinTs <= to) {
                visitor.row(ts, offset, caplen, chunk, flow, dgramTs);
            }
        });
    }

    /** One long for a (chunk, flow) pair, to key maps and sorted arrays by flow row. */
    public static long flowRow(final int chunk, final int flow) {
        return ((long) chunk << 32) | (flow & 0xFFFF_FFFFL);
    }

    /** The flow numbers of one chunk that a lookup wants, and their time span there. */
    private static final class ChunkRows {
        final Set<Integer> flows = new HashSet<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;

        void add(final int flow, final long first, final long last) {
            flows.add(flow);
            from = Math.min(from, first);
            to = Math.max(to, last);
        }
    }

    /** Every packet row whose timestamp lies in [{@code from}, {@code to}]. */
    public void scan(final long from, final long to, final RowVisitor visitor) throws IOException {
        scanPackets(FilterCompat.get(and(gtEq(TS, from), ltEq(TS, to))), (chunk, flow, ts) -> ts >= from && ts <= to, visitor);
    }

    /** Every packet row, in capture order. */
    public void scanAll(final RowVisitor visitor) throws IOException {
        scanPackets(FilterCompat.NOOP, (chunk, flow, ts) -> true, visitor);
    }

    /** Every row of one part file of the packets table, in order, checked as {@code expected} says. */
    static void scanPart(final Path file, final IndexManifest.PartFile expected, final String advice, final RowVisitor visitor)
        throws IOException {
        scanPackets(new IndexPart(file, expected, advice), FilterCompat.NOOP, (chunk, flow, ts) -> true, visitor);
    }

    /** Every flow row. */
    public void scanFlows(final FlowVisitor visitor) throws IOException {
        scanFlows(FilterCompat.NOOP, visitor);
    }

    /** Decides from a row's chunk, flow and timestamp whether it is wanted. */
    @FunctionalInterface
    private interface RowTest {
        boolean test(int chunk, int flow, long ts);
    }

    /**
     * Reads packets.parquet column by column: the filter only prunes row groups and pages
     * (statistics, dictionaries, page indexes); each remaining row is decided by {@code test} on
     * its chunk, flow and timestamp, and only wanted rows have their other columns decoded.
     */
    private void scanPackets(final FilterCompat.Filter filter, final RowTest test, final RowVisitor visitor) throws IOException {
        for (IndexPart part : packets) {
            scanPackets(part, filter, test, visitor);
        }
    }

    private static void scanPackets(final IndexPart part, final FilterCompat.Filter filter, final RowTest test,
                                    final RowVisitor visitor) throws IOException {
        final IndexPart.Opened packets = part.open();
        final MessageType schema = packets.footer().getFileMetaData().getSchema();
        final String createdBy = packets.footer().getFileMetaData().getCreatedBy();
        try (ParquetFileReader r = ParquetFileReader.open(packets.file(), packets.footer(), options(filter), packets.file().newStream())) {
            for (int group = 0; group < r.getRowGroups().size(); group++) {
                final PageReadStore pages = r.readFilteredRowGroup(group);
                if (pages == null) {
                    continue; // no row of this row group can pass the filter
                }
                final ColumnReadStoreImpl store = new ColumnReadStoreImpl(CheckedPageStore.of(pages, r, group),
                    UNUSED_CONVERTER, schema, createdBy);
                final ColumnReader tsColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.TS}));
                final ColumnReader offsetColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.OFFSET}));
                final ColumnReader caplenColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.CAPLEN}));
                final ColumnReader chunkColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.CHUNK}));
                final ColumnReader flowColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.FLOW}));
                final ColumnReader dgramColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.DGRAM_TS}));
                final long n = pages.getRowCount();
                for (long i = 0; i < n; i++) {
                    final int chunk = chunkColumn.getInteger();
                    final int flow = flowColumn.getInteger();
                    final long ts = tsColumn.getLong();
                    final boolean hasDgram = dgramColumn.getCurrentDefinitionLevel() == 1;
                    if (test.test(chunk, flow, ts)) {
                        final long offset = offsetColumn.getLong();
                        final int caplen = caplenColumn.getInteger();
                        final long dgramTs = hasDgram ? dgramColumn.getLong() : NO_DGRAM_TS;
                        try {
                            visitor.row(ts, offset, caplen, chunk, flow, dgramTs);
                        } catch (IOException | RuntimeException e) {
                            throw new VisitorFailure(e);
                        }
                    } else {
                        offsetColumn.skip();
                        caplenColumn.skip();
                        if (hasDgram) {
                            dgramColumn.skip();
                        }
                    }
                    chunkColumn.consume();
                    flowColumn.consume();
                    tsColumn.consume();
                    offsetColumn.consume();
                    caplenColumn.consume();
                    dgramColumn.consume();
                }
            }
        } catch (VisitorFailure e) {
            throw e.rethrow();
        } catch (IOException | RuntimeException | NoClassDefFoundError | OutOfMemoryError e) {
            throw part.corrupt(e); // whatever parquet-java throws reading a damaged part: see IndexPart.corrupt
        }
    }

    /** What the caller's visitor threw while a part was being read: passed on as it is, never taken for damage. */
    private static final class VisitorFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        VisitorFailure(final Exception cause) {
            super(cause);
        }

        IOException rethrow() {
            if (getCause() instanceof RuntimeException r) {
                throw r;
            }
            return (IOException) getCause();
        }
    }

    private void scanFlows(final FilterCompat.Filter filter, final FlowVisitor visitor) throws IOException {
        final FlowRowMaterializer m = new FlowRowMaterializer(FLOW_JOIN_COLUMNS);
        for (IndexPart part : flows) {
            read(part, FLOW_JOIN_COLUMNS, filter, m, () -> visitor.flow(m.chunk, m.flow, m.hash, m.firstTs, m.lastTs));
        }
    }

    /** Read options of the index's parts: every filter, and each page's CRC verified as it is read. */
    static org.apache.parquet.ParquetReadOptions options(final FilterCompat.Filter filter) {
        return HadoopFreeReadOptions.checked(filter, ZstdCodecFactory.INSTANCE);
    }

    /** Called for each row that passes the filter; the materializer holds its values. */
    @FunctionalInterface
    private interface RowSink {
        void accept() throws IOException;
    }

    private static void read(final IndexPart part, final MessageType projection, final FilterCompat.Filter filter,
                             final RecordMaterializer<?> materializer, final RowSink sink) throws IOException {
        final IndexPart.Opened table = part.open();
        try (ParquetFileReader r = ParquetFileReader.open(table.file(), table.footer(), options(filter), table.file().newStream())) {
            final MessageType schema = projection != null ? projection : table.footer().getFileMetaData().getSchema();
            if (projection != null) {
                r.setRequestedSchema(projection);
            }
            final MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
            for (int group = 0; group < r.getRowGroups().size(); group++) {
                final PageReadStore pages = r.readFilteredRowGroup(group);
                if (pages == null) {
                    continue; // no row of this row group can pass the filter
                }
                final RecordReader<?> records = io.getRecordReader(CheckedPageStore.of(pages, r, group), materializer, filter);
                final long n = pages.getRowCount();
                for (long i = 0; i < n; i++) {
                    final Object row = records.read();
                    if (row == null || records.shouldSkipCurrentRecord()) {
                        continue;
                    }
                    try {
                        sink.accept();
                    } catch (IOException | RuntimeException e) {
                        throw new VisitorFailure(e);
                    }
                }
            }
        } catch (VisitorFailure e) {
            throw e.rethrow();
        } catch (IOException | RuntimeException | NoClassDefFoundError | OutOfMemoryError e) {
            throw part.corrupt(e); // whatever parquet-java throws reading a damaged part: see IndexPart.corrupt
        }
    }

    @Override
    public void close() {
        // Lookups hold no file open between calls.
    }

    /**
     * Column readers need a converter per column even when values are taken with their getters;
     * this one receives nothing.
     */
    private static final GroupConverter UNUSED_CONVERTER = new GroupConverter() {
        private final PrimitiveConverter none = new PrimitiveConverter() {
        };

        @Override
        public Converter getConverter(final int fieldIndex) {
            return none;
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    };

    /**
     * Fills reused fields from the columns of a projection of flows.parquet
     * ({@link #FLOW_JOIN_COLUMNS}, {@link #FLOW_COMMUNITY_COLUMNS}); {@code communityId} is null
     * when the row has none.
     */
    private static final class FlowRowMaterializer extends RecordMaterializer<FlowRowMaterializer> {
        int chunk;
        int flow;
        long hash;
        long firstTs;
        long lastTs;
        int ipVersion;
        int proto;
        String src;
        int srcPort;
        String dst;
        int dstPort;
        String communityId;
        private final GroupConverter root;

        FlowRowMaterializer(final MessageType projection) {
            final Converter[] fields = new Converter[projection.getFieldCount()];
            for (int i = 0; i < fields.length; i++) {
                fields[i] = converter(projection.getFieldName(i));
            }
            root = new GroupConverter() {
                @Override
                public Converter getConverter(final int fieldIndex) {
                    return fields[fieldIndex];
                }

                @Override
                public void start() {
                    communityId = null;
                }

                @Override
                public void end() {
                }
            };
        }

        private Converter converter(final String column) {
            switch (column) {
                case IndexSchema.CHUNK: return ints(v -> chunk = v);
                case IndexSchema.FLOW: return ints(v -> flow = v);
                case IndexSchema.FLOW_HASH: return longs(v -> hash = v);
                case IndexSchema.FIRST_TS: return longs(v -> firstTs = v);
                case IndexSchema.LAST_TS: return longs(v -> lastTs = v);
                case IndexSchema.IP_VERSION: return ints(v -> ipVersion = v);
                case IndexSchema.PROTO: return ints(v -> proto = v);
                case IndexSchema.SRC: return strings(v -> src = v);
                case IndexSchema.SRC_PORT: return ints(v -> srcPort = v);
                case IndexSchema.DST: return strings(v -> dst = v);
                case IndexSchema.DST_PORT: return ints(v -> dstPort = v);
                case IndexSchema.COMMUNITY_ID: return strings(v -> communityId = v);
                default: throw new IllegalArgumentException("no field for flows column " + column);
            }
        }

        private static Converter ints(final java.util.function.IntConsumer field) {
            return new PrimitiveConverter() {
                @Override
                public void addInt(final int v) {
                    field.accept(v);
                }
            };
        }

        private static Converter longs(final java.util.function.LongConsumer field) {
            return new PrimitiveConverter() {
                @Override
                public void addLong(final long v) {
                    field.accept(v);
                }
            };
        }

        private static Converter strings(final java.util.function.Consumer<String> field) {
            return new PrimitiveConverter() {
                @Override
                public void addBinary(final Binary v) {
                    field.accept(v.toStringUsingUTF8());
                }
            };
        }

        @Override
        public FlowRowMaterializer getCurrentRecord() {
            return this;
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }
}
