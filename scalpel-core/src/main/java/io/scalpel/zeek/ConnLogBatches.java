package io.scalpel.zeek;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every uid of a conn.log of any length, in batches of rows, in memory bounded by a batch and not
 * by the log: for a slice of every uid ({@code --all}) of a day's log of millions of rows. Each
 * row comes with the start of the log's next row of the same key (as {@link SameKeyRows} gives it
 * for rows in memory), and only the first row of each uid comes at all.
 *
 * <p>{@link #open} reads the log once and sorts, outside the heap ({@link LongRecordSort}), one
 * record per row by key then time, and one by uid: a pass over the first gives each row its next
 * row of the same key, a pass over the second the rows whose uid came before. {@link #next()}
 * then reads the log a second time, joining both answers to the rows by their position in the
 * log. A log that cannot be read twice (standard input, a pipe) is first copied to a temporary
 * file. {@link #close()} deletes the temporary files.
 */
public final class ConnLogBatches implements Closeable {
    /** Rows per batch unless told otherwise. */
    public static final int DEFAULT_BATCH_ROWS = 50_000;
    /** Records per sorted run: 512 Ki records of 3 longs is 12 MiB. */
    private static final int RUN_RECORDS = 1 << 19;

    /**
     * Consecutive rows of the log.
     *
     * @param rows       the rows, in log order (first rows of their uids only)
     * @param nextStarts for each row, the ts of the log's next row of its key, or {@link SameKeyRows#NONE}
     */
    public record Batch(List<ConnRecord> rows, long[] nextStarts) {
    }

    private final Path log;
    private final LogSpool spool;
    private final String name;
    private final int batchRows;
    private final long rows;
    private final long withoutTimestamp;
    private final long malformedLines;
    private final long duplicates;
    private final long firstTs;
    private final long lastEnd;
    private final boolean vlanKeyed;
    private final LongRecordSort nextSort;
    private final LongRecordSort duplicateSort;
    private ConnLogReader reader;
    private LongRecordSort.Cursor nextCursor;
    private LongRecordSort.Cursor duplicateCursor;
    private final long[] nextRecord = new long[2];
    private final long[] duplicateRecord = new long[1];
    private boolean nextPending;
    private boolean duplicatePending;
    private long seq;

    private ConnLogBatches(final Path log, final LogSpool spool, final String name, final int batchRows, final Prepared p) {
        this.log = log;
        this.spool = spool;
        this.name = name;
        this.batchRows = batchRows;
        this.rows = p.rows;
        this.withoutTimestamp = p.withoutTimestamp;
        this.malformedLines = p.malformed;
        this.duplicates = p.duplicates;
        this.firstTs = p.firstTs;
        this.lastEnd = p.lastEnd;
        this.vlanKeyed = p.vlanKeyed;
        this.nextSort = p.nextSort;
        this.duplicateSort = p.duplicateSort;
    }

    /**
     * Reads {@code log} ({@link ConnSelection#STDIN} for standard input) once and prepares the
     * batches.
     *
     * @param vlanAware whether a row is joined VLAN-aware (rows on other VLANs are other connections,
     *                  Zeek's VLAN-aware key); asked of each row as the log has told so far whether it
     *                  is keyed by VLAN (Zeek TSV and header lines tell at once; JSON lines leave unset
     *                  id.ctx fields out, so rows before the first that has one are asked as unkeyed)
     * @param listener  receives the malformed lines (of the first reading only)
     * @param batchRows rows per batch
     * @throws ConnLogFormatException when the log cannot be read (see {@link ConnLogReader})
     */
    public static ConnLogBatches open(final String log, final java.util.function.Predicate<ConnRecord> vlanAware,
                                      final ConnLogListener listener, final int batchRows) throws IOException {
        return open(log, vlanAware, listener, batchRows, RUN_RECORDS);
    }

    /** As {@link #open(String, java.util.function.Predicate, ConnLogListener, int)}, sorting in runs of {@code runRecords} (tests force spills). */
    static ConnLogBatches open(final String log, final java.util.function.Predicate<ConnRecord> vlanAware,
                               final ConnLogListener listener, final int batchRows, final int runRecords) throws IOException {
        if (batchRows < 1) {
            throw new IllegalArgumentException("batches of " + batchRows + " rows");
        }
        final LogSpool spool = LogSpool.needed(log) ? LogSpool.start() : null;
        final String name = ConnSelection.STDIN.equals(log) ? "<stdin>" : log;
        try {
            final ConnLogReader first = spool != null ? ConnLogReader.open(spool.read(log), name, listener)
                : ConnLogReader.open(Path.of(log), listener);
            final Prepared p = prepare(first, vlanAware, runRecords);
            return new ConnLogBatches(spool != null ? spool.file() : Path.of(log), spool, name, batchRows, p);
        } catch (IOException | RuntimeException e) {
            if (spool != null) {
                closeQuietly(spool, e);
            }
            throw e;
        }
    }

    /** What the first reading found. */
    private static final class Prepared {
        long rows;
        long withoutTimestamp;
        long malformed;
        long duplicates;
        long firstTs = Long.MAX_VALUE;
        long lastEnd = Long.MIN_VALUE;
        boolean vlanKeyed;
        LongRecordSort nextSort;
        LongRecordSort duplicateSort;
    }

    /** Reads the log to its end with {@code first} (which it closes) and sorts its records. */
    private static Prepared prepare(final ConnLogReader first, final java.util.function.Predicate<ConnRecord> vlanAware,
                                    final int runRecords) throws IOException {
        final Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        final Prepared p = new Prepared();
        // (key hash, -ts, seq): by key, latest first; (uid hash, seq): by uid, first row first.
        try (LongRecordSort byKey = new LongRecordSort(3, runRecords, tmp);
             LongRecordSort byUid = new LongRecordSort(2, runRecords, tmp)) {
            try (ConnLogReader reader = first) {
                ConnRecord r;
                long seq = 0;
                while ((r = reader.next()) != null) {
                    byUid.add(SameKeyRows.stringHash(r.uid()), seq);
                    if (r.hasTimestamp()) {
                        final ConnRecord keyed = reader.vlanKeyed() ? r.withVlanKeyed(true) : r;
                        byKey.add(SameKeyRows.keyHash(keyed, vlanAware.test(keyed)), -r.tsNanos(), seq);
                        p.firstTs = Math.min(p.firstTs, r.tsNanos());
                        p.lastEnd = Math.max(p.lastEnd, r.tsNanos() + Math.max(0, r.durationNanos()));
                    } else {
                        p.withoutTimestamp++;
                    }
                    seq++;
                }
                p.rows = seq;
                p.malformed = reader.malformedLines();
                p.vlanKeyed = reader.vlanKeyed();
            }
            p.nextSort = new LongRecordSort(2, runRecords, tmp);
            p.duplicateSort = new LongRecordSort(1, runRecords, tmp);
            nextStarts(byKey, p.nextSort);
            p.duplicates = duplicates(byUid, p.duplicateSort);
        } catch (IOException | RuntimeException e) {
            closeQuietly(p.nextSort, e);
            closeQuietly(p.duplicateSort, e);
            throw e;
        }
        return p;
    }

    /**
     * From records (key, -ts, seq) in order (each key's rows latest first), adds (seq, next) for
     * every row that has a later row of its key: the earliest ts greater than its own.
     */
    private static void nextStarts(final LongRecordSort byKey, final LongRecordSort out) throws IOException {
        final long[] r = new long[3];
        boolean any = false;
        long key = 0;
        long groupTs = 0;               // ts of the rows being read (one ts)
        long nextOfGroup = SameKeyRows.NONE; // the next start of those rows
        try (LongRecordSort.Cursor c = byKey.sorted()) {
            while (c.next(r)) {
                final long ts = -r[1];
                if (!any || r[0] != key) {
                    any = true;
                    key = r[0];
                    groupTs = ts;
                    nextOfGroup = SameKeyRows.NONE;
                } else if (ts != groupTs) {
                    nextOfGroup = groupTs;
                    groupTs = ts;
                }
                if (nextOfGroup != SameKeyRows.NONE) {
                    out.add(r[2], nextOfGroup);
                }
            }
        }
    }

    /** From records (uid hash, seq) in order, adds the seq of every row whose uid an earlier row has; returns how many. */
    private static long duplicates(final LongRecordSort byUid, final LongRecordSort out) throws IOException {
        final long[] r = new long[2];
        boolean any = false;
        long uid = 0;
        long n = 0;
        try (LongRecordSort.Cursor c = byUid.sorted()) {
            while (c.next(r)) {
                if (any && r[0] == uid) {
                    out.add(r[1]);
                    n++;
                }
                any = true;
                uid = r[0];
            }
        }
        return n;
    }

    /** The next batch of rows, or null after the last. */
    public Batch next() throws IOException {
        if (reader == null) {
            reader = ConnLogReader.open(log, (source, line, message) -> { }); // reported by the first reading
            nextCursor = nextSort.sorted();
            duplicateCursor = duplicateSort.sorted();
            nextPending = nextCursor.next(nextRecord);
            duplicatePending = duplicateCursor.next(duplicateRecord);
        }
        final List<ConnRecord> batch = new ArrayList<>();
        final long[] starts = new long[batchRows];
        ConnRecord r;
        while (batch.size() < batchRows && (r = reader.next()) != null) {
            final long at = seq++;
            while (duplicatePending && duplicateRecord[0] < at) {
                duplicatePending = duplicateCursor.next(duplicateRecord);
            }
            if (duplicatePending && duplicateRecord[0] == at) {
                continue; // a later row of a uid already sliced
            }
            while (nextPending && nextRecord[0] < at) {
                nextPending = nextCursor.next(nextRecord);
            }
            starts[batch.size()] = nextPending && nextRecord[0] == at ? nextRecord[1] : SameKeyRows.NONE;
            batch.add(vlanKeyed ? r.withVlanKeyed(true) : r);
        }
        return batch.isEmpty() ? null : new Batch(batch, java.util.Arrays.copyOf(starts, batch.size()));
    }

    /** Rows read (malformed lines not counted). */
    public long rows() {
        return rows;
    }

    /** Rows left out because an earlier row has their uid. */
    public long duplicates() {
        return duplicates;
    }

    /** Rows without a usable ts (unset or masked). */
    public long withoutTimestamp() {
        return withoutTimestamp;
    }

    /** Lines the first reading reported to the listener and skipped. */
    public long malformedLines() {
        return malformedLines;
    }

    /** The earliest ts of the rows, or Long.MAX_VALUE when none has one. */
    public long firstTs() {
        return firstTs;
    }

    /** The latest {@code ts + duration} of the rows, or Long.MIN_VALUE when none has a ts. */
    public long lastEnd() {
        return lastEnd;
    }

    /** Whether the log was written with Zeek's VLAN-aware connection key ({@code id.ctx.vlan} columns); its rows say so too. */
    public boolean vlanKeyed() {
        return vlanKeyed;
    }

    /** The log's display name. */
    public String source() {
        return name;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Closeable c : new Closeable[] {reader, nextCursor, duplicateCursor, nextSort, duplicateSort}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (spool != null) {
            try {
                spool.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(final Closeable c, final Exception cause) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }
}
