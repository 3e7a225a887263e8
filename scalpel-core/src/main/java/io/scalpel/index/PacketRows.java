package io.scalpel.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReadStore;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.schema.MessageType;

/**
 * Reads the packets table page by page ({@link PacketPages}; column by column through
 * {@link ColumnReaders} when its pages do not line up): the filter or the wanted rows only prune
 * row groups and pages (statistics, dictionaries, page indexes); each remaining row is decided by a
 * {@link RowTest} on its chunk, flow and timestamp, and only the pages with a wanted row have their
 * other columns decoded.
 */
final class PacketRows {
    /** The columns in the order {@link PacketPages} takes them. */
    private static final String[] PAGE_COLUMNS = {IndexSchema.TS, IndexSchema.OFFSET, IndexSchema.CHUNK, IndexSchema.FLOW, IndexSchema.DGRAM_TS};

    private PacketRows() {
    }

    /** Decides from a row's chunk, flow and timestamp whether it is wanted. */
    @FunctionalInterface
    interface RowTest {
        RowTest ALL = (chunk, flow, ts) -> true;

        boolean test(int chunk, int flow, long ts);

        /**
         * Whether some row of ({@code chunk}, {@code flow}) may be wanted, whatever its time: a page
         * none of whose rows passes this has its timestamps and other columns not decoded.
         */
        default boolean flowWanted(final int chunk, final int flow) {
            return true;
        }
    }

    /** The wanted rows of every part, in order. */
    static void scan(final PartReaders readers, final List<IndexPart> parts, final TimestampUnit unit, final FilterCompat.Filter filter,
                     final RowTest test, final PacketIndex.RowVisitor visitor) throws IOException {
        for (IndexPart part : parts) {
            scan(readers, part, unit, filter, test, visitor);
        }
    }

    /**
     * The rows of every part that {@code wanted} wants, in order: only the pages it chooses
     * ({@link WantedRows#rows}) are read, and of their rows only the wanted ones have their offset
     * and datagram time decoded.
     */
    static void scan(final PartReaders readers, final List<IndexPart> parts, final TimestampUnit unit, final WantedRows wanted,
                     final PacketIndex.RowVisitor visitor) throws IOException {
        for (IndexPart part : parts) {
            final TimestampUnit stored = part.timestampUnit(IndexSchema.TS, unit);
            scan(part, unit, group -> PartReader.read(readers, part, null, (g, block, indexes) -> wanted.rows(block, indexes, stored), true, group),
                wanted, visitor);
        }
    }

    /** Every row of one part file of the packets table, in order, checked as {@code expected} says. */
    static void scanPart(final Path file, final IndexManifest.PartFile expected, final String advice,
                         final PacketIndex.RowVisitor visitor) throws IOException {
        scan(PartReaders.NONE, new IndexPart(file, expected, advice), null, FilterCompat.NOOP, RowTest.ALL, visitor);
    }

    /** {@code unit}: the timestamps' unit the part must have, or null for whichever it has. */
    private static void scan(final PartReaders readers, final IndexPart part, final TimestampUnit unit, final FilterCompat.Filter filter, final RowTest test,
                             final PacketIndex.RowVisitor visitor) throws IOException {
        scan(part, unit, group -> PartReader.read(readers, part, null, filter, group), test, visitor);
    }

    /** How a scan reads the row groups of a part. */
    @FunctionalInterface
    private interface Reading {
        void read(PartReader.RowGroup group) throws IOException;
    }

    private static void scan(final IndexPart part, final TimestampUnit unit, final Reading reading, final RowTest test,
                             final PacketIndex.RowVisitor visitor) throws IOException {
        final IndexPart.Opened packets = part.open();
        final MessageType schema = packets.footer().getFileMetaData().getSchema();
        final String createdBy = packets.footer().getFileMetaData().getCreatedBy();
        final TimestampUnit stored = part.timestampUnit(IndexSchema.TS, unit);
        final ColumnDescriptor[] columns = new ColumnDescriptor[PAGE_COLUMNS.length];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = schema.getColumnDescription(new String[] {PAGE_COLUMNS[c]});
        }
        reading.read((read, n) -> {
            final PacketPages direct = PacketPages.of(columns, read);
            if (direct.aligned(n)) {
                direct.read(stored, test, visitor);
                return;
            }
            final PageReadStore pages = direct.replay(read);
            final ColumnReadStore store = ColumnReaders.of(pages, schema, createdBy);
            final ColumnReader tsColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.TS}));
            final ColumnReader offsetColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.OFFSET}));
            final ColumnReader chunkColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.CHUNK}));
            final ColumnReader flowColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.FLOW}));
            final ColumnReader dgramColumn = store.getColumnReader(schema.getColumnDescription(new String[] {IndexSchema.DGRAM_TS}));
            for (long i = 0; i < n; i++) {
                final int chunk = chunkColumn.getInteger();
                final int flow = flowColumn.getInteger();
                final long ts = stored.toNanos(tsColumn.getLong());
                final boolean hasDgram = dgramColumn.getCurrentDefinitionLevel() == 1;
                if (test.test(chunk, flow, ts)) {
                    final long offset = offsetColumn.getLong();
                    final long dgramTs = hasDgram ? stored.toNanos(dgramColumn.getLong()) : PacketChunk.NO_DGRAM_TS;
                    try {
                        visitor.row(ts, offset, chunk, flow, dgramTs);
                    } catch (IOException | RuntimeException e) {
                        throw new PartReader.VisitorFailure(e);
                    }
                } else {
                    offsetColumn.skip();
                    if (hasDgram) {
                        dgramColumn.skip();
                    }
                }
                chunkColumn.consume();
                flowColumn.consume();
                tsColumn.consume();
                offsetColumn.consume();
                dgramColumn.consume();
            }
        });
    }
}
