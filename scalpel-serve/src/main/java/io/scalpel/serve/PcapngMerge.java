package io.scalpel.serve;

import io.scalpel.capture.PcapngBlock;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several captures' extracts of one request as one pcapng, their packets in time order (a tie
 * keeps the captures' order, and each extract keeps its own order): what a connection seen by
 * several sensors gives when their extracts are pcapng, or pcap files that cannot be one pcap
 * (other link types or timestamp units; {@link PcapMerge} merges those that can).
 *
 * <p>The file has one little-endian section, and one interface per distinct (link type, snap length,
 * timestamp resolution, timestamp offset) of the inputs, described in order of first use; every
 * enhanced packet block gets the id of its interface there. pcapng packet blocks are copied whole
 * (their options too), a pcap record becomes an enhanced packet block in its file's unit (µs or ns).
 * Name resolution, decryption secrets and copyable custom blocks go right before the next packet
 * of their extract (or at the end). A section in the other byte order has its blocks' fields and
 * option headers turned to little-endian (with the values of the enhanced packet block's numeric
 * options; a custom block's own data stays as its vendor wrote it). Interface statistics are left
 * out (they count whole captures), as are blocks of other types. An obsolete packet block becomes
 * an enhanced one. A simple packet block, which has no time to merge by, is refused with a 409.
 */
final class PcapngMerge {
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;
    private static final int MICROSECONDS = 6;
    private static final int NANOSECONDS = 9;

    /** What one output interface stands for. */
    private record Interface(int linkType, int snaplen, int tsresol, long tsoffset) {
    }

    /** A packet of an extract: its time, interface, and the block to write (little-endian, interface id to set). */
    private record Packet(long nanos, Interface face, byte[] block, List<byte[]> before) {
    }

    private PcapngMerge() {
    }

    /**
     * Writes {@code extracts} (two or more, each pcap or pcapng with packets) merged into one pcapng to {@code out}.
     *
     * @throws ApiError 409 when an extract is neither, is cut short, or has packets without a time of their own
     */
    static void write(final List<PcapMerge.Extract> extracts, final OutputStream out) throws IOException {
        final List<List<Packet>> all = new ArrayList<>();
        final List<List<byte[]>> trailing = new ArrayList<>();
        for (PcapMerge.Extract e : extracts) {
            final List<byte[]> rest = new ArrayList<>();
            all.add(packets(e, rest));
            trailing.add(rest);
        }
        out.write(sectionHeader());
        final Map<Interface, Integer> ids = new HashMap<>();
        final int[] at = new int[all.size()];
        while (true) {
            int next = -1;
            for (int i = 0; i < all.size(); i++) {
                if (at[i] < all.get(i).size() && (next < 0 || all.get(i).get(at[i]).nanos() < all.get(next).get(at[next]).nanos())) {
                    next = i;
                }
            }
            if (next < 0) {
                break;
            }
            final Packet p = all.get(next).get(at[next]++);
            for (byte[] b : p.before()) {
                out.write(b);
            }
            Integer id = ids.get(p.face());
            if (id == null) {
                id = ids.size();
                ids.put(p.face(), id);
                out.write(interfaceDescription(p.face()));
            }
            ByteBuffer.wrap(p.block()).order(ByteOrder.LITTLE_ENDIAN).putInt(8, id);
            out.write(p.block());
        }
        for (List<byte[]> rest : trailing) {
            for (byte[] b : rest) {
                out.write(b);
            }
        }
    }

    /** The packets of one extract, each with the metadata blocks that came before it; those after the last go to {@code rest}. */
    private static List<Packet> packets(final PcapMerge.Extract e, final List<byte[]> rest) {
        final ByteBuffer b = ByteBuffer.wrap(e.bytes());
        if (b.limit() >= 4 && b.order(ByteOrder.BIG_ENDIAN).getInt(0) == PcapngBlock.SECTION_HEADER) {
            return pcapng(e, b, rest);
        }
        final ByteBuffer pcap = PcapMerge.header(e);
        final boolean nanos = PcapMerge.nanoseconds(pcap);
        final Interface face = new Interface(pcap.getInt(20) & 0xFFFF, pcap.getInt(16), nanos ? NANOSECONDS : MICROSECONDS, 0);
        final List<Packet> packets = new ArrayList<>();
        for (int at = 24; at + 16 <= pcap.limit(); ) {
            final long seconds = Integer.toUnsignedLong(pcap.getInt(at));
            final long fraction = Integer.toUnsignedLong(pcap.getInt(at + 4));
            final int caplen = pcap.getInt(at + 8);
            if (caplen < 0 || at + 16 + caplen > pcap.limit()) {
                throw cut(e, at);
            }
            final long units = seconds * (nanos ? 1_000_000_000L : 1_000_000L) + fraction;
            packets.add(new Packet(seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000), face,
                enhancedPacket(units, caplen, pcap.getInt(at + 12), e.bytes(), at + 16), List.of()));
            at += 16 + caplen;
        }
        return packets;
    }

    private static List<Packet> pcapng(final PcapMerge.Extract e, final ByteBuffer b, final List<byte[]> rest) {
        final List<Packet> packets = new ArrayList<>();
        final List<Interface> faces = new ArrayList<>();
        List<byte[]> pending = new ArrayList<>();
        for (int at = 0; at + 12 <= b.limit(); ) {
            if (b.getInt(at) == PcapngBlock.SECTION_HEADER) { // the same bytes in either order
                b.order(b.order(ByteOrder.BIG_ENDIAN).getInt(at + 8) == BYTE_ORDER_MAGIC ? ByteOrder.BIG_ENDIAN
                    : ByteOrder.LITTLE_ENDIAN);
                faces.clear();
            }
            final int type = b.getInt(at);
            final int length = b.getInt(at + 4);
            if (length < 12 || length % 4 != 0 || at + length > b.limit()) {
                throw cut(e, at);
            }
            final byte[] block = new byte[length];
            b.get(at, block);
            switch (type) {
                case PcapngBlock.SECTION_HEADER -> { }
                case PcapngBlock.INTERFACE_DESCRIPTION -> faces.add(describe(b, at, length));
                case PcapngBlock.ENHANCED_PACKET -> {
                    final Interface f = face(faces, b.getInt(at + 8), e, at);
                    final long units = Integer.toUnsignedLong(b.getInt(at + 12)) << 32 | Integer.toUnsignedLong(b.getInt(at + 16));
                    if (b.order() != ByteOrder.LITTLE_ENDIAN) {
                        swapEnhancedPacket(block);
                    }
                    packets.add(new Packet(nanos(units, f), f, block, pending));
                    pending = new ArrayList<>();
                }
                case PcapngBlock.OBSOLETE_PACKET -> {
                    final Interface f = face(faces, b.getShort(at + 8) & 0xFFFF, e, at);
                    final long units = Integer.toUnsignedLong(b.getInt(at + 12)) << 32 | Integer.toUnsignedLong(b.getInt(at + 16));
                    packets.add(new Packet(nanos(units, f), f, enhancedFromObsolete(b, at, length), pending));
                    pending = new ArrayList<>();
                }
                case PcapngBlock.SIMPLE_PACKET -> throw new ApiError(409, "the extract of " + e.capture() + " has a simple packet block at byte "
                    + at + ", which carries no time to merge by; name one capture with capture=");
                case PcapngBlock.NAME_RESOLUTION, PcapngBlock.DECRYPTION_SECRETS, PcapngBlock.CUSTOM_COPYABLE -> {
                    if (b.order() != ByteOrder.LITTLE_ENDIAN) {
                        swapMetadata(type, block);
                    }
                    pending.add(block);
                }
                default -> { } // interface statistics count whole captures; other blocks are not carried (as by the extract)
            }
            at += length;
        }
        rest.addAll(pending);
        return packets;
    }

    /** The interface {@code id} of a packet block at {@code at}, as its section describes it. */
    private static Interface face(final List<Interface> faces, final int id, final PcapMerge.Extract e, final int at) {
        if (id < 0 || id >= faces.size()) {
            throw new ApiError(409, "the extract of " + e.capture() + " has a packet block at byte " + at
                + " of interface " + id + ", which its section does not describe; name one capture with capture=");
        }
        return faces.get(id);
    }

    /**
     * An obsolete packet block (interface id and drop count in 16 bits each) as an enhanced packet
     * block, little-endian: the same time, lengths, data and options (pack_flags and pack_hash are
     * epb_flags and epb_hash).
     */
    private static byte[] enhancedFromObsolete(final ByteBuffer b, final int at, final int length) {
        final ByteBuffer epb = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        epb.putInt(PcapngBlock.ENHANCED_PACKET).putInt(length).putInt(0).putInt(b.getInt(at + 12)).putInt(b.getInt(at + 16))
            .putInt(b.getInt(at + 20)).putInt(b.getInt(at + 24));
        final byte[] block = epb.array();
        b.get(at + 28, block, 28, length - 32);
        epb.putInt(length - 4, length);
        if (b.order() != ByteOrder.LITTLE_ENDIAN) {
            final int caplen = epb.getInt(20);
            swapOptions(ByteBuffer.wrap(block), 28 + ((caplen + 3) & ~3), length - 4, true);
        }
        return block;
    }

    /** An interface description block's link type, snap length, if_tsresol and if_tsoffset. */
    private static Interface describe(final ByteBuffer b, final int at, final int length) {
        int tsresol = MICROSECONDS;
        long tsoffset = 0;
        final int end = at + length - 4;
        for (int o = at + 16; o + 4 <= end; ) {
            final int code = b.getShort(o) & 0xFFFF;
            final int len = b.getShort(o + 2) & 0xFFFF;
            if (code == 0 || o + 4 + len > end) {
                break;
            }
            if (code == IF_TSRESOL && len >= 1) {
                tsresol = b.get(o + 4) & 0xFF;
            } else if (code == IF_TSOFFSET && len >= 8) {
                tsoffset = b.getLong(o + 4);
            }
            o += 4 + ((len + 3) & ~3);
        }
        return new Interface(b.getShort(at + 8) & 0xFFFF, b.getInt(at + 12), tsresol, tsoffset);
    }

    /** A timestamp in its interface's units as nanoseconds since the epoch (saturated). */
    static long nanos(final long units, final Interface f) {
        final BigInteger u = new BigInteger(Long.toUnsignedString(units));
        final BigInteger perSecond = (f.tsresol() & 0x80) != 0 ? BigInteger.ONE.shiftLeft(f.tsresol() & 0x7F)
            : BigInteger.TEN.pow(f.tsresol());
        final BigInteger n = u.multiply(BigInteger.valueOf(1_000_000_000L)).divide(perSecond)
            .add(BigInteger.valueOf(f.tsoffset()).multiply(BigInteger.valueOf(1_000_000_000L)));
        return n.bitLength() < 64 ? n.longValue() : n.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }

    private static byte[] sectionHeader() {
        return ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putInt(PcapngBlock.SECTION_HEADER).putInt(28).putInt(BYTE_ORDER_MAGIC)
            .putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28).array();
    }

    private static byte[] interfaceDescription(final Interface f) {
        final int options = (f.tsresol() != MICROSECONDS ? 8 : 0) + (f.tsoffset() != 0 ? 12 : 0);
        final int length = 20 + (options > 0 ? options + 4 : 0);
        final ByteBuffer idb = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        idb.putInt(PcapngBlock.INTERFACE_DESCRIPTION).putInt(length).putShort((short) f.linkType()).putShort((short) 0).putInt(f.snaplen());
        if (f.tsresol() != MICROSECONDS) {
            idb.putShort((short) IF_TSRESOL).putShort((short) 1).put((byte) f.tsresol()).put(new byte[3]);
        }
        if (f.tsoffset() != 0) {
            idb.putShort((short) IF_TSOFFSET).putShort((short) 8).putLong(f.tsoffset());
        }
        if (options > 0) {
            idb.putInt(0); // opt_endofopt
        }
        return idb.putInt(length).array();
    }

    /** A pcap record as an enhanced packet block (interface id set when written). */
    private static byte[] enhancedPacket(final long units, final int caplen, final int origlen, final byte[] from, final int data) {
        final int length = 32 + ((caplen + 3) & ~3);
        final ByteBuffer epb = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        epb.putInt(PcapngBlock.ENHANCED_PACKET).putInt(length).putInt(0).putInt((int) (units >>> 32)).putInt((int) units).putInt(caplen)
            .putInt(origlen).put(from, data, caplen);
        return epb.putInt(length - 4, length).array();
    }

    /** A big-endian enhanced packet block as little-endian: its fields, option headers and numeric option values. */
    private static void swapEnhancedPacket(final byte[] block) {
        final ByteBuffer b = ByteBuffer.wrap(block);
        for (int at : new int[] {0, 4, 8, 12, 16, 20, 24}) {
            swap32(b, at);
        }
        swap32(b, block.length - 4);
        final int caplen = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
        swapOptions(b, 28 + ((caplen + 3) & ~3), block.length - 4, true);
    }

    /** A big-endian name resolution, decryption secrets or custom block as little-endian (its framing, headers and options). */
    private static void swapMetadata(final int type, final byte[] block) {
        final ByteBuffer b = ByteBuffer.wrap(block);
        swap32(b, 0);
        swap32(b, 4);
        swap32(b, block.length - 4);
        final int end = block.length - 4;
        if (type == PcapngBlock.NAME_RESOLUTION) {
            int at = 8;
            while (at + 4 <= end) {
                final int recordType = b.order(ByteOrder.BIG_ENDIAN).getShort(at) & 0xFFFF;
                final int len = b.getShort(at + 2) & 0xFFFF;
                swap16(b, at);
                swap16(b, at + 2);
                at += 4 + ((len + 3) & ~3);
                if (recordType == 0) {
                    break;
                }
            }
            swapOptions(b, at, end, false);
        } else if (type == PcapngBlock.DECRYPTION_SECRETS) {
            final int len = b.order(ByteOrder.BIG_ENDIAN).getInt(12);
            swap32(b, 8);
            swap32(b, 12);
            swapOptions(b, 16 + ((len + 3) & ~3), end, false);
        } else {
            swap32(b, 8); // the Private Enterprise Number; the rest is the vendor's
        }
    }

    /** Big-endian option headers (and, for a packet block, the values of epb_flags, epb_dropcount, epb_packetid, epb_queue). */
    private static void swapOptions(final ByteBuffer b, final int from, final int end, final boolean packet) {
        int at = from;
        while (at + 4 <= end) {
            final int code = b.order(ByteOrder.BIG_ENDIAN).getShort(at) & 0xFFFF;
            final int len = b.getShort(at + 2) & 0xFFFF;
            swap16(b, at);
            swap16(b, at + 2);
            if (code == 0 || at + 4 + len > end) {
                return;
            }
            if (packet && (code == 2 || code == 6) && len == 4) {
                swap32(b, at + 4);
            } else if (packet && (code == 4 || code == 5) && len == 8) {
                b.order(ByteOrder.BIG_ENDIAN);
                final long v = b.getLong(at + 4);
                b.putLong(at + 4, Long.reverseBytes(v));
            }
            at += 4 + ((len + 3) & ~3);
        }
    }

    private static void swap32(final ByteBuffer b, final int at) {
        b.putInt(at, Integer.reverseBytes(b.getInt(at)));
    }

    private static void swap16(final ByteBuffer b, final int at) {
        b.putShort(at, Short.reverseBytes(b.getShort(at)));
    }

    private static ApiError cut(final PcapMerge.Extract e, final int at) {
        return new ApiError(409, "the extract of " + e.capture() + " is not a whole pcap or pcapng file (at byte " + at
            + "); name one capture with capture=");
    }
}
