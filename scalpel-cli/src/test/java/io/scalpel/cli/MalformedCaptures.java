package io.scalpel.cli;

import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.PcapFile;
import io.scalpel.testing.PcapngFile.Block;
import io.scalpel.testing.PcapngFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Broken captures made from two small valid ones of the project (testdata/golden: a
 * little-endian microsecond pcap and a little-endian pcapng with several interfaces, enhanced and
 * obsolete packet blocks), each with what the reader must make of it: refuse it at a byte offset,
 * index the whole records before a cut, or (for random corruption) either of the two.
 */
final class MalformedCaptures {
    /** What the CLI must make of a broken capture. */
    enum Kind {
        /** Indexed; {@code packets} frames (all whole records), no truncated tail. */
        WHOLE,
        /** Indexed up to a cut: {@code packets} frames, a warning naming {@code offset}. */
        TRUNCATED,
        /** Refused (exit 3) with a message naming the file and a byte offset in [offset, offsetEnd). */
        REFUSED,
        /** Random corruption: indexed (possibly with a truncated tail) or refused, never anything else. */
        EITHER
    }

    /** One broken capture and what must happen to it. */
    record Case(String name, byte[] bytes, Kind kind, long packets, long offset, long offsetEnd, String connLog) {
        static Case whole(final String name, final byte[] bytes, final long packets, final String connLog) {
            return new Case(name, bytes, Kind.WHOLE, packets, -1, -1, connLog);
        }

        static Case truncated(final String name, final byte[] bytes, final long packets, final long offset, final String connLog) {
            return new Case(name, bytes, Kind.TRUNCATED, packets, offset, offset + 1, connLog);
        }

        static Case refused(final String name, final byte[] bytes, final long from, final long to) {
            return new Case(name, bytes, Kind.REFUSED, -1, from, to, null);
        }

        static Case either(final String name, final byte[] bytes, final String connLog) {
            return new Case(name, bytes, Kind.EITHER, -1, -1, -1, connLog);
        }
    }

    static final int PCAP_HEADER = 24;
    static final int PCAP_RECORD_HEADER = 16;
    private static final int PCAP_SNAPLEN = 16;
    private static final int PCAP_VERSION_MAJOR = 4;
    private static final int PCAP_LINKTYPE = 20;
    private static final int RECORD_CAPLEN = 8;
    private static final int RECORD_FRACTION = 4;
    private static final int LINKTYPE_USER0 = 147;
    private static final int ONE_MIB = 1 << 20;
    private static final int MAX_CAPLEN = 256 * 1024;

    private static final int BLOCK_IDB = 1;
    private static final int BLOCK_PB = 2;
    private static final int BLOCK_EPB = 6;
    /** Offset of the interface id in an enhanced (and an obsolete) packet block. */
    private static final int EPB_INTERFACE = 8;
    private static final int EPB_CAPLEN = 20;
    private static final int IDB_SNAPLEN = 12;
    private static final int SHB_BYTE_ORDER = 8;
    private static final int UNKNOWN_BLOCK_TYPE = 0x0BAD0001;

    private MalformedCaptures() {
    }

    static List<Case> all(final Path testdata, final long randomSeed, final int randomPerBase) throws IOException {
        final List<Case> cases = new ArrayList<>();
        cases.addAll(pcap(testdata, randomSeed, randomPerBase));
        cases.addAll(pcapng(testdata, randomSeed + 1, randomPerBase));
        return cases;
    }

