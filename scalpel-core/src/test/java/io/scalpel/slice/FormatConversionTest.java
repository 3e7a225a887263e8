package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.capture.CaptureFormat;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthBlock;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ExternalTools;
import io.scalpel.testing.PcapngFile;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --format}: frames of generated captures written in the other format keep their bytes,
 * timestamps and lengths (judged against the generator's ground truth, by the test's own walk of
 * the output and by tshark); a conversion that would lose link types is refused.
 */
class FormatConversionTest {
    private static final int SHB_TYPE = 0x0A0D0D0A;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int IDB_TYPE = 1;
    private static final int EPB_TYPE = 6;
    private static final int PCAP_HEADER_LENGTH = 24;
    private static final int PCAP_RECORD_HEADER_LENGTH = 16;
    private static final int PCAPNG_PACKET_DATA = 28;
    private static final int PCAPNG_SIMPLE_PACKET_DATA = 12;

    @TempDir
    Path dir;

    @Tag("external")
    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_LE", "PCAP_USEC_BE", "PCAP_NSEC_LE", "PCAP_NSEC_BE"})
    void shouldWriteClassicPcapFramesAsOnePcapngSectionWithTheirBytesTimestampsAndLengths(final CaptureFileFormat format)
        throws Exception {
        final GeneratorSpec spec = GeneratorSpec.everything(7100 + format.ordinal()).withFormat(format);
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(spec, capture, null);
        final long[] offsets = allOffsets(truth);
        final Path out = dir.resolve("out.pcapng");

        final long written;
        try (Scalpel scalpel = Scalpel.open(capture)) {
            written = scalpel.write(offsets, CaptureFormat.PCAPNG, out, w -> { });
        }

        assertEquals(truth.frames().size(), written);
        final byte[] cap = Files.readAllBytes(capture);
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        // Section header block
        assertEquals(SHB_TYPE, b.getInt(0), "block type: section header");
        final int shbLength = b.getInt(4);
        assertEquals(BYTE_ORDER_MAGIC, b.getInt(8), "byte-order magic: the section is little-endian");
        assertEquals(1, b.getShort(12), "major version");
        assertEquals(shbLength, b.getInt(shbLength - 4), "section header trailing length");
        // Interface description block: the pcap's link type, snaplen and resolution
        int at = shbLength;
        assertEquals(IDB_TYPE, b.getInt(at), "block type: interface description");
        final int idbLength = b.getInt(at + 4);
        assertEquals(truth.frame(1).linkType(), b.getShort(at + 8) & 0xFFFF, "link type");
        assertEquals(spec.effectiveSnaplen(), b.getInt(at + 12), "snaplen");
        final int tsresol = PcapngFile.tsresol(b, at + 16, at + idbLength - 4);
        assertEquals(format.isNanosecondPcap() ? 9 : 6, tsresol, "if_tsresol");
        assertEquals(idbLength, b.getInt(at + idbLength - 4), "interface trailing length");
        at += idbLength;
        // One enhanced packet block per frame, in capture order
        final long nanosPerUnit = tsresol == 9 ? 1 : 1000;
        for (TruthFrame f : truth.frames()) {
            final String frame = "frame " + f.number();
            assertEquals(EPB_TYPE, b.getInt(at), frame + ": block type");
            final int length = b.getInt(at + 4);
            assertEquals(0, b.getInt(at + 8), frame + ": interface id");
            final long units = (Integer.toUnsignedLong(b.getInt(at + 12)) << 32) | Integer.toUnsignedLong(b.getInt(at + 16));
            assertEquals(f.tsNanos(), units * nanosPerUnit, frame + ": timestamp");
            assertEquals(f.capturedLength(), b.getInt(at + 20), frame + ": captured length");
            assertEquals(f.originalLength(), b.getInt(at + 24), frame + ": original length");
            final byte[] data = Arrays.copyOfRange(b.array(), at + PCAPNG_PACKET_DATA, at + PCAPNG_PACKET_DATA + f.capturedLength());
            assertArrayEquals(frameBytes(cap, f), data, frame + ": packet data");
            assertEquals(PCAPNG_PACKET_DATA + ((f.capturedLength() + 3) & ~3) + 4, length, frame + ": block length");
            assertEquals(length, b.getInt(at + length - 4), frame + ": trailing length");
            at += length;
        }
        assertEquals(b.capacity(), at, "nothing after the last packet block");

        assertTsharkReadsTheFrames(out, truth.frames());
    }

