package io.scalpel.index;

import java.util.Arrays;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * The pages of one row group of an index part, each checked before it is decoded. A page's CRC
 * (verified by parquet-java as the page is read) covers its body, not its header; a header
 * whose numbers changed would make the column readers take values from the wrong rows without
 * any error. So every page's header is held to what the checked footer and offset index say:
 * a version-2 data page with a CRC, as many values as rows, as many rows as the offset index
 * gives the page, no repetition levels, no nulls or definition levels in a required column, an
 * encoding the column chunk lists, a size that adds up; a dictionary no larger than the row
 * group. A page that fails is refused with a {@link ParquetDecodingException}, which
 * {@link IndexPart#corrupt} turns into the index's refusal.
 */
final class CheckedPageStore extends ForwardingPageReadStore {
    private final ParquetFileReader reader;
    private final BlockMetaData block;
    private final int blockIndex;

    private CheckedPageStore(final PageReadStore pages, final ParquetFileReader reader, final BlockMetaData block, final int blockIndex) {
        super(pages);
        this.reader = reader;
        this.block = block;
        this.blockIndex = blockIndex;
    }

    /**
     * Row group {@code blockIndex} of {@code reader} (an index into {@link ParquetFileReader#getRowGroups()}),
     * as {@code pages} that {@code reader} just read of it, checked page by page.
     */
    static CheckedPageStore of(final PageReadStore pages, final ParquetFileReader reader, final int blockIndex) {
        return new CheckedPageStore(pages, reader, reader.getRowGroups().get(blockIndex), blockIndex);
    }

    @Override
    public PageReader getPageReader(final ColumnDescriptor descriptor) {
        ColumnChunkMetaData chunk = null;
        for (ColumnChunkMetaData c : block.getColumns()) {
            if (Arrays.equals(c.getPath().toArray(), descriptor.getPath())) {
                chunk = c;
            }
        }
        if (chunk == null) {
            throw new ParquetDecodingException("row group " + blockIndex + " has no column " + String.join(".", descriptor.getPath()));
        }
        final OffsetIndex offsets = reader.getColumnIndexStore(blockIndex).getOffsetIndex(chunk.getPath());
        return new Checked(pages.getPageReader(descriptor), descriptor, chunk, offsets, block.getRowCount(), blockIndex);
    }

    /** The pages of one column chunk. */
    private static final class Checked implements PageReader {
        private final PageReader pages;
        private final ColumnDescriptor column;
        private final Set<Encoding> dataEncodings;
        private final OffsetIndex offsets;
        private final long rowGroupRows;
        private final String where;
        /** Pages read so far, for reads without row indexes (every page, in order). */
        private int read;

        Checked(final PageReader pages, final ColumnDescriptor column, final ColumnChunkMetaData chunk, final OffsetIndex offsets,
                final long rowGroupRows, final int blockIndex) {
            this.pages = pages;
            this.column = column;
            this.dataEncodings = chunk.getEncodingStats() != null ? chunk.getEncodingStats().getDataEncodings() : chunk.getEncodings();
            this.offsets = offsets;
            this.rowGroupRows = rowGroupRows;
            this.where = "column " + chunk.getPath().toDotString() + " in row group " + blockIndex;
        }

        @Override
        public DictionaryPage readDictionaryPage() {
            final DictionaryPage d = pages.readDictionaryPage();
            if (d != null && (d.getCrc().isEmpty() || d.getDictionarySize() < 0 || d.getDictionarySize() > rowGroupRows)) {
                throw new ParquetDecodingException("dictionary page of " + where + ": " + (d.getCrc().isEmpty() ? "no CRC"
                    : d.getDictionarySize() + " entries for " + rowGroupRows + " rows"));
            }
            return d;
        }

        @Override
        public long getTotalValueCount() {
            return pages.getTotalValueCount();
        }

        @Override
        public DataPage readPage() {
            final DataPage p = pages.readPage();
            if (p == null) {
                return null;
            }
            final int page = p.getFirstRowIndex().isPresent() ? pageOf(p.getFirstRowIndex().get()) : read;
            read++;
            final String problem = problem(p, page);
            if (problem != null) {
                throw new ParquetDecodingException("page " + page + " of " + where + ": " + problem);
            }
            return p;
        }

        private int pageOf(final long firstRow) {
            for (int i = 0; i < offsets.getPageCount(); i++) {
                if (offsets.getFirstRowIndex(i) == firstRow) {
                    return i;
                }
            }
            throw new ParquetDecodingException("no page of " + where + " starts at row " + firstRow);
        }

        private String problem(final DataPage p, final int page) {
            if (!(p instanceof DataPageV2 v2)) {
                return "not a version 2 data page";
            }
            if (v2.getCrc().isEmpty()) {
                return "no CRC";
            }
            if (page >= offsets.getPageCount()) {
                return "beyond the " + offsets.getPageCount() + " pages of the offset index";
            }
            final long rows = offsets.getLastRowIndex(page, rowGroupRows) - offsets.getFirstRowIndex(page) + 1;
            if (v2.getRowCount() != rows || v2.getValueCount() != rows) {
                return v2.getRowCount() + " rows and " + v2.getValueCount() + " values, the offset index says " + rows + " rows";
            }
            if (v2.getRepetitionLevels().size() != 0 || v2.getNullCount() < 0 || v2.getNullCount() > rows) {
                return "repetition levels or " + v2.getNullCount() + " nulls";
            }
            if (column.getMaxDefinitionLevel() == 0 && (v2.getNullCount() != 0 || v2.getDefinitionLevels().size() != 0)) {
                return "nulls in a required column";
            }
            if (!dataEncodings.contains(v2.getDataEncoding())) {
                return "encoding " + v2.getDataEncoding() + ", the column chunk has " + dataEncodings;
            }
            if (v2.getUncompressedSize() != v2.getRepetitionLevels().size() + v2.getDefinitionLevels().size() + v2.getData().size()) {
                return "its sizes do not add up";
            }
            return null;
        }
    }
}
