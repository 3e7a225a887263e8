package io.scalpel.zeek;

import java.io.Closeable;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Predicate;

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
 *
 * <p>This class opens the source and holds the row filters; the rows come from a {@link RowSource}:
 * {@link TextLogRows} over a {@link LogStream} (the text, decompressed and checked by its first
 * bytes), {@link ParquetConnLog} or {@link RotatedLogs}.
 */
public final class ConnLogReader implements Closeable {
    /** Longest line read; longer ones are reported and skipped without being held in memory. */
    public static final int MAX_LINE_LENGTH = 1 << 20;

    private static final int MAX_SOURCE_CHARS = 1024;

    /** A row's line number, asked for only where it is needed: counting the lines before it may take a pass over them. */
    @FunctionalInterface
    interface LineNumber {
        long get() throws IOException;
    }

    /** Turns a parsed row, numbered {@code line}, into what the reader returns. */
    @FunctionalInterface
    interface RowConverter<T> {
        T convert(ConnRow row, LineNumber line) throws MalformedLineException, IOException;
    }

    /** Where the rows come from: a text log, a Parquet file, or a directory of logs. */
    interface RowSource extends Closeable {
        /** The next row that passes {@code rowFilter} (null: every row) as {@code converter} makes it, or null at the end. */
        <T> T next(RowConverter<T> converter, Predicate<ConnRow> rowFilter) throws IOException;

        long malformedLines();

        /** Whether the rows read so far are from a log keyed by VLAN ({@link ConnLogReader#vlanKeyed()}). */
        boolean vlanKeyed();

        /** Whether a read of the rows so far may end here ({@link ConnLogReader#mayStopHere()}). */
        boolean mayStopHere();

        /**
         * Parses only the lines {@code sieve} finds, from now on (null: every line); a source that
         * is not text parses every row.
         */
        default void sieve(LineSieve sieve) {
        }
    }

    private final String source;
    private final ConnLogListener listener;
    private final RowSource rows;
    /** The log is a regular file, not standard input or a pipe: it may be left unread ({@link #mayStopHere}). */
    private final boolean regularFile;
    /** Rows that fail it are skipped before their values are parsed; null: every row. */
    private Predicate<ConnRow> rowFilter;
    /** The first coarse ts was told to the listener (a directory's files tell it themselves). */
    private boolean coarseTimeNoticed;

    private ConnLogReader(final String source, final ConnLogListener listener, final RowSource rows, final boolean regularFile) {
        this.source = source;
        this.listener = listener;
        this.rows = rows;
        this.regularFile = regularFile;
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
        return open(path, listener, kind, SplitLineSearch.Plan.now());
    }

