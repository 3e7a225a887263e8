package io.scalpel.zeek;

import io.scalpel.capture.ZstdFrames;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a Zeek conn.log one row at a time, in constant memory: Zeek's TSV format (with its
 * {@code #} headers, columns in any order, several header blocks in one file), TSV whose columns
 * a plain header line names instead ({@code zeek-cut -m}, {@code zq -f tsv}), a CSV export with a
 * header line, or JSON lines (flat or nested keys), either of them optionally gzip'd or
 * zstd-compressed; a Parquet file ({@link ParquetConnLog}, by path only); or a directory of
 * rotated logs, Zeek's archive layout included ({@link RotatedLogs}). The format and the
 * compression are recognised from the content, not from the file name. A header line's columns
 * may be named as Zeek names them or by {@link ConnField#byColumnName}'s other names
 * ({@code id_orig_h}, {@code orig_h}).
 *
 * <p>{@code ts} may be epoch seconds, milliseconds, micro- or nanoseconds, or ISO 8601 with or
 * without a fraction ({@link LoggedTime}); a ts coarser than Zeek's microseconds (whole seconds,
 * milliseconds) is flagged in {@link ConnRecord#tsUncertaintyNanos()} and told once to
 * {@link ConnLogListener#notice}. A log with Zeek 8's {@code id.ctx.vlan} columns was keyed by
 * VLAN: its rows say so in {@link ConnRecord#vlanKeyed()}, and so does {@link #vlanKeyed()}.
 *
 * <p>A row that cannot be parsed (wrong column count, bad address, port or number, invalid JSON or
 * CSV quoting, a required field missing, a line longer than {@value #MAX_LINE_LENGTH} bytes) is
 * reported to the {@link ConnLogListener} and skipped. What makes the rest of the log unreadable
 * throws {@link ConnLogFormatException}: content that is none of the formats, data before any
 * header, a header without conn.log's columns, corrupt gzip or zstd data, an unreadable Parquet
 * file or one without conn.log's columns.
 *
 * <p>Required per row: {@code uid}, {@code id.orig_h}, {@code id.orig_p}, {@code id.resp_h},
 * {@code id.resp_p}, {@code proto}; or {@code uid} and {@code community_id}, which stands in for
 * the 5-tuple (a zeek-cut subset; {@link ConnRecord#hasFiveTuple()} is then false). A missing or
 * masked {@code ts} gives {@link ConnRecord#NO_TIMESTAMP}.
 */
public final class ConnLogReader implements Closeable {
    /** Longest line read; longer ones are reported and skipped without being held in memory. */
    public static final int MAX_LINE_LENGTH = 1 << 20;

    /** Rows that fail it are skipped before their values are parsed; null: every row. */
    private java.util.function.Predicate<ConnRow> rowFilter;

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int GZIP_MAGIC_1 = 0x1F;
    private static final int GZIP_MAGIC_2 = 0x8B;
    private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
    private static final int MAX_SOURCE_CHARS = 1024;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private enum Format { ZEEK_TSV, JSON_LINES, CSV }

    /** Lines starting with these are Zeek's TSV headers; other lines starting with {@code #} before the data are comments. */
    private static final String[] ZEEK_HEADERS = {"#separator", "#set_separator", "#empty_field", "#unset_field", "#path",
        "#open", "#fields", "#types", "#close"};

    /** Turns a parsed row into what the reader returns. */
    @FunctionalInterface
    interface RowConverter<T> {
        T convert(ConnRow row, long line) throws MalformedLineException;
    }

    /** Where the rows come from when not from text: a Parquet file, or a directory of logs. */
    interface RowSource extends Closeable {
        /** The next row that passes {@code rowFilter} (null: every row) as {@code converter} makes it, or null at the end. */
        <T> T next(RowConverter<T> converter, java.util.function.Predicate<ConnRow> rowFilter) throws IOException;

        long malformedLines();

        /** Whether the rows read so far are from a log keyed by VLAN ({@link ConnLogReader#vlanKeyed()}). */
        boolean vlanKeyed();
    }

    private final String source;
    private final ZeekLogKind kind;
    private final InputStream in;
    private final boolean gzip;
    private final ConnLogListener listener;
    private final BoundedLineReader lines;
    private final ConnRow row = new ConnRow();
    private Format format;
    private ZeekTsvParser tsv;
    private JsonLinesParser json;
    private CsvLogParser csv;
    /** A row or header so far named a column of Zeek's VLAN-aware connection key. */
    private boolean vlanKeyed;
    /** The first coarse ts was told to the listener (a directory's files tell it themselves). */
    private boolean coarseTimeNoticed;
    /** The line reader holds a line that next() has not handled yet. */
    private boolean pending;
    private boolean ended;
    private long malformedLines;
    /** Set when the rows come from somewhere else than {@link #lines}. */
    private RowSource rows;
    private boolean zstd;

    private ConnLogReader(final String source, final ZeekLogKind kind, final InputStream in, final boolean gzip,
                          final ConnLogListener listener) {
        this.source = source;
        this.kind = kind;
        this.in = in;
        this.gzip = gzip;
        this.listener = listener;
        this.lines = new BoundedLineReader(in, MAX_LINE_LENGTH);
    }

    /** A reader whose rows come from {@code rows}. */
    private ConnLogReader(final String source, final ZeekLogKind kind, final ConnLogListener listener, final RowSource rows) {
        this(source, kind, InputStream.nullInputStream(), false, listener);
        this.rows = rows;
    }

    /**
     * Opens a conn.log file (plain or gzip'd, TSV or JSON lines).
     *
     * @throws ConnLogFormatException when the content is neither Zeek TSV nor JSON lines, or the
     *                                gzip data is unreadable
     */
    public static ConnLogReader open(final Path path, final ConnLogListener listener) throws IOException {
        return open(path, listener, ZeekLogKind.CONN);
    }

    static ConnLogReader open(final Path path, final ConnLogListener listener, final ZeekLogKind kind) throws IOException {
        Objects.requireNonNull(listener, "listener");
        final String source = SafeText.escape(path.toString(), MAX_SOURCE_CHARS);
        if (Files.isDirectory(path)) {
            return new ConnLogReader(source, kind, listener, RotatedLogs.open(path, source, kind, listener));
        }
        byte[] magic = new byte[0];
        if (Files.isRegularFile(path)) { // a pipe (--conn <(zcat ...)) must not lose its first bytes to a peek
            try (InputStream peek = Files.newInputStream(path)) {
                magic = peek.readNBytes(PARQUET_MAGIC.length);
            }
        }
        if (java.util.Arrays.equals(magic, PARQUET_MAGIC)) {
            return new ConnLogReader(source, kind, listener, ParquetConnLog.open(path, source, kind, listener));
        }
        // A pipe (a FIFO, /dev/fd/N): the channel stream of Files.newInputStream fails on it with "Illegal seek".
        final InputStream in = Files.exists(path) && !Files.isRegularFile(path)
            ? new java.io.FileInputStream(path.toFile()) : Files.newInputStream(path);
        try {
            return open(in, path.toString(), listener, kind);
        } catch (IOException | RuntimeException e) {
            try {
                in.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Reads a conn.log from a stream, e.g. standard input (display name {@code <stdin>}). The
     * reader owns the stream once it is returned and closes it in {@link #close()}.
     *
     * @param displayName names the log in messages (control characters are escaped)
     * @throws ConnLogFormatException when the content is neither Zeek TSV nor JSON lines, or the
     *                                gzip data is unreadable
     */
    public static ConnLogReader open(final InputStream in, final String displayName, final ConnLogListener listener)
        throws IOException {
        return open(in, displayName, listener, ZeekLogKind.CONN);
    }

    static ConnLogReader open(final InputStream in, final String displayName, final ConnLogListener listener,
                              final ZeekLogKind kind) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(listener, "listener");
        final String source = SafeText.escape(Objects.requireNonNull(displayName, "displayName"), MAX_SOURCE_CHARS);
        final BufferedInputStream buffered = new BufferedInputStream(in, BUFFER_SIZE);
        buffered.mark(2);
        final int b0 = buffered.read();
        final int b1 = b0 < 0 ? -1 : buffered.read();
        buffered.reset();
        InputStream text = buffered;
        final boolean gzip = b0 == GZIP_MAGIC_1 && b1 == GZIP_MAGIC_2;
        if (gzip) {
            try {
                text = new GZIPInputStream(buffered, BUFFER_SIZE);
            } catch (ZipException | EOFException e) {
                throw new ConnLogFormatException(source, 0, "unreadable gzip data: " + e.getMessage(), e);
            }
        }
        buffered.mark(PARQUET_MAGIC.length);
        final byte[] magic = buffered.readNBytes(PARQUET_MAGIC.length);
        buffered.reset();
        final boolean zstd = !gzip && magic.length == 4 && ZstdFrames.isZstd(
            java.nio.ByteBuffer.wrap(magic).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        if (zstd) {
            refuseLargeWindow(buffered, source);
            text = new com.github.luben.zstd.ZstdInputStream(buffered);
        } else if (!gzip && java.util.Arrays.equals(magic, PARQUET_MAGIC)) {
            throw new ConnLogFormatException(source, 0, "a Parquet file: give its path (Parquet is read from the footer"
                + " at its end), not a stream such as stdin");
        }
        final BufferedInputStream start = text == buffered ? buffered : new BufferedInputStream(text, BUFFER_SIZE);
        refuseByFirstBytes(start, source, kind, gzip, zstd);
        final ConnLogReader reader = new ConnLogReader(source, kind, start, gzip, listener);
        reader.zstd = zstd;
        reader.detectFormat();
        return reader;
    }

    /**
     * Refuses content that cannot start a Zeek log by its first byte that is not white space,
     * looked at within the first {@value #BUFFER_SIZE} bytes, without consuming anything: a
     * stream (stdin, a pipe, {@code /dev/zero}) is never read on in search of the end of a line
     * that is not a log's. Reads only what is there: a pipe that has sent its first line is not
     * waited on for more.
     */
    private static void refuseByFirstBytes(final BufferedInputStream in, final String source, final ZeekLogKind kind,
                                           final boolean gzip, final boolean zstd) throws IOException {
        final byte[] head = new byte[BUFFER_SIZE];
        int n = 0;
        int first = -1;
        int firstLineEnd = -1;
        in.mark(BUFFER_SIZE);
        try {
            // Up to the first byte that is not white space, and for a header line (zeek-cut, CSV) the end of that line.
            while (n < head.length && (first < 0 || (!startsZeekOrJson(head[first]) && firstLineEnd < 0))) {
                final int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    break;
                }
                for (int i = n; i < n + r; i++) {
                    if (first < 0) {
                        if (!isWhitespace(head[i]) && !(i < UTF8_BOM.length && head[i] == UTF8_BOM[i])) {
                            first = i;
                        }
                    } else if (head[i] == '\n' && firstLineEnd < 0) {
                        firstLineEnd = i;
                    }
                }
                n += r;
            }
            in.reset();
        } catch (ZipException | EOFException | com.github.luben.zstd.ZstdIOException e) {
            throw unreadable(e, source, 1, gzip, zstd);
        }
        if (first < 0 || startsZeekOrJson(head[first])) {
            return;
        }
        // A header line naming its columns, separated by tabs or commas, within the bytes at hand.
        final int end = firstLineEnd >= 0 ? firstLineEnd : n;
        if (startsColumnName(head[first]) && (firstLineEnd >= 0 || n < head.length)) {
            for (int i = first; i < end; i++) {
                if (head[i] == '\t' || head[i] == ',') {
                    return;
                }
            }
        }
        long line = 1;
        for (int i = 0; i < first; i++) {
            line += head[i] == '\n' ? 1 : 0;
        }
        throw new ConnLogFormatException(source, line, notALog(kind, head, first, n));
    }

    private static boolean startsZeekOrJson(final byte b) {
        return b == '#' || b == '{';
    }

    /** Whether a header line (zeek-cut, CSV) can start with {@code b}: a column name, maybe quoted. */
    private static boolean startsColumnName(final byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '"' || b == '.';
    }

    /** Refuses a zstd stream whose first frame needs a window beyond what is decoded (by its header, before decoding). */
    private static void refuseLargeWindow(final BufferedInputStream in, final String source) throws IOException {
        final int headerBytes = 18; // magic, descriptor, window, dictionary id, content size: at most 18 bytes
        in.mark(headerBytes);
        final byte[] header = in.readNBytes(headerBytes);
        in.reset();
        final long window = ZstdFrames.windowSize(header, header.length);
        if (window > ZstdFrames.MAX_WINDOW) {
            throw new ConnLogFormatException(source, 1, "unreadable zstd data: " + ZstdFrames.windowTooLarge(window, false));
        }
    }

    /** What a failure of the decompressing stream means: unreadable gzip or zstd data at {@code line}. */
    private static IOException unreadable(final IOException e, final String source, final long line, final boolean gzip,
                                          final boolean zstd) {
        if (gzip && (e instanceof ZipException || e instanceof EOFException)) {
            return new ConnLogFormatException(source, line, "unreadable gzip data: " + e.getMessage(), e);
        }
        if (zstd && e instanceof com.github.luben.zstd.ZstdIOException z) {
            final boolean window = z.getErrorCode() == com.github.luben.zstd.Zstd.errFrameParameterWindowTooLarge();
            return new ConnLogFormatException(source, line, "unreadable zstd data: "
                + (window ? ZstdFrames.windowTooLarge(-1, false) : e.getMessage()), e);
        }
        return e;
    }

    /**
     * The next row, or null at the end of the log. Lines that cannot be parsed are reported to the
     * listener and skipped.
     *
     * @throws ConnLogFormatException when the rest of the log cannot be read (see class comment)
     */
    public ConnRecord next() throws IOException {
        return next(ConnRow::toRecord);
    }

    /** The next row as {@code converter} makes it, or null at the end of the log. */
    <T> T next(final RowConverter<T> converter) throws IOException {
        final T next = rows != null ? rows.next(converter, rowFilter) : nextLine(converter);
        if (next instanceof ConnRecord r && r.tsUncertaintyNanos() > 0 && !coarseTimeNoticed && !(rows instanceof RotatedLogs)) {
            coarseTimeNoticed = true;
            listener.notice(source, r.line(), "ts is coarser than the microseconds Zeek logs (" + coarseness(r.tsUncertaintyNanos())
                + "): the first packet lies within " + coarseness(r.tsUncertaintyNanos()) + " after it, so the windows of such rows"
                + " close that much later than ts + duration");
        }
        return next;
    }

    private <T> T nextLine(final RowConverter<T> converter) throws IOException {
        while (true) {
            if (!pending && !readLine()) {
                return null;
            }
            pending = false;
            final long line = lines.lineNumber();
            if (lines.tooLong()) {
                reportTooLong();
                continue;
            }
            final byte[] b = lines.bytes();
            final int len = lines.length();
            if (isBlank(b, len)) {
                continue;
            }
            row.clear();
            try {
                if (format == Format.ZEEK_TSV) {
                    if (b[0] == '#') {
                        tsv.header(b, len, line);
                        vlanKeyed |= tsv.vlanKeyed();
                        continue;
                    }
                    if (tsv.needsHeader()) {
                        if (!tsv.headerLine(b, len, line)) {
                            throw tsv.zeekHeaders() ? new ConnLogFormatException(source, line, "data before a #fields header,"
                                + " and not a line naming the columns either (zeek-cut keeps its header with -m or -c)")
                                : new ConnLogFormatException(source, line, notALog(kind, b, firstNonBlank(b, len), len));
                        }
                        vlanKeyed |= tsv.vlanKeyed();
                        continue;
                    }
                    tsv.row(b, len, line, row);
                } else if (format == Format.CSV) {
                    if (b[0] == '#') {
                        continue; // a comment
                    }
                    if (csv.needsHeader()) {
                        if (!csv.headerLine(b, len, line)) {
                            throw new ConnLogFormatException(source, line, notALog(kind, b, firstNonBlank(b, len), len));
                        }
                        vlanKeyed |= csv.vlanKeyed();
                        continue;
                    }
                    csv.row(b, len, row);
                } else {
                    json.row(b, len, row);
                    vlanKeyed |= row.hasVlanKeyField();
                }
                if (rowFilter != null && !rowFilter.test(row)) {
                    continue; // not wanted: its addresses and numbers are never parsed
                }
                row.vlanKeyed(vlanKeyed);
                return converter.convert(row, line);
            } catch (MalformedLineException e) {
                report(line, e.getMessage());
            }
        }
    }

    /**
     * Whether the log was written with Zeek's VLAN-aware connection key, as far as it was read: a
     * {@code #fields} or header line, or a Parquet schema, with {@code id.ctx.vlan} or
     * {@code id.ctx.inner_vlan}; in JSON lines, where Zeek leaves unset fields out, any row read so
     * far that names one of them. Read to the end, it tells for the whole log; rows returned before
     * the first such JSON row say {@link ConnRecord#vlanKeyed()} false.
     */
    public boolean vlanKeyed() {
        return rows != null ? rows.vlanKeyed() : vlanKeyed;
    }

    private static String coarseness(final long nanos) {
        return nanos % 1_000_000_000L == 0 ? nanos / 1_000_000_000L + " s"
            : nanos % 1_000_000L == 0 ? nanos / 1_000_000L + " ms" : nanos / 1_000L + " µs";
    }

    /**
     * Returns only rows whose uid passes {@code filter}; other rows are split into fields but not
     * parsed further (nor reported when their values are malformed). For picking a few uids out
     * of a large log.
     */
    public ConnLogReader onlyUids(final java.util.function.Predicate<String> filter) {
        return filter(row -> {
            final String uid = row.get(ConnField.UID);
            return uid == null || filter.test(uid);
        });
    }

    /**
     * Returns only rows whose two addresses are those of one of {@code rows}, in either order
     * (with the checks of {@link #onlyUids} too, when set); other rows have only their addresses
     * parsed. For finding the other rows of a few connections' keys in a large log.
     */
    public ConnLogReader onlyAddressesOf(final java.util.Collection<ConnRecord> rows) {
        return filter(addressesOf(rows));
    }

    /** Whether a row's two addresses are those of one of {@code rows}, in either order; parses only the addresses. */
    static java.util.function.Predicate<ConnRow> addressesOf(final java.util.Collection<ConnRecord> rows) {
        final java.util.Set<java.util.List<Long>> pairs = new java.util.HashSet<>();
        for (ConnRecord r : rows) {
            if (r.hasFiveTuple()) {
                pairs.add(java.util.List.of((long) r.ipVersion(), r.origHi(), r.origLo(), r.respHi(), r.respLo()));
                pairs.add(java.util.List.of((long) r.ipVersion(), r.respHi(), r.respLo(), r.origHi(), r.origLo()));
            }
        }
        return row -> {
            final String orig = row.get(ConnField.ORIG_H);
            final String resp = row.get(ConnField.RESP_H);
            if (orig == null || resp == null) {
                return false;
            }
            try {
                final io.scalpel.decode.Addresses.Parsed a = io.scalpel.decode.Addresses.parse(orig);
                final io.scalpel.decode.Addresses.Parsed b = io.scalpel.decode.Addresses.parse(resp);
                return pairs.contains(java.util.List.of((long) a.ipVersion(), a.hi(), a.lo(), b.hi(), b.lo()));
            } catch (IllegalArgumentException e) {
                return false; // not an address: not a row of these keys
            }
        };
    }

    /** Adds a condition every returned row must meet, checked before its values are parsed. */
    ConnLogReader filter(final java.util.function.Predicate<ConnRow> filter) {
        if (filter != null) {
            final java.util.function.Predicate<ConnRow> before = rowFilter;
            rowFilter = before == null ? filter : row -> before.test(row) && filter.test(row);
        }
        return this;
    }

    /** How many lines were reported to the listener so far. */
    public long malformedLines() {
        return rows != null ? rows.malformedLines() : malformedLines;
    }

    /** The log's display name as used in messages. */
    public String source() {
        return source;
    }

    /** Closes the underlying stream. */
    @Override
    public void close() throws IOException {
        if (rows != null) {
            rows.close();
        }
        in.close();
    }

    /**
     * Reads up to the first line that tells the format and leaves it pending: Zeek's TSV header
     * ({@code #separator}, {@code #fields}, ...), a JSON object, or a header line separated by tabs
     * (zeek-cut, zq) or commas (CSV). Blank lines and other lines starting with {@code #} before it
     * (comments, such as a BTest baseline's first line) are skipped.
     */
    private void detectFormat() throws IOException {
        while (readLine()) {
            final byte[] b = lines.bytes();
            final int len = lines.length();
            final int i = firstNonBlank(b, len);
            if (i == len) {
                if (lines.tooLong()) {
                    reportTooLong();
                }
                continue;
            }
            if (b[i] == '#') {
                if (!isZeekHeader(b, i, len)) {
                    continue;
                }
                format = Format.ZEEK_TSV;
                tsv = new ZeekTsvParser(source, kind);
            } else if (b[i] == '{') {
                format = Format.JSON_LINES;
                json = new JsonLinesParser();
            } else if (indexOf(b, len, (byte) '\t') >= 0) {
                format = Format.ZEEK_TSV;
                tsv = new ZeekTsvParser(source, kind);
            } else if (indexOf(b, len, (byte) ',') >= 0) {
                format = Format.CSV;
                csv = new CsvLogParser(source, kind);
            } else {
                throw new ConnLogFormatException(source, lines.lineNumber(), notALog(kind, b, i, len));
            }
            pending = true;
            return;
        }
    }

    private static boolean isZeekHeader(final byte[] b, final int from, final int len) {
        for (String h : ZEEK_HEADERS) {
            if (len - from >= h.length() && new String(b, from, h.length(), StandardCharsets.US_ASCII).equals(h)) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(final byte[] b, final int len, final byte c) {
        for (int i = 0; i < len; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static int firstNonBlank(final byte[] b, final int len) {
        int i = 0;
        while (i < len && isWhitespace(b[i])) {
            i++;
        }
        return i;
    }

    private boolean readLine() throws IOException {
        if (ended) {
            return false;
        }
        try {
            if (lines.next()) {
                return true;
            }
            ended = true;
            return false;
        } catch (ZipException | EOFException | com.github.luben.zstd.ZstdIOException e) {
            throw unreadable(e, source, lines.lineNumber() + 1, gzip, zstd);
        }
    }

    private void reportTooLong() {
        report(lines.lineNumber(), "line is longer than " + MAX_LINE_LENGTH + " bytes (" + lines.fullLength()
            + " bytes); skipped");
    }

    private void report(final long line, final String message) {
        malformedLines++;
        listener.malformedLine(source, line, message);
    }

    private static String notALog(final ZeekLogKind kind, final byte[] b, final int from, final int len) {
        final String what;
        if (startsWith(b, from, len, 'P', 'A', 'R', '1')) {
            what = "a Parquet file";
        } else if (startsWith(b, from, len, 0x28, 0xB5, 0x2F, 0xFD)) {
            what = "zstd-compressed (decompress it first, e.g. zstdcat)";
        } else if (startsWith(b, from, len, 'B', 'Z', 'h')) {
            what = "bzip2-compressed (decompress it first, e.g. bzcat)";
        } else if (startsWith(b, from, len, 0xFD, '7', 'z', 'X', 'Z')) {
            what = "xz-compressed (decompress it first, e.g. xzcat)";
        } else {
            final int c = b[from] & 0xFF;
            what = "starting with byte 0x" + String.format("%02x", c)
                + (c >= 0x20 && c < 0x7F ? " ('" + (char) c + "')" : "");
        }
        return "not a Zeek " + kind.logName + ": " + what + "; Zeek TSV starts with '#', JSON lines with '{', and zeek-cut or"
            + " CSV output with a line naming its columns, such as uid and id.orig_h (zeek-cut keeps it with -m or -c)";
    }

    private static boolean startsWith(final byte[] b, final int from, final int len, final int... magic) {
        if (len - from < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[from + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(final byte[] b, final int len) {
        for (int i = 0; i < len; i++) {
            if (!isWhitespace(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWhitespace(final byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    }
}
