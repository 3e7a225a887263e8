package io.scalpel.index;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;

/**
 * One Parquet file of an index table ({@code packets/part-00000.parquet}), held to what the
 * manifest says of it ({@link IndexManifest.PartFile}):
 * <ul>
 *   <li>its size, checked when the index is opened ({@link #checkSize}: a stat);</li>
 *   <li>the digest of its footer region (page indexes, bloom filters, footer), checked when the
 *       file is first read, before any of it is parsed ({@link #footer});</li>
 *   <li>its pages' CRCs and their headers, checked as pages are read ({@link CheckedPageStore});</li>
 *   <li>the digest of all its bytes, checked only on request ({@link #verifyAll}).</li>
 * </ul>
 * Whatever goes wrong reading it becomes one {@link IndexException} of kind CORRUPT that names the
 * file and, when it can be found, the byte offset of the damage ({@link #corrupt}).
 */
final class IndexPart {
    /** Parquet's magic number at the start of a file: where the first column chunk starts. */
    private static final int MAGIC_LENGTH = 4;

    private final Path path;
    private final IndexManifest.PartFile expected;
    private final String advice;
    private volatile Opened opened;
    /** Row groups of this file that reads have read, and skipped by their statistics or bloom filters. */
    final java.util.concurrent.atomic.LongAdder rowGroupsRead = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder rowGroupsSkipped = new java.util.concurrent.atomic.LongAdder();

    /** The verified footer, and the file to read pages from. */
    record Opened(IndexInputFile file, ParquetMetadata footer) {
    }

    IndexPart(final Path path, final IndexManifest.PartFile expected, final String advice) {
        this.path = path;
        this.expected = expected;
        this.advice = advice;
    }

    Path path() {
        return path;
    }

    /**
     * The unit of the timestamps of {@code column} in this file, which must be {@code expected}
     * (either unit when null): a part of another unit than its index's is refused as damaged.
     */
    TimestampUnit timestampUnit(final String column, final TimestampUnit expected) throws IndexException {
        final TimestampUnit unit = TimestampUnit.of(open().footer().getFileMetaData().getSchema(), column);
        if (unit == null || expected != null && unit != expected) {
            throw new IndexException(IndexException.Kind.CORRUPT, path + ": column " + column + " holds "
                + (unit == null ? "no timestamps of a unit scalpel writes" : unit) + (expected == null ? "" : ", the index's timestamps are " + expected),
                advice);
        }
        return unit;
    }

    /** Read options of the index's parts: every filter, and each page's CRC verified as it is read. */
    static ParquetReadOptions readOptions(final FilterCompat.Filter filter) {
        return HadoopFreeReadOptions.checked(filter, ZstdCodecFactory.INSTANCE);
    }

