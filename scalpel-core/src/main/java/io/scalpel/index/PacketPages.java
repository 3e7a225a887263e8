package io.scalpel.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * The pages of a packets row group read without parquet-java's column readers: each page's
 * values decoded in one pass into arrays, {@code chunk}, {@code flow} and {@code ts} first, and
 * {@code offset} and {@code dgram_ts} only for the pages that hold a wanted row. A column reader
 * costs a few calls per value and row (levels, checks, converters); this is what a lookup's
 * handful of pages of 4 096 rows spends most of its time on otherwise.
 *
 * <p>It serves row groups whose five columns' pages hold the same rows, and every row of each page
 * read (a read of whole pages: every row group and page index the writer makes); for any other it
 * gives the pages back ({@link #replay}) for the column readers.
 */
final class PacketPages {
    private final ColumnDescriptor[] columns;
    private final List<List<DataPage>> columnPages = new ArrayList<>();
    private final DictionaryPage[] dictionaries;
    /** Each column's value count as the store gave it. */
    private final long[] totals;
    /** INT32 values decoded as longs ({@link DeltaPacked}) before they are narrowed. */
    private long[] scratch = new long[0];

    /** Columns in this order: ts, offset, chunk, flow, dgram_ts. */
    private PacketPages(final ColumnDescriptor[] columns, final PageReadStore store) {
        this.columns = columns;
        this.dictionaries = new DictionaryPage[columns.length];
        this.totals = new long[columns.length];
        for (int c = 0; c < columns.length; c++) {
            final PageReader reader = store.getPageReader(columns[c]);
            dictionaries[c] = reader.readDictionaryPage();
            totals[c] = reader.getTotalValueCount();
            final List<DataPage> list = new ArrayList<>();
            for (DataPage p = reader.readPage(); p != null; p = reader.readPage()) {
                list.add(p);
            }
            columnPages.add(list);
        }
    }

    /** The pages of {@code store}, every page of each column read (and checked as the store checks). */
    static PacketPages of(final ColumnDescriptor[] columns, final PageReadStore store) {
        return new PacketPages(columns, store);
    }

    /** Whether every column's pages hold the same rows, as v2 pages, and together {@code rows} rows. */
    boolean aligned(final long rows) {
        final List<DataPage> first = columnPages.get(0);
        long total = 0;
        for (int p = 0; p < first.size(); p++) {
            for (List<DataPage> column : columnPages) {
                if (column.size() != first.size() || !(column.get(p) instanceof DataPageV2 v2)
                    || v2.getRowCount() != ((DataPageV2) first.get(p)).getRowCount()
                    || !column.get(p).getFirstRowIndex().equals(first.get(p).getFirstRowIndex())) {
                    return false;
                }
            }
            total += ((DataPageV2) first.get(p)).getRowCount();
        }
        return total == rows;
    }

    /** The pages again, for column readers, with {@code store}'s row count and row indexes. */
    PageReadStore replay(final PageReadStore store) {
        return new ForwardingPageReadStore(store) {
            @Override
            public PageReader getPageReader(final ColumnDescriptor descriptor) {
                for (int c = 0; c < columns.length; c++) {
                    if (columns[c].equals(descriptor)) {
                        return new Replay(dictionaries[c], columnPages.get(c), totals[c]);
                    }
                }
                throw new ParquetDecodingException("no column " + String.join(".", descriptor.getPath()));
            }
        };
    }

    /** Hands every row of the pages that {@code test} wants to {@code visitor}, in order; timestamps in {@code stored}'s unit. */
    void read(final TimestampUnit stored, final PacketRows.RowTest test, final PacketIndex.RowVisitor visitor) throws IOException {
        final Dictionary[] dicts = new Dictionary[columns.length];
        for (int c = 0; c < columns.length; c++) {
            if (dictionaries[c] != null) {
                dicts[c] = dictionaries[c].getEncoding().initDictionary(columns[c], dictionaries[c]);
            }
        }
        long[] ts = new long[0];
        int[] chunk = new int[0];
        int[] flow = new int[0];
        long[] offset = new long[0];
        long[] dgram = new long[0];
        boolean[] wanted = new boolean[0];
        for (int p = 0; p < columnPages.get(0).size(); p++) {
            final int rows = ((DataPageV2) columnPages.get(0).get(p)).getRowCount();
            if (ts.length < rows) {
                ts = new long[rows];
                chunk = new int[rows];
                flow = new int[rows];
                offset = new long[rows];
                dgram = new long[rows];
                wanted = new boolean[rows];
            }
            readInts(page(2, p), dicts[2], 2, chunk, rows);
            readInts(page(3, p), dicts[3], 3, flow, rows);
            boolean any = false;
            for (int i = 0; i < rows; i++) {
                wanted[i] = test.flowWanted(chunk[i], flow[i]);
                any |= wanted[i];
            }
            if (!any) {
                continue; // no row of a wanted flow: its timestamps need no decoding
            }
            readLongs(page(0, p), dicts[0], 0, ts, rows);
            any = false;
            for (int i = 0; i < rows; i++) {
                if (wanted[i]) {
                    ts[i] = stored.toNanos(ts[i]);
                    wanted[i] = test.test(chunk[i], flow[i], ts[i]);
                    any |= wanted[i];
                }
            }
            if (!any) {
                continue;
            }
            readLongs(page(1, p), dicts[1], 1, offset, rows);
            readOptionalLongs(page(4, p), dicts[4], 4, dgram, rows);
            for (int i = 0; i < rows; i++) {
                if (wanted[i]) {
                    final long d = dgram[i] == PacketChunk.NO_DGRAM_TS ? PacketChunk.NO_DGRAM_TS : stored.toNanos(dgram[i]);
                    try {
                        visitor.row(ts[i], offset[i], chunk[i], flow[i], d);
                    } catch (IOException | RuntimeException e) {
                        throw new PartReader.VisitorFailure(e);
                    }
                }
            }
        }
    }

    private DataPageV2 page(final int column, final int p) {
        return (DataPageV2) columnPages.get(column).get(p);
    }

    private ValuesReader values(final DataPageV2 page, final Dictionary dict, final int column, final int count) throws IOException {
        final ValuesReader r = page.getDataEncoding().usesDictionary()
            ? page.getDataEncoding().getDictionaryBasedValuesReader(columns[column], ValuesType.VALUES, dict)
            : page.getDataEncoding().getValuesReader(columns[column], ValuesType.VALUES);
        r.initFromPage(count, ByteBufferInputStream.wrap(page.getData().toByteBuffer()));
        return r;
    }

    private void readLongs(final DataPageV2 page, final Dictionary dict, final int column, final long[] out, final int rows) throws IOException {
        if (page.getDataEncoding() == Encoding.DELTA_BINARY_PACKED) {
            DeltaPacked.decode(DeltaPacked.bytes(page.getData()), rows, out);
            return;
        }
        final ValuesReader r = values(page, dict, column, rows);
        for (int i = 0; i < rows; i++) {
            out[i] = r.readLong();
        }
    }

    private void readInts(final DataPageV2 page, final Dictionary dict, final int column, final int[] out, final int rows) throws IOException {
        if (page.getDataEncoding() == Encoding.DELTA_BINARY_PACKED) {
            if (scratch.length < rows) {
                scratch = new long[rows];
            }
            DeltaPacked.decode(DeltaPacked.bytes(page.getData()), rows, scratch);
            for (int i = 0; i < rows; i++) {
                out[i] = (int) scratch[i];
            }
            return;
        }
        if (page.getDataEncoding().usesDictionary() && dict != null) {
            final byte[] data = DeltaPacked.bytes(page.getData());
            if (data.length == 0) {
                throw new ParquetDecodingException("an empty dictionary-encoded page of " + String.join(".", columns[column].getPath()));
            }
            BitPacked.hybrid(data, 1, data[0] & 0xFF, rows, out); // ids, then their values: few, as the chunk's
            final int size = dict.getMaxId() + 1;
            for (int i = 0; i < rows; i++) {
                if (out[i] < 0 || out[i] >= size) {
                    throw new ParquetDecodingException("dictionary id " + out[i] + " of " + size + " in " + String.join(".", columns[column].getPath()));
                }
                out[i] = dict.decodeToInt(out[i]);
            }
            return;
        }
        final ValuesReader r = values(page, dict, column, rows);
        for (int i = 0; i < rows; i++) {
            out[i] = r.readInteger();
        }
    }

    /** An optional column's values, {@link PacketChunk#NO_DGRAM_TS} for its nulls. */
    private void readOptionalLongs(final DataPageV2 page, final Dictionary dict, final int column, final long[] out, final int rows)
        throws IOException {
        final int present = rows - page.getNullCount();
        if (present == 0) {
            java.util.Arrays.fill(out, 0, rows, PacketChunk.NO_DGRAM_TS);
            return;
        }
        final ValuesReader r = values(page, dict, column, present);
        final RunLengthBitPackingHybridDecoder levels = present == rows ? null
            : new RunLengthBitPackingHybridDecoder(1, page.getDefinitionLevels().toInputStream());
        for (int i = 0; i < rows; i++) {
            out[i] = levels == null || levels.readInt() == 1 ? r.readLong() : PacketChunk.NO_DGRAM_TS;
        }
    }

    /** A column's pages, already read, read again. */
    private static final class Replay implements PageReader {
        private final DictionaryPage dictionary;
        private final List<DataPage> pages;
        private final long total;
        private int next;

        Replay(final DictionaryPage dictionary, final List<DataPage> pages, final long total) {
            this.dictionary = dictionary;
            this.pages = pages;
            this.total = total;
        }

        @Override
        public DictionaryPage readDictionaryPage() {
            return dictionary;
        }

        @Override
        public long getTotalValueCount() {
            return total;
        }

        @Override
        public DataPage readPage() {
            return next < pages.size() ? pages.get(next++) : null;
        }
    }
}
