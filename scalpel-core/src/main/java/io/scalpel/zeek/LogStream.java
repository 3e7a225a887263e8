package io.scalpel.zeek;

import io.scalpel.capture.ZstdFrames;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The text of a log read from a stream, its compression told by its first bytes ({@code 1f 8b}
 * gzip, {@code 28 b5 2f fd} or a skippable frame zstd) and undone; content that cannot start a
 * Zeek log is refused by its first bytes, before any line is read ({@link #open}). A failure of the
 * decompression later on is told as unreadable gzip or zstd data at a line ({@link #unreadable}).
 */
final class LogStream {
    /** Bytes read ahead of the lines: also how far {@link #open} looks for the first byte that is not white space. */
    static final int BUFFER_SIZE = 64 * 1024;
    private static final int GZIP_MAGIC_1 = 0x1F;
    private static final int GZIP_MAGIC_2 = 0x8B;
    static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final String source;
    private final BufferedInputStream text;
    private final boolean gzip;
    private final boolean zstd;

    private LogStream(final String source, final BufferedInputStream text, final boolean gzip, final boolean zstd) {
        this.source = source;
        this.text = text;
        this.gzip = gzip;
        this.zstd = zstd;
    }

    /**
     * The text of {@code in}, decompressed when it is gzip or zstd.
     *
     * @param source names the log in messages (already escaped)
     * @throws ConnLogFormatException when the data is unreadable gzip or zstd, a Parquet file, or
     *                                content whose first bytes cannot start a log of {@code kind}
     */
    static LogStream open(final InputStream in, final String source, final ZeekLogKind kind) throws IOException {
        final BufferedInputStream buffered = new BufferedInputStream(in, BUFFER_SIZE);
        buffered.mark(2);
        final int b0 = buffered.read();
        final int b1 = b0 < 0 ? -1 : buffered.read();
        buffered.reset();
        InputStream text = buffered;
        final boolean gzip = b0 == GZIP_MAGIC_1 && b1 == GZIP_MAGIC_2;
        if (gzip) {
            text = LogDecompression.gzip(buffered, source);
        }
        buffered.mark(PARQUET_MAGIC.length);
        final byte[] magic = buffered.readNBytes(PARQUET_MAGIC.length);
        buffered.reset();
        final boolean zstd = !gzip && magic.length == 4 && ZstdFrames.isZstd(
            ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt());
        if (zstd) {
            text = LogDecompression.zstd(buffered, source);
        } else if (!gzip && Arrays.equals(magic, PARQUET_MAGIC)) {
            throw new ConnLogFormatException(source, 0, "a Parquet file: give its path (Parquet is read from the footer"
                + " at its end), not a stream such as stdin");
        }
        final BufferedInputStream start = text == buffered ? buffered : new BufferedInputStream(text, BUFFER_SIZE);
        final LogStream stream = new LogStream(source, start, gzip, zstd);
        stream.refuseByFirstBytes(kind);
        return stream;
    }

    /** Whether the text is the stream's bytes as they are: neither gzip nor zstd. */
    boolean plain() {
        return !gzip && !zstd;
    }

    /** The decompressed text, positioned at its start. */
    InputStream text() {
        return text;
    }

    /**
     * Refuses content that cannot start a Zeek log by its first byte that is not white space,
     * looked at within the first {@value #BUFFER_SIZE} bytes, without consuming anything: a
     * stream (stdin, a pipe, {@code /dev/zero}) is never read on in search of the end of a line
     * that is not a log's. Reads only what is there: a pipe that has sent its first line is not
     * waited on for more.
     */
    private void refuseByFirstBytes(final ZeekLogKind kind) throws IOException {
        final byte[] head = new byte[BUFFER_SIZE];
        int n = 0;
        int first = -1;
        int firstLineEnd = -1;
        text.mark(BUFFER_SIZE);
        try {
            // Up to the first byte that is not white space, and for a header line (zeek-cut, CSV) the end of that line.
            while (n < head.length && (first < 0 || (!startsZeekOrJson(head[first]) && firstLineEnd < 0))) {
                final int r = text.read(head, n, head.length - n);
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
            text.reset();
        } catch (IOException e) {
            throw unreadable(e, 1);
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

    /** What a failure of the decompressing stream means: unreadable gzip or zstd data at {@code line}, or {@code e} itself. */
    IOException unreadable(final IOException e, final long line) {
        return gzip ? LogDecompression.gzipFailure(e, source, line) : zstd ? LogDecompression.zstdFailure(e, source, line) : e;
    }

    /** Why a text whose telling line is {@code b} (from {@code from} to {@code len}) is not a log of {@code kind}. */
    static String notALog(final ZeekLogKind kind, final byte[] b, final int from, final int len) {
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

    /** White space between and around a log's fields: space, tab, CR, LF, form feed. */
    static boolean isWhitespace(final byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    }
}
