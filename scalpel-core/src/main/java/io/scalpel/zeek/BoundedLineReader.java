package io.scalpel.zeek;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;

/**
 * Splits a byte stream into lines ending in LF (a CR before the LF is dropped) without ever
 * holding more than {@code maxLineLength} bytes of one line: the rest of a longer line is counted
 * and discarded, and the line is flagged {@link #tooLong()}. A UTF-8 byte order mark at the very
 * start is dropped. The bytes of the current line are
 * valid until the next call to {@link #next()}.
 *
 * <p>With a {@link LineSieve} ({@link #sieve}), {@link #next()} returns only the lines that contain
 * one of its byte strings (and lines too long to hold, which are reported whatever they hold): the
 * bytes read are searched before they are split into lines, and the lines in between are only
 * counted, so that {@link #lineNumber()} stays the line's number in the text.
 */
final class BoundedLineReader {
    private static final int READ_CHUNK = 64 * 1024;
    private static final int INITIAL_LINE_CAPACITY = 4 * 1024;
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final InputStream in;
    private final int maxLineLength;
    private final byte[] chunk = new byte[READ_CHUNK];
    private int chunkPos;
    private int chunkEnd;
    /** Bytes of the stream taken so far (read or skipped): the chunk's first byte is at {@code consumed - chunkEnd}. */
    private long consumed;
    /** Bytes read from {@link #in} itself: behind {@link #consumed} when the search ahead's file gave bytes, or bytes were skipped. */
    private long streamPos;
    private boolean eof;

    private byte[] line = new byte[INITIAL_LINE_CAPACITY];
    private int length;
    private long fullLength;
    private long lineNumber;
    /** Where the current line starts in the stream. */
    private long lineStart;

    private LineSieve sieve;
    /** The lines of the file searched for ahead, on several threads; null: the reader searches on its own. */
    private SplitLineSearch ahead;
    /** Counts the lines before {@link #uncountedFrom} when {@link #lineNumber} is {@link SplitLineSearch#UNCOUNTED}. */
    private SplitLineSearch lineCounter;
    private long uncountedFrom;
    private long readSinceUncounted;
    /** Whether the lines skipped by a sieve are counted: false only for a search that notes where lines start. */
    private boolean countLines = true;
    /** End of the bytes the sieve looks at in {@link #chunk} (after the chunk's last LF); -1 when it looks elsewhere. */
    private int viewEnd = -1;

    BoundedLineReader(final InputStream in, final int maxLineLength) {
        this.in = in;
        this.maxLineLength = maxLineLength;
    }

    /** From now on, {@link #next()} returns only lines that {@code sieve} finds (null: every line). */
    void sieve(final LineSieve sieve) {
        this.sieve = sieve;
        viewEnd = -1;
    }

    /**
     * From now on, the lines a sieve finds are asked of {@code search}, which searched the stream's
     * file ahead on several threads, as long as it can tell them; the reader then goes on searching
     * on its own. The stream must be that file's bytes from its start, as they are.
     */
    void searchAhead(final SplitLineSearch search) {
        this.ahead = search;
        this.lineCounter = search;
    }

    /** Whether the lines skipped by a sieve are counted ({@link #lineNumber()}); true unless told otherwise. */
    void countLines(final boolean count) {
        this.countLines = count;
    }

    /** Reads the next line (with a sieve: the next line it finds); false at the end of the stream. */
    boolean next() throws IOException {
        if (ahead != null && sieve != null && lineNumber != 0) {
            while (ahead != null) {
                final boolean found = ahead.next(sieve, position(), lineNumber);
                skipTo(ahead.offset(), ahead.linesBefore());
                if (!found) {
                    ahead = null; // the search ahead cannot tell the lines from here on
                    break;
                }
                if (!readLine()) {
                    return false;
                }
                viewEnd = -1; // the sieve looks at the line now
                if (tooLong() || sieve.matches(line, 0, length)) { // the search ahead may have looked for more byte strings
                    return true;
                }
            }
        }
        if (sieve == null || lineNumber == 0) { // the first line, which may start with a byte order mark, is read as it is
            return readLine();
        }
        while (true) {
            final Seek s = seek();
            if (s == Seek.END) {
                return false;
            }
            if (!readLine()) {
                return false;
            }
            if (s == Seek.FOUND || tooLong()) {
                return true;
            }
            viewEnd = -1; // the sieve looks at the line now
            if (sieve.matches(line, 0, length)) {
                return true;
            }
        }
    }

    /** Counts the lines before {@link #uncountedFrom} if they were left uncounted, and the lines read since. */
    private void count() throws IOException {
        if (lineNumber == SplitLineSearch.UNCOUNTED) {
            lineNumber = lineCounter.linesBefore(uncountedFrom) + readSinceUncounted;
        }
    }

    /** What {@link #seek()} found. */
    private enum Seek { FOUND, END, UNSURE }

