package io.scalpel.index;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;
import static org.apache.parquet.filter2.predicate.FilterApi.or;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;

/**
 * An opened index: its manifest and lookups in {@code packets.parquet}. Opening checks that the
 * index describes the capture (format version and fingerprint). Lookups push the flow reference
 * and the time window down to Parquet, so row groups and pages are skipped by their statistics,
 * bloom filters and page indexes. Thread-safe: each lookup reads with its own file handle.
 */
public final class PacketIndex implements Closeable {
    /** No datagram time: the row is not an IP fragment. */
    public static final long NO_DGRAM_TS = PacketChunk.NO_DGRAM_TS;

    /** Receives index rows. */
    @FunctionalInterface
    public interface RowVisitor {
        /**
         * @param ts      frame timestamp
         * @param offset  record offset in the capture
         * @param caplen  captured length
         * @param flow    flow reference
         * @param dgramTs for fragments the datagram's time, else {@link #NO_DGRAM_TS}
         */
        void row(long ts, long offset, int caplen, long flow, long dgramTs) throws IOException;
    }

    private static final Operators.LongColumn TS = longColumn(IndexSchema.TS);
    private static final Operators.LongColumn DGRAM_TS = longColumn(IndexSchema.DGRAM_TS);
    private static final Operators.LongColumn FLOW = longColumn(IndexSchema.FLOW);

    private final Path directory;
    private final IndexManifest manifest;
    private final CaptureFingerprint.Match match;
    private final InputFile packets;
    private final ParquetMetadata footer;

    private PacketIndex(final Path directory, final IndexManifest manifest, final CaptureFingerprint.Match match) throws IOException {
        this.directory = directory;
        this.manifest = manifest;
        this.match = match;
        final Path packetsFile = directory.resolve(IndexSchema.PACKETS_FILE);
        if (!Files.isRegularFile(packetsFile)) {
            throw new IndexException(IndexException.Kind.CORRUPT, packetsFile + " is missing; re-run `scalpel index`");
        }
        this.packets = new LocalInputFile(packetsFile);
        try (ParquetFileReader r = ParquetFileReader.open(packets, options(FilterCompat.NOOP))) {
            this.footer = r.getFooter();
        } catch (IOException | RuntimeException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, packetsFile + ": unreadable (" + e.getMessage()
                + "); re-run `scalpel index`", e);
        }
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
        if (!Files.isRegularFile(manifestFile)) {
            throw new IndexException(IndexException.Kind.MISSING, "no index at " + dir + "; run `scalpel index " + capture + "`");
        }
        final IndexManifest manifest = IndexManifest.read(manifestFile);
        final CaptureFingerprint.Match match = manifest.fingerprint().compareTo(capture);
        if (match == CaptureFingerprint.Match.CHANGED) {
            throw new IndexException(IndexException.Kind.STALE, "index " + dir + " is stale: " + capture
                + " changed since it was indexed (indexed " + manifest.fingerprint().length() + " bytes, now "
                + Files.size(capture) + "); re-run `scalpel index " + capture + "` (or slice with --reindex)");
        }
        return new PacketIndex(dir, manifest, match);
    }

    public IndexManifest manifest() {
        return manifest;
    }

    public Path directory() {
        return directory;
    }

    /** How the capture on disk relates to the indexed bytes (SAME, GROWN or TOUCHED). */
    public CaptureFingerprint.Match captureMatch() {
        return match;
    }

    /** Rows of flow {@code flow} whose timestamp or datagram time lies in [{@code from}, {@code to}]. */
    public void lookup(final long flow, final long from, final long to, final RowVisitor visitor) throws IOException {
        final FilterPredicate window = or(and(gtEq(TS, from), ltEq(TS, to)), and(gtEq(DGRAM_TS, from), ltEq(DGRAM_TS, to)));
        read(FilterCompat.get(and(eq(FLOW, flow), window)), visitor);
    }

    /** Rows of flow {@code flow}, any time. */
    public void lookup(final long flow, final RowVisitor visitor) throws IOException {
        read(FilterCompat.get(eq(FLOW, flow)), visitor);
    }

    /** Every row whose timestamp lies in [{@code from}, {@code to}]. */
    public void scan(final long from, final long to, final RowVisitor visitor) throws IOException {
        read(FilterCompat.get(and(gtEq(TS, from), ltEq(TS, to))), visitor);
    }

    /** Every row, in capture order. */
    public void scanAll(final RowVisitor visitor) throws IOException {
        read(FilterCompat.NOOP, visitor);
    }

    private static ParquetReadOptions options(final FilterCompat.Filter filter) {
        return HadoopFreeReadOptions.filtered(filter, ZstdCodecFactory.INSTANCE);
    }

    private void read(final FilterCompat.Filter filter, final RowVisitor visitor) throws IOException {
        final RowMaterializer materializer = new RowMaterializer();
        try (ParquetFileReader r = ParquetFileReader.open(packets, footer, options(filter), packets.newStream())) {
            final MessageColumnIO io = new ColumnIOFactory().getColumnIO(footer.getFileMetaData().getSchema());
            PageReadStore pages;
            while ((pages = r.readNextFilteredRowGroup()) != null) {
                final RecordReader<Row> records = io.getRecordReader(pages, materializer, filter);
                final long n = pages.getRowCount();
                for (long i = 0; i < n; i++) {
                    final Row row = records.read();
                    if (row == null || records.shouldSkipCurrentRecord()) {
                        continue;
                    }
                    visitor.row(row.ts, row.offset, row.caplen, row.flow, row.dgramTs);
                }
            }
        }
    }

    @Override
    public void close() {
        // Lookups hold no file open between calls.
    }

    /** A reused row. */
    private static final class Row {
        long ts;
        long offset;
        int caplen;
        long flow;
        long dgramTs;
    }

    private static final class RowMaterializer extends RecordMaterializer<Row> {
        private final Row row = new Row();
        private final GroupConverter root = new GroupConverter() {
            private final Converter[] fields = {
                new PrimitiveConverter() {
                    @Override
                    public void addLong(final long v) {
                        row.ts = v;
                    }
                },
                new PrimitiveConverter() {
                    @Override
                    public void addLong(final long v) {
                        row.offset = v;
                    }
                },
                new PrimitiveConverter() {
                    @Override
                    public void addInt(final int v) {
                        row.caplen = v;
                    }
                },
                new PrimitiveConverter() {
                    @Override
                    public void addLong(final long v) {
                        row.flow = v;
                    }
                },
                new PrimitiveConverter() {
                    @Override
                    public void addLong(final long v) {
                        row.dgramTs = v;
                    }
                },
            };

            @Override
            public Converter getConverter(final int fieldIndex) {
                return fields[fieldIndex];
            }

            @Override
            public void start() {
                row.dgramTs = NO_DGRAM_TS;
            }

            @Override
            public void end() {
            }
        };

        @Override
        public Row getCurrentRecord() {
            return row;
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }
}