    /** The cheap check when an index is opened: the file is there, with the size the manifest gives. */
    void checkSize() throws IndexException {
        final long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, path + " is missing", advice, e);
        }
        if (!Files.isRegularFile(path)) {
            throw new IndexException(IndexException.Kind.CORRUPT, path + " is not a regular file", advice);
        }
        if (size != expected.size()) {
            throw new IndexException(IndexException.Kind.CORRUPT, path + " has " + size + " bytes, the index manifest says "
                + expected.size() + ": the part was replaced or damaged", advice);
        }
        if (expected.footerOffset() < MAGIC_LENGTH || expected.footerOffset() > expected.size()) {
            throw new IndexException(IndexException.Kind.CORRUPT, path + ": the index manifest gives its footer region at byte "
                + expected.footerOffset() + " of " + expected.size(), advice);
        }
    }

    /**
     * The file with its footer, read on first use after its footer region was checked against the
     * manifest's digest: nothing of a damaged footer, page index or bloom filter is ever parsed.
     */
    Opened open() throws IndexException {
        Opened o = opened;
        if (o == null) {
            synchronized (this) {
                o = opened;
                if (o == null) {
                    o = read();
                    opened = o;
                }
            }
        }
        return o;
    }

    /** Whether the footer was read and checked ({@link #open} returns at once). */
    boolean isOpen() {
        return opened != null;
    }

    private Opened read() throws IndexException {
        checkSize();
        final String footerDigest;
        try {
            footerDigest = Digests.sha256Range(path, expected.footerOffset(), expected.size());
        } catch (IOException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, path + ": unreadable (" + IndexException.oneLine(e) + ")", advice, e);
        }
        if (!footerDigest.equals(expected.footerSha256())) {
            throw footerMismatch();
        }
        try {
            final IndexInputFile file = new IndexInputFile(path);
            try (ParquetFileReader r = ParquetFileReader.open(file, readOptions(FilterCompat.NOOP))) {
                return new Opened(file, r.getFooter());
            }
        } catch (IOException | RuntimeException | NoClassDefFoundError e) {
            throw corrupt(e);
        }
    }

    private IndexException footerMismatch() {
        return new IndexException(IndexException.Kind.CORRUPT, path + ": byte offset " + expected.footerOffset()
            + ": the footer region (page indexes, bloom filters and footer, " + (expected.size() - expected.footerOffset())
            + " bytes) does not match the digest in the index manifest", advice);
    }

    /**
     * Reads every byte and compares the file's digest with the manifest's (and, when they differ,
     * finds where).
     */
    void verifyAll() throws IndexException {
        checkSize();
        final String[] digests;
        try {
            digests = Digests.sha256(path, expected.size(), expected.footerOffset());
        } catch (IOException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, path + ": unreadable (" + IndexException.oneLine(e) + ")", advice, e);
        }
        if (!digests[1].equals(expected.footerSha256())) {
            throw footerMismatch();
        }
        if (!digests[0].equals(expected.sha256())) {
            String where;
            try {
                where = locate();
            } catch (IOException | RuntimeException | NoClassDefFoundError e) {
                where = null;
            }
            throw new IndexException(IndexException.Kind.CORRUPT, path + ": " + (where != null ? where
                : "the file does not match its digest in the index manifest, though its footer and every page's CRC do"
                    + " (a byte outside the page bodies changed: a page header or the file's magic number)"), advice);
        }
    }

    /**
     * The refusal for whatever failed while this file was read: names the byte offset of the first
     * damaged page when a walk over the pages finds one.
     */
    IndexException corrupt(final Throwable failure) {
        if (failure instanceof IndexException e && e.kind() == IndexException.Kind.CORRUPT) {
            return e;
        }
        // NoClassDefFoundError: parquet-java words some of its errors with Hadoop's Path, which is not
        // shipped. OutOfMemoryError: for the last column chunk of a row group, parquet-java allocates
        // whatever a page header declares beyond the chunk before reading it (its workaround for files
        // of old writers); no CRC covers that header, so a damaged one can ask for gigabytes, and that
        // one allocation fails whole.
        final Throwable cause = failure instanceof OutOfMemoryError
            ? new IOException("a page header declares more bytes than its column chunk holds") : failure;
        String where = null;
        try {
            checkSize();
            if (!Digests.sha256Range(path, expected.footerOffset(), expected.size()).equals(expected.footerSha256())) {
                return footerMismatch();
            }
            where = locate();
        } catch (IndexException e) {
            return e;
        } catch (IOException | RuntimeException | NoClassDefFoundError e) {
            // the walk found nothing better to say than the failure itself
        }
        return new IndexException(IndexException.Kind.CORRUPT, path + ": " + (where != null ? where
            : "unreadable index part (" + IndexException.oneLine(cause) + ")"), advice, cause);
    }

    /**
     * Walks every page of every column chunk (the footer, already checked, says where they are) and
     * describes the first that is damaged: a header that cannot be parsed or that disagrees with the
     * offset index, a body whose CRC differs. Null when every page is whole.
     */
    private String locate() throws IOException {
        final IndexInputFile file = new IndexInputFile(path);
        try (ParquetFileReader r = ParquetFileReader.open(file, readOptions(FilterCompat.NOOP));
             FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            final java.util.List<BlockMetaData> blocks = r.getFooter().getBlocks();
            for (int b = 0; b < blocks.size(); b++) {
                for (ColumnChunkMetaData c : blocks.get(b).getColumns()) {
                    final String bad = walk(ch, r, blocks.get(b), b, c);
                    if (bad != null) {
                        return bad;
                    }
                }
            }
        }
        return null;
    }

    private static String walk(final FileChannel ch, final ParquetFileReader r, final BlockMetaData block, final int b,
                               final ColumnChunkMetaData c) throws IOException {
        final long start = c.getStartingPos();
        final byte[] bytes = new byte[Math.toIntExact(c.getTotalSize())];
        final ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining() && ch.read(buf, start + buf.position()) > 0) {
            // the whole chunk
        }
        final OffsetIndex offsets = r.readOffsetIndex(c);
        final String column = c.getPath().toDotString();
        final ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        int dataPage = 0;
        while (in.available() > 0) {
            final long at = start + bytes.length - in.available();
            final String where = "byte offset " + at + ": page of column " + column + " in row group " + b;
            final PageHeader h;
            try {
                h = Util.readPageHeader(in);
            } catch (IOException | RuntimeException e) {
                return where + ": unreadable page header";
            }
            final int size = h.getCompressed_page_size();
            if (size < 0 || size > in.available()) {
                return where + ": the page header gives " + size + " bytes, the column chunk has " + in.available() + " left";
            }
            if (!h.isSetCrc()) {
                return where + ": the page header has no CRC";
            }
            final CRC32 crc = new CRC32();
            crc.update(bytes, bytes.length - in.available(), size);
            if ((int) crc.getValue() != h.getCrc()) {
                return where + ": page CRC mismatch";
            }
            in.skip(size);
            if (h.getType() == PageType.DATA_PAGE_V2) {
                if (offsets != null && dataPage < offsets.getPageCount()) {
                    final long rows = offsets.getLastRowIndex(dataPage, block.getRowCount()) - offsets.getFirstRowIndex(dataPage) + 1;
                    if (offsets.getOffset(dataPage) != at || h.getData_page_header_v2().getNum_rows() != rows) {
                        return where + ": the page header does not agree with the offset index (" + rows + " rows at byte "
                            + offsets.getOffset(dataPage) + ")";
                    }
                }
                dataPage++;
            } else if (h.getType() != PageType.DICTIONARY_PAGE) {
                return where + ": page of type " + h.getType() + ", which scalpel does not write";
            }
        }
        return null;
    }
}
