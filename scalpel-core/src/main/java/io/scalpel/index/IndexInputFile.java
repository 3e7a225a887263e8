package io.scalpel.index;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A local Parquet file read through a buffer. Parquet's {@code LocalInputFile} passes every
 * one-byte read of the Thrift decoder (footer, column and offset indexes) to a system call;
 * a lookup reads the page indexes of every row group it touches, so that was most of its time.
 * Here small reads come from a buffer of {@link #BUFFER} bytes filled by positional reads, and
 * large ones go straight to the file.
 */
final class IndexInputFile implements InputFile {
    /** Bytes read at once for small reads. */
    static final int BUFFER = 64 * 1024;

    private final Path path;
    private final long length;

    IndexInputFile(final Path path) throws IOException {
        this.path = path;
        this.length = java.nio.file.Files.size(path);
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public Stream newStream() throws IOException {
        return new Stream(FileChannel.open(path, StandardOpenOption.READ), path);
    }

    @Override
    public String toString() {
        return path.toString();
    }

    static final class Stream extends SeekableInputStream {
        private final FileChannel channel;
        private final Path path;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        /** File position of buffer[0]; the buffer holds [bufferStart, bufferStart + buffer.limit()). */
        private long bufferStart;
        private long pos;

        Stream(final FileChannel channel, final Path path) {
            this.channel = channel;
            this.path = path;
            buffer.limit(0);
        }

        /** Forgets what was read ahead: the next read comes from the file as it is now. */
        void discardBuffer() {
            buffer.limit(0);
        }

        @Override
        public long getPos() {
            return pos;
        }

        @Override
        public void seek(final long newPos) {
            pos = newPos;
        }

        /** Makes the buffer hold pos; false at the end of the file. */
        private boolean fill() throws IOException {
            if (pos >= bufferStart && pos < bufferStart + buffer.limit()) {
                return true;
            }
            buffer.clear();
            bufferStart = pos;
            while (buffer.hasRemaining()) {
                final int n = channel.read(buffer, bufferStart + buffer.position());
                if (n < 0) {
                    break;
                }
            }
            buffer.flip();
            return buffer.limit() > 0;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return buffer.get((int) (pos++ - bufferStart)) & 0xFF;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            final int n = read(ByteBuffer.wrap(b, off, len));
            return n == 0 ? -1 : n;
        }

        @Override
        public int read(final ByteBuffer dst) throws IOException {
            final int want = dst.remaining();
            int done = 0;
            if (want >= BUFFER) {
                // Large: straight from the file (after what the buffer already holds of it).
                while (dst.hasRemaining()) {
                    final int n = channel.read(dst, pos);
                    if (n < 0) {
                        break;
                    }
                    pos += n;
                    done += n;
                }
                return done;
            }
            while (dst.hasRemaining() && fill()) {
                final int at = (int) (pos - bufferStart);
                final int n = Math.min(dst.remaining(), buffer.limit() - at);
                dst.put(buffer.array(), at, n);
                pos += n;
                done += n;
            }
            return done;
        }

        @Override
        public void readFully(final byte[] bytes) throws IOException {
            readFully(bytes, 0, bytes.length);
        }

        @Override
        public void readFully(final byte[] bytes, final int start, final int len) throws IOException {
            readFully(ByteBuffer.wrap(bytes, start, len));
        }

        @Override
        public void readFully(final ByteBuffer dst) throws IOException {
            final int want = dst.remaining();
            final long at = pos;
            if (read(dst) < want) {
                throw new EOFException(path + ": byte offset " + at + ": " + want + " bytes wanted, the file ends first");
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
