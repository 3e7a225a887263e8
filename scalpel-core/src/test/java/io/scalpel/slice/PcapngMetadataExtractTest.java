package io.scalpel.slice;

import static io.scalpel.testdata.PcapngMetadataCapture.FLOW_A;
import static io.scalpel.testdata.PcapngMetadataCapture.FLOW_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.PcapngMetadataCapture.Packet;
import io.scalpel.testdata.PcapngMetadataCapture.Written;
import io.scalpel.testdata.PcapngMetadataCapture;
import io.scalpel.testdata.TruthBlock;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ExternalTools;
import io.scalpel.testing.PcapngFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pcapng extract of a pcapng capture keeps besides its packets: the headers of the sections
 * it uses, their interfaces, name resolution and copyable custom blocks, each before the first
 * kept packet that follows it in the capture; never statistics, do-not-copy custom blocks or
 * unknown blocks; decryption secrets only with {@code keepSecrets}, cut down to the TLS key-log
 * lines of the extract's client randoms. Judged byte for byte against the fixture's own blocks
 * and by tshark (frames, custom blocks, the hosts table fed by name resolution blocks, the TLS
 * session keys it learns from decryption secrets).
 */
class PcapngMetadataExtractTest {
    private static final int SHB_SECTION_LENGTH = 16;
    private static final int DSB_TYPE = 10;

    @TempDir
    Path dir;
    private Path capture;
    private Written truth;
    private byte[] input;

    @BeforeEach
    void writeCapture() throws IOException {
        capture = dir.resolve("meta.pcapng");
        truth = PcapngMetadataCapture.write(capture);
        input = Files.readAllBytes(capture);
    }

