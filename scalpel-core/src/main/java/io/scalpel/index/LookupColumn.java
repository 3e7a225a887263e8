package io.scalpel.index;

import java.io.IOException;

/**
 * One column chunk of a part, read page by page as the rows asked for come to them, through the
 * {@link LookupFile}'s description of its pages: a page's body read and checked ({@link LookupParts#page}),
 * its values decompressed (zstd) and decoded by the index's own decoders ({@link DeltaPacked},
 * {@link BitPacked#hybrid} for dictionary ids and definition levels, plain little-endian values),
 * all into longs. Rows must be asked for in ascending order; a page is decoded only when one of
 * its values is asked for. What does not decode is refused as CORRUPT with the part file and the
 * page's byte offset.
 */
final class LookupColumn {
    private final LookupParts parts;
    private final LookupFile.Table table;
    private final LookupFile.Column column;
    private final String name;
    private final int group;
    private final boolean isLong;
    private long[] dictionary;
    /** The page positioned on (-1: none), and whether its values are decoded. */
    private int page = -1;
    private boolean decoded;
    private long[] values = new long[0];
    private boolean[] present = new boolean[0];

    /**
     * Column {@code c} of row group {@code group} of {@code table}, named {@code name}, of INT64
     * values when {@code isLong} (else INT32).
     */
    LookupColumn(final LookupParts parts, final LookupFile.Table table, final int group, final int c, final String name,
                 final boolean isLong) throws IndexException {
        this.parts = parts;
        this.table = table;
        this.column = table.groups()[group].columns()[c];
        this.name = name;
        this.group = group;
        this.isLong = isLong;
    }

    /** Positions the column on the page that holds {@code row} (at or after the last one asked for); its index in the page. */
    int at(final long row) {
        if (page < 0 || row >= column.first()[page + 1]) {
            final int p = column.pageOf(row, page);
            if (p != page) {
                page = p;
                decoded = false;
            }
        }
        return (int) (row - column.first()[page]);
    }

    /** The value of row {@code i} of the page positioned on (0 for a null). */
    long value(final int i) throws IndexException {
        if (!decoded) {
            decode();
        }
        return values[i];
    }

    /** The values of the page positioned on, decoded (0 for a null): row {@code i} of the page is element {@code i}. */
    long[] values() throws IndexException {
        if (!decoded) {
            decode();
        }
        return values;
    }

    /** The row after the last one of the page positioned on. */
    long pageEnd() {
        return column.first()[page + 1];
    }

    /** Whether row {@code i} of the page positioned on is null. */
    boolean isNull(final int i) throws IndexException {
        if (!decoded) {
            decode();
        }
        return !present[i];
    }

    /** The values of page {@code p}, decoded: what a search of the page for one value reads. */
    long[] page(final int p) throws IndexException {
        page = p;
        decoded = false;
        decode();
        return values;
    }

    /** Rows of page {@code p}. */
    int rows(final int p) {
        return (int) (column.first()[p + 1] - column.first()[p]);
    }

    private String where(final int p) {
        return LookupParts.where(p, name, group);
    }

    private void decode() throws IndexException {
        final int p = page;
        final int rows = rows(p);
        final int nulls = column.nulls()[p];
        final int count = rows - nulls;
        final byte[] body = parts.page(table, column, p, name, group);
        final int levels = column.levels()[p];
        try {
            final boolean compressed = (column.encoding()[p] & LookupFile.COMPRESSED) != 0;
            final byte[] data = compressed
                ? ZstdCodecFactory.decompress(body, levels, body.length - levels, column.uncompressed()[p] - levels)
                : java.util.Arrays.copyOfRange(body, levels, body.length);
            if (values.length < rows) {
                values = new long[rows];
                present = new boolean[rows];
            }
            final long[] packed = nulls == 0 ? values : new long[count];
            switch (column.encoding()[p] & ~LookupFile.COMPRESSED & 0xFF) {
                case LookupFile.DELTA_BINARY_PACKED -> DeltaPacked.decode(data, count, packed);
                case LookupFile.PLAIN -> plain(data, 0, count, packed, isLong);
                case LookupFile.RLE_DICTIONARY -> dictionaryIds(data, count, packed);
                default -> throw new IOException("encoding " + (column.encoding()[p] & ~LookupFile.COMPRESSED & 0xFF));
            }
            if (nulls == 0) {
                java.util.Arrays.fill(present, 0, rows, true);
            } else {
                final int[] defined = new int[rows];
                BitPacked.hybrid(body, 0, 1, rows, defined);
                int v = 0;
                for (int i = 0; i < rows; i++) {
                    present[i] = defined[i] != 0;
                    if (present[i] && v == count) {
                        throw new IOException("more values defined than the page's " + count);
                    }
                    values[i] = present[i] ? packed[v++] : 0;
                }
            }
        } catch (IndexException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw parts.damaged(table, column.offset()[p], where(p), IndexException.oneLine(e));
        }
        decoded = true;
    }

    private void dictionaryIds(final byte[] data, final int count, final long[] out) throws IOException {
        if (dictionary == null) {
            readDictionary();
        }
        if (count == 0) {
            return;
        }
        if (data.length == 0) {
            throw new IOException("an empty dictionary-encoded page");
        }
        final int[] ids = new int[count];
        BitPacked.hybrid(data, 1, data[0] & 0xFF, count, ids);
        for (int i = 0; i < count; i++) {
            if (ids[i] < 0 || ids[i] >= dictionary.length) {
                throw new IOException("dictionary id " + ids[i] + " of " + dictionary.length);
            }
            out[i] = dictionary[ids[i]];
        }
    }

    private void readDictionary() throws IndexException {
        final byte[] body = parts.page(table, column, -1, name, group);
        try {
            final byte[] data = column.codec() == LookupFile.ZSTD_CHUNK
                ? ZstdCodecFactory.decompress(body, 0, body.length, column.dictUncompressed()) : body;
            final long[] d = new long[column.dictEntries()];
            if ((long) d.length * (isLong ? 8 : 4) > data.length) {
                throw new IOException("a dictionary of " + d.length + " entries in " + data.length + " bytes");
            }
            plain(data, 0, d.length, d, isLong);
            dictionary = d;
        } catch (IOException | RuntimeException e) {
            throw parts.damaged(table, column.dictOffset(), where(-1), IndexException.oneLine(e));
        }
    }

    /** {@code count} PLAIN values (little-endian INT32 or INT64) of {@code in} at {@code pos}. */
    private static void plain(final byte[] in, final int pos, final int count, final long[] out, final boolean isLong) throws IOException {
        final int width = isLong ? 8 : 4;
        if (pos + (long) count * width > in.length) {
            throw new IOException(count + " PLAIN values in " + (in.length - pos) + " bytes");
        }
        for (int i = 0; i < count; i++) {
            final int p = pos + i * width;
            long v = 0;
            for (int b = width - 1; b >= 0; b--) {
                v = v << 8 | (in[p + b] & 0xFF);
            }
            out[i] = isLong ? v : (int) v;
        }
    }
}
