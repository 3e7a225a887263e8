package io.scalpel.testdata;

import java.nio.ByteOrder;
import java.util.Arrays;

/** A growable byte array written in one explicit byte order (switchable for nested headers). */
final class ByteArrayBuilder {
    private byte[] bytes;
    private int size;
    private boolean bigEndian;

    ByteArrayBuilder(final ByteOrder order) {
        this(order, 128);
    }

    ByteArrayBuilder(final ByteOrder order, final int capacity) {
        this.bytes = new byte[Math.max(16, capacity)];
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
    }

    static ByteArrayBuilder bigEndian() {
        return new ByteArrayBuilder(ByteOrder.BIG_ENDIAN);
    }

    ByteOrder order() {
        return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    int size() {
        return size;
    }

    private void ensure(final int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    ByteArrayBuilder u8(final int value) {
        ensure(1);
        bytes[size++] = (byte) value;
        return this;
    }

    ByteArrayBuilder u16(final int value) {
        ensure(2);
        setU16(size, value);
        size += 2;
        return this;
    }

    ByteArrayBuilder u32(final long value) {
        ensure(4);
        setU32(size, value);
        size += 4;
        return this;
    }

    ByteArrayBuilder u64(final long value) {
        if (bigEndian) {
            u32(value >>> 32);
            u32(value);
        } else {
            u32(value);
            u32(value >>> 32);
        }
        return this;
    }

    /** Writes a 16-bit value in network order regardless of this builder's order. */
    ByteArrayBuilder be16(final int value) {
        ensure(2);
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
        return this;
    }

    /** Writes a 32-bit value in network order regardless of this builder's order. */
    ByteArrayBuilder be32(final long value) {
        ensure(4);
        bytes[size++] = (byte) (value >>> 24);
        bytes[size++] = (byte) (value >>> 16);
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
        return this;
    }

    ByteArrayBuilder bytes(final byte[] data) {
        return bytes(data, 0, data.length);
    }

    ByteArrayBuilder bytes(final byte[] data, final int offset, final int length) {
        ensure(length);
        System.arraycopy(data, offset, bytes, size, length);
        size += length;
        return this;
    }

    ByteArrayBuilder zeros(final int count) {
        ensure(count);
        size += count; // the array is zero-filled past size
        return this;
    }

    /** Zero padding up to the next multiple of 4. */
    ByteArrayBuilder pad4() {
        return zeros(padding4(size));
    }

    static int padding4(final int length) {
        return (4 - (length & 3)) & 3;
    }

    void setU16(final int position, final int value) {
        if (bigEndian) {
            bytes[position] = (byte) (value >>> 8);
            bytes[position + 1] = (byte) value;
        } else {
            bytes[position] = (byte) value;
            bytes[position + 1] = (byte) (value >>> 8);
        }
    }

    void setU32(final int position, final long value) {
        if (bigEndian) {
            bytes[position] = (byte) (value >>> 24);
            bytes[position + 1] = (byte) (value >>> 16);
            bytes[position + 2] = (byte) (value >>> 8);
            bytes[position + 3] = (byte) value;
        } else {
            bytes[position] = (byte) value;
            bytes[position + 1] = (byte) (value >>> 8);
            bytes[position + 2] = (byte) (value >>> 16);
            bytes[position + 3] = (byte) (value >>> 24);
        }
    }

    /** Overwrites a network-order 16-bit field (checksums). */
    void setBe16(final int position, final int value) {
        bytes[position] = (byte) (value >>> 8);
        bytes[position + 1] = (byte) value;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** The internal array (valid up to {@link #size()}), for checksumming in place. */
    byte[] array() {
        return bytes;
    }
}
