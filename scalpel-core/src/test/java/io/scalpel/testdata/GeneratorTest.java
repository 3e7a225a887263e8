package io.scalpel.testdata;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The generator's own promises: determinism, exact file layout, and Zeek-consistent truth. */
class GeneratorTest {
    private static final Pattern UID = Pattern.compile("C[0-9A-Za-z]{17}");

    @TempDir
    Path dir;

    static Stream<GeneratorSpec> specs() {
        return Stream.of(
            GeneratorSpec.defaults(1),
            GeneratorSpec.everything(2),
            GeneratorSpec.everything(3).withFormat(CaptureFileFormat.PCAP_NSEC_BE),
            GeneratorSpec.everything(4).withFormat(CaptureFileFormat.PCAP_USEC_BE).withSnaplen(96),
            GeneratorSpec.everything(5).withFormat(CaptureFileFormat.PCAP_NSEC_LE).withLinkType(LinkFrames.LINKTYPE_NULL),
            GeneratorSpec.everything(6).withFormat(CaptureFileFormat.PCAPNG_LE),
            GeneratorSpec.everything(7).withFormat(CaptureFileFormat.PCAPNG_BE).withLinkType(LinkFrames.LINKTYPE_LINUX_SLL2),
            GeneratorSpec.everything(8).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
                .withLinkType(GeneratorSpec.MIXED_LINK_TYPES).withConnections(60),
            GeneratorSpec.everything(9).withFormat(CaptureFileFormat.PCAPNG_LE).withPcapngExtras(false)
                .withLinkType(GeneratorSpec.MIXED_LINK_TYPES),
            GeneratorSpec.everything(10).withLinkType(LinkFrames.LINKTYPE_IPV6),
            GeneratorSpec.everything(11).withLinkType(LinkFrames.LINKTYPE_IPV4).withTruncate(false),
            GeneratorSpec.everything(12).withLinkType(LinkFrames.LINKTYPE_FDDI).withConnections(5));
    }

    /** Random feature mixes: the generator checks its own invariants while it plans and throws on a breach. */
    static Stream<GeneratorSpec> randomSpecs() {
        final int[] linkTypes = {0, 1, 10, 101, 108, 113, 228, 229, 276, GeneratorSpec.MIXED_LINK_TYPES};
        return IntStream.range(0, 120).mapToObj(seed -> {
            final Random r = new Random(seed);
            final CaptureFileFormat format = CaptureFileFormat.values()[r.nextInt(CaptureFileFormat.values().length)];
            final int linkType = linkTypes[r.nextInt(linkTypes.length - (format.isPcapng() ? 0 : 1))];
            return new GeneratorSpec(1000 + seed, format, linkType, 1 + r.nextInt(80), r.nextBoolean(), r.nextBoolean(),
                r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(),
                r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(),
                r.nextInt(4) == 0 ? GeneratorSpec.MIN_TRUNCATION_SNAPLEN + r.nextInt(100) : 0, 1 + r.nextInt(1400), 0);
        });
    }

    @ParameterizedTest
    @MethodSource("randomSpecs")
    void shouldHoldItsInvariantsForRandomFeatureMixes(final GeneratorSpec spec) throws IOException {
        shouldTileTheFileExactlyWithItsBlocks(spec);
        shouldKeepEveryFrameOfAConnectionInsideItsWindow(spec);
        shouldCountAFragmentedDatagramOnce(spec);
        shouldFollowZeeksConnectionSemantics(spec);
        assertEquals(spec.connections(), generate(spec).conns().size(), "conn.log rows");
    }

    private Generated generate(final GeneratorSpec spec) throws IOException {
        return CaptureGenerator.generate(spec, capture(spec), dir.resolve("conn.log"));
    }

