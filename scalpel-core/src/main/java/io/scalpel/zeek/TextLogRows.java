package io.scalpel.zeek;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * The rows of a text log, read a line at a time ({@link BoundedLineReader}, lines capped at
 * {@link ConnLogReader#MAX_LINE_LENGTH}): the format is told by the first telling line
 * ({@link #open}), and each line goes to that format's parser, {@link ZeekTsvParser} (Zeek's
 * {@code #} headers, or a header line of tabs: zeek-cut, zq), {@link CsvLogParser} or
 * {@link JsonLinesParser}, which fill a {@link ConnRow}. A line that cannot be parsed is reported
 * to the listener and skipped.
 *
 * <p>With a {@link LineSieve} ({@link #sieve}), only the lines that hold one of its byte strings are
 * split and parsed, and the lines a format needs whatever they hold: Zeek's {@code #} headers, lines
 * with a backslash (an escape may hide a value's bytes), and in JSON lines, until one of them told
 * that the log is keyed by VLAN, lines that name {@code ctx}. Lines never parsed are never reported.
 */
final class TextLogRows implements ConnLogReader.RowSource {
    private enum Format { ZEEK_TSV, JSON_LINES, CSV }

    /** Lines starting with these are Zeek's TSV headers; other lines starting with {@code #} before the data are comments. */
    private static final String[] ZEEK_HEADERS = {"#separator", "#set_separator", "#empty_field", "#unset_field", "#path",
        "#open", "#fields", "#types", "#close"};

    private final LogStream stream;
    private final String source;
    private final ZeekLogKind kind;
    private final ConnLogListener listener;
    private final BoundedLineReader lines;
    private final ConnRow row = new ConnRow();
    private Format format;
    private ZeekTsvParser tsv;
    private JsonLinesParser json;
    private CsvLogParser csv;
    /** The search ahead whose mapped file the lines are read from, or null. */
    private SplitLineSearch ahead;
    /** A row or header so far named a column of Zeek's VLAN-aware connection key. */
    private boolean vlanKeyed;
    /** The line reader holds a line that next() has not handled yet. */
    private boolean pending;
    private boolean ended;
    private long malformedLines;
    /** The lines wanted, before the format's own ({@link #sieve}); null: every line. */
    private LineSieve wanted;

    private TextLogRows(final LogStream stream, final String source, final ZeekLogKind kind, final ConnLogListener listener) {
        this.stream = stream;
        this.source = source;
        this.kind = kind;
        this.listener = listener;
        this.lines = new BoundedLineReader(stream.text(), ConnLogReader.MAX_LINE_LENGTH);
    }

    /**
     * The rows of {@code stream}, its format told by reading up to its first telling line.
     *
     * @throws ConnLogFormatException when that line is of none of the formats
     */
    static TextLogRows open(final LogStream stream, final String source, final ZeekLogKind kind, final ConnLogListener listener)
        throws IOException {
        return open(stream, source, kind, listener, null);
    }

    /**
     * {@link #open(LogStream, String, ZeekLogKind, ConnLogListener)}, the lines a sieve finds
     * searched for by {@code ahead} (null: by the line reader alone), whose file's bytes the stream
     * is, as they are.
     */
    static TextLogRows open(final LogStream stream, final String source, final ZeekLogKind kind, final ConnLogListener listener,
                            final SplitLineSearch ahead) throws IOException {
        final TextLogRows rows = new TextLogRows(stream, source, kind, listener);
        if (ahead != null) {
            rows.lines.searchAhead(ahead);
            rows.ahead = ahead;
        }
        try {
            rows.detectFormat();
        } catch (InternalError fault) {
            throw rows.mappedFault(fault);
        }
        return rows;
    }

    @Override
    public <T> T next(final ConnLogReader.RowConverter<T> converter, final Predicate<ConnRow> rowFilter) throws IOException {
        try {
            return nextRow(converter, rowFilter);
        } catch (InternalError fault) {
            throw mappedFault(fault);
        }
    }

    /** What a fault on mapped memory means: the log's file cut short under the search ahead, or not the file's (thrown as it is). */
    private IOException mappedFault(final InternalError fault) throws IOException {
        if (ahead == null) {
            throw fault;
        }
        return ahead.cutShort(fault);
    }

    private <T> T nextRow(final ConnLogReader.RowConverter<T> converter, final Predicate<ConnRow> rowFilter) throws IOException {
        while (true) {
            if (!pending && !readLine()) {
                return null;
            }
            pending = false;
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
                        tsv.header(b, len, lines::lineNumber);
                        vlanKeyed |= tsv.vlanKeyed();
                        continue;
                    }
                    if (tsv.needsHeader()) {
                        final long line = lines.lineNumber();
                        if (!tsv.headerLine(b, len, line)) {
                            throw tsv.zeekHeaders() ? new ConnLogFormatException(source, line, "data before a #fields header,"
                                + " and not a line naming the columns either (zeek-cut keeps its header with -m or -c)")
                                : new ConnLogFormatException(source, line, LogStream.notALog(kind, b, firstNonBlank(b, len), len));
                        }
                        vlanKeyed |= tsv.vlanKeyed();
                        continue;
                    }
                    tsv.row(b, len, row);
                } else if (format == Format.CSV) {
                    if (b[0] == '#') {
                        continue; // a comment
                    }
                    if (csv.needsHeader()) {
                        final long line = lines.lineNumber();
                        if (!csv.headerLine(b, len, line)) {
                            throw new ConnLogFormatException(source, line, LogStream.notALog(kind, b, firstNonBlank(b, len), len));
                        }
                        vlanKeyed |= csv.vlanKeyed();
                        continue;
                    }
                    csv.row(b, len, row);
                } else {
                    json.row(b, len, row);
                    if (row.hasVlanKeyField() && !vlanKeyed) {
                        vlanKeyed = true;
                        applySieve();
                    }
                }
                if (rowFilter != null && !rowFilter.test(row)) {
                    continue; // not wanted: its addresses and numbers are never parsed
                }
                row.vlanKeyed(vlanKeyed);
                return converter.convert(row, lines::lineNumber);
            } catch (MalformedLineException e) {
                report(lines.lineNumber(), e.getMessage());
            }
        }
    }

    @Override
    public void sieve(final LineSieve sieve) {
        wanted = sieve;
        applySieve();
    }

    /** Gives the line reader the wanted lines' sieve with the lines the format needs. */
    private void applySieve() {
        if (wanted == null) {
            lines.sieve(null);
        } else if (format == Format.ZEEK_TSV) {
            lines.sieve(wanted.and("#", "\\"));
        } else if (format == Format.JSON_LINES && !vlanKeyed) {
            lines.sieve(wanted.and("\\", "ctx"));
        } else {
            lines.sieve(wanted.and("\\"));
        }
    }

    @Override
    public long malformedLines() {
        return malformedLines;
    }

    @Override
    public boolean vlanKeyed() {
        return vlanKeyed;
    }

    @Override
    public boolean mayStopHere() {
        return stream.plain() && (vlanKeyed || format != Format.JSON_LINES);
    }

    @Override
    public void close() throws IOException {
        if (ahead != null) {
            ahead.close();
        }
        stream.text().close();
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
                throw new ConnLogFormatException(source, lines.lineNumber(), LogStream.notALog(kind, b, i, len));
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
        while (i < len && LogStream.isWhitespace(b[i])) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(final byte[] b, final int len) {
        return firstNonBlank(b, len) == len;
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
        } catch (IOException e) {
            throw stream.unreadable(e, lines.lineNumber() + 1);
        }
    }

    private void reportTooLong() throws IOException {
        report(lines.lineNumber(), "line is longer than " + ConnLogReader.MAX_LINE_LENGTH + " bytes (" + lines.fullLength()
            + " bytes); skipped");
    }

    private void report(final long line, final String message) {
        malformedLines++;
        listener.malformedLine(source, line, message);
    }
}
