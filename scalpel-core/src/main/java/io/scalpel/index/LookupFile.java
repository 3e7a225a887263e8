package io.scalpel.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The index's lookup file ({@code lookup.bin}, index format 9): where a flow-hash lookup finds what
 * it reads in the part files, so that it parses no Parquet footer. Per part and table, per row
 * group: its rows, its {@code chunk} range and time range, the {@code flow_hash} bloom filter's
 * bitset (flows), and per column a lookup reads, each page's body (offset, size, CRC, sizes, rows,
 * nulls, encoding) with, for {@code chunk}, {@code flow} and {@code ts} of the packets table and
 * {@code flow_hash} of the flows table, the page's least and greatest value, and the column chunk's
 * dictionary page. Written at commit from the parts' footers ({@link LookupFileWriter}); the layout
 * is in docs/index-format.md ("The lookup file").
 *
 * <p>Read whole when a lookup first needs it, and checked before anything in it is parsed: its size
 * against the manifest's, its magic number and version, the CRC32C of its body against its header
 * and the manifest. What does not parse, or points past its part's end, is refused as CORRUPT with
 * the file and the byte offset. Long because it is the layout's one description: its constants, its
 * records and the parser that checks every value as it reads it.
 */
final class LookupFile {
    /** The first four bytes, "SCLK". */
    static final int MAGIC = 0x4B4C4353;
    /** The layout of this file; a file of another is refused (the index's format version is the manifest's). */
    static final int VERSION = 1;
    /** Magic (4), version (2), flags (2), body length (4), CRC32C of the body (4). */
    static final int HEADER_BYTES = 16;
    /** The columns of the packets table a lookup reads, in the file's order. */
    static final String[] PACKET_COLUMNS = {IndexSchema.TS, IndexSchema.OFFSET, IndexSchema.CHUNK, IndexSchema.FLOW, IndexSchema.DGRAM_TS};
    static final int P_TS = 0;
    static final int P_OFFSET = 1;
    static final int P_CHUNK = 2;
    static final int P_FLOW = 3;
    static final int P_DGRAM = 4;
    /** The columns of the flows table a lookup reads, in the file's order. */
    static final String[] FLOW_COLUMNS = {IndexSchema.CHUNK, IndexSchema.FLOW, IndexSchema.FLOW_HASH, IndexSchema.FIRST_TS, IndexSchema.LAST_TS};
    static final int F_CHUNK = 0;
    static final int F_FLOW = 1;
    static final int F_HASH = 2;
    static final int F_FIRST = 3;
    static final int F_LAST = 4;
    /** Page encodings, as stored (low bits of the encoding byte); {@link #COMPRESSED} the body's data is zstd. */
    static final int PLAIN = 0;
    static final int DELTA_BINARY_PACKED = 1;
    static final int RLE_DICTIONARY = 2;
    static final int COMPRESSED = 0x80;
    /** Column chunk codecs. */
    static final int UNCOMPRESSED_CHUNK = 0;
    static final int ZSTD_CHUNK = 1;

    /** Whether a column of the table carries each page's least and greatest value. */
    static boolean hasRanges(final boolean packets, final int column) {
        return packets ? column == P_TS || column == P_CHUNK || column == P_FLOW : column == F_HASH;
    }

    private final Path path;
    private final Part[] parts;
    /** The whole file, for {@link #partBytes}. */
    private final byte[] bytes;

    private LookupFile(final Path path, final Part[] parts, final byte[] bytes) {
        this.path = path;
        this.parts = parts;
        this.bytes = bytes;
    }

    Path path() {
        return path;
    }

    /** The whole file's bytes, as read and checked. */
    byte[] bytes() {
        return bytes;
    }

    /** Part {@code i}, in the manifest's order. */
    Part part(final int i) {
        return parts[i];
    }

    int parts() {
        return parts.length;
    }

    /** Parses the columns of every row group, as a lookup would when it reads them: what {@code index --verify} checks. */
    void parseAll() throws IndexException {
        for (Part p : parts) {
            for (Table t : new Table[] {p.packets(), p.flows()}) {
                for (RowGroup g : t.groups()) {
                    g.columns();
                }
            }
        }
    }

