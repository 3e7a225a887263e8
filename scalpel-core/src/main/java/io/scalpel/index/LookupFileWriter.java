package io.scalpel.index;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.format.BloomFilterHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;

/**
 * Writes an index's {@link LookupFile} when it is committed, from its finished parts' footers and
 * page indexes (read back through parquet-java, the one time they are parsed) and page headers
 * ({@link PageHeaders}): the lookup then reads none of them; the parts an extension keeps are
 * described by the previous lookup file's bytes for them. Every value is a varint (signed ones zigzagged), page offsets as
 * the gap from the previous page's end (the page header) and page ranges as the step from the
 * previous page's least value and the width of their own, which keeps the file near 16 bytes a
 * page.
 */
final class LookupFileWriter {
    /** Parquet's numbers of the encodings the index's pages have (parquet.thrift's {@code Encoding}). */
    private static final int PARQUET_PLAIN = 0;
    private static final int PARQUET_PLAIN_DICTIONARY = 2;
    private static final int PARQUET_DELTA_BINARY_PACKED = 5;
    private static final int PARQUET_RLE_DICTIONARY = 8;

    private final Out out = new Out();

    private LookupFileWriter() {
    }

    /**
     * Writes the lookup file of the index being committed in {@code staging}, whose parts are
     * {@code parts} (all in it already), and returns what the manifest says of it. The parts that
     * {@code previous} (the index this one extends, checked whole before it was extended; null for
     * none) holds as they are, the same file with the same digest, are described by copying its
     * lookup file's bytes for them: only the new parts' footers are read.
     */
    static IndexManifest.LookupFile write(final IndexDirectory.Staging staging, final List<IndexManifest.Part> parts,
                                          final Path previousDir, final IndexManifest previous) throws IOException {
        final LookupFile kept = previous == null ? null : LookupFile.read(previousDir, previous, "rebuild it with `scalpel index`");
        final byte[] bytes = of(staging.directory(), parts, previous, kept);
        staging.write(IndexSchema.LOOKUP_FILE, bytes);
        return new IndexManifest.LookupFile(bytes.length, LookupFile.hex(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12)),
            Digests.sha256(bytes));
    }

    /** The lookup file's bytes for the parts {@code parts} of the index in {@code dir}. */
    static byte[] of(final Path dir, final List<IndexManifest.Part> parts) throws IOException {
        return of(dir, parts, null, null);
    }

    private static byte[] of(final Path dir, final List<IndexManifest.Part> parts, final IndexManifest previous, final LookupFile kept)
        throws IOException {
        final LookupFileWriter w = new LookupFileWriter();
        w.out.varint(parts.size());
        for (IndexManifest.Part p : parts) {
            final int same = kept == null ? -1 : previous.parts().indexOf(p);
            if (same >= 0) {
                w.out.append(kept.partBytes(same));
                continue;
            }
            w.table(dir.resolve(IndexSchema.PACKETS_DIR).resolve(p.file()), true);
            w.table(dir.resolve(IndexSchema.FLOWS_DIR).resolve(p.file()), false);
        }
        final byte[] body = w.out.bytes();
        final ByteBuffer b = ByteBuffer.allocate(LookupFile.HEADER_BYTES + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LookupFile.MAGIC).putShort((short) LookupFile.VERSION).putShort((short) 0).putInt(body.length)
            .putInt(LookupFile.crc32c(body, 0, body.length)).put(body);
        return b.array();
    }

    private void table(final Path file, final boolean packets) throws IOException {
        final String[] names = packets ? LookupFile.PACKET_COLUMNS : LookupFile.FLOW_COLUMNS;
        try (ParquetFileReader r = ParquetFileReader.open(new IndexInputFile(file), IndexPart.readOptions(FilterCompat.NOOP));
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final MappedByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            out.varint(ch.size());
            final TimestampUnit unit = TimestampUnit.of(r.getFooter().getFileMetaData().getSchema(), packets ? IndexSchema.TS : IndexSchema.FIRST_TS);
            if (unit == null) {
                throw new IOException(file + ": its timestamps are of no unit scalpel writes");
            }
            out.u8(unit == TimestampUnit.MICROS ? 0 : 1);
            final List<BlockMetaData> blocks = r.getFooter().getBlocks();
            out.varint(blocks.size());
            // each row group's summary, then the columns of them all: a lookup parses only the columns of the row groups it reads
            final Out summaries = out;
            final Out columns = new Out();
            for (BlockMetaData block : blocks) {
                summaries.varint(block.getRowCount());
                final long[] chunk = range(column(block, IndexSchema.CHUNK, file));
                summaries.varint(zigzag(chunk[0]));
                summaries.varint(chunk[1] - chunk[0]);
                final long timeMin = range(column(block, packets ? IndexSchema.TS : IndexSchema.FIRST_TS, file))[0];
                final long timeMax = range(column(block, packets ? IndexSchema.TS : IndexSchema.LAST_TS, file))[1];
                summaries.varint(zigzag(timeMin));
                summaries.varint(timeMax - timeMin);
                if (!packets) {
                    bloom(summaries, column(block, IndexSchema.FLOW_HASH, file), bytes, file);
                }
                final int before = columns.size();
                for (int c = 0; c < names.length; c++) {
                    final ColumnChunkMetaData meta = column(block, names[c], file);
                    pages(columns, r, meta, bytes, LookupFile.hasRanges(packets, c) ? r.readColumnIndex(meta) : null, file);
                }
                summaries.varint(columns.size() - before);
            }
            summaries.append(columns);
        }
    }

    private static ColumnChunkMetaData column(final BlockMetaData block, final String name, final Path file) throws IOException {
        final ColumnPath path = ColumnPath.get(name);
        for (ColumnChunkMetaData c : block.getColumns()) {
            if (c.getPath().equals(path)) {
                return c;
            }
        }
        throw new IOException(file + ": a row group without column " + name);
    }

    /** A column chunk's least and greatest value from its statistics (0, 0 when it has none: only rows without a value). */
    private static long[] range(final ColumnChunkMetaData c) {
        final Statistics<?> s = c.getStatistics();
        if (s == null || !s.hasNonNullValue()) {
            return new long[] {0, 0};
        }
        return new long[] {((Number) s.genericGetMin()).longValue(), ((Number) s.genericGetMax()).longValue()};
    }

    private static void bloom(final Out out, final ColumnChunkMetaData c, final ByteBuffer bytes, final Path file) throws IOException {
        final long at = c.getBloomFilterOffset();
        if (at <= 0) {
            out.varint(0);
            out.varint(0);
            return;
        }
        final Stream in = new Stream(bytes, at);
        final BloomFilterHeader h = Util.readBloomFilterHeader(in);
        if (!h.getAlgorithm().isSetBLOCK() || !h.getHash().isSetXXHASH() || !h.getCompression().isSetUNCOMPRESSED()) {
            throw new IOException(file + ": byte offset " + at + ": a bloom filter of a kind scalpel does not write");
        }
        out.varint(in.position());
        out.varint(h.getNumBytes());
    }

    private static void pages(final Out out, final ParquetFileReader r, final ColumnChunkMetaData meta, final ByteBuffer bytes, final ColumnIndex index,
                       final Path file) throws IOException {
        final CompressionCodecName codec = meta.getCodec();
        if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.UNCOMPRESSED) {
            throw new IOException(file + ": column " + meta.getPath().toDotString() + " is compressed with " + codec);
        }
        out.u8(codec == CompressionCodecName.ZSTD ? LookupFile.ZSTD_CHUNK : LookupFile.UNCOMPRESSED_CHUNK);
        if (meta.hasDictionaryPage() && meta.getDictionaryPageOffset() > 0) {
            final PageHeaders h = PageHeaders.read(bytes, meta.getDictionaryPageOffset());
            if (h.type != PageHeaders.DICTIONARY_PAGE || !h.hasCrc || h.encoding != PARQUET_PLAIN && h.encoding != PARQUET_PLAIN_DICTIONARY) {
                throw new IOException(file + ": byte offset " + meta.getDictionaryPageOffset() + ": not a dictionary page scalpel writes");
            }
            out.u8(1);
            out.varint(h.end());
            out.varint(h.compressedSize);
            out.u32(h.crc);
            out.varint(h.uncompressedSize);
            out.varint(h.numValues);
        } else {
            out.u8(0);
        }
        final OffsetIndex offsets = r.readOffsetIndex(meta);
        final int n = offsets.getPageCount();
        out.varint(n);
        long end = 0;
        long prevMin = 0;
        final List<ByteBuffer> mins = index == null ? null : index.getMinValues();
        final List<ByteBuffer> maxes = index == null ? null : index.getMaxValues();
        final boolean isLong = meta.getPrimitiveType().getPrimitiveTypeName() == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;
        for (int p = 0; p < n; p++) {
            final PageHeaders h = PageHeaders.read(bytes, offsets.getOffset(p));
            if (h.type != PageHeaders.DATA_PAGE_V2 || h.numRows < 0 || !h.hasCrc || h.repetitionLevelsLength != 0
                || h.end() - offsets.getOffset(p) + h.compressedSize != offsets.getCompressedPageSize(p)) {
                throw new IOException(file + ": byte offset " + offsets.getOffset(p) + ": page " + p + " of column "
                    + meta.getPath().toDotString() + " is not a page scalpel writes");
            }
            out.varint(h.end() - end);
            out.varint(h.compressedSize);
            out.u32(h.crc);
            out.varint(h.uncompressedSize);
            out.varint(h.numRows);
            out.varint(h.numNulls);
            out.varint(h.definitionLevelsLength);
            out.u8(encoding(h.encoding, file, offsets.getOffset(p)) | (h.isCompressed && codec == CompressionCodecName.ZSTD
                ? LookupFile.COMPRESSED : 0));
            end = h.end() + h.compressedSize;
            if (index != null) {
                final long min = value(mins.get(p), isLong);
                final long max = index.getNullPages().get(p) ? min : value(maxes.get(p), isLong);
                out.varint(zigzag(min - prevMin));
                out.varint(max - min);
                prevMin = min;
            }
        }
    }

    private static int encoding(final int e, final Path file, final long at) throws IOException {
        return switch (e) {
            case PARQUET_PLAIN -> LookupFile.PLAIN;
            case PARQUET_DELTA_BINARY_PACKED -> LookupFile.DELTA_BINARY_PACKED;
            case PARQUET_RLE_DICTIONARY, PARQUET_PLAIN_DICTIONARY -> LookupFile.RLE_DICTIONARY;
            default -> throw new IOException(file + ": byte offset " + at + ": a page of encoding " + e + ", which scalpel does not write");
        };
    }

    private static long value(final ByteBuffer b, final boolean isLong) {
        final ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (le.remaining() == 0) {
            return 0; // a page of nulls only
        }
        return isLong ? le.getLong(le.position()) : le.getInt(le.position());
    }

    private static long zigzag(final long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** A mapped file read from a position, for the Thrift headers; {@link #position} is where the next byte is. */
    private static final class Stream extends InputStream {
        private final ByteBuffer bytes;
        private long pos;

        Stream(final ByteBuffer bytes, final long pos) {
            this.bytes = bytes;
            this.pos = pos;
        }

        long position() {
            return pos;
        }

        @Override
        public int read() {
            return pos < bytes.limit() ? bytes.get((int) pos++) & 0xFF : -1;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) {
            if (pos >= bytes.limit()) {
                return -1;
            }
            final int n = (int) Math.min(len, bytes.limit() - pos);
            bytes.get((int) pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** A growing byte array of varints and little-endian ints. */
    private static final class Out {
        private byte[] buf = new byte[4096];
        private int n;

        void u8(final int v) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = (byte) v;
        }

        void u32(final int v) {
            for (int i = 0; i < 4; i++) {
                u8(v >>> (8 * i));
            }
        }

        void varint(final long v) {
            long x = v;
            while ((x & ~0x7FL) != 0) {
                u8((int) (x & 0x7F) | 0x80);
                x >>>= 7;
            }
            u8((int) x);
        }

        int size() {
            return n;
        }

        void append(final Out other) {
            append(other.buf, other.n);
        }

        void append(final byte[] bytes) {
            append(bytes, bytes.length);
        }

        private void append(final byte[] bytes, final int length) {
            if (n + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + length));
            }
            System.arraycopy(bytes, 0, buf, n, length);
            n += length;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, n);
        }
    }
}