    @Tag("external")
    @Test
    void shouldKeepTheSectionsInterfacesNameResolutionAndCopyableCustomBlocksOfTheExtractAndDropTheRest() throws Exception {
        final Path out = dir.resolve("a.pcapng");
        final List<String> warnings = new ArrayList<>();

        final long written = slice(FLOW_A, ExtractOptions.defaults().withWarnings(warnings::add), out);

        assertEquals(6, written);
        final List<Packet> a = truth.of("A");
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        section(expected, 0);
        interfaces(expected, 0, 0, 2);
        block(expected, "nrb1");                   // dsb1 dropped: no --keep-secrets
        block(expected, "cb1");                    // dcb1 never copied
        for (int i = 0; i < 4; i++) {
            block(expected, a.get(i).block());     // B's packets between them are not selected
        }
        interfaces(expected, 0, 2, 1);             // isb1 and the local-use block dropped; interface 2
        block(expected, a.get(4).block());
        block(expected, "nrb2");                   // after the section's last kept packet
        section(expected, 1);
        interfaces(expected, 1, 0, 2);             // dsb2, the SPB and dsb3 dropped
        block(expected, a.get(5).block());
        block(expected, "cb2");                    // isb2 dropped; section 2 holds nothing of A
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out), "the extract, block for block");
        assertEquals(List.of(), warnings);

        assertTsharkFrames(out, a, 2);
        final String hosts = tsharkHosts(out);
        for (String name : List.of("10.1.0.1\tclient-a.example", "10.2.0.1\tserver-a.example", "2001:db8::b\tserver-b.example")) {
            assertTrue(hosts.contains(name), () -> "tshark resolves " + name + " from the kept name resolution blocks:\n" + hosts);
        }
        assertTrue(!hosts.contains("elsewhere.example"), () -> "section 2's name resolution is not in the extract:\n" + hosts);
        assertEquals("", tsharkSessionKeys(out), "no decryption secrets: tshark learns no TLS session key");
    }

    @Tag("external")
    @Test
    void shouldKeepOnlyTheKeyLogLinesOfTheClientRandomsInTheExtractWhenSecretsAreKept() throws Exception {
        final Path out = dir.resolve("a.pcapng");
        final List<String> warnings = new ArrayList<>();

        slice(FLOW_A, ExtractOptions.defaults().withKeepSecrets(true).withWarnings(warnings::add), out);

        final List<Packet> a = truth.of("A");
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        section(expected, 0);
        interfaces(expected, 0, 0, 2);
        block(expected, "nrb1");
        // dsb1 without the comment, B's line and the RSA line: A's two lines, as they were (CRLF, upper case included).
        expected.write(secretsBlock(ByteOrder.LITTLE_ENDIAN, PcapngMetadataCapture.SECRETS_TLS,
            PcapngMetadataCapture.LINE_A + PcapngMetadataCapture.LINE_A_TLS13, new byte[0]));
        block(expected, "cb1");
        for (int i = 0; i < 4; i++) {
            block(expected, a.get(i).block());
        }
        interfaces(expected, 0, 2, 1);
        block(expected, a.get(4).block());
        block(expected, "nrb2");
        section(expected, 1);
        interfaces(expected, 1, 0, 2);
        block(expected, "dsb3");                   // all of it is A's: the same bytes, its option included
        block(expected, a.get(5).block());
        block(expected, "cb2");
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out), "the extract, block for block");
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("byte offset " + truth.named().get("dsb2").offset())
            && warnings.get(0).contains("type 0x57474b4c"), warnings::toString);

        assertTsharkFrames(out, a, 2);
        assertEquals("CLIENT_RANDOM " + PcapngMetadataCapture.RANDOM_A + " " + PcapngMetadataCapture.MASTER_A,
            tsharkSessionKeys(out).strip(), "tshark decrypts A's session with the kept secrets");
    }

    @Tag("external")
    @Test
    void shouldKeepTheOtherConnectionsLinesInItsOwnExtract() throws Exception {
        final Path out = dir.resolve("b.pcapng");

        slice(FLOW_B, ExtractOptions.defaults().withKeepSecrets(true), out);

        final byte[] extract = Files.readAllBytes(out);
        final byte[] dsb = secretsBlock(ByteOrder.LITTLE_ENDIAN, PcapngMetadataCapture.SECRETS_TLS,
            PcapngMetadataCapture.LINE_B, new byte[0]);
        assertEquals(1, count(extract, dsb), "B's key log line in one secrets block");
        assertEquals(1, secretsBlocks(out), "dsb3 holds only A's secret: not in B's extract");
        assertTsharkFrames(out, truth.of("B"), 2);
        assertEquals("CLIENT_RANDOM " + PcapngMetadataCapture.RANDOM_B + " " + PcapngMetadataCapture.MASTER_B,
            tsharkSessionKeys(out).strip());
    }

    @Test
    void shouldWriteNoSecretsWhenTheExtractHoldsNoClientHello() throws Exception {
        final Path out = dir.resolve("syn.pcapng");
        final long syn = truth.of("A").get(0).block().offset();

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            scalpel.write(new long[] {syn}, ExtractOptions.defaults().withKeepSecrets(true), out);
        }

        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        section(expected, 0);
        interfaces(expected, 0, 0, 2);
        block(expected, "nrb1");
        block(expected, "cb1");
        block(expected, truth.of("A").get(0).block());
        interfaces(expected, 0, 2, 1);
        block(expected, "nrb2");
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out));
    }

    @Test
    void shouldWriteTheFirstSectionsHeaderAndInterfacesAloneForAnEmptyExtract() throws IOException {
        final Path out = dir.resolve("empty.pcapng");

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            assertEquals(0, scalpel.write(new long[0], ExtractOptions.defaults().withKeepSecrets(true), out));
        }

        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        section(expected, 0);
        interfaces(expected, 0, 0, 3);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out));
    }

    @Test
    void shouldWriteTheSameExtractWhateverTheOrderOfTheOffsets() throws IOException {
        final long[] offsets = truth.of("A").stream().mapToLong(p -> p.block().offset()).toArray();
        final long[] shuffled = {offsets[5], offsets[0], offsets[3], offsets[3], offsets[1], offsets[4], offsets[2]};
        final Path sorted = dir.resolve("sorted.pcapng");
        final Path unsorted = dir.resolve("unsorted.pcapng");

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            scalpel.write(offsets, ExtractOptions.defaults(), sorted);
            assertEquals(6, scalpel.write(shuffled, ExtractOptions.defaults(), unsorted), "each frame once");
        }

        assertArrayEquals(Files.readAllBytes(sorted), Files.readAllBytes(unsorted));
    }

    @Test
    void shouldCopyAndCutBlocksLongerThanOneMappedSpan() throws IOException {
        // A 2 MiB custom block and a 3 MiB key log: both reach past the 1 MiB by which mapped segments overlap.
        final Path large = dir.resolve("large.pcapng");
        final Written big = PcapngMetadataCapture.writeLarge(large, 2 << 20, 3 << 20);
        final byte[] cap = Files.readAllBytes(large);
        final Path out = dir.resolve("large-a.pcapng");

        try (Scalpel scalpel = Scalpel.open(large, Scalpel.Options.defaults().withIndex(dir.resolve("large-idx")))) {
            scalpel.write(big.of("A").stream().mapToLong(p -> p.block().offset()).toArray(),
                ExtractOptions.defaults().withKeepSecrets(true), out);
        }

        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        final TruthBlock shb = big.blocks().get(0);
        final byte[] header = Arrays.copyOfRange(cap, 0, shb.length());
        Arrays.fill(header, SHB_SECTION_LENGTH, SHB_SECTION_LENGTH + 8, (byte) 0xFF);
        expected.writeBytes(header);
        final TruthBlock idb = big.blocks().get(1);
        expected.write(cap, (int) idb.offset(), idb.length());
        final TruthBlock cb = big.named().get("cb1");
        expected.write(cap, (int) cb.offset(), cb.length());
        expected.writeBytes(secretsBlock(ByteOrder.LITTLE_ENDIAN, PcapngMetadataCapture.SECRETS_TLS,
            PcapngMetadataCapture.LINE_A, new byte[0]));
        for (Packet p : big.of("A")) {
            expected.write(cap, (int) p.block().offset(), p.block().length());
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out));
    }

    @Test
    void shouldDropADecryptionSecretsBlockTooLargeToReadWithAWarning() throws IOException {
        final Path large = dir.resolve("huge.pcapng");
        final Written big = PcapngMetadataCapture.writeLarge(large, 4, 64 << 20);
        final Path out = dir.resolve("huge-a.pcapng");
        final List<String> warnings = new ArrayList<>();

        try (Scalpel scalpel = Scalpel.open(large, Scalpel.Options.defaults().withIndex(dir.resolve("huge-idx")))) {
            scalpel.write(big.of("A").stream().mapToLong(p -> p.block().offset()).toArray(),
                ExtractOptions.defaults().withKeepSecrets(true).withWarnings(warnings::add), out);
        }

        final TruthBlock dsb = big.named().get("dsb1");
        assertEquals(List.of(large + ": byte offset " + dsb.offset() + ": decryption secrets block of " + dsb.length()
            + " bytes exceeds 67108864 bytes: dropped"), warnings);
        assertEquals(0, secretsBlocks(out));
    }

    @Test
    void shouldCopyAGeneratedCaptureWithoutItsStatisticsSecretsAndDoNotCopyBlocks() throws IOException {
        // Three sections of alternating byte order, interfaces of several link types, SPB, OPB, NRB, ISB,
        // DSB and custom blocks of both kinds: every frame selected gives the capture back without ISB,
        // DSB and 0x40000BAD blocks, and with each section's length "unknown".
        final GeneratorSpec spec = GeneratorSpec.everything(8100).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
            .withLinkType(GeneratorSpec.MIXED_LINK_TYPES);
        final Path generated = dir.resolve("gen.pcapng");
        final Generated gen = CaptureGenerator.generate(spec, generated, null);
        final Set<String> types = gen.blocks().stream().map(TruthBlock::type).collect(Collectors.toSet());
        assertTrue(types.containsAll(List.of("SHB", "IDB", "EPB", "SPB", "OPB", "NRB", "ISB", "DSB", "CB", "DCB")), types::toString);
        final byte[] cap = Files.readAllBytes(generated);
        final Path out = dir.resolve("all.pcapng");

        try (Scalpel scalpel = Scalpel.open(generated, Scalpel.Options.defaults().withIndex(dir.resolve("gen-idx")))) {
            scalpel.write(gen.frames().stream().mapToLong(TruthFrame::recordOffset).toArray(),
                ExtractOptions.defaults().withKeepSecrets(true), out);
        }

        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (TruthBlock b : gen.blocks()) {
            switch (b.type()) {
                case "ISB", "DCB" -> { }
                case "DSB" -> { } // a key log of a client random no ClientHello of the capture has
                case "SHB" -> {
                    final byte[] shb = Arrays.copyOfRange(cap, (int) b.offset(), (int) b.end());
                    Arrays.fill(shb, SHB_SECTION_LENGTH, SHB_SECTION_LENGTH + 8, (byte) 0xFF);
                    expected.write(shb);
                }
                default -> expected.write(cap, (int) b.offset(), b.length());
            }
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out));
    }

    @Test
    void shouldDropADecryptionSecretsBlockShorterThanItsFixedFieldsWithAWarning() throws IOException {
        final Path shortDsb = dir.resolve("short.pcapng");
        final Written w = PcapngMetadataCapture.writeShortSecrets(shortDsb);
        final Path out = dir.resolve("short-a.pcapng");
        final List<String> warnings = new ArrayList<>();

        try (Scalpel scalpel = Scalpel.open(shortDsb, Scalpel.Options.defaults().withIndex(dir.resolve("short-idx")))) {
            assertEquals(4, scalpel.write(w.of("A").stream().mapToLong(p -> p.block().offset()).toArray(),
                ExtractOptions.defaults().withKeepSecrets(true).withWarnings(warnings::add), out));
        }

        assertEquals(List.of(shortDsb + ": byte offset " + w.named().get("dsb1").offset()
            + ": decryption secrets block of 12 bytes is shorter than its fixed fields: dropped"), warnings);
        assertEquals(0, secretsBlocks(out));
    }

    @Test
    void shouldRefuseExtractOptionsWithoutAWarningsConsumer() {
        final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> ExtractOptions.defaults().withWarnings(null));
        assertTrue(e.getMessage().contains("warnings consumer is required"), e.getMessage());
    }

    private long slice(final String flow, final ExtractOptions options, final Path out) throws IOException {
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final long[] offsets = scalpel.selectQueries(List.of(FlowQuery.parse(flow, Long.MIN_VALUE, Long.MAX_VALUE, false)))
                .offsets(0);
            return scalpel.write(offsets, options, out);
        }
    }

    /** The section header block of section {@code s}, its section length set to -1 (unknown). */
    private void section(final ByteArrayOutputStream out, final int s) {
        final TruthBlock shb = truth.blocks().stream().filter(b -> b.type().equals("SHB") && b.section() == s).findFirst()
            .orElseThrow();
        final byte[] bytes = Arrays.copyOfRange(input, (int) shb.offset(), (int) shb.end());
        Arrays.fill(bytes, SHB_SECTION_LENGTH, SHB_SECTION_LENGTH + 8, (byte) 0xFF);
        out.writeBytes(bytes);
    }

    /** {@code n} interface description blocks of section {@code s}, from the {@code from}-th (0-based, in file order). */
    private void interfaces(final ByteArrayOutputStream out, final int s, final int from, final int n) {
        final List<TruthBlock> idbs = truth.blocks().stream().filter(b -> b.type().equals("IDB") && b.section() == s).toList();
        for (int i = from; i < from + n; i++) {
            block(out, idbs.get(i));
        }
    }

    private void block(final ByteArrayOutputStream out, final String name) {
        block(out, truth.named().get(name));
    }

    private void block(final ByteArrayOutputStream out, final TruthBlock b) {
        out.write(input, (int) b.offset(), b.length());
    }

    /** A decryption secrets block as the pcapng spec lays it out. */
    private static byte[] secretsBlock(final ByteOrder order, final long type, final String secrets, final byte[] options) {
        final byte[] data = secrets.getBytes(StandardCharsets.US_ASCII);
        final int padded = (data.length + 3) & ~3;
        final int total = 16 + padded + options.length + 4;
        final ByteBuffer b = ByteBuffer.allocate(total).order(order);
        b.putInt(DSB_TYPE);           // block type
        b.putInt(total);              // block total length
        b.putInt((int) type);         // secrets type
        b.putInt(data.length);        // secrets length
        b.put(data);                  // secrets, zero-padded to 4 bytes
        b.position(16 + padded);
        b.put(options);               // options
        b.putInt(total);              // block total length again
        return b.array();
    }

    /** Decryption secrets blocks in a pcapng file, found by walking its blocks. */
    private static int secretsBlocks(final Path file) throws IOException {
        return (int) PcapngFile.read(file).blocks.stream().filter(b -> b.type() == DSB_TYPE).count();
    }

    private static int count(final byte[] hay, final byte[] needle) {
        int n = 0;
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }

    /** tshark lists the packets in order (section, interface, time, lengths) and as many copyable custom blocks. */
    private static void assertTsharkFrames(final Path file, final List<Packet> packets, final int customBlocks) throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        final String listing = ExternalTools.run(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
            "-e", "frame.section_number", "-e", "frame.interface_id", "-e", "frame.time_epoch", "-e", "frame.cap_len"));
        final List<String[]> frames = new ArrayList<>();
        int custom = 0;
        for (String line : listing.lines().filter(l -> !l.isBlank()).toList()) {
            final String[] f = line.split("\t", -1);
            if (f[1].isEmpty()) {
                custom++; // tshark 4.0 lists a custom block as a frame without an interface
            } else {
                frames.add(f);
            }
        }
        assertEquals(customBlocks, custom, "custom blocks tshark lists:\n" + listing);
        assertEquals(packets.size(), frames.size(), "packets tshark lists:\n" + listing);
        for (int i = 0; i < packets.size(); i++) {
            final Packet p = packets.get(i);
            final String[] f = frames.get(i);
            final String what = "packet " + (i + 1) + ": " + String.join(" ", f);
            assertEquals(p.block().section() + 1, Integer.parseInt(f[0]), what + ": section");
            assertEquals(p.interfaceId(), Integer.parseInt(f[1]), what + ": interface");
            assertEquals(p.tsNanos(), new BigDecimal(f[2]).movePointRight(9).longValueExact(), what + ": time");
            assertEquals(p.data().length, Integer.parseInt(f[3]), what + ": captured length");
        }
        final String blocks = ExternalTools.run(List.of("tshark", "-n", "-r", file.toString(), "-V", "-Y", "not frame.interface_id"));
        assertEquals(customBlocks, blocks.lines().filter(l -> l.contains("copying allowed")).count(),
            "tshark calls every custom block copyable:\n" + blocks);
    }

    private static String tsharkHosts(final Path file) throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        return ExternalTools.run(List.of("tshark", "-r", file.toString(), "-q", "-z", "hosts"));
    }

    /** The TLS session keys tshark learns from the file ({@code --export-tls-session-keys}). */
    private String tsharkSessionKeys(final Path file) throws Exception {
        ExternalTools.require(ExternalTools.TSHARK);
        final Path keys = dir.resolve(file.getFileName() + ".keys");
        Files.deleteIfExists(keys);
        ExternalTools.run(List.of("tshark", "-n", "-r", file.toString(), "-q", "--export-tls-session-keys", keys.toString()));
        return Files.isRegularFile(keys) ? Files.readString(keys, StandardCharsets.US_ASCII) : "";
    }
}
