package io.scalpel.index;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A cursor over bytes in Thrift's compact protocol, the encoding of Parquet's footers and page
 * headers, read without parquet-java's Thrift classes. It reads what a caller asks for (a byte,
 * a varint, a field's id, an i32, a boolean) and skips whatever else a struct holds by its type,
 * holding every length and element count to the bytes left (an element takes at least one byte),
 * so that no count a file declares makes it allocate or loop beyond the file, and bounding the
 * nesting. Its errors name what was wrong, and where ({@link #position()}) is the caller's to say.
 */
public final class ThriftCompact {
    /** Thrift compact protocol element types. */
    public static final int TRUE = 1;
    public static final int FALSE = 2;
    static final int BYTE = 3;
    static final int I16 = 4;
    public static final int I32 = 5;
    static final int I64 = 6;
    static final int DOUBLE = 7;
    static final int BINARY = 8;
    static final int LIST = 9;
    static final int SET = 10;
    static final int MAP = 11;
    public static final int STRUCT = 12;
    /** A list's or set's size nibble meaning "the size follows as a varint". */
    private static final int LONG_FORM_SIZE = 15;
    private static final int DOUBLE_BYTES = 8;
    private static final int MAX_VARINT_BYTES = 10;

    private final ByteBuffer in;
    private final String region;
    private final int maxDepth;
    private int pos;

    /**
     * Reads {@code in} from {@code pos} up to its limit; {@code region} names the bytes in errors
     * ("the footer"), and structs and containers nest at most {@code maxDepth} deep.
     */
    public ThriftCompact(final ByteBuffer in, final int pos, final String region, final int maxDepth) {
        this.in = in;
        this.pos = pos;
        this.region = region;
        this.maxDepth = maxDepth;
    }

    /** The position of the next byte to read. */
    public int position() {
        return pos;
    }

    private int left() {
        return in.limit() - pos;
    }

    /** The next byte. */
    public int u8() throws IOException {
        if (pos >= in.limit()) {
            throw new IOException(region + " ends inside a value");
        }
        return in.get(pos++) & 0xFF;
    }

    /** An unsigned varint of at most ten bytes. */
    public long varint() throws IOException {
        long v = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            final int b = u8();
            v |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("a varint longer than " + MAX_VARINT_BYTES + " bytes");
    }

    /** The id of the field whose header byte is {@code header}, after the field {@code last}. */
    public int fieldId(final int header, final int last) throws IOException {
        final int delta = header >>> 4;
        return delta != 0 ? last + delta : (int) zigzag(varint());
    }

    /** A field of type {@code type} read as an i32. */
    public int i32(final int type) throws IOException {
        if (type != I32) {
            throw new IOException("a field of type " + type + " where an i32 was expected");
        }
        return (int) zigzag(varint());
    }

    /** A field of type {@code type} read as a boolean (in a struct its header holds it). */
    public boolean bool(final int type) throws IOException {
        if (type != TRUE && type != FALSE) {
            throw new IOException("a field of type " + type + " where a boolean was expected");
        }
        return type == TRUE;
    }

    /** Skips a struct's fields to its end, at nesting {@code depth}. */
    public void skipStruct(final int depth) throws IOException {
        if (depth > maxDepth) {
            throw new IOException("nested deeper than " + maxDepth);
        }
        int id = 0;
        while (true) {
            final int header = u8();
            if (header == 0) {
                return;
            }
            id = fieldId(header, id);
            skip(header & 0x0F, depth, true);
        }
    }

    /** Skips a struct field's value of type {@code type}, at nesting {@code depth}. */
    public void skip(final int type, final int depth) throws IOException {
        skip(type, depth, true);
    }

    private void skip(final int type, final int depth, final boolean inStruct) throws IOException {
        switch (type) {
            case TRUE, FALSE -> {
                if (!inStruct) {
                    u8(); // a boolean in a container takes a byte; in a struct, its field header holds it
                }
            }
            case BYTE -> u8();
            case I16, I32, I64 -> varint();
            case DOUBLE -> bytes(DOUBLE_BYTES, "a double");
            case BINARY -> bytes(varint(), "a string");
            case LIST, SET -> {
                final int h = u8();
                final long n = (h >>> 4) == LONG_FORM_SIZE ? varint() : h >>> 4;
                count(n, "a list", depth);
                for (long i = 0; i < n; i++) {
                    skip(h & 0x0F, depth + 1, false);
                }
            }
            case MAP -> {
                final long n = varint();
                count(n, "a map", depth);
                if (n > 0) {
                    final int kv = u8();
                    for (long i = 0; i < n; i++) {
                        skip(kv >>> 4, depth + 1, false);
                        skip(kv & 0x0F, depth + 1, false);
                    }
                }
            }
            case STRUCT -> skipStruct(depth + 1);
            default -> throw new IOException("unknown Thrift type " + type);
        }
    }

    private void bytes(final long n, final String what) throws IOException {
        if (n < 0 || n > left()) {
            throw new IOException(what + " of " + n + " bytes, only " + left() + " left in " + region);
        }
        pos += (int) n;
    }

    private void count(final long n, final String what, final int depth) throws IOException {
        if (n < 0 || n > left()) {
            throw new IOException(what + " of " + n + " elements, only " + left() + " bytes left in " + region);
        }
        if (depth + 1 > maxDepth) {
            throw new IOException("nested deeper than " + maxDepth);
        }
    }

    /**
     * The signed value of a zigzag-encoded one ({@code 0, -1, 1, -2, ...} as {@code 0, 1, 2, 3, ...}),
     * as Thrift's compact protocol, Parquet's DELTA_BINARY_PACKED and the lookup file write them.
     */
    static long zigzag(final long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