    private static List<Case> pcap(final Path testdata, final long seed, final int random) throws IOException {
        final byte[] base = Files.readAllBytes(testdata.resolve("golden/sample-three.pcap"));
        final String conn = testdata.resolve("sample-conn.log").toString();
        final PcapFile pcap = PcapFile.parse(base);
        final int n = pcap.records.size();
        final List<Case> c = new ArrayList<>();
        c.add(Case.whole("pcap-valid", base, n, conn));
        c.add(Case.refused("pcap-empty", new byte[0], 0, 1));
        c.add(Case.refused("pcap-bad-magic", put(base, 0, ByteOrder.BIG_ENDIAN, 0x47494638), 0, 1));
        // read as gzip: the pcap header's bytes after the 10-byte gzip header are not valid deflate data
        c.add(Case.refused("pcap-gzip-magic", put(base, 0, ByteOrder.BIG_ENDIAN, 0x1F8B0800), 10, 16));
        c.add(Case.refused("pcap-header-cut", Arrays.copyOf(base, 10), 0, 1));
        c.add(Case.refused("pcap-three-bytes", Arrays.copyOf(base, 3), 0, 1));
        c.add(Case.whole("pcap-header-only", Arrays.copyOf(base, PCAP_HEADER), 0, conn));
        c.add(Case.refused("pcap-version-3", putShort(base, PCAP_VERSION_MAJOR, 3), 0, PCAP_HEADER));
        c.add(Case.whole("pcap-huge-snaplen", put(base, PCAP_SNAPLEN, ByteOrder.LITTLE_ENDIAN, 0xFFFFFFFF), n, conn));
        c.add(Case.whole("pcap-zero-snaplen", put(base, PCAP_SNAPLEN, ByteOrder.LITTLE_ENDIAN, 0), n, conn));
        c.add(Case.whole("pcap-unsupported-linktype", put(base, PCAP_LINKTYPE, ByteOrder.LITTLE_ENDIAN, LINKTYPE_USER0), n, conn));
        c.add(Case.whole("pcap-fraction-beyond-a-second",
            put(base, PCAP_HEADER + RECORD_FRACTION, ByteOrder.LITTLE_ENDIAN, 2_500_000), n, conn));
        final long first = PCAP_HEADER + RECORD_CAPLEN;
        c.add(Case.refused("pcap-caplen-1mib", put(base, (int) first, ByteOrder.LITTLE_ENDIAN, ONE_MIB), PCAP_HEADER, PCAP_HEADER + 1));
        c.add(Case.refused("pcap-caplen-limit-plus-one", put(base, (int) first, ByteOrder.LITTLE_ENDIAN, MAX_CAPLEN + 1),
            PCAP_HEADER, PCAP_HEADER + 1));
        c.add(Case.refused("pcap-caplen-negative", put(base, (int) first, ByteOrder.LITTLE_ENDIAN, 0xFFFFFFFF), PCAP_HEADER,
            PCAP_HEADER + 1));
        final PcapFile.Record last = pcap.records.get(n - 1);
        c.add(Case.truncated("pcap-last-caplen-beyond-the-file",
            put(base, (int) last.offset() + RECORD_CAPLEN, ByteOrder.LITTLE_ENDIAN, MAX_CAPLEN), n - 1, last.offset(), conn));
        for (int k = 0; k < n; k++) {
            final PcapFile.Record r = pcap.records.get(k);
            c.add(Case.truncated("pcap-cut-in-record-header-" + k, Arrays.copyOf(base, (int) r.offset() + 7), k, r.offset(), conn));
            c.add(Case.truncated("pcap-cut-in-record-data-" + k,
                Arrays.copyOf(base, (int) r.offset() + PCAP_RECORD_HEADER + r.capturedLength() / 2), k, r.offset(), conn));
        }
        c.add(Case.either("pcap-garbage-after-valid", concat(base, randomBytes(new Random(seed), 37)), conn));
        c.add(Case.either("pcap-ff-after-valid", concat(base, filled(64, (byte) 0xFF)), conn));
        c.add(Case.whole("pcap-zero-record-after-valid", concat(base, new byte[PCAP_RECORD_HEADER]), n + 1, conn));
        c.add(Case.either("pcap-pcapng-magic-inside", concat(base, Arrays.copyOf(new byte[] {0x0A, 0x0D, 0x0D, 0x0A}, 32)), conn));
        c.addAll(randomMutants("pcap-random-", base, PCAP_HEADER, new Random(seed), random, conn));
        return c;
    }

