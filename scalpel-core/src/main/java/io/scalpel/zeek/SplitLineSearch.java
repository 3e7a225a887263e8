package io.scalpel.zeek;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lines of a plain log file that a {@link LineSieve} finds, searched for on every core: the
 * bytes from where the reader is to the file's end are cut at line starts into pieces of
 * {@link Plan#pieceBytes()}, which the reader's thread and one thread per other core take in
 * file order, each searching its piece with a {@link BoundedLineReader} of its own (its own copy of
 * the sieve) over the file mapped into memory ({@link MappedLog}) and noting where each line it finds
 * starts; the pieces' lines are then put in file order. {@link BoundedLineReader#searchAhead} moves from one line found to the
 * next without looking at the bytes between.
 *
 * <p>The first search counts the lines of each piece too, which gives every line it finds its
 * number and every piece's start a known line count. The reader's sieve may change as it reads:
 * when it gains byte strings (a wanted row's address, from that row on), only those are searched
 * for, from where the reader is, without counting lines, and their lines merged with the lines
 * still ahead; such a line's number is counted only when asked for ({@link #linesBefore(long)}: a
 * row returned, a line reported), from the nearest known count before it. When the sieve loses
 * byte strings (JSON's {@code ctx}), the lines found are a superset. The reader therefore looks at
 * each line given with its sieve of the moment and skips those it does not find: it parses exactly
 * the lines, with the same numbers, that a search of its own would give.
 *
 * <p>Where this search cannot tell, the reader goes on searching on its own: past the file's end
 * as it was when opened, when fewer than the search's minimum bytes are left to search for new
 * byte strings, or past {@link Plan#maxFound()} lines found (a log where most lines hold a byte string
 * searched for is parsed line by line anyway, and so is read in constant memory).
 */
final class SplitLineSearch {
    /** {@link #linesBefore()} when the lines before the line found are not counted yet. */
    static final long UNCOUNTED = -1;
    private static final int MAX_THREADS = 4;
    private static final int PROBE = 64 * 1024;
    private static final int CUT_PROBE = 4 * 1024;

    /**
     * How a file is searched.
     *
     * @param minBytes   bytes from which a plain log is searched on several threads: below, a thread's start and the
     *                   pieces' cuts cost more than they save
     * @param pieceBytes bytes a thread takes at a time: small enough that a thread given less of a loaded machine's
     *                   time holds up little
     * @param threads    threads, the reader's included; fewer than two: no search ahead
     * @param maxFound   most lines found held at once (a piece's, and the pieces' together, give or take a piece's)
     */
    record Plan(long minBytes, long pieceBytes, int threads, int maxFound) {
        /** 16 MiB, pieces of 4 MiB, a thread per core up to four, 128 Ki lines. */
        static final Plan DEFAULT = new Plan(16L << 20, 4L << 20,
            Math.min(Runtime.getRuntime().availableProcessors(), MAX_THREADS), 1 << 17);
    }

    private final MappedLog log;
    private final long size;
    private final Plan plan;

    /** The lines found from {@link Found#from} on, for {@link Found#needles}. */
    private Found found;
    /** The search told the reader to go on on its own: it finds nothing more. */
    private boolean stopped;
    private int cursor;
    private long offset;
    private long linesBefore;
    /** Line starts with the count of lines before them: where the first search began, the counts asked for, and the pieces counted. */
    private final TreeMap<Long, Long> known = new TreeMap<>();

    private SplitLineSearch(final MappedLog log, final Plan plan) {
        this.log = log;
        this.size = log.size();
        this.plan = plan;
    }

    /**
     * A search of {@code file} (its bytes as they are, {@code size} of them; {@code source} names it
     * in messages) as {@code plan} says, or null when the plan has fewer than two threads, or the
     * file fewer than its minimum bytes.
     */
    static SplitLineSearch of(final Path file, final long size, final String source, final Plan plan) throws IOException {
        return plan.threads() < 2 || size < plan.minBytes() ? null : new SplitLineSearch(MappedLog.map(file, size, source), plan);
    }

    /** Copies up to {@code len} bytes of the file from {@code pos} on into {@code b}: how many, or -1 past the bytes searched. */
    int read(final long pos, final byte[] b, final int off, final int len) throws IOException {
        return log.read(pos, b, off, len);
    }

    /** What a fault on mapped memory caught around a read of the file means ({@link MappedLog#cutShort}). */
    ConnLogFormatException cutShort(final InternalError fault) throws IOException {
        return log.cutShort(fault);
    }

    /** The file's size when the search began: the bytes it searches. */
    long size() {
        return size;
    }

    /**
     * Finds the next line at or after {@code from} (a line start, {@code lines} lines before it, or
     * {@link #UNCOUNTED}) that may hold one of {@code sieve}'s byte strings: true, and
     * {@link #offset()} is where it starts, {@link #linesBefore()} the lines before it; false when
     * this search cannot tell, and the reader searches on its own from {@link #offset()} on (also at
     * the file's end); it is not asked again then.
     */
    boolean next(final LineSieve sieve, final long from, final long lines) throws IOException {
        if (stopped) {
            return stop(from, lines);
        }
        final List<String> needles = sieve.needles();
        if (found == null) {
            if (size - from < plan.minBytes() || lines == UNCOUNTED) {
                return stop(from, lines);
            }
            known.put(from, lines);
            found = search(needles, from, size, false);
            cursor = 0;
        } else if (from >= found.to) {
            return stop(from, lines);
        } else if (!found.needles.containsAll(needles)) {
            if (size - from < plan.minBytes()) {
                return stop(from, lines);
            }
            final Set<String> more = new LinkedHashSet<>(needles);
            more.removeAll(found.needles);
            found = found.with(search(List.copyOf(more), from, size, false), from);
            cursor = 0;
        }
        while (cursor < found.count && found.offsets[cursor] < from) {
            cursor++;
        }
        if (cursor == found.count) {
            return stop(found.to, UNCOUNTED);
        }
        offset = found.offsets[cursor];
        linesBefore = found.lines[cursor] == UNCOUNTED ? UNCOUNTED : found.lines[cursor] - 1;
        cursor++;
        return true;
    }

    /** Where the line found starts, or where the reader goes on on its own. */
    long offset() {
        return offset;
    }

    /** How many lines are before {@link #offset()}, or {@link #UNCOUNTED}: then {@link #linesBefore(long)} counts them. */
    long linesBefore() {
        return linesBefore;
    }

    /**
     * How many lines are before {@code at} (a line start at or after where the first search began):
     * the LFs from the nearest known count before it, counted now, on every thread when they are
     * many.
     */
    long linesBefore(final long at) throws IOException {
        final Map.Entry<Long, Long> before = known.floorEntry(at);
        long pos = before.getKey();
        long lines = before.getValue();
        if (at - pos >= plan.minBytes()) {
            search(List.of(), pos, at, true); // counted in pieces, whose ends it notes as known
            final Map.Entry<Long, Long> nearer = known.floorEntry(at);
            pos = nearer.getKey();
            lines = nearer.getValue();
        }
        final byte[] chunk = new byte[PROBE];
        while (pos < at) {
            final int n = log.read(pos, chunk, 0, (int) Math.min(chunk.length, at - pos));
            if (n <= 0) {
                break;
            }
            lines += LineSieve.countLineFeeds(chunk, 0, n);
            pos += n;
        }
        known.put(at, lines);
        return lines;
    }

    private boolean stop(final long at, final long lines) {
        stopped = true;
        found = null;
        offset = at;
        linesBefore = lines;
        return false;
    }

    /**
     * The lines from {@code from} to {@code end} (line starts) that hold one of {@code needles}; with
     * {@code count}, the lines of each piece are counted, and the count before each piece's start
     * noted as known ({@code from}'s must be).
     */
    private Found search(final List<String> needles, final long from, final long end, final boolean count) throws IOException {
        final long pieceBytes = plan.pieceBytes();
        final int pieces = (int) Math.min(Integer.MAX_VALUE - 1, (end - from + pieceBytes - 1) / pieceBytes);
        final Piece[] done = new Piece[pieces];
        final AtomicInteger nextPiece = new AtomicInteger();
        final AtomicLong foundSoFar = new AtomicLong();
        final List<FutureTask<Void>> others = new ArrayList<>();
        for (int t = 1; t < plan.threads() && t < pieces; t++) {
            final FutureTask<Void> task = new FutureTask<>(() -> {
                searchPieces(needles, from, end, count, done, nextPiece, foundSoFar);
                return null;
            });
            final Thread thread = new Thread(task, "scalpel-log-search-" + t);
            thread.setDaemon(true);
            thread.start();
            others.add(task);
        }
        IOException failure = null;
        try {
            searchPieces(needles, from, end, count, done, nextPiece, foundSoFar);
        } catch (IOException e) {
            failure = e;
        }
        for (FutureTask<Void> task : others) {
            try {
                task.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof IOException io ? io
                        : e.getCause() instanceof InternalError fault ? log.cutShort(fault) : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while searching the log");
            }
        }
        if (failure != null) {
            throw failure;
        }
        return assemble(needles, from, count, done);
    }

    /** Takes pieces in file order and searches them, until none is left or enough lines are found. */
    private void searchPieces(final List<String> needles, final long from, final long to, final boolean count, final Piece[] done,
                              final AtomicInteger nextPiece, final AtomicLong foundSoFar) throws IOException {
        final LineSieve sieve = LineSieve.anyOf(needles);
        final long pieceBytes = plan.pieceBytes();
        final byte[] scratch = new byte[CUT_PROBE];
        try {
            int i;
            while (foundSoFar.get() < plan.maxFound() && (i = nextPiece.getAndIncrement()) < done.length) {
                final long start = i == 0 ? from : log.lineStartFrom(from + i * pieceBytes, scratch);
                final long end = i == done.length - 1 ? to : Math.min(to, log.lineStartFrom(from + (i + 1) * pieceBytes, scratch));
                done[i] = Piece.search(log, start, Math.max(start, end), sieve, count, plan.maxFound());
                foundSoFar.addAndGet(done[i].count());
            }
        } catch (InternalError fault) {
            throw log.cutShort(fault);
        }
    }

    /** The pieces searched, in file order up to the first not searched; counted, the counts before each piece noted as known. */
    private Found assemble(final List<String> needles, final long from, final boolean counted, final Piece[] done) {
        int pieces = 0;
        int total = 0;
        while (pieces < done.length && done[pieces] != null) {
            total += done[pieces].count();
            if (done[pieces++].full()) {
                break; // the pieces after it start past lines not searched
            }
        }
        final long[] offsets = new long[total];
        final long[] numbers = new long[total];
        int n = 0;
        long base = counted ? known.get(from) : UNCOUNTED;
        long to = from;
        for (int p = 0; p < pieces; p++) {
            final Piece s = done[p];
            System.arraycopy(s.offsets(), 0, offsets, n, s.count());
            for (int i = 0; i < s.count(); i++) {
                numbers[n + i] = counted ? base + s.lines()[i] : UNCOUNTED;
            }
            n += s.count();
            base = counted ? base + s.linesIn() : UNCOUNTED;
            to = s.end();
            if (counted) {
                known.put(to, base);
            }
        }
        return new Found(Set.copyOf(needles), offsets, numbers, n, to);
    }

    /**
     * What one thread found in {@code [start, end)}: where each line found starts and, when counted,
     * its number in the piece (from 1), and how many lines the piece holds.
     */
    private record Piece(long start, long end, long[] offsets, long[] lines, int count, long linesIn, boolean full) {
        static Piece search(final MappedLog log, final long start, final long end, final LineSieve sieve, final boolean count,
                            final int maxFound) throws IOException {
            long[] offsets = new long[16];
            long[] lines = new long[16];
            int n = 0;
            final BoundedLineReader reader = new BoundedLineReader(log.range(start, end), ConnLogReader.MAX_LINE_LENGTH);
            reader.sieve(sieve);
            reader.countLines(count);
            while (reader.next()) { // the piece's first line too, which the reader gives whatever it holds
                if (n == maxFound) { // the piece ends before this line: the lines after it are searched by the reader alone
                    return new Piece(start, start + reader.lineStart(), offsets, lines, n, reader.lineNumber() - 1, true);
                }
                if (n == offsets.length) {
                    offsets = Arrays.copyOf(offsets, n * 2);
                    lines = Arrays.copyOf(lines, n * 2);
                }
                offsets[n] = start + reader.lineStart();
                lines[n] = reader.lineNumber();
                n++;
            }
            return new Piece(start, end, offsets, lines, n, reader.lineNumber(), false);
        }
    }

    /** Lines found for {@code needles}, in file order, up to {@code to}; their numbers, or {@link #UNCOUNTED}. */
    private record Found(Set<String> needles, long[] offsets, long[] lines, int count, long to) {

        /** These lines and {@code more}'s, from {@code at} on, up to where both tell. */
        Found with(final Found more, final long at) {
            final long end = Math.min(to, more.to);
            final long[] o = new long[count + more.count];
            final long[] l = new long[o.length];
            int n = 0;
            int i = 0;
            int j = 0;
            while (i < count || j < more.count) {
                final long a = i < count ? offsets[i] : Long.MAX_VALUE;
                final long b = j < more.count ? more.offsets[j] : Long.MAX_VALUE;
                final long next = Math.min(a, b);
                if (next >= end) {
                    break;
                }
                final long line = a <= b ? lines[i] : more.lines[j];
                i += a <= b ? 1 : 0;
                j += b <= a ? 1 : 0;
                if (next >= at) {
                    o[n] = next;
                    l[n] = line;
                    n++;
                }
            }
            final Set<String> all = new LinkedHashSet<>(needles);
            all.addAll(more.needles);
            return new Found(all, o, l, n, end);
        }
    }
}
