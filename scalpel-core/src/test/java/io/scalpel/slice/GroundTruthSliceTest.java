package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slices every uid of generated captures and compares the frames with the generator's ground
 * truth: exactly the frames of each connection, no others, across capture formats, link types,
 * VLAN/QinQ, IPv6, fragments (out of order), ICMP, other protocols, truncation, unsorted
 * timestamps and reused 5-tuples. The generator imports nothing from the code under test.
 */
class GroundTruthSliceTest {
    @TempDir
    Path dir;

    static Stream<GeneratorSpec> specs() {
        final List<GeneratorSpec> specs = new ArrayList<>();
        long seed = 1000;
        for (CaptureFileFormat f : CaptureFileFormat.values()) {
            specs.add(GeneratorSpec.everything(seed++).withFormat(f));
        }
        for (int linkType : new int[] {0, 1, 10, 101, 108, 113, 228, 229, 276}) {
            GeneratorSpec s = GeneratorSpec.defaults(seed++).withLinkType(linkType).withFragments(true)
                .withTruncate(true).withUnsortedTimestamps(true).withReuseTuples(true).withOtherProtocols(true);
            if (linkType == 228) {
                s = s.withIpv6(false);
            }
            specs.add(s);
        }
        specs.add(GeneratorSpec.everything(seed++).withFormat(CaptureFileFormat.PCAPNG_LE).withLinkType(GeneratorSpec.MIXED_LINK_TYPES));
        specs.add(GeneratorSpec.everything(seed++).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
            .withLinkType(GeneratorSpec.MIXED_LINK_TYPES));
        for (int i = 0; i < 6; i++) {
            specs.add(GeneratorSpec.everything(seed++).withConnections(20 + 15 * i)
                .withFormat(CaptureFileFormat.values()[i % CaptureFileFormat.values().length]));
        }
        return specs.stream();
    }

    @Tag("external")
    @ParameterizedTest
    @MethodSource("specs")
    void shouldSliceExactlyTheFramesOfEveryConnection(final GeneratorSpec spec) throws IOException {
        final Path capture = dir.resolve("cap." + spec.format().extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(spec, capture, conn);
        final List<ConnRecord> rows = readConnLog(conn);
        assertEquals(truth.conns().size(), rows.size(), "conn.log rows");

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            assertEquals(truth.frames().size(), scalpel.manifest().packets(), "frames indexed");
            // Every uid at once (one pass over the index) and each uid alone (a lookup each).
            final Scalpel.Selection all = scalpel.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final ConnRecord row = rows.get(i);
                final long[] expected = expectedOffsets(truth, row.uid());
                assertArrayEquals(expected, all.offsets(i), () -> spec + "\n" + row.uid() + " (all at once): " + describe(truth, row.uid()));
                assertArrayEquals(expected, scalpel.select(List.of(row)).offsets(0), () -> spec + "\n" + row.uid() + " (alone)");
            }
            assertExtractCopiesTheRecords(scalpel, capture, truth, all.union(), spec);
        }
    }

    private static long[] expectedOffsets(final Generated truth, final String uid) {
        return truth.framesOf(uid).stream().mapToLong(n -> truth.frame(n).recordOffset()).sorted().toArray();
    }

    private static String describe(final Generated truth, final String uid) {
        final StringBuilder b = new StringBuilder();
        for (int n : truth.framesOf(uid)) {
            final TruthFrame f = truth.frame(n);
            b.append("\n  #").append(n).append(" @").append(f.recordOffset()).append(' ').append(f.proto()).append(' ')
                .append(f.srcAddr()).append(':').append(f.srcPort()).append(" > ").append(f.dstAddr()).append(':')
                .append(f.dstPort()).append(" ts=").append(f.tsNanos()).append(f.isFragment() ? " frag" : "");
        }
        return b.toString();
    }

    /** The extract holds the selected records byte for byte, after the capture's own header. */
    private void assertExtractCopiesTheRecords(final Scalpel scalpel, final Path capture, final Generated truth,
                                               final long[] offsets, final GeneratorSpec spec) throws IOException {
        final Path out = dir.resolve("all." + spec.format().extension());
        final long written = scalpel.write(offsets, null, out, w -> { });
        assertEquals(offsets.length, written);
        final byte[] cap = Files.readAllBytes(capture);
        final byte[] ext = Files.readAllBytes(out);
        if (!spec.format().isPcapng()) {
            final ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(cap, 0, 24);
            for (long o : offsets) {
                final TruthFrame f = truth.frames().stream().filter(t -> t.recordOffset() == o).findFirst().orElseThrow();
                expected.write(cap, (int) o, f.recordLength());
            }
            assertArrayEquals(expected.toByteArray(), ext, "pcap extract = header + records, byte for byte");
        } else {
            // Every selected block appears in the extract byte for byte, in capture order.
            int from = 0;
            for (long o : offsets) {
                final TruthFrame f = truth.frames().stream().filter(t -> t.recordOffset() == o).findFirst().orElseThrow();
                final byte[] block = Arrays.copyOfRange(cap, (int) o, (int) o + f.recordLength());
                final int at = indexOf(ext, block, from);
                assertTrue(at >= 0, "block at capture offset " + o + " is in the extract after byte " + from);
                from = at + block.length;
            }
            if (ExternalTools.isAvailable(ExternalTools.TSHARK) || ExternalTools.isCi()) {
                ExternalTools.require(ExternalTools.TSHARK);
                final String listing;
                try {
                    // tshark 4.0 lists copyable custom blocks (which extracts keep) as frames without an interface.
                    listing = ExternalTools.run(List.of("tshark", "-n", "-r", out.toString(), "-Y", "frame.interface_id",
                        "-T", "fields", "-e", "frame.number"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                final long frames = listing.lines().filter(l -> !l.isBlank()).count();
                assertEquals(offsets.length, frames, "tshark reads the pcapng extract");
            }
        }
    }

    private static int indexOf(final byte[] hay, final byte[] needle, final int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<ConnRecord> readConnLog(final Path conn) throws IOException {
        final List<ConnRecord> rows = io.scalpel.testing.ConnLogs.readStrictly(conn);
        return rows;
    }

}