    private static List<Case> pcapng(final Path testdata, final long seed, final int random) throws IOException {
        final byte[] base = Files.readAllBytes(testdata.resolve("golden/mixed-three.pcapng"));
        final String conn = testdata.resolve("mixed-conn.log").toString();
        final List<Block> blocks = blocks(base);
        final long n = blocks.stream().filter(Block::holdsAPacket).count();
        final Block epb = blocks.stream().filter(b -> b.type() == BLOCK_EPB).findFirst().orElseThrow();
        final long before = packetsBefore(blocks, epb.offset());
        final Block idb = blocks.stream().filter(b -> b.type() == BLOCK_IDB).findFirst().orElseThrow();
        final ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        final int epbEnd = epb.offset() + epb.length();
        final List<Case> c = new ArrayList<>();
        c.add(Case.whole("pcapng-valid", base, n, conn));
        // A pcapng file cut inside its first block is a file still being written, not a malformed one.
        c.add(Case.truncated("pcapng-cut-in-section-header", Arrays.copyOf(base, 6), 0, 0, conn));
        c.add(Case.refused("pcapng-bad-byte-order-magic", put(base, SHB_BYTE_ORDER, le, 0x12345678), 0, SHB_BYTE_ORDER + 1));
        c.add(Case.refused("pcapng-block-length-mismatch", put(base, epbEnd - 4, le, epb.length() + 8), epb.offset(), epbEnd));
        c.add(Case.refused("pcapng-zero-length-block", put(base, epb.offset() + 4, le, 0), epb.offset(), epbEnd));
        c.add(Case.refused("pcapng-block-length-8", put(base, epb.offset() + 4, le, 8), epb.offset(), epbEnd));
        c.add(Case.refused("pcapng-block-length-not-multiple-of-4", put(base, epb.offset() + 4, le, epb.length() + 1), epb.offset(), epbEnd));
        c.add(Case.either("pcapng-block-length-2gib", put(base, epb.offset() + 4, le, 0x7FFFFFF0), conn));
        c.add(Case.refused("pcapng-interface-id-out-of-range", put(base, epb.offset() + EPB_INTERFACE, le, 99), epb.offset(), epbEnd));
        c.add(Case.refused("pcapng-caplen-beyond-block", put(base, epb.offset() + EPB_CAPLEN, le, epb.length()), epb.offset(), epbEnd));
        c.add(Case.refused("pcapng-caplen-1mib", put(base, epb.offset() + EPB_CAPLEN, le, ONE_MIB), epb.offset(), epbEnd));
        c.add(Case.whole("pcapng-huge-snaplen", put(base, idb.offset() + IDB_SNAPLEN, le, 0xFFFFFFFF), n, conn));
        c.add(Case.whole("pcapng-unknown-block-before-packets",
            concat(Arrays.copyOf(base, epb.offset()), unknownBlock(le, 20), Arrays.copyOfRange(base, epb.offset(), base.length)), n, conn));
        c.add(Case.refused("pcapng-packet-before-any-interface",
            concat(Arrays.copyOf(base, blocks.get(0).length()), Arrays.copyOfRange(base, epb.offset(), epbEnd)),
            blocks.get(0).length(), blocks.get(0).length() + epb.length()));
        int cuts = 0;
        for (Block b : blocks) {
            if (b.type() != BLOCK_EPB && b.type() != BLOCK_PB || cuts++ > 8) {
                continue;
            }
            final long k = packetsBefore(blocks, b.offset());
            c.add(Case.truncated("pcapng-cut-in-block-header-" + b.offset(), Arrays.copyOf(base, b.offset() + 6), k, b.offset(), conn));
            c.add(Case.truncated("pcapng-cut-in-block-body-" + b.offset(), Arrays.copyOf(base, b.offset() + b.length() - 4), k, b.offset(),
                conn));
        }
        c.add(Case.truncated("pcapng-cut-first-packet-" + epb.offset(), Arrays.copyOf(base, epb.offset() + 2), before, epb.offset(), conn));
        c.add(Case.either("pcapng-garbage-after-valid", concat(base, randomBytes(new Random(seed), 41)), conn));
        c.add(Case.either("pcapng-zeros-after-valid", concat(base, new byte[64]), conn));
        c.addAll(randomMutants("pcapng-random-", base, 0, new Random(seed), random, conn));
        return c;
    }

    /** The blocks of a little-endian pcapng file. */
    static List<Block> blocks(final byte[] pcapng) {
        final List<Block> blocks = PcapngFile.parse(pcapng).blocks;
        if (blocks.isEmpty() || blocks.get(0).type() != PcapngFile.SECTION_HEADER
            || blocks.get(0).order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("not a little-endian pcapng file");
        }
        return blocks;
    }

    private static long packetsBefore(final List<Block> blocks, final int offset) {
        return blocks.stream().filter(x -> x.offset() < offset && x.holdsAPacket()).count();
    }

    /** {@code count} copies of {@code base}, each with 1 to 8 random bytes overwritten after {@code keep}. */
    private static List<Case> randomMutants(final String prefix, final byte[] base, final int keep, final Random random,
                                            final int count, final String conn) {
        final List<Case> c = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final byte[] m = base.clone();
            final int flips = 1 + random.nextInt(8);
            for (int f = 0; f < flips; f++) {
                m[keep + random.nextInt(m.length - keep)] = (byte) random.nextInt(256);
            }
            c.add(Case.either(prefix + i, m, conn));
        }
        return c;
    }

    private static byte[] unknownBlock(final ByteOrder order, final int bodyLength) {
        return new CaptureBytes(order).block(UNKNOWN_BLOCK_TYPE, bodyLength).bytes();
    }

    private static byte[] put(final byte[] base, final int at, final ByteOrder order, final int value) {
        final byte[] m = base.clone();
        ByteBuffer.wrap(m).order(order).putInt(at, value);
        return m;
    }

    private static byte[] putShort(final byte[] base, final int at, final int value) {
        final byte[] m = base.clone();
        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
        return m;
    }

    private static byte[] concat(final byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        final byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static byte[] randomBytes(final Random random, final int n) {
        final byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] filled(final int n, final byte value) {
        final byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }
}