    /**
     * Moves to the start of the next line that holds one of the sieve's byte strings, counting the
     * lines before it: FOUND. UNSURE when the next line does not end within the chunk (longer
     * than the chunk, or the last line of the stream without an LF): the line must be read to be
     * looked at. END at the end of the stream.
     */
    private Seek seek() throws IOException {
        while (true) {
            if (chunkPos == chunkEnd && (eof || !fill())) {
                return Seek.END;
            }
            int lastLf = chunkEnd - 1;
            while (lastLf >= chunkPos && chunk[lastLf] != '\n') {
                lastLf--;
            }
            if (lastLf < chunkPos) {
                if (!eof && (chunkPos > 0 || chunkEnd < chunk.length)) {
                    fillBehind();
                    continue;
                }
                return Seek.UNSURE;
            }
            final int end = lastLf + 1;
            if (viewEnd != end) {
                sieve.view(chunk, chunkPos, end);
                viewEnd = end;
            }
            final int hit;
            if (countLines) { // the LFs before the hit are the lines before its line
                count();
                hit = sieve.findCounting(chunkPos);
                lineNumber += sieve.lineFeeds();
            } else {
                hit = sieve.find(chunkPos);
            }
            if (hit < 0) {
                chunkPos = viewEnd;
                continue;
            }
            int start = hit;
            while (start > chunkPos && chunk[start - 1] != '\n') {
                start--;
            }
            chunkPos = start;
            return Seek.FOUND;
        }
    }

    /** Where the next byte to be looked at is in the stream. */
    long position() {
        return consumed - chunkEnd + chunkPos;
    }

    /** Goes on at {@code offset} of the stream (at or after {@link #position()}), a line start with {@code linesBefore} lines before it. */
    private void skipTo(final long offset, final long linesBefore) throws IOException {
        lineNumber = linesBefore;
        uncountedFrom = offset;
        readSinceUncounted = 0;
        viewEnd = -1;
        if (offset <= consumed) {
            chunkPos = (int) (offset - (consumed - chunkEnd));
            return;
        }
        chunkPos = 0;
        chunkEnd = 0;
        consumed = offset; // the stream itself is moved there when next read
    }

    /**
     * Reads into {@code b} from {@link #consumed} on: from the search ahead's file while it has the
     * bytes, otherwise from the stream, moved forward first past the bytes it did not give.
     */
    private int read(final byte[] b, final int off, final int len) throws IOException {
        // a thread interrupted stops here, a chunk at most after it was told: a file's stream reads on regardless
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while reading the log");
        }
        if (ahead != null && consumed < ahead.size()) {
            return ahead.read(consumed, b, off, len);
        }
        while (streamPos < consumed) {
            long n = in.skip(consumed - streamPos);
            if (n <= 0) {
                if (in.read() < 0) {
                    return -1;
                }
                n = 1;
            }
            streamPos += n;
        }
        final int n = in.read(b, off, len);
        if (n > 0) {
            streamPos += n;
        }
        return n;
    }

    /** Moves the bytes not read yet to the chunk's start and reads more behind them. */
    private void fillBehind() throws IOException {
        final int kept = chunkEnd - chunkPos;
        System.arraycopy(chunk, chunkPos, chunk, 0, kept);
        chunkPos = 0;
        chunkEnd = kept;
        viewEnd = -1;
        final int n = read(chunk, kept, chunk.length - kept);
        if (n < 0) {
            eof = true;
        } else {
            chunkEnd += n;
            consumed += n;
        }
    }

    private boolean readLine() throws IOException {
        lineStart = position();
        length = 0;
        fullLength = 0;
        boolean sawAny = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                if (eof || !fill()) {
                    if (!sawAny) {
                        return false;
                    }
                    break; // last line without a final LF
                }
            }
            sawAny = true;
            int lf = -1;
            for (int i = chunkPos; i < chunkEnd; i++) {
                if (chunk[i] == '\n') {
                    lf = i;
                    break;
                }
            }
            final int end = lf >= 0 ? lf : chunkEnd;
            append(chunkPos, end - chunkPos);
            chunkPos = lf >= 0 ? lf + 1 : chunkEnd;
            if (lf >= 0) {
                break;
            }
        }
        if (lineNumber == SplitLineSearch.UNCOUNTED) {
            readSinceUncounted++;
        } else {
            lineNumber++;
        }
        if (lineNumber == 1 && length >= UTF8_BOM.length && Arrays.equals(line, 0, UTF8_BOM.length, UTF8_BOM, 0, UTF8_BOM.length)) {
            System.arraycopy(line, UTF8_BOM.length, line, 0, length - UTF8_BOM.length);
            length -= UTF8_BOM.length;
            fullLength -= UTF8_BOM.length;
        }
        if (fullLength > 0 && length == fullLength && line[length - 1] == '\r') {
            length--;
            fullLength--;
        }
        return true;
    }

    private void append(final int from, final int count) {
        fullLength += count;
        final int room = maxLineLength - length;
        final int take = Math.min(room, count);
        if (take <= 0) {
            return;
        }
        if (length + take > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxLineLength, Math.max(2L * line.length, length + take)));
        }
        System.arraycopy(chunk, from, line, length, take);
        length += take;
    }

    private boolean fill() throws IOException {
        viewEnd = -1;
        final int n = read(chunk, 0, chunk.length);
        if (n < 0) {
            eof = true;
            return false;
        }
        chunkPos = 0;
        chunkEnd = n;
        consumed += n;
        return true;
    }

    /** The current line's bytes (only the first {@link #length()} are valid). */
    byte[] bytes() {
        return line;
    }

    /** Bytes held for the current line: at most the limit. */
    int length() {
        return length;
    }

    /** The current line's real length without its terminator, also when it was too long to hold. */
    long fullLength() {
        return fullLength;
    }

    /** True when the current line was longer than the limit and only its start is held. */
    boolean tooLong() {
        return fullLength > length;
    }

    /** Where the current line starts in the stream. */
    long lineStart() {
        return lineStart;
    }

    /** 1-based number of the current line (counted now when the search ahead left it uncounted). */
    long lineNumber() throws IOException {
        count();
        return lineNumber;
    }

    int maxLineLength() {
        return maxLineLength;
    }
}
