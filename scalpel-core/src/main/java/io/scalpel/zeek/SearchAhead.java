package io.scalpel.zeek;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The later segments of a log file searched ahead, each by a thread of its own, while a
 * {@link BoundedLineReader} searches the first: for each segment, where the first line that a
 * {@link LineSieve} finds in it starts, and how many lines come before it there. The reader, on
 * reaching a segment without having found a line before it, takes that segment's answer
 * ({@link #take}): it moves to the line found and adds the lines passed over, as if it had searched
 * the segment itself. So a search of a file on n cores takes about the time of its largest segment,
 * and the reader still sees every line found in order, with its number, and the lines that tell
 * the format (Zeek's headers) before the rows after them: what it parses is what a search of its
 * own would have given it.
 *
 * <p>Segments start at line starts: each at the first line that starts at or after its share of the
 * bytes. A thread searches its segment with a reader of its own ({@link BoundedLineReader#seekFirst})
 * over a copy of the sieve. Only an uncompressed file can be searched in segments: a compressed
 * one has no byte offsets to start at but its start.
 */
final class SearchAhead implements AutoCloseable {
    /**
     * How a file is searched: in up to {@code segments} segments of {@code minimumBytes} or more
     * each (fewer for a smaller file; one: no search ahead).
     */
    record Plan(int segments, long minimumBytes) {
        /** No search ahead. */
        static final Plan NONE = new Plan(1, Long.MAX_VALUE);

        /**
         * What a one-uid slice uses: one segment. Measured on the 2-core machine the project is
         * built on (docs/performance.md, the cold path of a one-uid slice), a second thread made a
         * read of a 105.7 MB conn.log no faster while other work kept both cores busy, and slower
         * and dearer for a uid in the log's middle, where the pass's sieve changes and each
         * segment's search stops at its first of many lines found. Plans of more segments are
         * given explicitly.
         */
        static final Plan DEFAULT = NONE;

        Plan {
            if (segments < 1 || minimumBytes < 1) {
                throw new IllegalArgumentException("segments " + segments + ", minimum bytes " + minimumBytes);
            }
        }
    }

    /**
     * What a segment's search found.
     *
     * @param offset    where the first line found starts, or the segment's end when none is
     *                  (a line it could not tell, longer than a reader's chunk or without an LF at
     *                  the end of the file, counts as found)
     * @param lineFeeds the lines of the segment before {@code offset}
     */
    record Found(long offset, long lineFeeds) {
    }

    /** Where each later segment starts, in order; the first not taken yet is at {@link #next}. */
    private final long[] starts;
    /** Per segment, what its thread found once it ended; null when its search failed. */
    private final Found[] found;
    private final Thread[] threads;
    private int next;

    private SearchAhead(final long[] starts) {
        this.starts = starts;
        this.found = new Found[starts.length];
        this.threads = new Thread[starts.length];
    }

    /**
     * Starts searching {@code file}'s bytes from {@code from} (a line start) to its end in
     * segments, all but the first in threads of their own; null when the plan gives one segment
     * there, or the file cannot be read (the reader then searches it all itself).
     */
    static SearchAhead start(final Path file, final long from, final LineSieve sieve, final Plan plan) {
        if (plan.segments() < 2) {
            return null;
        }
        final long[] starts;
        final long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            final long bytes = size - from;
            final int segments = (int) Math.min(plan.segments(), Math.max(1, bytes / plan.minimumBytes()));
            if (segments < 2) {
                return null;
            }
            final long[] s = new long[segments - 1];
            int n = 0;
            long previous = from;
            for (int k = 1; k < segments; k++) {
                final long start = lineStartAtOrAfter(ch, from + bytes / segments * k, size);
                if (start > previous && start < size) {
                    s[n++] = start;
                    previous = start;
                }
            }
            if (n == 0) {
                return null;
            }
            starts = java.util.Arrays.copyOf(s, n);
        } catch (IOException e) {
            return null;
        }
        final SearchAhead ahead = new SearchAhead(starts);
        for (int k = 0; k < starts.length; k++) {
            final int segment = k;
            final long end = k + 1 < starts.length ? starts[k + 1] : Long.MAX_VALUE;
            final LineSieve copy = sieve.copy();
            final Thread t = new Thread(() -> ahead.search(file, segment, end, copy), "conn.log search ahead " + (k + 1));
            t.setDaemon(true);
            ahead.threads[k] = t;
        }
        for (Thread t : ahead.threads) {
            t.start();
        }
        return ahead;
    }

    private void search(final Path file, final int segment, final long end, final LineSieve sieve) {
        final long start = starts[segment];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final BoundedLineReader reader = new BoundedLineReader(new Range(ch, start, end), ConnLogReader.MAX_LINE_LENGTH);
            final long[] lineFeeds = new long[1];
            final long at = reader.seekFirst(sieve, lineFeeds);
            found[segment] = new Found(start + at, lineFeeds[0]); // seen by take() after its join
        } catch (IOException | RuntimeException e) {
            // found[segment] stays null: the reader searches the segment itself
        }
    }

    /** Where the next segment not taken starts; {@link Long#MAX_VALUE} when every one was. */
    long boundary() {
        return next < starts.length ? starts[next] : Long.MAX_VALUE;
    }

    /**
     * The next segment's answer, once its search ended; null when it failed (the reader then
     * searches that segment itself).
     */
    Found take() throws IOException {
        final int k = next++;
        try {
            threads[k].join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a search of the log");
        }
        return found[k];
    }

    /** Stops the searches not needed any more (a thread ends at its next read). */
    @Override
    public void close() {
        for (Thread t : threads) {
            t.interrupt();
        }
    }

    /** The first byte at or after {@code at} that starts a line (after an LF), or {@code size}. */
    static long lineStartAtOrAfter(final FileChannel ch, final long at, final long size) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(8192);
        long pos = at - 1;
        while (pos < size) {
            b.clear();
            final int n = ch.read(b, pos);
            if (n <= 0) {
                return size;
            }
            for (int i = 0; i < n; i++) {
                if (b.get(i) == '\n') {
                    return pos + i + 1;
                }
            }
            pos += n;
        }
        return size;
    }

    /** The bytes of a file from {@code start} to {@code end} (or its end), read at their positions. */
    private static final class Range extends InputStream {
        private final FileChannel ch;
        private long pos;
        private final long end;

        Range(final FileChannel ch, final long start, final long end) {
            this.ch = ch;
            this.pos = start;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("search ahead no longer needed");
            }
            final int want = (int) Math.min(len, end - pos);
            if (want <= 0) {
                return -1;
            }
            final int n = ch.read(ByteBuffer.wrap(b, off, want), pos);
            if (n > 0) {
                pos += n;
            }
            return n == 0 ? -1 : n;
        }
    }
}
