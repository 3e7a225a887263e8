package io.scalpel.decode;

import java.nio.ByteBuffer;

/**
 * Unsigned big-endian (network order) reads at absolute positions, and the one little-endian read
 * some link-layer headers need. The buffer must be
 * {@link java.nio.ByteOrder#BIG_ENDIAN}; {@link PacketDecoder} checks that once per frame.
 */
public final class NetworkOrder {
    private static final int BYTE_MASK = 0xFF;
    private static final int SHORT_MASK = 0xFFFF;
    private static final long INT_MASK = 0xFFFF_FFFFL;
    private static final int BITS_PER_BYTE = 8;

    private NetworkOrder() {
    }

    public static int u8(final ByteBuffer buffer, final int index) {
        return buffer.get(index) & BYTE_MASK;
    }

    public static int u16(final ByteBuffer buffer, final int index) {
        return buffer.getShort(index) & SHORT_MASK;
    }

    public static int u24(final ByteBuffer buffer, final int index) {
        return (u16(buffer, index) << BITS_PER_BYTE) | u8(buffer, index + Short.BYTES);
    }

    /** Unsigned 16 bits in little-endian order, for the few headers written in a host's order (NFLOG, radiotap). */
    public static int u16LittleEndian(final ByteBuffer buffer, final int index) {
        return Short.reverseBytes(buffer.getShort(index)) & SHORT_MASK;
    }

    /** 32 bits as a signed int (an IPv4 address). */
    public static int i32(final ByteBuffer buffer, final int index) {
        return buffer.getInt(index);
    }

    public static long u32(final ByteBuffer buffer, final int index) {
        return buffer.getInt(index) & INT_MASK;
    }

    /** 64 bits as a signed long (half of an IPv6 address). */
    public static long i64(final ByteBuffer buffer, final int index) {
        return buffer.getLong(index);
    }
}
