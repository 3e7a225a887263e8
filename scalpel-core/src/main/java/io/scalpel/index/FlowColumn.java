package io.scalpel.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * One column chunk of a flows row group, its pages pulled and decoded as the rows asked for come
 * to them, without parquet-java's column readers: a dictionary-encoded page is decoded to its
 * dictionary ids (the RLE/bit-packed runs unpacked eight at a time) and its dictionary kept as the
 * page's bytes ({@link #dictionaryEntry}), so a query's term is tested once per dictionary entry and
 * then by id, and an address is made a {@link Binary} only for a row handed on; any other page is
 * decoded by parquet-java's values reader of its encoding. Rows must be asked for in ascending
 * order; a page never asked for is never decompressed.
 */
final class FlowColumn {
    private final PageReader pages;
    private final ColumnDescriptor column;
    private final PrimitiveTypeName type;
    private final boolean optional;
    private boolean dictionaryRead;
    /** The dictionary page's bytes (plain-encoded entries), or null; for BINARY the entries' offsets. */
    private byte[] dictionary;
    private int[] entryOffsets;
    private int dictionarySize;
    /** The page decoded last: rows [{@link #first}, {@link #first} + {@link #rows}). */
    private long first;
    private int rows;
    /** Rows of the pages pulled so far, for pages that carry no first row index. */
    private long pulled;
    private boolean dictionaryEncoded;
    /** The page pulled last while its values are not decoded yet, else null. */
    private DataPageV2 pending;
    /** Per row of the page: its dictionary id (-1: null), or for other pages its value's presence and value. */
    private int[] ids = new int[0];
    private boolean[] present = new boolean[0];
    private int[] ints = new int[0];
    private long[] longs = new long[0];
    private Binary[] binaries = new Binary[0];

    FlowColumn(final PageReader pages, final ColumnDescriptor column) {
        this.pages = pages;
        this.column = column;
        this.type = column.getPrimitiveType().getPrimitiveTypeName();
        this.optional = column.getMaxDefinitionLevel() > 0;
        this.first = Long.MIN_VALUE / 2;
    }

    /**
     * Positions the column on the page that holds {@code row} (at or after the last one asked for);
     * its index in the page. A page that cannot be decoded is a {@link ParquetDecodingException}.
     */
    int at(final long row) {
        while (row >= first + rows) {
            next();
        }
        if (row < first) {
            throw new ParquetDecodingException("column " + String.join(".", column.getPath()) + ": no page holds row " + row);
        }
        return (int) (row - first);
    }

    /** As {@link #at}, the page's values decoded at once (a page that cannot be decoded fails here). */
    int atDecoded(final long row) {
        final int i = at(row);
        decoded();
        return i;
    }

    /** Whether the page decoded last is dictionary-encoded ({@link #id} then, else {@link #isNull} and the values). */
    boolean dictionaryEncoded() {
        decoded();
        return dictionaryEncoded;
    }

    /** The dictionary id of row {@code i} of the page, -1 when null. */
    int id(final int i) {
        decoded();
        return ids[i];
    }

    boolean isNull(final int i) {
        decoded();
        return dictionaryEncoded ? ids[i] < 0 : !present[i];
    }

    int intAt(final int i) {
        decoded();
        return dictionaryEncoded ? dictionaryInt(ids[i]) : ints[i];
    }

    long longAt(final int i) {
        decoded();
        return dictionaryEncoded ? dictionaryLong(ids[i]) : longs[i];
    }

    Binary binaryAt(final int i) {
        decoded();
        if (!dictionaryEncoded) {
            return binaries[i];
        }
        final int id = ids[i];
        final int off = entryOffsets[id];
        return Binary.fromConstantByteArray(dictionary, off + 4, entryLength(off));
    }

    /** The number of entries of the column chunk's dictionary (0 without one). */
    int dictionarySize() {
        readDictionary();
        return dictionarySize;
    }

    int dictionaryInt(final int id) {
        return (dictionary[id * 4] & 0xFF) | (dictionary[id * 4 + 1] & 0xFF) << 8 | (dictionary[id * 4 + 2] & 0xFF) << 16
            | (dictionary[id * 4 + 3] & 0xFF) << 24;
    }

