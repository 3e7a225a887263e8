package io.scalpel.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional reads of a file channel that fill a buffer, or stop where the file ends. */
final class PositionalReads {
    private PositionalReads() {
    }

    /**
     * Reads {@code dst.remaining()} bytes at {@code position} or up to the end of the file; returns
     * the bytes read (fewer than asked only when the file ends before them).
     */
    static int readFully(final FileChannel channel, final ByteBuffer dst, final long position) throws IOException {
        int n = 0;
        while (dst.hasRemaining()) {
            final int r = channel.read(dst, position + n);
            if (r <= 0) {
                break;
            }
            n += r;
        }
        return n;
    }
}
