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
    /** Nesting beyond this is not a page header scalpel writes. */
    private static final int MAX_DEPTH = 16;

    private final ThriftCompact in;

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

    private PageHeaders(final ByteBuffer file, final int pos) {
        this.in = new ThriftCompact(file, pos, "the page header", MAX_DEPTH);
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
        return in.position();
    }

    private void header() throws IOException {
        int id = 0;
        while (true) {
            final int b = in.u8();
            if (b == 0) {
                return;
            }
            id = in.fieldId(b, id);
            final int t = b & 0x0F;
            switch (id) {
                case 1 -> type = in.i32(t);
                case 2 -> uncompressedSize = in.i32(t);
                case 3 -> compressedSize = in.i32(t);
                case 4 -> {
                    crc = in.i32(t);
                    hasCrc = true;
                }
                case 7 -> nested(t, false);
                case 8 -> nested(t, true);
                default -> in.skip(t, 0);
            }
        }
    }

    /** DataPageHeaderV2 ({@code v2}) or DictionaryPageHeader. */
    private void nested(final int t, final boolean v2) throws IOException {
        if (t != ThriftCompact.STRUCT) {
            throw new IOException("a page header field of type " + t + " where a struct was expected");
        }
        int id = 0;
        while (true) {
            final int b = in.u8();
            if (b == 0) {
                return;
            }
            id = in.fieldId(b, id);
            final int ft = b & 0x0F;
            if (v2) {
                switch (id) {
                    case 1 -> numValues = in.i32(ft);
                    case 2 -> numNulls = in.i32(ft);
                    case 3 -> numRows = in.i32(ft);
                    case 4 -> encoding = in.i32(ft);
                    case 5 -> definitionLevelsLength = in.i32(ft);
                    case 6 -> repetitionLevelsLength = in.i32(ft);
                    case 7 -> isCompressed = in.bool(ft);
                    default -> in.skip(ft, 1);
                }
            } else {
                switch (id) {
                    case 1 -> numValues = in.i32(ft);
                    case 2 -> encoding = in.i32(ft);
                    default -> in.skip(ft, 1);
                }
            }
        }
    }
}
