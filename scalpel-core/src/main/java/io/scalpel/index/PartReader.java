package io.scalpel.index;

import java.io.IOException;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
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
     * {@code projection}'s columns only (every column when null).
     */
    static void read(final IndexPart part, final MessageType projection, final FilterCompat.Filter filter, final RowGroup group)
        throws IOException {
        final IndexPart.Opened table = part.open();
        try (ParquetFileReader r = ParquetFileReader.open(table.file(), table.footer(), IndexPart.readOptions(filter),
            table.file().newStream())) {
            if (projection != null) {
                r.setRequestedSchema(projection);
            }
            for (int g = 0; g < r.getRowGroups().size(); g++) {
                final PageReadStore pages = r.readFilteredRowGroup(g);
                if (pages == null) {
                    continue; // no row of this row group can pass the filter
                }
                group.read(CheckedPageStore.of(pages, r, g), pages.getRowCount());
            }
        } catch (VisitorFailure e) {
            throw e.rethrow();
        } catch (IOException | RuntimeException | NoClassDefFoundError | OutOfMemoryError e) {
            throw part.corrupt(e); // whatever parquet-java throws reading a damaged part: see IndexPart.corrupt
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
