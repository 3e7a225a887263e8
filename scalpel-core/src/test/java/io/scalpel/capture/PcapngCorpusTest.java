package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testdata.PcapngMetadataCapture;
import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pcapng conformance files of the shared corpus (sections of both byte orders, interfaces of
 * several link types, SPB, NRB, ISB, custom blocks of both kinds) and the metadata fixture (OPB,
 * DSB, if_tsoffset, resolutions 10^-9, 10^-4 and 2^-20, a local-use block) read as their oracles
 * say: the block sequence as each file's description lists it, and every packet as tshark reads it
 * (section, interface, link type, time, lengths, MD5 of the bytes).
 */
class PcapngCorpusTest {
    /** tshark's wiretap encapsulation numbers (wtap.h) of the link types these files use. */
    private static final Map<Integer, Integer> LINKTYPE_OF_ENCAP = Map.of(1, 1, 15, 0, 7, 101);

    @TempDir
    Path dir;

    static List<Path> corpusFiles() throws IOException {
        final Path corpus = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("corpus/pcapng").normalize();
        assumeTrue(Files.isDirectory(corpus), () -> "skipped: pcapng corpus " + corpus + " is absent");
        try (Stream<Path> s = Files.walk(corpus)) {
            return s.filter(p -> p.toString().endsWith(".pcapng")).sorted().toList();
        }
    }

    @Tag("corpus")
    @TestFactory
    Stream<DynamicTest> shouldReadTheBlockSequenceEachCorpusFileDescribes() throws IOException {
        return corpusFiles().stream().map(file -> DynamicTest.dynamicTest(file.getParent().getParent().getFileName() + "/"
            + file.getParent().getFileName() + "/" + file.getFileName(), () -> {
                final Path description = Path.of(file.toString().replace(".pcapng", ".txt"));
                final String sequence = Files.readAllLines(description).stream().filter(l -> l.startsWith("Block sequence:"))
                    .findFirst().orElseThrow().substring("Block sequence:".length()).strip();
                assertEquals(keptSequence(sequence), String.join(", ", blockSequence(file)),
                    file + ": blocks as " + description + " lists them (less the sections the index does not keep)");
            }));
    }

    @Tag("corpus")
    @Tag("external")
    @TestFactory
    Stream<DynamicTest> shouldReadEveryPacketOfEachCorpusFileAsTsharkDoes() throws IOException {
        return corpusFiles().stream().map(file -> DynamicTest.dynamicTest(file.getParent().getParent().getFileName() + "/"
            + file.getParent().getFileName() + "/" + file.getFileName(), () -> assertPacketsAsTshark(file)));
    }

    @Tag("external")
    @Test
    void shouldReadTheMetadataFixtureAsWrittenAndAsTsharkDoes() throws Exception {
        final Path file = dir.resolve("meta.pcapng");
        final PcapngMetadataCapture.Written truth = PcapngMetadataCapture.write(file);

        try (CaptureReader reader = CaptureReader.open(file)) {
            final Frame f = new Frame();
            for (PcapngMetadataCapture.Packet p : truth.packets()) {
                final String what = "packet at " + p.block().offset();
                assertEquals(true, reader.next(f), what);
                assertEquals(p.block().offset(), f.recordOffset(), what + ": offset");
                assertEquals(p.block().section(), f.section(), what + ": section");
                assertEquals(p.interfaceId(), f.interfaceId(), what + ": interface");
                assertEquals(p.linkType(), f.linkType(), what + ": link type");
                assertEquals(p.tsNanos() != Long.MIN_VALUE, f.timestampKnown(), what + ": has a timestamp");
                if (f.timestampKnown()) {
                    assertEquals(p.tsNanos(), f.timestampNanos(), what + ": time");
                }
                assertEquals(HexFormat.of().formatHex(p.data()), HexFormat.of().formatHex(bytes(f)), what + ": bytes");
            }
            assertFalse(reader.next(f));
            final List<Long> metadata = truth.named().values().stream().map(b -> b.offset()).sorted().toList();
            final List<Long> remembered = ((PcapngReader) reader).blocks().stream()
                .filter(b -> b.type() != PcapngBlock.SECTION_HEADER && b.type() != PcapngBlock.INTERFACE_DESCRIPTION)
                .map(PcapngBlock::offset).toList();
            assertEquals(metadata, remembered, "every metadata block is remembered where it lies");
        }
        assertPacketsAsTshark(file);
    }