    /** {@link #open(Path, ConnLogListener)}, a large plain file searched on several threads as {@code split} says when a sieve is set. */
    static ConnLogReader open(final Path path, final ConnLogListener listener, final ZeekLogKind kind, final SplitLineSearch.Plan split)
        throws IOException {
        Objects.requireNonNull(listener, "listener");
        final String source = SafeText.escape(path.toString(), MAX_SOURCE_CHARS);
        if (Files.isDirectory(path)) {
            return new ConnLogReader(source, listener, RotatedLogs.open(path, source, kind, listener), false);
        }
        byte[] magic = new byte[0];
        if (Files.isRegularFile(path)) { // a pipe (--conn <(zcat ...)) must not lose its first bytes to a peek
            try (InputStream peek = Files.newInputStream(path)) {
                magic = peek.readNBytes(LogStream.PARQUET_MAGIC.length);
            }
        }
        if (Arrays.equals(magic, LogStream.PARQUET_MAGIC)) {
            return new ConnLogReader(source, listener, ParquetConnLog.open(path, source, kind, listener), true);
        }
        // A pipe (a FIFO, /dev/fd/N): the channel stream of Files.newInputStream fails on it with "Illegal seek".
        final boolean regular = Files.isRegularFile(path);
        final InputStream in = Files.exists(path) && !regular ? new FileInputStream(path.toFile()) : Files.newInputStream(path);
        try {
            final LogStream stream = LogStream.open(in, source, kind);
            final SplitLineSearch ahead = regular && stream.plain() ? SplitLineSearch.of(path, Files.size(path), source, split) : null;
            return new ConnLogReader(source, listener, TextLogRows.open(stream, source, kind, listener, ahead), regular);
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
        final LogStream stream = LogStream.open(in, source, kind);
        return new ConnLogReader(source, listener, TextLogRows.open(stream, source, kind, listener), false);
    }

    /**
     * The next row, or null at the end of the log. Lines that cannot be parsed are reported to the
     * listener and skipped.
     *
     * @throws ConnLogFormatException when the rest of the log cannot be read (see class comment)
     */
    public ConnRecord next() throws IOException {
        return next((row, line) -> row.toRecord(line.get()));
    }

    /** The next row as {@code converter} makes it, or null at the end of the log. */
    <T> T next(final RowConverter<T> converter) throws IOException {
        final T next = rows.next(converter, rowFilter);
        if (next instanceof ConnRecord r && r.tsUncertaintyNanos() > 0 && !coarseTimeNoticed && !(rows instanceof RotatedLogs)) {
            coarseTimeNoticed = true;
            listener.notice(source, r.line(), "ts is coarser than the microseconds Zeek logs (" + coarseness(r.tsUncertaintyNanos())
                + "): the first packet lies within " + coarseness(r.tsUncertaintyNanos()) + " after it, so the windows of such rows"
                + " close that much later than ts + duration");
        }
        return next;
    }

    /**
     * Whether the log was written with Zeek's VLAN-aware connection key, as far as it was read: a
     * {@code #fields} or header line, or a Parquet schema, with {@code id.ctx.vlan} or
     * {@code id.ctx.inner_vlan}; in JSON lines, where Zeek leaves unset fields out, any row read so
     * far that names one of them. Read to the end, it tells for the whole log; rows returned before
     * the first such JSON row say {@link ConnRecord#vlanKeyed()} false.
     */
    public boolean vlanKeyed() {
        return rows.vlanKeyed();
    }

    /**
     * Whether a reader that needs no more rows may stop here, the rest of the log unread, and lose
     * nothing a read to its end would tell about the rows read so far: a plain text file (not
     * standard input or a pipe, whose writer must not be cut off; not a gzip'd or zstd'd stream, nor
     * Parquet, whose corrupt tail only a read to the end finds and reports) whose rows' VLAN keying
     * cannot change any more: {@link #vlanKeyed()} is true already, or the log tells it in a header
     * above its rows (Zeek's TSV, a header line, CSV: the header block of the rows read so far; a
     * later block keyed by VLAN in a file of concatenated logs is not seen). JSON lines, where Zeek
     * leaves unset fields out, tell it only when read to their end, and so does a directory of logs.
     * {@link ConnSelection} stops there when it has every wanted row and none needs a later one.
     */
    public boolean mayStopHere() {
        return regularFile && rows.mayStopHere();
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
    public ConnLogReader onlyUids(final Predicate<String> filter) {
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
    public ConnLogReader onlyAddressesOf(final Collection<ConnRecord> rows) {
        return filter(new AddressPairs(rows));
    }

    /** Adds a condition every returned row must meet, checked before its values are parsed. */
    ConnLogReader filter(final Predicate<ConnRow> filter) {
        if (filter != null) {
            final Predicate<ConnRow> before = rowFilter;
            rowFilter = before == null ? filter : row -> before.test(row) && filter.test(row);
        }
        return this;
    }

    /**
     * Parses only the lines that hold one of {@code sieve}'s byte strings (and those the format
     * needs: headers, escapes), from now on: the other lines are skipped by a search of the raw
     * bytes, neither parsed nor reported. The row filters still decide which of the lines found
     * are rows. Null, or a Parquet log: every row is read.
     */
    ConnLogReader sieve(final LineSieve sieve) {
        rows.sieve(sieve);
        return this;
    }

    /** How many lines were reported to the listener so far. */
    public long malformedLines() {
        return rows.malformedLines();
    }

    /** The log's display name as used in messages. */
    public String source() {
        return source;
    }

    /** Closes the underlying stream. */
    @Override
    public void close() throws IOException {
        rows.close();
    }
}