    @Test
    void shouldWritePcapngFramesOfOneLinkTypeAsNanosecondPcapWithTheirBytesTimestampsAndLengths() throws IOException {
        // Big-endian sections, several of them, with simple and obsolete packet blocks among the enhanced ones.
        final GeneratorSpec spec = GeneratorSpec.everything(7200).withFormat(CaptureFileFormat.PCAPNG_BE);
        final Path capture = dir.resolve("cap.pcapng");
        final Generated truth = CaptureGenerator.generate(spec, capture, null);
        final long[] offsets = allOffsets(truth);
        final Set<Integer> linkTypes = truth.frames().stream().map(TruthFrame::linkType).collect(Collectors.toSet());
        assertEquals(Set.of(1), linkTypes, "the capture's one link type");
        assertTrue(truth.frames().stream().anyMatch(f -> !f.hasTimestamp()), "the capture has simple packet blocks");
        final Path out = dir.resolve("out.pcap");
        final List<String> warnings = new ArrayList<>();

        final long written;
        try (Scalpel scalpel = Scalpel.open(capture)) {
            written = scalpel.write(offsets, CaptureFormat.PCAP, out, warnings::add);
        }

        assertEquals(truth.frames().size(), written);
        final byte[] cap = Files.readAllBytes(capture);
        final byte[] bytes = Files.readAllBytes(out);
        assertArrayEquals(new byte[] {0x4D, 0x3C, (byte) 0xB2, (byte) 0xA1}, Arrays.copyOf(bytes, 4),
            "magic a1b23c4d (nanoseconds) written little-endian");
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, b.getShort(4), "version major");
        assertEquals(4, b.getShort(6), "version minor");
        assertEquals(1, b.getInt(20), "link type: the interfaces' Ethernet");
        int at = PCAP_HEADER_LENGTH;
        long previousTs = Long.MIN_VALUE;
        for (TruthFrame f : truth.frames()) {
            final String frame = "frame " + f.number() + " (" + f.recordType() + ")";
            final long ts = Integer.toUnsignedLong(b.getInt(at)) * 1_000_000_000L + b.getInt(at + 4);
            assertTrue(b.getInt(at + 4) >= 0 && b.getInt(at + 4) < 1_000_000_000, frame + ": nanoseconds below one second");
            if (f.hasTimestamp()) {
                assertEquals(f.tsNanos(), ts, frame + ": timestamp");
            } else if (previousTs != Long.MIN_VALUE) {
                assertEquals(previousTs, ts, frame + ": a simple packet takes the previous packet's timestamp");
            }
            previousTs = ts;
            final int caplen = b.getInt(at + 8);
            assertEquals(f.capturedLength(), caplen, frame + ": captured length");
            assertEquals(f.originalLength(), b.getInt(at + 12), frame + ": original length");
            final int data = at + PCAP_RECORD_HEADER_LENGTH;
            assertArrayEquals(frameBytes(cap, f), Arrays.copyOfRange(bytes, data, data + caplen), frame + ": packet data");
            at = data + caplen;
        }
        assertEquals(bytes.length, at, "nothing after the last record");
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("simple packet blocks have no timestamp"), warnings::toString);
    }

    @Test
    void shouldGiveASimplePacketWrittenFirstIntoAPcapNoTimestampFromLaterInTheSelection() throws IOException {
        // A simple packet block has no timestamp; in a pcap it takes the previous packet's. Written
        // first, no packet precedes it: it gets 0, "unknown", as Wireshark shows such a block, and
        // never the timestamp of a packet written after it.
        final GeneratorSpec spec = GeneratorSpec.everything(7200).withFormat(CaptureFileFormat.PCAPNG_BE);
        final Path capture = dir.resolve("cap.pcapng");
        final Generated truth = CaptureGenerator.generate(spec, capture, null);
        final TruthFrame simple = truth.frames().stream().filter(f -> !f.hasTimestamp()).findFirst().orElseThrow();
        final TruthFrame later = truth.frames().get(truth.frames().size() - 1);
        assertTrue(later.hasTimestamp());
        final Path out = dir.resolve("out.pcap");

        try (Scalpel scalpel = Scalpel.open(capture)) {
            scalpel.write(new long[] {simple.recordOffset(), later.recordOffset()}, CaptureFormat.PCAP, out, w -> { });
        }

        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        final int second = PCAP_HEADER_LENGTH + PCAP_RECORD_HEADER_LENGTH + simple.capturedLength();
        assertEquals(0, b.getInt(PCAP_HEADER_LENGTH), "the simple packet's seconds");
        assertEquals(0, b.getInt(PCAP_HEADER_LENGTH + 4), "the simple packet's nanoseconds");
        assertEquals(later.tsNanos(), Integer.toUnsignedLong(b.getInt(second)) * 1_000_000_000L + b.getInt(second + 4),
            "the timestamped packet after it keeps its own");
    }

    @Test
    void shouldRefuseToWritePcapngFramesOfSeveralLinkTypesAsOnePcapAndLeaveNoFile() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.everything(7300).withFormat(CaptureFileFormat.PCAPNG_LE)
            .withLinkType(GeneratorSpec.MIXED_LINK_TYPES);
        final Path capture = dir.resolve("cap.pcapng");
        final Generated truth = CaptureGenerator.generate(spec, capture, null);
        final Set<Integer> linkTypes = truth.frames().stream().map(TruthFrame::linkType).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(linkTypes.size() > 1, "the capture mixes link types: " + linkTypes);
        final Path outputs = Files.createDirectory(dir.resolve("out"));
        final Path out = outputs.resolve("all.pcap");

        final IllegalArgumentException e;
        try (Scalpel scalpel = Scalpel.open(capture)) {
            e = assertThrows(IllegalArgumentException.class,
                () -> scalpel.write(allOffsets(truth), CaptureFormat.PCAP, out, w -> { }));
        }

        assertTrue(e.getMessage().contains("several link types " + linkTypes), e.getMessage());
        assertTrue(e.getMessage().contains("--format pcapng"), e.getMessage());
        try (Stream<Path> left = Files.list(outputs)) {
            assertEquals(List.of(), left.toList(), "neither the output nor its temporary file is left");
        }
    }

    @Tag("external")
    @Test
    void shouldWriteASliceSpanningSectionsOfBothByteOrdersThatTsharkReads() throws Exception {
        final GeneratorSpec spec = GeneratorSpec.everything(7400).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
            .withLinkType(GeneratorSpec.MIXED_LINK_TYPES);
        final Path capture = dir.resolve("cap.pcapng");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(spec, capture, conn);
        final Path out = dir.resolve("out.pcapng");

        final long[] offsets;
        try (Scalpel scalpel = Scalpel.open(capture)) {
            offsets = scalpel.select(readConnLog(conn)).union();
            assertEquals(offsets.length, scalpel.write(offsets, null, out, w -> { }));
        }

        final Map<Long, TruthFrame> byOffset = truth.frames().stream()
            .collect(Collectors.toMap(TruthFrame::recordOffset, Function.identity()));
        final List<TruthFrame> expected = Arrays.stream(offsets).mapToObj(byOffset::get).toList();
        final Set<Integer> sections = new TreeSet<>();
        for (TruthBlock block : truth.blocks()) {
            if (block.frame() > 0 && byOffset.containsKey(block.offset()) && Arrays.binarySearch(offsets, block.offset()) >= 0) {
                sections.add(block.section());
            }
        }
        assertTrue(sections.size() > 1, "the slice spans several sections: " + sections);
        assertTsharkReadsTheFrames(out, expected);
    }

    /** tshark's reading of {@code file}: one frame per expected frame, same timestamp and lengths. */
    private static void assertTsharkReadsTheFrames(final Path file, final List<TruthFrame> expected) throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        // tshark 4.0 lists copyable custom blocks, which pcapng extracts keep, as frames without an interface.
        final String listing = ExternalTools.run(List.of("tshark", "-n", "-r", file.toString(), "-Y", "frame.interface_id",
            "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.cap_len", "-e", "frame.len"));
        final List<String> lines = listing.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(expected.size(), lines.size(), "frames tshark reads");
        for (int i = 0; i < lines.size(); i++) {
            final TruthFrame f = expected.get(i);
            final String[] fields = lines.get(i).split("\t");
            final String frame = "tshark frame " + (i + 1) + " (truth frame " + f.number() + "): " + lines.get(i);
            assertEquals(f.tsNanos(), new BigDecimal(fields[0]).movePointRight(9).longValueExact(), frame + ": timestamp");
            assertEquals(f.capturedLength(), Integer.parseInt(fields[1]), frame + ": captured length");
            assertEquals(f.originalLength(), Integer.parseInt(fields[2]), frame + ": original length");
        }
    }

    /** The frame's bytes as the generator wrote them into the capture. */
    private static byte[] frameBytes(final byte[] capture, final TruthFrame f) {
        final int data;
        switch (f.recordType()) {
            case "pcap" -> data = PCAP_RECORD_HEADER_LENGTH;
            case "SPB" -> data = PCAPNG_SIMPLE_PACKET_DATA;
            case "EPB", "OPB" -> data = PCAPNG_PACKET_DATA;
            default -> throw new AssertionError("record type " + f.recordType());
        }
        final int from = (int) f.recordOffset() + data;
        return Arrays.copyOfRange(capture, from, from + f.capturedLength());
    }

    private static long[] allOffsets(final Generated truth) {
        return truth.frames().stream().mapToLong(TruthFrame::recordOffset).toArray();
    }

    private static List<ConnRecord> readConnLog(final Path conn) throws IOException {
        final List<ConnRecord> rows = io.scalpel.testing.ConnLogs.readStrictly(conn);
        return rows;
    }
}
