package io.scalpel.zeek;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A copy, in a temporary file, of a log that cannot be read twice (standard input, a pipe), kept
 * as the first reading goes: the first reading parses the stream itself, so a stream that is not
 * a log is refused by its first bytes as usual, and never copied on for ever ({@code /dev/zero}).
 * Once the first reading has reached the end, {@link #file()} holds every byte it read, for the
 * next readings. {@link #close()} deletes the file.
 */
final class LogSpool implements Closeable {
    private final Path file;
    private final OutputStream out;

    private LogSpool(final Path file) throws IOException {
        this.file = file;
        this.out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    }

    /** Whether {@code log} ({@link ConnSelection#STDIN} for standard input) can be read only once. */
    static boolean needed(final String log) {
        if (ConnSelection.STDIN.equals(log)) {
            return true;
        }
        final Path path = Path.of(log);
        return Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path);
    }

    /** Starts a copy of the stream of {@code log} ({@link ConnSelection#STDIN} for standard input). */
    static LogSpool start() throws IOException {
        return new LogSpool(Files.createTempFile("scalpel-conn-", ".log"));
    }

    /** The stream of {@code log}, copied into the spool as it is read. */
    InputStream read(final String log) throws IOException {
        final InputStream in = ConnSelection.STDIN.equals(log) ? System.in : new java.io.FileInputStream(log);
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                final int b = super.read();
                if (b >= 0) {
                    out.write(b);
                }
                return b;
            }

            @Override
            public int read(final byte[] b, final int off, final int len) throws IOException {
                final int n = super.read(b, off, len);
                if (n > 0) {
                    out.write(b, off, n);
                }
                return n;
            }

            @Override
            public long skip(final long n) throws IOException {
                long skipped = 0;
                final byte[] buf = new byte[8192];
                while (skipped < n) {
                    final int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                    if (r < 0) {
                        break;
                    }
                    skipped += r;
                }
                return skipped;
            }

            @Override
            public void close() throws IOException {
                if (in != System.in) {
                    super.close();
                }
                out.flush();
            }
        };
    }

    /** The copy, complete once the first reading has reached the end of the stream. */
    Path file() throws IOException {
        out.flush();
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
