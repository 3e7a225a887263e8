package io.scalpel.zeek;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The lines of a large plain log file that a {@link LineSieve} finds, searched for on every core:
 * the bytes from where the reader is to the file's end are cut at line starts into pieces of
 * {@link Plan#pieceBytes()}, which the reader's thread and one thread per other core take in file
 * order, each searching its piece with a {@link BoundedLineReader} of its own (its own copy of the
 * sieve) over the file mapped into memory ({@link MappedLog}), noting where each line it finds
 * starts and counting the piece's lines as it goes (in the cache, beside the search). The reader takes the pieces' lines in file order and moves from one to
 * the next ({@link BoundedLineReader#searchAhead}) without looking at the bytes between; while the
 * piece it needs is not searched yet, its own thread searches the next piece not taken. The other
 * threads run at most a few pieces ahead of it.
 *
 * <p>The reader's sieve may change as it reads. When it gains byte strings (a wanted row's address,
 * from that row on), the pieces taken from then on search for them too, and a piece searched before
 * is searched again for them alone, from where the reader is: the log's bytes are read once, but for
 * the few pieces ahead. When it loses byte strings (a wanted uid once its row is read, JSON's
 * {@code ctx}), the pieces taken from then on no longer search for them, and those searched before
 * found a superset of the lines. The reader therefore looks at each line given with its sieve of the moment and skips
 * those it does not find: it parses exactly the lines that a search of its own would give.
 *
 * <p>A line found is given without its number, which is counted only when asked for
 * ({@link #linesBefore(long)}: a wanted row, a line reported, a {@code #fields} header): from the
 * start of its piece, whose count the pieces before it tell. Where this search cannot tell, the
 * reader goes on searching, and counting, on its own: past the file's end as it was when mapped,
 * or a piece holding more than {@link Plan#maxFound()} lines found (a log where most lines hold a
 * byte string searched for is parsed line by line anyway, and so is read in constant memory).
 */
final class SplitLineSearch {
    /** {@link #linesBefore()} of a line found: the lines before it are not counted yet. */
    static final long UNCOUNTED = -1;
    private static final int MAX_THREADS = 4;
    /** How many pieces past the reader's the other threads may take: a few, so that few are searched again for new byte strings. */
    private static final int PIECES_AHEAD_PER_THREAD = 2;
    private static final int PROBE = 64 * 1024;
    private static final int CUT_PROBE = 4 * 1024;
    private static final Path LOAD_AVERAGE = Path.of("/proc/loadavg");
    /** The system property that sets the threads of a large plain log's search ({@link Plan#now}). */
    static final String THREADS_PROPERTY = "scalpel.log.search.threads";

    /**
     * How a file is searched.
     *
     * @param minBytes   bytes from which a plain log is searched on several threads: below, a thread's start and the
     *                   pieces' cuts cost more than they save
     * @param pieceBytes bytes a thread takes at a time: small enough that a thread given less of a loaded machine's
     *                   time holds up little
     * @param threads    threads, the reader's included; fewer than two: no search ahead
     * @param maxFound   most lines found a piece holds
     */
    record Plan(long minBytes, long pieceBytes, int threads, int maxFound) {
        /** 16 MiB, pieces of 4 MiB, a thread per core up to four, 128 Ki lines. */
        static final Plan DEFAULT = new Plan(16L << 20, 4L << 20,
            Math.min(Runtime.getRuntime().availableProcessors(), MAX_THREADS), 1 << 17);

        /**
         * {@link #DEFAULT} with the threads the machine has cores free for now ({@link #forLoad}), or
         * with as many as the system property {@value #THREADS_PROPERTY} says (1 to four, the
         * reader's included): the launcher's class-data archive is made with two, so that the
         * search's classes are in it whatever the load while it was made.
         */
        static Plan now() {
            final Integer threads = Integer.getInteger(THREADS_PROPERTY);
            if (threads != null) {
                return DEFAULT.withThreads(Math.max(1, Math.min(MAX_THREADS, threads)));
            }
            return DEFAULT.forLoad(Runtime.getRuntime().availableProcessors(), loadAverage());
        }

        /**
         * This plan with one thread, the reader's, and one more per core that the system's load
         * average leaves free ({@code cores} less {@code load}, rounded), up to its own and to the
         * cores; as it is when the load is not known (negative). A search ahead on a machine with no core free took more
         * wall time than the reader alone (performance.md).
         */
        Plan forLoad(final int cores, final double load) {
            if (load < 0) {
                return this;
            }
            final long free = Math.round(cores - load);
            return withThreads((int) Math.max(1, Math.min(Math.min(threads, cores), free + 1)));
        }

        /** This plan with {@code count} threads, the reader's included. */
        Plan withThreads(final int count) {
            return new Plan(minBytes, pieceBytes, count, maxFound);
        }

        /** The system's load average over the last minute (Linux's {@code /proc/loadavg}), or -1 where it cannot be read. */
        private static double loadAverage() {
            try {
                final String s = Files.readString(LOAD_AVERAGE, StandardCharsets.US_ASCII);
                return Double.parseDouble(s.substring(0, s.indexOf(' ')));
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    private final MappedLog log;
    private final long size;
    private final Plan plan;

    /** The pieces being searched; null before the first line asked for. */
    private Run run;
    /** The search told the reader to go on on its own: it finds nothing more. */
    private boolean stopped;
    /** The piece the reader is in, as searched for the reader's byte strings, and the next of its lines to give. */
    private int pieceAt;
    private Piece piece;
    /** The lines before the piece the reader is in: the pieces count the lines they hold as they are searched. */
    private long linesAtPiece;
    private int cursor;
    private long offset;
    private long linesBefore;
    /** Line starts with the count of lines before them: where the search began, the counts asked for, the pieces counted. */
    private final TreeMap<Long, Long> known = new TreeMap<>();

    /** The sieve of the last {@link #next}, and its byte strings as a set (a sieve does not change its strings). */
    private LineSieve lastSieve;
    private Set<String> lastNeedles;

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
     * {@link #offset()} is where it starts ({@link #linesBefore()} is {@link #UNCOUNTED}); false when
     * this search cannot tell, and the reader searches on its own from {@link #offset()} on,
     * {@link #linesBefore()} lines before it (also at the file's end); it is not asked again then.
     */
    boolean next(final LineSieve sieve, final long from, final long lines) throws IOException {
        if (stopped) {
            return stop(from, lines);
        }
        final boolean newSieve = sieve != lastSieve;
        if (newSieve) {
            lastSieve = sieve;
            lastNeedles = Set.copyOf(sieve.needles());
        }
        final Set<String> needles = lastNeedles;
        if (run == null) {
            if (size - from < plan.minBytes() || lines == UNCOUNTED) {
                return stop(from, lines);
            }
            known.put(from, lines);
            linesAtPiece = lines;
            run = new Run(from, needles);
        } else if (newSieve) {
            run.want(needles);
        }
        while (true) {
            if (piece == null) {
                if (pieceAt == run.pieces) {
                    return stop(size, linesAtPiece); // the pieces counted every line
                }
                piece = run.await(pieceAt);
                known.put(piece.start(), linesAtPiece);
                cursor = 0;
            }
            if (!piece.needles().containsAll(needles)) {
                piece = piece.with(needles, Math.max(from, piece.start()), log, plan.maxFound());
                cursor = 0;
            }
            while (cursor < piece.count() && piece.offsets()[cursor] < from) {
                cursor++;
            }
            if (cursor < piece.count()) {
                offset = piece.offsets()[cursor++];
                linesBefore = UNCOUNTED;
                return true;
            }
            if (piece.full()) {
                return stop(piece.end(), UNCOUNTED);
            }
            linesAtPiece += piece.linesIn();
            piece = null;
            run.passed(++pieceAt);
        }
    }

    /** Where the line found starts, or where the reader goes on on its own. */
    long offset() {
        return offset;
    }

    /** How many lines are before {@link #offset()}, or {@link #UNCOUNTED}: then {@link #linesBefore(long)} counts them. */
    long linesBefore() {
        return linesBefore;
    }

    /** Ends the search: the other threads stop once their pieces are searched. */
    void close() {
        if (run != null) {
            run.close();
        }
    }

    /**
     * How many lines are before {@code at} (a line start at or after where the search began, before
     * the end of the reader's piece): the LFs from the nearest known count before it (its piece's
     * start, or a count asked for before), counted now.
     */
    long linesBefore(final long at) throws IOException {
        final Map.Entry<Long, Long> before = known.floorEntry(at);
        long pos = before.getKey();
        long lines = before.getValue();
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
        close();
        piece = null;
        offset = at;
        linesBefore = lines;
        return false;
    }

    /**
     * One search of {@code [from, to)} in pieces, taken in file order: by the reader's thread when it
     * needs a piece not searched yet ({@link #await}), by the other threads up to a few pieces past
     * the reader's ({@link #passed}).
     */
    private final class Run {
        private final long from;
        private final long to;
        private final int pieces;
        private final Piece[] done;
        /** The byte strings the pieces taken from now on search for. */
        private Set<String> wanted;
        private int next;
        private int readerAt;
        private Throwable failure;
        private boolean closed;

        /** The search from {@code from} to the file's end for {@code needles}, its other threads started. */
        Run(final long from, final Set<String> needles) {
            this(from, size, (int) Math.min(Integer.MAX_VALUE, (size - from + plan.pieceBytes() - 1) / plan.pieceBytes()), needles);
            for (int t = 1; t < Math.min(plan.threads(), pieces); t++) {
                final Thread thread = new Thread(() -> {
                    try {
                        final byte[] scratch = new byte[CUT_PROBE];
                        int i;
                        while ((i = take(true)) >= 0) {
                            put(i, search(i, wanted(), scratch));
                        }
                    } catch (Throwable e) { // handed to the reader's thread, which throws it
                        fail(e);
                    }
                }, "scalpel-log-search-" + t);
                thread.setDaemon(true);
                thread.start();
            }
        }

        private Run(final long from, final long to, final int pieces, final Set<String> needles) {
            this.from = from;
            this.to = to;
            this.pieces = pieces;
            this.done = new Piece[pieces];
            this.wanted = needles;
        }

        /** Piece {@code i}, searched for {@code needles} (its bounds are the line starts at or after its share of the bytes). */
        Piece search(final int i, final Set<String> needles, final byte[] scratch) throws IOException {
            final long start = i == 0 ? from : log.lineStartFrom(from + i * plan.pieceBytes(), scratch);
            final long end = i == pieces - 1 ? to : Math.min(to, log.lineStartFrom(from + (i + 1) * plan.pieceBytes(), scratch));
            return Piece.search(log, Math.min(start, to), Math.max(Math.min(start, to), end), needles, true, plan.maxFound());
        }

        synchronized Set<String> wanted() {
            return wanted;
        }

        /**
         * From now on, the pieces taken search for {@code needles}, the reader's byte strings of the
         * moment: those it no longer searches for (a wanted uid once its row is read) are left out, as
         * a piece searched for them too finds only lines the reader skips.
         */
        synchronized void want(final Set<String> needles) {
            wanted = needles;
        }

        /**
         * The next piece to search, or -1 when none is left or the search ended; {@code wait}: an
         * other thread, which waits while the reader is a few pieces behind.
         */
        synchronized int take(final boolean wait) throws InterruptedException {
            while (wait && !closed && failure == null && next < pieces && next >= readerAt + plan.threads() * PIECES_AHEAD_PER_THREAD) {
                wait();
            }
            return closed || failure != null || next >= pieces || next >= readerAt + plan.threads() * PIECES_AHEAD_PER_THREAD
                ? -1 : next++;
        }

        synchronized void put(final int i, final Piece p) {
            done[i] = p;
            notifyAll();
        }

        synchronized void fail(final Throwable e) {
            if (failure == null) {
                failure = e;
            }
            notifyAll();
        }

        /** The reader is at piece {@code i}: the other threads may take pieces further on. */
        synchronized void passed(final int i) {
            readerAt = i;
            notifyAll();
        }

        synchronized void close() {
            closed = true;
            notifyAll();
        }

        /** Piece {@code i} searched: by this thread, the pieces not taken up to it, while it is not searched by another. */
        Piece await(final int i) throws IOException {
            final byte[] scratch = new byte[CUT_PROBE];
            while (true) {
                final int mine;
                synchronized (this) {
                    rethrow();
                    if (done[i] != null) {
                        return done[i];
                    }
                    try {
                        mine = take(false);
                        if (mine < 0) {
                            wait();
                            continue;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while searching the log");
                    }
                }
                try {
                    put(mine, search(mine, wanted(), scratch));
                } catch (InternalError fault) {
                    throw log.cutShort(fault);
                }
            }
        }

        /** Throws what another thread met, as it is (an IOException, an unchecked one), or as a cut-short log for a mapped-memory fault. */
        private synchronized void rethrow() throws IOException {
            if (failure instanceof IOException e) {
                throw e;
            } else if (failure instanceof InternalError fault) {
                throw log.cutShort(fault);
            } else if (failure instanceof RuntimeException e) {
                throw e;
            } else if (failure instanceof Error e) {
                throw e;
            }
        }
    }

    /**
     * What one thread found in {@code [start, end)}, searching for {@code needles}: where each line
     * found starts and, when counted, how many lines the piece holds; {@code full}: it held more than
     * the plan's lines found, and {@code end} is where the search of it stopped.
     */
    private record Piece(long start, long end, Set<String> needles, long[] offsets, int count, long linesIn, boolean full) {
        static Piece search(final MappedLog log, final long start, final long end, final Set<String> needles, final boolean count,
                            final int maxFound) throws IOException {
            long[] offsets = new long[16];
            int n = 0;
            final BoundedLineReader reader = new BoundedLineReader(log.range(start, end), ConnLogReader.MAX_LINE_LENGTH);
            reader.sieve(LineSieve.anyOf(needles));
            reader.countLines(count);
            while (reader.next()) { // the piece's first line too, which the reader gives whatever it holds
                if (n == maxFound) { // the piece ends before this line: the lines after it are searched by the reader alone
                    return new Piece(start, start + reader.lineStart(), needles, offsets, n, reader.lineNumber() - 1, true);
                }
                if (n == offsets.length) {
                    offsets = Arrays.copyOf(offsets, n * 2);
                }
                offsets[n++] = start + reader.lineStart();
            }
            return new Piece(start, end, needles, offsets, n, reader.lineNumber(), false);
        }

        /** This piece from {@code at} on (a line start in it), searched again for those of {@code more} it was not searched for. */
        Piece with(final Set<String> more, final long at, final MappedLog log, final int maxFound) throws IOException {
            final Set<String> missing = new LinkedHashSet<>(more);
            missing.removeAll(needles);
            final Piece other = search(log, at, end, Set.copyOf(missing), false, maxFound);
            final long until = other.full ? other.end : end;
            final long[] o = new long[count + other.count];
            int n = 0;
            int i = 0;
            int j = 0;
            while (i < count || j < other.count) {
                final long a = i < count ? offsets[i] : Long.MAX_VALUE;
                final long b = j < other.count ? other.offsets[j] : Long.MAX_VALUE;
                final long first = Math.min(a, b);
                i += a == first ? 1 : 0;
                j += b == first ? 1 : 0;
                if (first >= until) {
                    break;
                }
                if (first >= at) {
                    o[n++] = first;
                }
            }
            final Set<String> all = new LinkedHashSet<>(needles);
            all.addAll(missing);
            return new Piece(start, until, Set.copyOf(all), o, n, linesIn, full || other.full);
        }
    }
}