    private Path capture(final GeneratorSpec spec) {
        return dir.resolve("capture." + spec.format().extension());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void shouldWriteByteIdenticalFilesForTheSameSeed(final GeneratorSpec spec) throws IOException {
        final Path a = Files.createDirectories(dir.resolve("a"));
        final Path b = Files.createDirectories(dir.resolve("b"));
        CaptureGenerator.generate(spec, a.resolve("c"), a.resolve("conn.log")).writeTruth(a.resolve("truth"));
        CaptureGenerator.generate(spec, b.resolve("c"), b.resolve("conn.log")).writeTruth(b.resolve("truth"));
        for (final String name : List.of("c", "conn.log", "truth")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(name)), Files.readAllBytes(b.resolve(name)), name);
        }
        CaptureGenerator.generate(spec.withSeed(spec.seed() + 1000), b.resolve("c"), null);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("c")), Files.readAllBytes(b.resolve("c"))),
            "another seed gives another capture");
    }

    @ParameterizedTest
    @MethodSource("specs")
    void shouldTileTheFileExactlyWithItsBlocks(final GeneratorSpec spec) throws IOException {
        final Generated g = generate(spec);
        final byte[] file = Files.readAllBytes(capture(spec));
        long expected = 0;
        final Map<Integer, TruthBlock> packetBlocks = new HashMap<>();
        for (final TruthBlock block : g.blocks()) {
            assertEquals(expected, block.offset(), "blocks are back to back");
            expected = block.end();
            if (block.frame() > 0) {
                packetBlocks.put(block.frame(), block);
            }
        }
        assertEquals(file.length, expected, "blocks end where the file ends");
        assertEquals(g.frames().size(), packetBlocks.size());
        for (final TruthFrame f : g.frames()) {
            final TruthBlock block = packetBlocks.get(f.number());
            assertEquals(block.offset(), f.recordOffset(), "frame " + f.number());
            assertEquals(block.length(), f.recordLength(), "frame " + f.number());
        }
        if (spec.format().isPcapng()) {
            checkPcapngBlocks(g, file);
        } else {
            checkPcapRecords(spec, g, file);
        }
    }

    /** Reads every pcap record header back, independently of the writer. */
    private static void checkPcapRecords(final GeneratorSpec spec, final Generated g, final byte[] file) {
        final ByteBuffer buffer = ByteBuffer.wrap(file).order(spec.format().byteOrder());
        final long magic = buffer.getInt(0) & 0xffffffffL;
        assertEquals(spec.format().isNanosecondPcap() ? 0xa1b23c4dL : 0xa1b2c3d4L, magic);
        assertEquals(2, buffer.getShort(4));
        assertEquals(4, buffer.getShort(6));
        assertEquals(spec.effectiveSnaplen(), buffer.getInt(16));
        assertEquals(spec.linkType(), buffer.getInt(20));
        assertEquals("pcap-header", g.blocks().get(0).type());
        assertEquals(24, g.blocks().get(0).length());
        final long unit = spec.format().isNanosecondPcap() ? 1 : 1000;
        for (final TruthFrame f : g.frames()) {
            final int at = (int) f.recordOffset();
            final long seconds = buffer.getInt(at) & 0xffffffffL;
            final long fraction = buffer.getInt(at + 4) & 0xffffffffL;
            assertTrue(fraction < 1_000_000_000L / unit, "fraction in range");
            assertEquals(f.tsNanos(), seconds * 1_000_000_000L + fraction * unit, "ts of frame " + f.number());
            assertEquals(f.capturedLength(), buffer.getInt(at + 8), "caplen of frame " + f.number());
            assertEquals(f.originalLength(), buffer.getInt(at + 12), "origlen of frame " + f.number());
            assertEquals(16 + f.capturedLength(), f.recordLength());
        }
    }

    /** Walks the pcapng blocks: type, equal leading/trailing lengths, multiple of 4, section byte order. */
    private static void checkPcapngBlocks(final Generated g, final byte[] file) {
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        final Map<String, Integer> codes = Map.of("SHB", 0x0a0d0d0a, "IDB", 1, "OPB", 2, "SPB", 3, "NRB", 4, "ISB", 5,
            "EPB", 6, "DSB", 10, "CB", 0x00000bad, "DCB", 0x40000bad);
        for (final TruthBlock block : g.blocks()) {
            final ByteBuffer buffer = ByteBuffer.wrap(file);
            final int at = (int) block.offset();
            if (block.type().equals("SHB")) {
                final int magic = buffer.order(ByteOrder.BIG_ENDIAN).getInt(at + 8);
                order = magic == 0x1a2b3c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                assertEquals(0x1a2b3c4d, buffer.order(order).getInt(at + 8), "byte-order magic");
            }
            buffer.order(order);
            assertEquals((int) codes.get(block.type()), buffer.getInt(at), block.type() + " type at " + at);
            assertEquals(block.length(), buffer.getInt(at + 4), "leading length at " + at);
            assertEquals(block.length(), buffer.getInt(at + block.length() - 4), "trailing length at " + at);
            assertEquals(0, block.length() % 4, "length multiple of 4 at " + at);
            final TruthFrame frame = block.frame() > 0 ? g.frame(block.frame()) : null;
            if (block.type().equals("EPB") || block.type().equals("OPB")) {
                final int caplen = buffer.getInt(at + 20);
                assertEquals(frame.capturedLength(), caplen);
                assertEquals(frame.originalLength(), buffer.getInt(at + 24));
                final int interfaceId = block.type().equals("EPB") ? buffer.getInt(at + 8) : buffer.getShort(at + 8);
                assertEquals(frame.interfaceId(), interfaceId);
                for (int i = caplen; i % 4 != 0; i++) {
                    assertEquals(0, file[at + 28 + i], "zero padding");
                }
            } else if (block.type().equals("SPB")) {
                assertEquals(frame.originalLength(), buffer.getInt(at + 8));
                assertEquals(0, frame.interfaceId());
                assertFalse(frame.hasTimestamp());
                assertTrue(frame.uids().isEmpty(), "SPBs carry noise only");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void shouldKeepEveryFrameOfAConnectionInsideItsWindow(final GeneratorSpec spec) throws IOException {
        final Generated g = generate(spec);
        for (final TruthConn c : g.conns()) {
            final List<Integer> numbers = g.framesOf(c.uid());
            assertFalse(numbers.isEmpty(), c.uid() + " has frames");
            final Map<Integer, Long> groupEnd = new HashMap<>();
            for (final int n : numbers) {
                final TruthFrame f = g.frame(n);
                assertTrue(f.hasTimestamp());
                if (f.isFragment()) {
                    groupEnd.merge(f.fragmentGroup(), f.tsNanos(), Math::max);
                    assertTrue(f.tsNanos() >= c.tsNanos() - CaptureGenerator.MAX_FRAGMENT_SPREAD_NANOS
                        && f.tsNanos() <= c.endNanos(), "fragment " + n + " of " + c.uid());
                } else {
                    final boolean inCloseDelay = c.proto().equals("tcp") && f.tsNanos() > c.endNanos()
                        && f.tsNanos() < c.endNanos() + CaptureGenerator.TCP_CLOSE_DELAY_NANOS;
                    assertTrue(f.tsNanos() >= c.tsNanos() && (f.tsNanos() <= c.endNanos() || inCloseDelay),
                        "frame " + n + " at " + f.tsNanos() + " outside " + c);
                }
            }
            for (final long end : groupEnd.values()) {
                assertTrue(end >= c.tsNanos() && end <= c.endNanos(), "a datagram completes inside " + c.uid());
            }
            final TruthFrame first = g.frame(numbers.get(0));
            assertEquals(c.vlan(), first.outerVlan(), "vlan of " + c.uid());
            assertEquals(c.innerVlan(), first.innerVlan(), "inner_vlan of " + c.uid());
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void shouldCountAFragmentedDatagramOnce(final GeneratorSpec spec) throws IOException {
        final Generated g = generate(spec);
        for (final TruthConn c : g.conns()) {
            final List<TruthFrame> frames = g.framesOf(c.uid()).stream().map(g::frame).collect(Collectors.toList());
            final long whole = frames.stream().filter(f -> !f.isFragment()).count();
            final long datagrams = frames.stream().filter(TruthFrame::isFragment).map(TruthFrame::fragmentGroup)
                .distinct().count();
            assertEquals(c.pkts(), whole + datagrams, "packets of " + c.uid());
            long fromOrig = frames.stream().filter(f -> !f.isFragment() && f.srcAddr().equals(c.origH())).count();
            fromOrig += frames.stream().filter(f -> f.isFragment() && f.srcAddr().equals(c.origH()))
                .map(TruthFrame::fragmentGroup).distinct().count();
            assertEquals(c.origPkts(), fromOrig, "orig_pkts of " + c.uid());
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void shouldFollowZeeksConnectionSemantics(final GeneratorSpec spec) throws IOException {
        final Generated g = generate(spec);
        final Set<String> uids = new HashSet<>();
        final Map<String, List<TruthConn>> byKey = new HashMap<>();
        for (final TruthConn c : g.conns()) {
            assertTrue(UID.matcher(c.uid()).matches(), c.uid());
            assertTrue(uids.add(c.uid()), "unique uid");
            switch (c.proto()) {
                case "tcp": assertEquals(6, c.ipProto()); break;
                case "udp": assertEquals(17, c.ipProto()); break;
                case "icmp":
                    assertTrue(c.ipProto() == 1 || c.ipProto() == 58);
                    assertEquals(IcmpCounterpart.of(c.ipProto(), c.origP(), c.respP()), c.respP(),
                        "resp_p is the counterpart of orig_p, or the code of a one-way type");
                    break;
                case "unknown_transport":
                    assertEquals(0, c.origP());
                    assertEquals(0, c.respP());
                    break;
                default: fail("proto " + c.proto());
            }
            final String a = c.origH() + "/" + c.origP();
            final String b = c.respH() + "/" + c.respP();
            byKey.computeIfAbsent(c.ipProto() + (a.compareTo(b) < 0 ? a + b : b + a), k -> new ArrayList<>()).add(c);
            final TruthFrame first = g.frame(g.framesOf(c.uid()).get(0));
            if (!first.isFragment()) {
                assertEquals(c.origH(), first.srcAddr(), "the originator sends the first packet of " + c.uid());
                assertEquals(c.origP(), first.srcPort());
            }
        }
        for (final List<TruthConn> sameKey : byKey.values()) {
            sameKey.sort(java.util.Comparator.comparingLong(TruthConn::tsNanos));
            for (int i = 1; i < sameKey.size(); i++) {
                final TruthConn before = sameKey.get(i - 1);
                final TruthConn after = sameKey.get(i);
                final long lastFrameBefore = g.framesOf(before.uid()).stream().mapToLong(n -> g.frame(n).tsNanos()).max().orElseThrow();
                if (after.proto().equals("tcp")) {
                    // A new SYN starts a new connection even inside the earlier one's close delay.
                    assertTrue(after.tsNanos() > lastFrameBefore, "a reused TCP tuple comes back after the earlier connection's last packet");
                } else {
                    assertTrue(after.tsNanos() - before.endNanos() > 60_000_000_000L,
                        "a reused UDP tuple comes back after more than 1 min");
                }
            }
        }
        for (final TruthFrame f : g.frames()) {
            assertTrue(f.uids().size() <= 1, "frame " + f.number() + " belongs to one uid at most");
            assertTrue(uids.containsAll(f.uids()));
            assertEquals(f.uids().isEmpty(), f.ipProto() < 0, "only non-IP frames are without a uid");
        }
        if (spec.reuseTuples() && spec.connections() >= 2) {
            assertTrue(byKey.values().stream().anyMatch(l -> l.size() > 1), "some tuple is reused");
        }
    }

    /**
     * TCP connections end as real ones do (DOMAIN-NOTES section 2): the duration stops at the
     * packet that closed the second endpoint, and the last ACK (20 µs to 2 ms later), a FIN sent
     * again (up to 1.5 s later) or an RST follow it inside Zeek's close delay; an abort by one
     * side and a connection never closed have nothing after their duration; a tuple is reused by
     * a new SYN about 1 s after a close, inside the delay.
     */
    @Test
    void shouldEndTcpConnectionsAsRealOnesEnd() throws IOException {
        final Generated g = generate(GeneratorSpec.everything(31).withConnections(400));
        int lastAckJustAfter = 0;
        int finSentAgain = 0;
        int rstAfterFin = 0;
        int abortedWithLaterPackets = 0;
        int neverClosed = 0;
        final Map<String, List<TruthConn>> byKey = new HashMap<>();
        for (final TruthConn c : g.conns()) {
            if (!c.proto().equals("tcp")) {
                continue;
            }
            final String a = c.origH() + "/" + c.origP();
            final String b = c.respH() + "/" + c.respP();
            byKey.computeIfAbsent(a.compareTo(b) < 0 ? a + b : b + a, k -> new ArrayList<>()).add(c);
            final List<Long> after = g.framesOf(c.uid()).stream().map(n -> g.frame(n).tsNanos())
                .filter(ts -> ts > c.endNanos()).sorted().collect(Collectors.toList());
            final boolean bothClosed = c.history().contains("F") && c.history().contains("f")
                || c.connState().equals("RSTR");
            if (!bothClosed) {
                assertTrue(after.isEmpty(), "an endpoint still open keeps Zeek's clock running: nothing after the duration of " + c);
                if (c.connState().equals("RSTO") && c.history().contains("d")) {
                    abortedWithLaterPackets++;
                }
                if (c.connState().equals("S1")) {
                    neverClosed++;
                }
                continue;
            }
            if (c.connState().equals("RSTR")) {
                rstAfterFin++;
                continue;
            }
            assertFalse(after.isEmpty(), "the last ACK of " + c + " lies after its duration");
            final long gap = after.get(0) - c.endNanos();
            if (gap >= 20_000 && gap <= 2_000_000 + 1_000) {
                lastAckJustAfter++;
            }
            if (after.get(after.size() - 1) - c.endNanos() > 200_000_000L) {
                finSentAgain++;
            }
        }
        int reusedInsideCloseDelay = 0;
        for (final List<TruthConn> sameKey : byKey.values()) {
            sameKey.sort(java.util.Comparator.comparingLong(TruthConn::tsNanos));
            for (int i = 1; i < sameKey.size(); i++) {
                if (sameKey.get(i).tsNanos() - sameKey.get(i - 1).endNanos() < CaptureGenerator.TCP_CLOSE_DELAY_NANOS) {
                    reusedInsideCloseDelay++;
                }
            }
        }
        assertTrue(lastAckJustAfter > 10, "last ACKs after the second FIN: " + lastAckJustAfter);
        assertTrue(finSentAgain > 2, "FINs sent again: " + finSentAgain);
        assertTrue(rstAfterFin > 2, "FIN answered by RST: " + rstAfterFin);
        assertTrue(abortedWithLaterPackets > 0, "aborts with packets after the RST: " + abortedWithLaterPackets);
        assertTrue(neverClosed > 2, "connections never closed: " + neverClosed);
        assertTrue(reusedInsideCloseDelay > 0, "tuples reused inside the close delay: " + reusedInsideCloseDelay);
    }

    @Test
    void shouldSeeOneConnectionOnTwoVlansAsOneUid() throws IOException {
        final Generated g = generate(GeneratorSpec.defaults(21).withVlan(true).withSameTupleOnTwoVlans(true)
            .withConnections(24));
        final long twoVlanUids = g.conns().stream().filter(c -> g.framesOf(c.uid()).stream()
            .map(n -> g.frame(n).outerVlan()).distinct().count() == 2).count();
        assertTrue(twoVlanUids >= 1 && twoVlanUids <= 3, "uids seen on two VLANs: " + twoVlanUids);
    }

    @Test
    void shouldPutFragmentsOutOfOrderAndBeforeTheConnectionStart() throws IOException {
        final Generated g = generate(GeneratorSpec.defaults(22).withFragments(true).withConnections(20));
        final Map<Integer, List<TruthFrame>> groups = new TreeMap<>();
        for (final TruthFrame f : g.frames()) {
            if (f.isFragment()) {
                groups.computeIfAbsent(f.fragmentGroup(), k -> new ArrayList<>()).add(f);
            }
        }
        assertTrue(groups.size() >= 3, "fragmented datagrams: " + groups.size());
        final byte[] file = Files.readAllBytes(capture(GeneratorSpec.defaults(22)));
        int outOfOrder = 0;
        for (final List<TruthFrame> group : groups.values()) {
            final List<Integer> offsets = new ArrayList<>();
            for (final TruthFrame f : group) {
                offsets.add(fragmentOffset(file, f));
            }
            if (!offsets.equals(offsets.stream().sorted().collect(Collectors.toList()))) {
                outOfOrder++;
            }
        }
        assertTrue(outOfOrder >= 1, "some datagram's fragments are out of order");
        assertTrue(g.conns().stream().anyMatch(c -> g.framesOf(c.uid()).stream()
            .anyMatch(n -> g.frame(n).tsNanos() < c.tsNanos())), "some connection starts at a completing fragment");
    }

    /** Fragment offset of an Ethernet-framed IPv4 or IPv6 fragment, read from the file. */
    private static int fragmentOffset(final byte[] file, final TruthFrame f) {
        final ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
        int at = (int) f.recordOffset() + 16 + 12;
        int etherType = b.getShort(at) & 0xffff;
        if (etherType < 0x600) { // 802.3 length, LLC/SNAP header, then the ethertype
            at += 6;
            etherType = b.getShort(at) & 0xffff;
        }
        while (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100) {
            at += 4;
            etherType = b.getShort(at) & 0xffff;
        }
        at += 2;
        if (etherType == 0x0800) {
            return (b.getShort(at + 6) & 0x1fff) * 8;
        }
        int next = b.get(at + 6) & 0xff;
        at += 40;
        while (next != 44) {
            next = b.get(at) & 0xff;
            at += 8;
        }
        return (b.getShort(at + 2) & 0xfff8);
    }

    @Test
    void shouldCutPayloadsButNeverHeadersOrFragments() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.everything(23);
        final Generated g = generate(spec);
        assertTrue(g.frames().stream().anyMatch(TruthFrame::isTruncated), "some frames are cut by the snaplen");
        for (final TruthFrame f : g.frames()) {
            assertTrue(f.capturedLength() <= GeneratorSpec.DEFAULT_TRUNCATION_SNAPLEN);
            if (f.isFragment()) {
                assertFalse(f.isTruncated(), "fragment " + f.number() + " is whole");
            }
        }
    }

    @Test
    void shouldWriteWholeMicrosecondsInMicrosecondFormatsAndNanosecondDetailOtherwise() throws IOException {
        final Generated us = generate(GeneratorSpec.defaults(24));
        assertTrue(us.frames().stream().allMatch(f -> f.tsNanos() % 1000 == 0));
        final Generated ns = generate(GeneratorSpec.defaults(24).withFormat(CaptureFileFormat.PCAP_NSEC_LE));
        assertTrue(ns.frames().stream().filter(f -> f.tsNanos() % 1000 != 0).count() > ns.frames().size() / 2);
        for (final Generated g : List.of(us, ns)) {
            for (int i = 1; i < g.frames().size(); i++) {
                assertTrue(g.frames().get(i).tsNanos() >= g.frames().get(i - 1).tsNanos(), "sorted without the flag");
            }
            assertTrue(g.firstTsNanos() > 1_600_000_000_000_000_000L && g.firstTsNanos() < 1_800_000_000_000_000_000L);
        }
        final Generated unsorted = generate(GeneratorSpec.defaults(24).withUnsortedTimestamps(true));
        int backwards = 0;
        for (int i = 1; i < unsorted.frames().size(); i++) {
            if (unsorted.frames().get(i).tsNanos() < unsorted.frames().get(i - 1).tsNanos()) {
                backwards++;
            }
        }
        assertTrue(backwards >= 3, "frames earlier than their predecessor: " + backwards);
    }

    @Test
    void shouldInterleaveConcurrentConnections() throws IOException {
        final Generated g = generate(GeneratorSpec.defaults(25).withConnections(40));
        final long interleaved = g.conns().stream().filter(c -> {
            final List<Integer> n = g.framesOf(c.uid());
            return n.get(n.size() - 1) - n.get(0) + 1 > n.size();
        }).count();
        assertTrue(interleaved > g.conns().size() / 3, "connections whose frames are not contiguous: " + interleaved);
    }

    @Test
    void shouldUseEveryPcapngFeatureInAMixedFile() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.everything(26).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
            .withLinkType(GeneratorSpec.MIXED_LINK_TYPES).withConnections(60).withTruncate(false);
        final Generated g = generate(spec);
        final Map<String, Long> types = g.blocks().stream()
            .collect(Collectors.groupingBy(TruthBlock::type, LinkedHashMap::new, Collectors.counting()));
        for (final String type : List.of("SHB", "IDB", "EPB", "SPB", "OPB", "NRB", "ISB", "DSB", "CB", "DCB")) {
            assertTrue(types.containsKey(type), type + " in " + types);
        }
        assertEquals(3, types.get("SHB"));
        final byte[] file = Files.readAllBytes(capture(spec));
        final List<TruthBlock> shbs = g.blocks().stream().filter(b -> b.type().equals("SHB")).collect(Collectors.toList());
        assertNotEquals(file[(int) shbs.get(0).offset() + 8], file[(int) shbs.get(1).offset() + 8],
            "sections of both byte orders");
        final Set<Integer> linkTypes = g.frames().stream().map(TruthFrame::linkType).collect(Collectors.toSet());
        assertEquals(Set.of(0, 1, 10, 101, 108, 113, 228, 229, 276), linkTypes);
        final String idbs = new String(file, StandardCharsets.ISO_8859_1);
        assertTrue(idbs.contains("\u0009\u0000\u0001\u0000\u0094") || idbs.contains("\u0000\u0009\u0000\u0001\u0094"),
            "an if_tsresol of 2^-20");
    }

    @Test
    void shouldWriteConnLogLikeZeek() throws IOException {
        final Generated g = generate(GeneratorSpec.everything(27).withConnections(30));
        final List<String> lines = Files.readAllLines(dir.resolve("conn.log"));
        final List<String> contract = Files.readAllLines(sharedDir().resolve("contract/sample-conn.log"));
        for (int i = 0; i < 5; i++) {
            assertEquals(contract.get(i), lines.get(i), "header line " + (i + 1));
        }
        assertTrue(lines.get(5).matches("#open\t\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-\\d\\d"));
        final String[] fields = lines.get(6).split("\t");
        assertEquals("#fields", fields[0]);
        final List<String> expectedFields = new ArrayList<>(List.of(ZeekConnLog.FIELDS));
        expectedFields.addAll(List.of(ZeekConnLog.VLAN_FIELDS));
        assertEquals(expectedFields, List.of(fields).subList(1, fields.length));
        assertEquals(fields.length, lines.get(7).split("\t").length, "#types");
        assertTrue(lines.get(lines.size() - 1).startsWith("#close\t"));
        final List<String> rows = lines.stream().filter(l -> !l.startsWith("#")).collect(Collectors.toList());
        assertEquals(g.conns().size(), rows.size());
        for (final String row : rows) {
            final String[] col = row.split("\t", -1);
            assertEquals(fields.length - 1, col.length);
            final TruthConn c = g.conn(col[1]);
            assertEquals(String.format(java.util.Locale.ROOT, "%.6f", c.tsNanos() / 1e9), col[0], "ts of " + c.uid());
            if (c.durationNanos() == 0) {
                assertEquals("-", col[8]);
            } else {
                assertEquals(Math.round(c.durationNanos() / 1000.0), Math.round(Double.parseDouble(col[8]) * 1e6));
            }
            assertEquals(List.of(c.origH(), "" + c.origP(), c.respH(), "" + c.respP(), c.proto()),
                List.of(col[2], col[3], col[4], col[5], col[6]));
            assertEquals(List.of("" + c.origPkts(), "" + c.respPkts(), "" + c.ipProto()), List.of(col[16], col[18], col[21]));
            assertEquals(c.vlan() < 0 ? "-" : "" + c.vlan(), col[22]);
            assertEquals(c.innerVlan() < 0 ? "-" : "" + c.innerVlan(), col[23]);
        }
        final Generated plain = generate(GeneratorSpec.defaults(27));
        assertFalse(plain.hasVlanColumns());
        assertFalse(Files.readString(dir.resolve("conn.log")).contains("inner_vlan"), "no vlan columns without tags");
    }

    @Test
    void shouldWriteTheSameRowsAsZeekJson() throws IOException {
        final Generated g = generate(GeneratorSpec.everything(28).withConnections(20));
        final Path json = dir.resolve("conn.json");
        g.writeConnLogJson(json);
        final List<String> lines = Files.readAllLines(json);
        assertEquals(g.conns().size(), lines.size());
        final JsonFactory factory = new JsonFactory();
        for (final String line : lines) {
            final Map<String, String> values = new LinkedHashMap<>();
            try (JsonParser parser = factory.createParser(line)) {
                assertEquals(JsonToken.START_OBJECT, parser.nextToken());
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    final String key = parser.currentName();
                    parser.nextToken();
                    values.put(key, parser.getText());
                }
            }
            final TruthConn c = g.conn(values.get("uid"));
            assertEquals(c.tsNanos() / 1000, Math.round(Double.parseDouble(values.get("ts")) * 1e6) , "ts");
            assertEquals(c.origH(), values.get("id.orig_h"));
            assertEquals("" + c.respP(), values.get("id.resp_p"));
            assertEquals("" + c.origPkts(), values.get("orig_pkts"));
            assertEquals(c.vlan() >= 0, values.containsKey("vlan"));
            assertFalse(values.containsKey("service"), "unset fields are left out");
        }
    }

    @Test
    void shouldWriteTheTruthTable() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.everything(29).withFormat(CaptureFileFormat.PCAPNG_LE);
        final Generated g = generate(spec);
        final Path truth = dir.resolve("truth.tsv");
        g.writeTruth(truth);
        final List<String> lines = Files.readAllLines(truth);
        assertEquals("frame\trecord_offset\trecord_length\tts_ns\tcaplen\tuids", lines.get(0));
        assertEquals(g.frames().size() + 1, lines.size());
        for (final TruthFrame f : g.frames()) {
            final String[] col = lines.get(f.number()).split("\t");
            assertEquals(List.of("" + f.number(), "" + f.recordOffset(), "" + f.recordLength(),
                f.hasTimestamp() ? "" + f.tsNanos() : "-", "" + f.capturedLength(),
                f.uids().isEmpty() ? "-" : String.join(",", f.uids())), List.of(col));
        }
    }

    @Test
    void shouldImportNothingFromTheProductionCode() throws IOException {
        final Path sources = Paths.get("src/test/java/io/scalpel/testdata");
        Assumptions.assumeTrue(Files.isDirectory(sources), "run from the scalpel-core module");
        try (Stream<Path> files = Files.list(sources)) {
            for (final Path file : files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
                for (final String line : Files.readAllLines(file)) {
                    if (line.startsWith("import io.scalpel.") || line.startsWith("import static io.scalpel.")) {
                        assertTrue(line.contains("io.scalpel.testdata.") || line.contains("io.scalpel.testing."),
                            file.getFileName() + ": " + line);
                    }
                    assertFalse(line.matches(".*\\bio\\.scalpel\\.(decode|zeek|capture|index|slice|api)\\b.*"),
                        file.getFileName() + " names production code: " + line);
                }
            }
        }
    }

    @Test
    void committedFixturesShouldMatchTheGenerator() throws IOException {
        final String configured = System.getProperty("scalpel.testdata.dir");
        Assumptions.assumeTrue(configured != null && Files.isDirectory(Paths.get(configured)), "testdata/ not found");
        final Path committed = Paths.get(configured);
        final Path fresh = Files.createDirectories(dir.resolve("fresh"));
        TestdataMain.writeAll(fresh, false);
        try (Stream<Path> files = Files.walk(fresh)) {
            for (final Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                final Path relative = fresh.relativize(file);
                final Path old = committed.resolve(relative.toString());
                assertTrue(Files.exists(old), relative + " is committed (run TestdataMain, see testdata/README.md)");
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(old),
                    relative + " is stale: regenerate with TestdataMain (see testdata/README.md)");
            }
        }
    }

    private static Path sharedDir() {
        final String configured = System.getProperty("scalpel.shared.dir");
        final Path shared = configured != null ? Paths.get(configured) : Paths.get("../../shared");
        Assumptions.assumeTrue(Files.isDirectory(shared.resolve("contract")), "shared contract not found");
        return shared;
    }
}