    /**
     * The bytes that describe part {@code i}, as they stand in the body: a later lookup file of an
     * extended index, which keeps the part as it is, copies them ({@link LookupFileWriter}).
     */
    byte[] partBytes(final int i) {
        return java.util.Arrays.copyOfRange(bytes, parts[i].from(), parts[i].to());
    }

    /** One part, described by bytes [{@code from}, {@code to}) of the file: its two tables. */
    record Part(Table packets, Table flows, int from, int to) {
    }

    /** One part file: its size, its timestamps' unit, its row groups. */
    record Table(Path file, long size, TimestampUnit unit, RowGroup[] groups) {
    }

    /**
     * One row group: its rows; its least and greatest {@code chunk}; its least and greatest time
     * (packets: {@code ts}; flows: the least {@code first_ts} and the greatest {@code last_ts}), in the
     * part's unit; the flows' {@code flow_hash} bloom filter's bitset (offset 0: none); its columns,
     * parsed when first asked for (a lookup reads the pages of few row groups).
     */
    static final class RowGroup {
        private final long rows;
        private final long chunkMin;
        private final long chunkMax;
        private final long timeMin;
        private final long timeMax;
        private final long bloomOffset;
        private final int bloomBytes;
        /** Where its columns are described, and how to parse them. */
        private final Columns source;
        private volatile Column[] columns;

        RowGroup(final long rows, final long chunkMin, final long chunkMax, final long timeMin, final long timeMax, final long bloomOffset,
                 final int bloomBytes, final Columns source) {
            this.rows = rows;
            this.chunkMin = chunkMin;
            this.chunkMax = chunkMax;
            this.timeMin = timeMin;
            this.timeMax = timeMax;
            this.bloomOffset = bloomOffset;
            this.bloomBytes = bloomBytes;
            this.source = source;
        }

        long rows() {
            return rows;
        }

        long chunkMin() {
            return chunkMin;
        }

        long chunkMax() {
            return chunkMax;
        }

        long timeMin() {
            return timeMin;
        }

        long timeMax() {
            return timeMax;
        }

        long bloomOffset() {
            return bloomOffset;
        }

        int bloomBytes() {
            return bloomBytes;
        }

        /** Its columns, in the table's order ({@link #PACKET_COLUMNS}, {@link #FLOW_COLUMNS}), parsed on first use. */
        Column[] columns() throws IndexException {
            Column[] c = columns;
            if (c == null) {
                c = source.parse(rows);
                columns = c;
            }
            return c;
        }
    }

    /** The bytes that describe one row group's columns: {@code length} bytes at {@code at} of the body. */
    private record Columns(Reader reader, int at, int length, Path part, long partSize, boolean packets, int group) {
        Column[] parse(final long rows) throws IndexException {
            return reader.columns(this, rows);
        }
    }

    /**
     * One column chunk's pages, page {@code p} holding rows [{@code first[p]}, {@code first[p + 1]}),
     * its body at {@code offset[p]} ({@code size[p]} bytes with the CRC32 {@code crc[p]}: the
     * definition levels, {@code levels[p]} bytes, then the values, {@code uncompressed[p]} bytes
     * with the levels once decompressed), {@code nulls[p]} nulls, {@code encoding[p]}; the least and
     * greatest value of each page when the column has them, else null; the dictionary page's body
     * (offset -1: none) and its entries.
     */
    record Column(int codec, long[] offset, int[] size, int[] crc, int[] uncompressed, long[] first, int[] nulls, int[] levels,
                  byte[] encoding, long[] min, long[] max, long dictOffset, int dictSize, int dictCrc, int dictUncompressed,
                  int dictEntries) {
        int pages() {
            return offset.length;
        }

        /** The page that holds {@code row}, searching forward from page {@code from}. */
        int pageOf(final long row, final int from) {
            int p = Math.max(from, 0);
            while (p + 1 < offset.length && first[p + 1] <= row) {
                p++;
            }
            return p;
        }
    }

