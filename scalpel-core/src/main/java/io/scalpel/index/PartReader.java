package io.scalpel.index;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.bloomfilterlevel.BloomFilterImpl;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.statisticslevel.StatisticsFilter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexFilter;
import org.apache.parquet.internal.filter2.columnindex.ColumnIndexStore;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.apache.parquet.schema.MessageType;

/**
 * Reads one part file of an index table row group by row group, the plumbing under every read
 * of the packets and flows tables: the file opened on its checked footer ({@link IndexPart#open}),
 * the row groups and pages that cannot hold a wanted row skipped by the filter (statistics,
 * dictionaries, bloom filters, page indexes), every page held to the offset index and its CRC
 * ({@link CheckedPageStore}). Whatever parquet-java throws while the part is read becomes the
 * part's CORRUPT refusal ({@link IndexPart#corrupt}); what the caller's visitor throws is passed on
 * as it is ({@link VisitorFailure}), never taken for damage.
 */
final class PartReader {
    private PartReader() {
    }

    /** Reads one row group that the filter leaves. */
    @FunctionalInterface
    interface RowGroup {
        /**
         * @param pages the row group's pages, each checked as it is read
         * @param rows  its row count
         */
        void read(PageReadStore pages, long rows) throws IOException;
    }

    /**
     * Hands each row group of {@code part} that {@code filter} leaves to {@code group}, with
     * {@code projection}'s columns only (every column when null), through a reader of
     * {@code readers} (kept open between lookups, or {@link PartReaders#NONE}). Row groups are
     * skipped by their statistics and bloom filters, pages by the page indexes (column index and
     * offset index), both cached by a kept reader.
     */
    static void read(final PartReaders readers, final IndexPart part, final MessageType projection, final FilterCompat.Filter filter,
                     final RowGroup group) throws IOException {
        read(readers, part, projection, filter, null, group);
    }

    /**
     * As {@link #read(PartReaders, IndexPart, MessageType, FilterCompat.Filter, RowGroup)}; when
     * {@code prune} is given, each row group is also skipped when it rules it out, term by term,
     * through its statistics, dictionaries and bloom filters ({@link FlowRowFilter#canDrop}).
     * Without it no dictionary is read to prune: a lookup's filters name no column whose
     * dictionary would tell more than its statistics.
     */
    static void read(final PartReaders readers, final IndexPart part, final MessageType projection, final FilterCompat.Filter filter,
                     final FlowRowFilter prune, final RowGroup group) throws IOException {
        read(readers, part, projection, filter, prune, (g, pages, n) -> group.read(pages, n));
    }

    /** As {@link #read(PartReaders, IndexPart, MessageType, FilterCompat.Filter, FlowRowFilter, RowGroup)}, each row group numbered. */
    static void read(final PartReaders readers, final IndexPart part, final MessageType projection, final FilterCompat.Filter filter,
                     final FlowRowFilter prune, final NumberedRowGroup group) throws IOException {
        final FilterPredicate predicate = filter instanceof FilterCompat.FilterPredicateCompat p ? p.getFilterPredicate() : null;
        final Set<ColumnPath> paths = new HashSet<>();
        if (predicate != null) {
            for (ColumnDescriptor c : (projection != null ? projection : part.open().footer().getFileMetaData().getSchema()).getColumns()) {
                paths.add(ColumnPath.get(c.getPath()));
            }
        }
        read(readers, part, projection, true, predicate == null ? (lease, g, block) -> null : (lease, g, block) -> {
            final ParquetFileReader r = lease.reader;
            if (StatisticsFilter.canDrop(predicate, block.getColumns())
                || BloomFilterImpl.canDrop(predicate, block.getColumns(), lease.blooms(g))
                || prune != null && prune.canDrop(block.getColumns(), readers.keptDictionaries(part, g, r.getDictionaryReader(g), lease), lease.blooms(g))) {
                return RowRanges.EMPTY;
            }
            lease.touch(g);
            return ColumnIndexFilter.calculateRowRanges(filter, r.getColumnIndexStore(g), paths, block.getRowCount());
        }, group);
    }

