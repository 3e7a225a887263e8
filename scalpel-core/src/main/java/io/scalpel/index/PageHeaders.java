package io.scalpel.index;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The fields of a Parquet page header that the lookup file copies, read from the header's Thrift
 * compact encoding without parquet-java's Thrift classes: a page header per page of the index is
 * tens of thousands at commit, and parquet-java's reader makes a protocol, a transport and a
 * header object (with its statistics) for each. Fields it does not need are skipped by their
 * type, whatever they hold.
 */
final class PageHeaders {
    /** Parquet's page types. */
    static final int DATA_PAGE_V2 = 3;
    static final int DICTIONARY_PAGE = 2;
    /** Thrift compact protocol's field types. */
    private static final int TRUE = 1;
    private static final int FALSE = 2;
    private static final int BYTE = 3;
    private static final int I16 = 4;
    private static final int I32 = 5;
    private static final int I64 = 6;
    private static final int DOUBLE = 7;
    private static final int BINARY = 8;
    private static final int LIST = 9;
    private static final int SET = 10;
    private static final int MAP = 11;
    private static final int STRUCT = 12;
    /** Nesting beyond this is not a page header scalpel writes. */
    private static final int MAX_DEPTH = 16;

    private final ByteBuffer in;
    private int pos;

    // PageHeader
    int type = -1;
    int uncompressedSize = -1;
    int compressedSize = -1;
    int crc;
    boolean hasCrc;
    // DataPageHeaderV2 (field 8) or DictionaryPageHeader (field 7)
    int numValues = -1;
    int numNulls = -1;
    int numRows = -1;
    int encoding = -1;
    int definitionLevelsLength = -1;
    int repetitionLevelsLength = -1;
    boolean isCompressed = true;

    private PageHeaders(final ByteBuffer in, final int pos) {
        this.in = in;
        this.pos = pos;
    }

    /** The header at {@code at} of {@code file}'s bytes; {@link #end} is where its page's body starts. */
    static PageHeaders read(final ByteBuffer file, final long at) throws IOException {
        if (at < 0 || at >= file.limit()) {
            throw new IOException("a page header at byte " + at + " of " + file.limit());
        }
        final PageHeaders h = new PageHeaders(file, (int) at);
        h.header();
        return h;
    }

    /** Where the body of the page starts: the byte after the header. */
    long end() {
        return pos;
    }

    private void header() throws IOException {
        int id = 0;
        while (true) {
            final int b = u8();
            if (b == 0) {
                return;
            }
            id = fieldId(b, id);
            final int t = b & 0x0F;
            switch (id) {
                case 1 -> type = i32(t);
                case 2 -> uncompressedSize = i32(t);
                case 3 -> compressedSize = i32(t);
                case 4 -> {
                    crc = i32(t);
                    hasCrc = true;
                }
                case 7 -> nested(t, false);
                case 8 -> nested(t, true);
                default -> skip(t, 0);
            }
        }
    }

    /** DataPageHeaderV2 ({@code v2}) or DictionaryPageHeader. */
    private void nested(final int t, final boolean v2) throws IOException {
        if (t != STRUCT) {
            throw new IOException("a page header field of type " + t + " where a struct was expected");
        }
        int id = 0;
        while (true) {
            final int b = u8();
            if (b == 0) {
                return;
            }
            id = fieldId(b, id);
            final int ft = b & 0x0F;
            if (v2) {
                switch (id) {
                    case 1 -> numValues = i32(ft);
                    case 2 -> numNulls = i32(ft);
                    case 3 -> numRows = i32(ft);
                    case 4 -> encoding = i32(ft);
                    case 5 -> definitionLevelsLength = i32(ft);
                    case 6 -> repetitionLevelsLength = i32(ft);
                    case 7 -> isCompressed = bool(ft);
                    default -> skip(ft, 1);
                }
            } else {
                switch (id) {
                    case 1 -> numValues = i32(ft);
                    case 2 -> encoding = i32(ft);
                    default -> skip(ft, 1);
                }
            }
        }
    }

    private int fieldId(final int b, final int last) throws IOException {
        final int delta = b >>> 4;
        return delta != 0 ? last + delta : (int) zigzag(varint());
    }

    private boolean bool(final int t) throws IOException {
        if (t != TRUE && t != FALSE) {
            throw new IOException("a page header field of type " + t + " where a boolean was expected");
        }
        return t == TRUE;
    }

    private int i32(final int t) throws IOException {
        if (t != I32) {
            throw new IOException("a page header field of type " + t + " where an i32 was expected");
        }
        return (int) zigzag(varint());
    }

    private void skip(final int t, final int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("a page header nested more than " + MAX_DEPTH + " deep");
        }
        switch (t) {
            case TRUE, FALSE -> { }
            case BYTE -> pos++;
            case I16, I32, I64 -> varint();
            case DOUBLE -> pos += 8;
            case BINARY -> pos += (int) Math.min(varint(), in.limit());
            case LIST, SET -> {
                final int h = u8();
                final long n = (h >>> 4) == 15 ? varint() : h >>> 4;
                for (long i = 0; i < n; i++) {
                    skipElement(h & 0x0F, depth + 1);
                }
            }
            case MAP -> {
                final long n = varint();
                if (n > 0) {
                    final int kv = u8();
                    for (long i = 0; i < n; i++) {
                        skipElement(kv >>> 4, depth + 1);
                        skipElement(kv & 0x0F, depth + 1);
                    }
                }
            }
            case STRUCT -> {
                int id = 0;
                while (true) {
                    final int b = u8();
                    if (b == 0) {
                        break;
                    }
                    id = fieldId(b, id);
                    skip(b & 0x0F, depth + 1);
                }
            }
            default -> throw new IOException("a page header field of type " + t);
        }
        if (pos > in.limit()) {
            throw new IOException("a page header runs past the end of the file");
        }
    }

    /** A list's or map's element: a boolean is a byte there, not a type. */
    private void skipElement(final int t, final int depth) throws IOException {
        if (t == TRUE || t == FALSE) {
            pos++;
        } else {
            skip(t, depth);
        }
    }

    private int u8() throws IOException {
        if (pos >= in.limit()) {
            throw new IOException("a page header runs past the end of the file");
        }
        return in.get(pos++) & 0xFF;
    }

    private long varint() throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            final int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("a page header number of more than 64 bits");
    }

    private static long zigzag(final long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
