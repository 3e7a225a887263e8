package io.scalpel.zeek;

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
 * bytes left in it (an element takes at least one byte), nesting is bounded, and the footer
 * itself must fit in the file and under {@link #MAX_FOOTER_BYTES}. Nothing is allocated but the
 * footer's bytes.
 */
final class ParquetFooterCheck {
    /** Largest footer read: far above any conn log's (a few KiB per row group). */
    static final int MAX_FOOTER_BYTES = 64 << 20;
    /** Deepest nesting of Thrift structs and containers accepted (a Parquet footer needs about 8). */
    private static final int MAX_DEPTH = 32;
    private static final int TAIL_BYTES = 8;
    private static final int MAGIC_BYTES = 4;
    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    /** Thrift compact protocol element types. */
    private static final int BOOLEAN_TRUE = 1;
    private static final int BOOLEAN_FALSE = 2;
    private static final int BYTE = 3;
    private static final int I16 = 4;
    private static final int I32 = 5;
    private static final int I64 = 6;
    private static final int DOUBLE = 7;
    private static final int BINARY = 8;
    private static final int LIST = 9;
    private static final int SET = 10;
    private static final int MAP = 11;
    private static final int STRUCT = 12;
    private static final int LONG_FORM_SIZE = 15;
    private static final int DOUBLE_BYTES = 8;
    private static final int MAX_VARINT_BYTES = 10;

    private final byte[] footer;
    private int pos;

    private ParquetFooterCheck(final byte[] footer) {
        this.footer = footer;
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
        final ParquetFooterCheck c = new ParquetFooterCheck(footer);
        try {
            c.struct(0);
            return null;
        } catch (IllegalStateException e) {
            return "footer byte " + c.pos + ": " + e.getMessage();
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

    private int left() {
        return footer.length - pos;
    }

    private int u8() {
        if (pos >= footer.length) {
            throw new IllegalStateException("the footer ends inside a value");
        }
        return footer[pos++] & 0xFF;
    }

    private long varint() {
        long v = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            final int b = u8();
            v |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalStateException("a varint longer than 10 bytes");
    }

    private void skip(final long n, final String what) {
        if (n < 0 || n > left()) {
            throw new IllegalStateException(what + " of " + n + " bytes, only " + left() + " left in the footer");
        }
        pos += (int) n;
    }

    private void count(final long n, final String what) {
        if (n < 0 || n > left()) {
            throw new IllegalStateException(what + " of " + n + " elements, only " + left() + " bytes left in the footer");
        }
    }

    private void struct(final int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalStateException("nested deeper than " + MAX_DEPTH);
        }
        while (true) {
            final int header = u8();
            if (header == 0) {
                return;
            }
            if ((header >> 4) == 0) {
                varint(); // the field id in full
            }
            value(header & 0x0F, depth, true);
        }
    }

    private void value(final int type, final int depth, final boolean inStruct) {
        switch (type) {
            case BOOLEAN_TRUE, BOOLEAN_FALSE -> {
                if (!inStruct) {
                    u8(); // a boolean in a container takes a byte; in a struct, its field header holds it
                }
            }
            case BYTE -> u8();
            case I16, I32, I64 -> varint();
            case DOUBLE -> skip(DOUBLE_BYTES, "a double");
            case BINARY -> skip(varint(), "a string");
            case LIST, SET -> {
                final int h = u8();
                final long n = (h >> 4) == LONG_FORM_SIZE ? varint() : h >> 4;
                count(n, "a list");
                for (long i = 0; i < n; i++) {
                    value(h & 0x0F, depth + 1, false);
                }
            }
            case MAP -> {
                final long n = varint();
                count(n, "a map");
                if (n > 0) {
                    final int kv = u8();
                    for (long i = 0; i < n; i++) {
                        value(kv >> 4, depth + 1, false);
                        value(kv & 0x0F, depth + 1, false);
                    }
                }
            }
            case STRUCT -> struct(depth + 1);
            default -> throw new IllegalStateException("unknown Thrift type " + type);
        }
    }
}