    /** Chooses the rows of a row group to read. */
    @FunctionalInterface
    interface RowChoice {
        /**
         * The rows of a row group to read, from its statistics and page indexes.
         *
         * @return every row (null), none ({@link RowRanges#EMPTY}: the row group is skipped), or those given
         */
        RowRanges rows(int g, BlockMetaData block, ColumnIndexStore indexes);
    }

    /**
     * Hands {@code group} the rows of each row group of {@code part} that {@code choice} chooses
     * from the row group's statistics and page indexes (cached by a kept reader), with
     * {@code projection}'s columns only (every column when null): only the pages that hold a
     * chosen row are read and decompressed. {@code counted}: whether the row groups read and
     * skipped count in the part's tallies (not when an earlier read of the part chose the rows).
     */
    static void read(final PartReaders readers, final IndexPart part, final MessageType projection, final RowChoice choice,
                     final boolean counted, final RowGroup group) throws IOException {
        read(readers, part, projection, counted, (lease, g, block) -> {
            lease.touch(g);
            return choice.rows(g, block, lease.reader.getColumnIndexStore(g));
        }, (g, pages, n) -> group.read(pages, n));
    }

    /** Hands {@code group} row group {@code g} of {@code part} alone, every row of it, with {@code projection}'s columns. */
    static void readGroup(final PartReaders readers, final IndexPart part, final MessageType projection, final int g,
                          final RowGroup group) throws IOException {
        read(readers, part, projection, false, (lease, n, block) -> n == g ? null : RowRanges.EMPTY, (n, pages, rows) -> group.read(pages, rows));
    }

    /** Reads one row group that a read leaves, knowing which it is. */
    @FunctionalInterface
    interface NumberedRowGroup {
        /**
         * @param g     the row group's index in the part
         * @param pages its pages, each checked as it is read
         * @param rows  its row count, or the count of the rows chosen of it
         */
        void read(int g, PageReadStore pages, long rows) throws IOException;
    }

    /** How a read chooses each row group's rows, with the reader's lease at hand. */
    @FunctionalInterface
    private interface Chooser {
        RowRanges rows(PartReaders.Lease lease, int g, BlockMetaData block) throws IOException;
    }

    private static void read(final PartReaders readers, final IndexPart part, final MessageType projection, final boolean counted,
                             final Chooser chooser, final NumberedRowGroup group) throws IOException {
        PartReaders.Lease lease = null;
        boolean failed = true;
        try {
            lease = readers.acquire(part, projection);
            readers.checkDictionaries(part, lease);
            final ParquetFileReader r = lease.reader;
            final List<BlockMetaData> blocks = r.getRowGroups();
            for (int g = 0; g < blocks.size(); g++) {
                final BlockMetaData block = blocks.get(g);
                final RowRanges ranges = chooser.rows(lease, g, block);
                if (ranges != null && ranges.rowCount() == 0) {
                    if (counted) {
                        part.rowGroupsSkipped.increment();
                    }
                    continue; // no page of this row group can hold a wanted row
                }
                final PageReadStore pages = ranges == null ? r.readRowGroup(g) : r.readFilteredRowGroup(g, ranges);
                if (counted) {
                    part.rowGroupsRead.increment();
                }
                group.read(g, readers.keptDictionaries(part, g, CheckedPageStore.of(pages, r, g), lease), pages.getRowCount());
            }
            failed = false;
        } catch (VisitorFailure e) {
            failed = false;
            throw e.rethrow();
        } catch (IOException | RuntimeException | NoClassDefFoundError | OutOfMemoryError e) {
            throw part.corrupt(e); // whatever parquet-java throws reading a damaged part: see IndexPart.corrupt
        } finally {
            if (lease != null) {
                try {
                    readers.release(lease, failed);
                } catch (IOException e) {
                    // closing a reader of a file only read: nothing to lose
                }
            }
        }
    }

    /**
     * What the caller's visitor threw while a part was being read: a reader wraps it in this as
     * soon as it is caught, and {@link #read} passes it on as it is, never taken for damage.
     */
    static final class VisitorFailure extends RuntimeException {
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
}