    long dictionaryLong(final int id) {
        return ByteBuffer.wrap(dictionary, id * 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Whether BINARY dictionary entry {@code id} holds exactly {@code value}'s bytes. */
    boolean dictionaryEntryEquals(final int id, final byte[] value) {
        final int off = entryOffsets[id];
        return entryLength(off) == value.length
            && java.util.Arrays.equals(dictionary, off + 4, off + 4 + value.length, value, 0, value.length);
    }

    private int entryLength(final int off) {
        return (dictionary[off] & 0xFF) | (dictionary[off + 1] & 0xFF) << 8 | (dictionary[off + 2] & 0xFF) << 16
            | (dictionary[off + 3] & 0xFF) << 24;
    }

    private void readDictionary() {
        if (dictionaryRead) {
            return;
        }
        dictionaryRead = true;
        final DictionaryPage d = pages.readDictionaryPage();
        if (d == null) {
            return;
        }
        try {
            dictionary = DeltaPacked.bytes(d.getBytes()); // only read
        } catch (IOException e) {
            throw new ParquetDecodingException(where() + ": " + e.getMessage(), e);
        }
        dictionarySize = d.getDictionarySize();
        final int width = type == PrimitiveTypeName.INT32 ? 4 : type == PrimitiveTypeName.INT64 ? 8 : -1;
        if (width > 0) {
            if ((long) dictionarySize * width > dictionary.length) {
                throw new ParquetDecodingException(where() + ": dictionary of " + dictionarySize + " entries in " + dictionary.length + " bytes");
            }
            return;
        }
        entryOffsets = new int[dictionarySize];
        int off = 0;
        for (int i = 0; i < dictionarySize; i++) {
            if (off + 4 > dictionary.length || off + 4 + (long) entryLength(off) > dictionary.length || entryLength(off) < 0) {
                throw new ParquetDecodingException(where() + ": dictionary entry " + i + " runs past the page");
            }
            entryOffsets[i] = off;
            off += 4 + entryLength(off);
        }
    }

    private String where() {
        return "column " + String.join(".", column.getPath());
    }

    /** Pulls the next page; its values are decoded when first asked for ({@link #decoded}). */
    private void next() {
        readDictionary();
        final DataPage p = pages.readPage();
        if (p == null) {
            throw new ParquetDecodingException(where() + ": no page after row " + (first + rows - 1));
        }
        final DataPageV2 page = (DataPageV2) p; // every page was checked to be one (CheckedPageStore)
        first = page.getFirstRowIndex().orElse(pulled);
        rows = page.getRowCount();
        pulled = first + rows;
        pending = page;
    }

    /** Decodes the page pulled last, if it is not yet. */
    private void decoded() {
        if (pending == null) {
            return;
        }
        final DataPageV2 page = pending;
        pending = null;
        try {
            decode(page);
        } catch (IOException e) {
            throw new ParquetDecodingException(where() + ": " + e.getMessage(), e);
        }
    }

    private void decode(final DataPageV2 page) throws IOException {
        if (ids.length < rows) {
            ids = new int[rows];
            present = new boolean[rows];
            ints = new int[rows];
            longs = new long[rows];
            binaries = new Binary[rows];
        }
        final int values = rows - page.getNullCount();
        if (optional && page.getNullCount() > 0) {
            final int[] levels = new int[rows];
            BitPacked.hybrid(DeltaPacked.bytes(page.getDefinitionLevels()), 0, 1, rows, levels);
            for (int i = 0; i < rows; i++) {
                present[i] = levels[i] != 0;
            }
        } else {
            java.util.Arrays.fill(present, 0, rows, true);
        }
        dictionaryEncoded = page.getDataEncoding().usesDictionary();
        if (dictionaryEncoded) {
            if (dictionary == null) {
                throw new ParquetDecodingException(where() + ": a dictionary-encoded page without a dictionary");
            }
            final byte[] data = DeltaPacked.bytes(page.getData());
            if (data.length == 0) {
                throw new ParquetDecodingException(where() + ": an empty dictionary-encoded page");
            }
            final int[] packed = values == rows ? ids : new int[values];
            BitPacked.hybrid(data, 1, data[0] & 0xFF, values, packed);
            int v = 0;
            for (int i = 0; i < rows; i++) {
                final int id = present[i] ? packed[v++] : -1;
                if (id >= dictionarySize) {
                    throw new ParquetDecodingException(where() + ": dictionary id " + id + " of " + dictionarySize);
                }
                ids[i] = id;
            }
            return;
        }
        if (page.getDataEncoding() == Encoding.DELTA_BINARY_PACKED && type != PrimitiveTypeName.BINARY) {
            final long[] decoded = values == rows && type == PrimitiveTypeName.INT64 ? longs : new long[values];
            DeltaPacked.decode(DeltaPacked.bytes(page.getData()), values, decoded);
            int v = 0;
            for (int i = 0; i < rows; i++) {
                if (present[i]) {
                    if (type == PrimitiveTypeName.INT64) {
                        longs[i] = decoded[v++];
                    } else {
                        ints[i] = (int) decoded[v++];
                    }
                }
            }
            return;
        }
        final ValuesReader r = page.getDataEncoding().getValuesReader(column, ValuesType.VALUES);
        r.initFromPage(values, ByteBufferInputStream.wrap(page.getData().toByteBuffer()));
        for (int i = 0; i < rows; i++) {
            if (!present[i]) {
                continue;
            }
            switch (type) {
                case INT32 -> ints[i] = r.readInteger();
                case INT64 -> longs[i] = r.readLong();
                case BINARY -> binaries[i] = r.readBytes();
                default -> throw new ParquetDecodingException(where() + ": type " + type);
            }
        }
    }
}