    /**
     * Reads and checks the lookup file of the index in {@code dir}, which {@code manifest} describes.
     *
     * @throws IndexException CORRUPT when it is missing, of another size or CRC than the manifest
     *                        says, or does not parse (with the byte offset)
     */
    static LookupFile read(final Path dir, final IndexManifest manifest, final String advice) throws IndexException {
        final Path file = dir.resolve(IndexSchema.LOOKUP_FILE);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(dir, ch, manifest, advice);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + " is missing", advice, e);
        } catch (IndexException e) {
            throw e;
        } catch (IOException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable (" + IndexException.oneLine(e) + ")", advice, e);
        }
    }

    /**
     * As {@link #read(Path, IndexManifest, String)}, from {@code ch}, the lookup file opened when its
     * index was: a build that replaces the index meanwhile (an extension writes a new lookup file
     * under the same name) leaves this one as it was.
     */
    static LookupFile read(final Path dir, final FileChannel ch, final IndexManifest manifest, final String advice) throws IndexException {
        final IndexManifest.LookupFile expected = manifest.lookup();
        final Path file = dir.resolve(IndexSchema.LOOKUP_FILE);
        final byte[] bytes;
        try {
            final long size = ch.size();
            if (size != expected.size()) {
                throw new IndexException(IndexException.Kind.CORRUPT, file + " has " + size + " bytes, the index manifest says "
                    + expected.size() + ": the file was replaced or damaged", advice);
            }
            if (size < HEADER_BYTES || size > Integer.MAX_VALUE - 16) {
                throw corrupt(file, 0, "a lookup file of " + size + " bytes", advice);
            }
            final ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    throw corrupt(file, b.position(), "the file ends before its " + size + " bytes", advice);
                }
            }
            bytes = b.array();
        } catch (IndexException e) {
            throw e;
        } catch (IOException e) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": unreadable (" + IndexException.oneLine(e) + ")", advice, e);
        }
        final ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (le.getInt(0) != MAGIC) {
            throw corrupt(file, 0, "not a scalpel lookup file (magic number " + String.format("0x%08x", le.getInt(0)) + ")", advice);
        }
        final int version = le.getShort(4) & 0xFFFF;
        if (version != VERSION) {
            throw corrupt(file, 4, "lookup file version " + version + ", this scalpel reads version " + VERSION, advice);
        }
        final long body = le.getInt(8) & 0xFFFF_FFFFL;
        if (body != bytes.length - HEADER_BYTES) {
            throw corrupt(file, 8, "the header gives a body of " + body + " bytes, the file has " + (bytes.length - HEADER_BYTES), advice);
        }
        final int stored = le.getInt(12);
        final int crc = crc32c(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
        if (crc != stored) {
            throw corrupt(file, 12, "CRC32C mismatch: the body's is " + hex(crc) + ", the header says " + hex(stored), advice);
        }
        if (!hex(crc).equals(expected.crc32c())) {
            throw corrupt(file, 12, "CRC32C " + hex(crc) + ", the index manifest says " + expected.crc32c()
                + ": the file is not this index's", advice);
        }
        return new Reader(file, bytes, advice).parse(dir, manifest);
    }

    static int crc32c(final byte[] bytes, final int from, final int length) {
        final CRC32C c = new CRC32C();
        c.update(bytes, from, length);
        return (int) c.getValue();
    }

    /** A CRC as the manifest writes it: eight lower-case hex digits. */
    static String hex(final int crc) {
        return HexFormat.of().toHexDigits(crc);
    }

    static IndexException corrupt(final Path file, final long at, final String what, final String advice) {
        return new IndexException(IndexException.Kind.CORRUPT, file + ": byte offset " + at + ": " + what, advice);
    }

    /** The body, parsed from the start; every value checked as it is read. */
    private static final class Reader {
        private final Path file;
        private final byte[] in;
        private final String advice;
        private int pos = HEADER_BYTES;

        Reader(final Path file, final byte[] in, final String advice) {
            this.file = file;
            this.in = in;
            this.advice = advice;
        }

        LookupFile parse(final Path dir, final IndexManifest manifest) throws IndexException {
            final List<IndexManifest.Part> listed = manifest.parts();
            final long count = varint();
            if (count != listed.size()) {
                throw corrupt(file, pos, "the file describes " + count + " parts, the index manifest lists " + listed.size(), advice);
            }
            final TimestampUnit unit = TimestampUnit.of(manifest);
            final Part[] parts = new Part[listed.size()];
            for (int i = 0; i < parts.length; i++) {
                final IndexManifest.Part p = listed.get(i);
                final int from = pos;
                final Table packets = table(dir.resolve(IndexSchema.PACKETS_DIR).resolve(p.file()), p.packetsFile().size(), unit, true, p.packets());
                final Table flows = table(dir.resolve(IndexSchema.FLOWS_DIR).resolve(p.file()), p.flowsFile().size(), unit, false, p.flows());
                parts[i] = new Part(packets, flows, from, pos);
            }
            if (pos != in.length) {
                throw corrupt(file, pos, (in.length - pos) + " bytes after the last part", advice);
            }
            return new LookupFile(file, parts, in);
        }

        private Table table(final Path part, final long expectedSize, final TimestampUnit unit, final boolean packets, final long expectedRows)
            throws IndexException {
            final int at = pos;
            final long size = varint();
            if (size != expectedSize) {
                throw corrupt(file, at, "describes " + part + " as " + size + " bytes, the index manifest says " + expectedSize, advice);
            }
            final int unitAt = pos;
            final int u = u8();
            final TimestampUnit stored = u == 0 ? TimestampUnit.MICROS : u == 1 ? TimestampUnit.NANOS : null;
            if (stored == null) {
                throw corrupt(file, unitAt, "timestamp unit " + u, advice);
            }
            if (stored != unit) {
                throw corrupt(file, unitAt, part + " holds " + stored + ", the index's timestamps are " + unit, advice);
            }
            final int groups = count("row groups", 1 << 24);
            final RowGroup[] rg = new RowGroup[groups];
            final int[] lengths = new int[groups];
            long rows = 0;
            for (int g = 0; g < groups; g++) {
                final long n = varint();
                final long chunkMin = ThriftCompact.zigzag(varint());
                final long chunkMax = chunkMin + varint();
                final long timeMin = ThriftCompact.zigzag(varint());
                final long timeMax = timeMin + varint();
                long bloomOffset = 0;
                int bloomBytes = 0;
                if (!packets) {
                    final int bloomAt = pos;
                    bloomOffset = varint();
                    bloomBytes = (int) Math.min(varint(), Integer.MAX_VALUE);
                    if (bloomOffset != 0 && (bloomBytes < 32 || bloomBytes % 32 != 0 || bloomOffset + bloomBytes > size)) {
                        throw corrupt(file, bloomAt, "a bloom filter of " + bloomBytes + " bytes at byte " + bloomOffset + " of " + part + " ("
                            + size + " bytes)", advice);
                    }
                }
                lengths[g] = size();
                rg[g] = new RowGroup(n, chunkMin, chunkMax, timeMin, timeMax, bloomOffset, bloomBytes, null);
                rows += n;
            }
            if (rows != expectedRows) {
                throw corrupt(file, pos, part + ": " + rows + " rows, the index manifest says " + expectedRows, advice);
            }
            for (int g = 0; g < groups; g++) {
                if (lengths[g] > in.length - pos) {
                    throw corrupt(file, pos, "the columns of row group " + g + " of " + part + " run past the end of the file", advice);
                }
                final RowGroup r = rg[g];
                rg[g] = new RowGroup(r.rows(), r.chunkMin(), r.chunkMax(), r.timeMin(), r.timeMax(), r.bloomOffset(), r.bloomBytes(),
                    new Columns(this, pos, lengths[g], part, size, packets, g));
                pos += lengths[g];
            }
            return new Table(part, size, stored, rg);
        }

        /** The columns of one row group of {@code rows} rows, parsed from where {@code source} says they are. */
        synchronized Column[] columns(final Columns source, final long rows) throws IndexException {
            pos = source.at();
            final Column[] columns = new Column[source.packets() ? PACKET_COLUMNS.length : FLOW_COLUMNS.length];
            for (int c = 0; c < columns.length; c++) {
                columns[c] = column(source.part(), source.partSize(), rows, hasRanges(source.packets(), c), source.group(),
                    source.packets() ? PACKET_COLUMNS[c] : FLOW_COLUMNS[c]);
            }
            if (pos != source.at() + source.length()) {
                throw corrupt(file, source.at(), "the columns of row group " + source.group() + " of " + source.part() + " take "
                    + (pos - source.at()) + " bytes, the file gives them " + source.length(), advice);
            }
            return columns;
        }

        private Column column(final Path part, final long partSize, final long rows, final boolean ranges, final int g, final String name)
            throws IndexException {
            final int codecAt = pos;
            final int codec = u8();
            if (codec != UNCOMPRESSED_CHUNK && codec != ZSTD_CHUNK) {
                throw corrupt(file, codecAt, "codec " + codec + " of column " + name, advice);
            }
            long dictOffset = -1;
            int dictSize = 0;
            int dictCrc = 0;
            int dictUncompressed = 0;
            int dictEntries = 0;
            if (u8() != 0) {
                final int at = pos;
                dictOffset = varint();
                dictSize = size();
                dictCrc = u32();
                dictUncompressed = size();
                dictEntries = size();
                within(part, partSize, dictOffset, dictSize, at, name, g);
            }
            final int n = count("pages", (int) Math.min(rows + 1, 1 << 24));
            final long[] offset = new long[n];
            final int[] size = new int[n];
            final int[] crc = new int[n];
            final int[] uncompressed = new int[n];
            final long[] first = new long[n + 1];
            final int[] nulls = new int[n];
            final int[] levels = new int[n];
            final byte[] encoding = new byte[n];
            final long[] min = ranges ? new long[n] : null;
            final long[] max = ranges ? new long[n] : null;
            long end = 0;
            long prevMin = 0;
            for (int p = 0; p < n; p++) {
                final int at = pos;
                offset[p] = end + varint();
                size[p] = size();
                crc[p] = u32();
                uncompressed[p] = size();
                final long pageRows = varint();
                nulls[p] = size();
                levels[p] = size();
                encoding[p] = (byte) u8();
                within(part, partSize, offset[p], size[p], at, name, g);
                final int kind = encoding[p] & ~COMPRESSED & 0xFF;
                if (kind > RLE_DICTIONARY || pageRows == 0 || nulls[p] > pageRows || levels[p] > size[p]
                    || levels[p] > uncompressed[p] || kind == RLE_DICTIONARY && dictOffset < 0) {
                    throw corrupt(file, at, "page " + p + " of column " + name + " in row group " + g + ": encoding " + kind + ", "
                        + pageRows + " rows, " + nulls[p] + " nulls, " + levels[p] + " bytes of levels", advice);
                }
                first[p + 1] = first[p] + pageRows;
                end = offset[p] + size[p];
                if (ranges) {
                    min[p] = prevMin + ThriftCompact.zigzag(varint());
                    max[p] = min[p] + varint();
                    prevMin = min[p];
                }
            }
            if (first[n] != rows) {
                throw corrupt(file, pos, "the pages of column " + name + " in row group " + g + " hold " + first[n] + " rows, the row group "
                    + rows, advice);
            }
            return new Column(codec, offset, size, crc, uncompressed, first, nulls, levels, encoding, min, max,
                dictOffset, dictSize, dictCrc, dictUncompressed, dictEntries);
        }

        private void within(final Path part, final long partSize, final long offset, final int size, final int at, final String name,
                            final int g) throws IndexException {
            if (offset < 4 || offset + size > partSize) {
                throw corrupt(file, at, "a page of column " + name + " in row group " + g + " at byte " + offset + " (" + size
                    + " bytes), past the end of " + part + " (" + partSize + " bytes)", advice);
            }
        }

        private int count(final String what, final int limit) throws IndexException {
            final int at = pos;
            final long n = varint();
            if (n > limit) {
                throw corrupt(file, at, n + " " + what + ", more than " + limit, advice);
            }
            return (int) n;
        }

        private int size() throws IndexException {
            final int at = pos;
            final long n = varint();
            if (n > Integer.MAX_VALUE) {
                throw corrupt(file, at, "a size of " + n, advice);
            }
            return (int) n;
        }

        private int u8() throws IndexException {
            if (pos >= in.length) {
                throw corrupt(file, pos, "the file ends inside its body", advice);
            }
            return in[pos++] & 0xFF;
        }

        private int u32() throws IndexException {
            if (pos + 4 > in.length) {
                throw corrupt(file, pos, "the file ends inside its body", advice);
            }
            final int v = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8 | (in[pos + 2] & 0xFF) << 16 | (in[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        private long varint() throws IndexException {
            final int at = pos;
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= in.length) {
                    throw corrupt(file, at, "the file ends inside its body", advice);
                }
                final int b = in[pos++] & 0xFF;
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw corrupt(file, at, "a number of more than 64 bits", advice);
        }
    }
}