    /** The file's blocks by the description's names, in file order: non-packet blocks from the reader, packets as read. */
    /**
     * A block sequence without the sections the reader does not keep: those that hold no packet,
     * except the first and the last (see {@link PcapngReader}).
     */
    private static String keptSequence(final String sequence) {
        final List<List<String>> sections = new ArrayList<>();
        for (String block : sequence.split(", ")) {
            if (block.equals("SHB") || sections.isEmpty()) {
                sections.add(new ArrayList<>());
            }
            sections.get(sections.size() - 1).add(block);
        }
        final List<String> kept = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            final List<String> s = sections.get(i);
            if (i == 0 || i == sections.size() - 1 || s.contains("EPB") || s.contains("SPB") || s.contains("PB")) {
                kept.addAll(s);
            }
        }
        return String.join(", ", kept);
    }

    private static List<String> blockSequence(final Path file) throws IOException {
        final TreeMap<Long, String> blocks = new TreeMap<>();
        try (CaptureReader reader = CaptureReader.open(file)) {
            final Frame f = new Frame();
            final byte[] bytes = Files.readAllBytes(file);
            while (reader.next(f)) {
                final int type = ByteBuffer.wrap(bytes).order(reader.byteOrder()).getInt((int) f.recordOffset());
                blocks.put(f.recordOffset(), type == PcapngBlock.ENHANCED_PACKET ? "EPB"
                    : type == PcapngBlock.SIMPLE_PACKET ? "SPB" : type == PcapngBlock.OBSOLETE_PACKET ? "PB" : "?" + type);
            }
            assertEquals(-1, reader.truncatedTailOffset(), file + ": no truncated tail");
            for (PcapngBlock b : ((PcapngReader) reader).blocks()) {
                blocks.put(b.offset(), switch (b.type()) {
                    case PcapngBlock.SECTION_HEADER -> "SHB";
                    case PcapngBlock.INTERFACE_DESCRIPTION -> "IDB";
                    case PcapngBlock.NAME_RESOLUTION -> "NRB";
                    case PcapngBlock.INTERFACE_STATISTICS -> "ISB";
                    case PcapngBlock.DECRYPTION_SECRETS -> "DSB";
                    case PcapngBlock.CUSTOM_COPYABLE -> "CB";
                    case PcapngBlock.CUSTOM_DO_NOT_COPY -> "DCB";
                    default -> String.format("0x%08x", b.type());
                });
            }
        }
        return new ArrayList<>(blocks.values());
    }

    /** Every packet record our reader reads matches tshark's reading of the same record; custom blocks aside. */
    private static void assertPacketsAsTshark(final Path file) throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        final String listing = ExternalTools.run(List.of("tshark", "-n", "-r", file.toString(),
            "-o", "frame.generate_md5_hash:TRUE", "-T", "fields", "-e", "frame.section_number", "-e", "frame.interface_id",
            "-e", "frame.encap_type", "-e", "frame.time_epoch", "-e", "frame.cap_len", "-e", "frame.len", "-e", "frame.md5_hash"));
        final List<String[]> packets = new ArrayList<>();
        for (String line : listing.lines().filter(l -> !l.isBlank()).toList()) {
            final String[] f = line.split("\t", -1);
            if (!f[1].isEmpty()) {
                packets.add(f); // tshark 4.0 lists custom blocks too, as frames without an interface
            }
        }
        try (CaptureReader reader = CaptureReader.open(file)) {
            final Frame frame = new Frame();
            int i = 0;
            while (reader.next(frame)) {
                if (i == packets.size()) {
                    fail(file + ": we read a packet at byte offset " + frame.recordOffset() + " beyond the " + i + " tshark lists");
                }
                final String[] t = packets.get(i++);
                final String what = file.getFileName() + " packet " + i + " (tshark: " + String.join(" ", t) + ")";
                assertEquals(Integer.parseInt(t[0]), frame.section() + 1, what + ": section");
                assertEquals(Integer.parseInt(t[1]), frame.interfaceId(), what + ": interface");
                final Integer linkType = LINKTYPE_OF_ENCAP.get(Integer.parseInt(t[2]));
                if (linkType == null) {
                    fail(what + ": tshark encapsulation " + t[2] + " has no link type in this test's table");
                }
                assertEquals(linkType, frame.linkType(), what + ": link type");
                assertEquals(!t[3].isEmpty(), frame.timestampKnown(), what + ": has a timestamp");
                if (frame.timestampKnown()) {
                    assertEquals(new BigDecimal(t[3]).movePointRight(9).longValueExact(), frame.timestampNanos(), what + ": time");
                }
                assertEquals(Integer.parseInt(t[4]), frame.capturedLength(), what + ": captured length");
                assertEquals(Integer.parseInt(t[5]), frame.originalLength(), what + ": original length");
                assertEquals(t[6], md5(bytes(frame)), what + ": MD5 of the bytes");
            }
            assertEquals(packets.size(), i, file + ": packets read vs tshark's");
        }
    }

    private static byte[] bytes(final Frame f) {
        final byte[] b = new byte[f.capturedLength()];
        f.buffer().get(f.dataOffset(), b, 0, b.length);
        return b;
    }

    private static String md5(final byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }
}
