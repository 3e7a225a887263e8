package io.scalpel.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tests' pcapng reader: a pcapng file walked block by block with a ByteBuffer, each section in
 * the byte order its header says, the test's own oracle, independent of scalpel's readers. It
 * keeps where every block is, and the interface, time and data of every enhanced packet block;
 * a time is read in the unit of its interface's if_tsresol (microseconds without one).
 */
public final class PcapngFile {
    public static final int SECTION_HEADER = 0x0A0D0D0A;
    public static final int INTERFACE_DESCRIPTION = 1;
    public static final int OBSOLETE_PACKET = 2;
    public static final int SIMPLE_PACKET = 3;
    public static final int ENHANCED_PACKET = 6;
    public static final int DECRYPTION_SECRETS = 10;

    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int BLOCK_OVERHEAD = 12;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int DEFAULT_RESOLUTION = 6;

    /** A block: where it starts, its type and total length, and the byte order of its section. */
    public record Block(int offset, int type, int length, ByteOrder order) {
        /** An enhanced, simple or obsolete packet block. */
        public boolean holdsAPacket() {
            return type == ENHANCED_PACKET || type == SIMPLE_PACKET || type == OBSOLETE_PACKET;
        }
    }

    /** An enhanced packet block's packet: its block's offset, interface (in its section), time in ns and captured bytes. */
    public record Packet(int offset, int interfaceId, long tsNanos, byte[] data) {
    }

    public final List<Block> blocks;
    public final List<Packet> packets;

    private PcapngFile(final List<Block> blocks, final List<Packet> packets) {
        this.blocks = blocks;
        this.packets = packets;
    }

    public static PcapngFile read(final Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    public static PcapngFile parse(final byte[] bytes) {
        final ByteBuffer bigEndian = ByteBuffer.wrap(bytes);
        ByteBuffer b = bigEndian;
        final List<Block> blocks = new ArrayList<>();
        final List<Packet> packets = new ArrayList<>();
        final List<Integer> resolutions = new ArrayList<>(); // if_tsresol per interface of the section
        for (int at = 0; at + BLOCK_OVERHEAD <= bytes.length; ) {
            if (bigEndian.getInt(at) == SECTION_HEADER) { // the block type is a palindrome; the magic sets the order
                b = ByteBuffer.wrap(bytes).order(bigEndian.getInt(at + 8) == BYTE_ORDER_MAGIC ? ByteOrder.BIG_ENDIAN
                    : ByteOrder.LITTLE_ENDIAN);
                resolutions.clear();
            }
            final int type = b.getInt(at);
            final int length = b.getInt(at + 4);
            if (length < BLOCK_OVERHEAD || at + (long) length > bytes.length) {
                throw new IllegalArgumentException("block of type " + type + " at byte offset " + at + " has length " + length);
            }
            blocks.add(new Block(at, type, length, b.order()));
            if (type == INTERFACE_DESCRIPTION) {
                resolutions.add(tsresol(b, at + 16, at + length - 4));
            } else if (type == ENHANCED_PACKET) {
                final int interfaceId = b.getInt(at + 8);
                final long units = ((b.getInt(at + 12) & 0xFFFF_FFFFL) << 32) | (b.getInt(at + 16) & 0xFFFF_FFFFL);
                final int caplen = b.getInt(at + 20);
                packets.add(new Packet(at, interfaceId, nanos(units, resolutions.get(interfaceId)),
                    Arrays.copyOfRange(bytes, at + 28, at + 28 + caplen)));
            }
            at += length;
        }
        return new PcapngFile(blocks, packets);
    }

    /**
     * An interface description block's if_tsresol, from its options in [{@code from}, {@code end})
     * of {@code b} (in the section's byte order); 6 (microseconds) without one.
     */
    public static int tsresol(final ByteBuffer b, final int from, final int end) {
        for (int o = from; o + 4 <= end; ) {
            final int code = b.getShort(o) & 0xFFFF;
            final int length = b.getShort(o + 2) & 0xFFFF;
            if (code == OPTION_END) {
                break;
            }
            if (code == OPTION_IF_TSRESOL) {
                return b.get(o + 4) & 0xFF;
            }
            o += 4 + ((length + 3) & ~3);
        }
        return DEFAULT_RESOLUTION;
    }

    /** {@code units} (unsigned) of 10^-r s, or of 2^-(r - 128) s when r's high bit is set, in whole nanoseconds. */
    private static long nanos(final long units, final int resolution) {
        final BigInteger nanos = new BigInteger(Long.toUnsignedString(units)).multiply(BigInteger.valueOf(1_000_000_000L));
        final BigInteger perSecond = (resolution & 0x80) == 0 ? BigInteger.TEN.pow(resolution)
            : BigInteger.TWO.pow(resolution & 0x7F);
        return nanos.divide(perSecond).longValueExact();
    }
}
