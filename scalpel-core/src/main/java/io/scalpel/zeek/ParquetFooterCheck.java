package io.scalpel.zeek;

import io.scalpel.index.ThriftCompact;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks the footer of a Parquet log before parquet-java parses it. parquet-java's Thrift
 * decoder allocates a list as large as the count its header declares (a 71-byte file declaring
 * 2^31 row groups exhausts any heap); here every count and length in the footer is held to the
 * bytes left in it (an element takes at least one byte), nesting is bounded ({@link ThriftCompact}),
 * and the footer itself must fit in the file and under {@link #MAX_FOOTER_BYTES}. Nothing is
 * allocated but the footer's bytes.
 */
final class ParquetFooterCheck {
    /** Largest footer read: far above any conn log's (a few KiB per row group). */
    static final int MAX_FOOTER_BYTES = 64 << 20;
    /** Deepest nesting of Thrift structs and containers accepted (a Parquet footer needs about 8). */
    private static final int MAX_DEPTH = 32;
    private static final int TAIL_BYTES = 8;
    private static final int MAGIC_BYTES = 4;
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private ParquetFooterCheck() {
    }

    /**
     * @throws ConnLogFormatException when the footer does not fit the file, or a count or length
     *                                in it exceeds what is left of it
     */
    static void check(final Path path, final String source) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            final long size = ch.size();
            if (size < MAGIC_BYTES + TAIL_BYTES) {
                throw refuse(source, "file of " + size + " bytes is too short for Parquet");
            }
            final ByteBuffer tail = ByteBuffer.allocate(TAIL_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, tail, size - TAIL_BYTES);
            for (int i = 0; i < MAGIC_BYTES; i++) {
                if (tail.get(TAIL_BYTES - MAGIC_BYTES + i) != MAGIC[i]) {
                    return; // not a plain footer (encrypted, or no Parquet at all): parquet-java says which
                }
            }
            final long length = tail.getInt(0) & 0xFFFF_FFFFL;
            if (length > size - MAGIC_BYTES - TAIL_BYTES || length > MAX_FOOTER_BYTES) {
                throw refuse(source, "footer of " + length + " bytes in a file of " + size
                    + (length > MAX_FOOTER_BYTES ? " (at most " + MAX_FOOTER_BYTES + " are read)" : ""));
            }
            final ByteBuffer footer = ByteBuffer.allocate((int) length);
            readFully(ch, footer, size - TAIL_BYTES - length);
            final String problem = problem(footer.array());
            if (problem != null) {
                throw refuse(source, problem);
            }
        }
    }

    /**
     * What is wrong with a footer's bytes (Thrift compact protocol, a FileMetaData), or null when
     * every count and length in it fits what is left of it.
     */
    static String problem(final byte[] footer) {
        final ThriftCompact c = new ThriftCompact(ByteBuffer.wrap(footer), 0, "the footer", MAX_DEPTH);
        try {
            c.skipStruct(0);
            return null;
        } catch (IOException e) {
            return "footer byte " + c.position() + ": " + e.getMessage();
        }
    }

    private static void readFully(final FileChannel ch, final ByteBuffer into, final long at) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into, at + into.position()) < 0) {
                throw new java.io.EOFException("file ends at byte " + (at + into.position()));
            }
        }
    }

    private static ConnLogFormatException refuse(final String source, final String what) {
        return new ConnLogFormatException(source, 0, "unreadable Parquet file (" + what + ")");
    }
}
