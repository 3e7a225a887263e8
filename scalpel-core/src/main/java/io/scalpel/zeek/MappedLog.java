package io.scalpel.zeek;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A plain log file mapped into memory, its bytes read by position from any thread: the threads of a
 * {@link SplitLineSearch} each read the file, and its searches for new byte strings read it again,
 * so its bytes are copied from the page cache without a system call per read (the kernel's copy
 * of a read cost more than the search gained, measured on the 105.7 MB log of the benchmark). The
 * file is mapped in windows of {@value #WINDOW} bytes as it was when mapped; a file cut short while
 * read is refused ({@link #cutShort}).
 */
final class MappedLog {
    private static final long WINDOW = 1L << 30;

    private final Path file;
    private final String source;
    private final long size;
    private final MappedByteBuffer[] windows;

    private MappedLog(final Path file, final String source, final long size, final MappedByteBuffer[] windows) {
        this.file = file;
        this.source = source;
        this.size = size;
        this.windows = windows;
    }

    /** The first {@code size} bytes of {@code file}, mapped; {@code source} names it in messages. */
    static MappedLog map(final Path file, final long size, final String source) throws IOException {
        final MappedByteBuffer[] windows = new MappedByteBuffer[(int) ((size + WINDOW - 1) / WINDOW)];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int w = 0; w < windows.length; w++) {
                windows[w] = ch.map(FileChannel.MapMode.READ_ONLY, w * WINDOW, Math.min(WINDOW, size - w * WINDOW));
            }
        }
        return new MappedLog(file, source, size, windows);
    }

    /** The bytes mapped. */
    long size() {
        return size;
    }

    /**
     * Copies up to {@code len} bytes from {@code pos} on into {@code b}; how many, or -1 at the end of
     * what is mapped. A thread interrupted stops reading here, as it would at a read of a channel.
     */
    int read(final long pos, final byte[] b, final int off, final int len) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while reading " + source);
        }
        if (pos >= size) {
            return -1;
        }
        final MappedByteBuffer window = windows[(int) (pos / WINDOW)];
        final int at = (int) (pos % WINDOW);
        final int n = Math.min(len, window.capacity() - at);
        window.get(at, b, off, n);
        return n;
    }

    /**
     * What a fault on mapped memory, caught around reads of this file, means: the JVM turns the
     * SIGBUS of a mapped page past a file's end into an {@link InternalError}, thrown soon after the
     * read, not by it. When the file is now shorter than it was mapped, the log is refused; otherwise
     * the fault is not this file's, and is thrown as it is.
     */
    ConnLogFormatException cutShort(final InternalError fault) throws IOException {
        final long now = Files.size(file);
        if (now >= size) {
            throw fault;
        }
        final ConnLogFormatException e = new ConnLogFormatException(source, 0, "cut short while it was read (" + now + " of the "
            + size + " bytes it had when opened); read it again once it no longer changes");
        e.addSuppressed(fault);
        return e;
    }

    /** Where the first line at or after {@code at} starts: just past the first LF from {@code at - 1} on, or {@link #size()}. */
    long lineStartFrom(final long at, final byte[] scratch) throws IOException {
        if (at <= 0) {
            return 0;
        }
        long pos = at - 1;
        while (pos < size) {
            final int n = read(pos, scratch, 0, scratch.length);
            for (int i = 0; i < n; i++) {
                if (scratch[i] == '\n') {
                    return pos + i + 1;
                }
            }
            pos += n;
        }
        return size;
    }

    /** The bytes {@code [start, end)}: a stream of its own for each thread. */
    InputStream range(final long start, final long end) {
        return new InputStream() {
            private long pos = start;

            @Override
            public int read() throws IOException {
                final byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(final byte[] b, final int off, final int len) throws IOException {
                if (pos >= end) {
                    return -1;
                }
                final int n = MappedLog.this.read(pos, b, off, (int) Math.min(len, end - pos));
                if (n > 0) {
                    pos += n;
                }
                return n;
            }
        };
    }
}
