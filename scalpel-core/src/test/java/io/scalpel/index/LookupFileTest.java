package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.FragmentedTunnelScenario;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TunnelScenario;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A flow-hash lookup through the lookup file ({@link PacketIndex#lookup}) against the same lookup
 * through parquet-java's readers and the parts' footers ({@link PacketIndex#lookupThroughFooters},
 * the reference): the same packet rows, in the same order, for every flow hash of the index, hashes
 * it does not hold, and random time windows, over generated captures of every kind the index holds
 * (VLAN, QinQ, IPv6, fragments, tunnels, fragmented tunnels, pcapng in nanoseconds, chunks of a few
 * pages, a capture grown in three steps); and a uid's frames through the lookup are the generator's.
 */
class LookupFileTest {
    @TempDir
    Path dir;

    static Stream<Arguments> captures() {
        return Stream.of(
            Arguments.of("everything, default chunks", GeneratorSpec.everything(901).withConnections(400), 0),
            Arguments.of("everything, chunks of four pages", GeneratorSpec.everything(902).withConnections(1500).withIpv6(true),
                4 * ParquetTables.PACKET_PAGE_ROWS),
            Arguments.of("everything, tiny chunks", GeneratorSpec.everything(903).withConnections(300), SmallChunks.rowsFor(50)),
            Arguments.of("pcapng, nanoseconds", GeneratorSpec.everything(904).withConnections(300).withFormat(CaptureFileFormat.PCAPNG_LE),
                SmallChunks.rowsFor(400)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void shouldFindWhatTheFootersFindAndTheGeneratorsFrames(final String name, final GeneratorSpec spec, final int chunkRows)
        throws IOException {
        final Path capture = dir.resolve("c." + spec.format().extension());
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve("conn.log"));
        final Path idx = dir.resolve("idx");
        if (chunkRows > 0) {
            SmallChunks.index(capture, idx, chunkRows);
        } else {
            new IndexBuilder(capture, idx).build();
        }
        assertSameAsFooters(capture, idx, 903);
        assertGeneratorsFrames(capture, idx, truth, dir.resolve("conn.log"));
    }

    @Test
    void shouldFindWhatTheFootersFindInTunnels() throws IOException {
        Files.createDirectories(dir.resolve("t"));
        Files.createDirectories(dir.resolve("f"));
        final TunnelScenario.Written tunnels = TunnelScenario.write(dir.resolve("t"));
        new IndexBuilder(tunnels.capture(), dir.resolve("t.idx")).build();
        assertSameAsFooters(tunnels.capture(), dir.resolve("t.idx"), 1);
        final FragmentedTunnelScenario.Written fragmented = FragmentedTunnelScenario.write(dir.resolve("f"));
        SmallChunks.index(fragmented.capture(), dir.resolve("f.idx"), SmallChunks.rowsFor(6));
        assertSameAsFooters(fragmented.capture(), dir.resolve("f.idx"), 2);
    }

    @Test
    void shouldFindWhatTheFootersFindInACaptureGrownInThreeSteps() throws IOException {
        final Path full = dir.resolve("full.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(905).withConnections(500), full, dir.resolve("conn.log"));
        final byte[] bytes = Files.readAllBytes(full);
        final int n = truth.frames().size();
        final long cut1 = truth.frames().get(n / 3).recordOffset();
        final long cut2 = truth.frames().get(2 * n / 3).recordOffset();
        final Path capture = dir.resolve("growing.pcap");
        final Path idx = dir.resolve("growing.idx");
        Files.write(capture, Arrays.copyOfRange(bytes, 0, (int) cut1));
        SmallChunks.index(capture, idx, SmallChunks.rowsFor(300));
        Files.write(capture, Arrays.copyOfRange(bytes, (int) cut1, (int) cut2), StandardOpenOption.APPEND);
        SmallChunks.index(capture, idx, SmallChunks.rowsFor(300));
        Files.write(capture, Arrays.copyOfRange(bytes, (int) cut2, bytes.length), StandardOpenOption.APPEND);
        final IndexBuilder.Result grown = new IndexBuilder(capture, idx, io.scalpel.capture.MappedFile.DEFAULT_SEGMENT_SIZE,
            SmallChunks.rowsFor(300)).build();
        assertEquals(IndexBuilder.Mode.EXTENDED, grown.mode());
        assertTrue(grown.manifest().parts().size() >= 3, "parts: " + grown.manifest().parts().size());
        assertArrayEquals(LookupFileWriter.of(idx, grown.manifest().parts()), Files.readAllBytes(idx.resolve(IndexSchema.LOOKUP_FILE)),
            "the kept parts' bytes copied from the previous lookup file are those their footers give");
        assertSameAsFooters(capture, idx, 905);
        assertGeneratorsFrames(capture, idx, truth, dir.resolve("conn.log"));
    }

    @Test
    void shouldReadItsOwnLookupFileWhenAnExtensionReplacesTheIndexMeanwhile() throws IOException {
        final Path full = dir.resolve("full.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(906).withConnections(200), full, dir.resolve("conn.log"));
        final byte[] bytes = Files.readAllBytes(full);
        final long cut = truth.frames().get(truth.frames().size() / 2).recordOffset();
        final Path capture = dir.resolve("growing.pcap");
        final Path idx = dir.resolve("growing.idx");
        Files.write(capture, Arrays.copyOfRange(bytes, 0, (int) cut));
        new IndexBuilder(capture, idx).build();
        final byte[] before = Files.readAllBytes(idx.resolve(IndexSchema.LOOKUP_FILE));
        try (PacketIndex opened = PacketIndex.open(capture, idx)) {
            Files.write(capture, Arrays.copyOfRange(bytes, (int) cut, bytes.length), StandardOpenOption.APPEND);
            assertEquals(IndexBuilder.Mode.EXTENDED, new IndexBuilder(capture, idx).build().mode());
            assertTrue(!Arrays.equals(before, Files.readAllBytes(idx.resolve(IndexSchema.LOOKUP_FILE))), "a new lookup file under the same name");
            final List<Long> hashes = new ArrayList<>();
            opened.scanFlows((chunk, flow, hash, first, last) -> hashes.add(hash << 32));
            long rows = 0;
            for (long h : hashes) {
                rows += assertSame(opened, h, Long.MIN_VALUE, Long.MAX_VALUE); // the index as it was opened, its own lookup file
            }
            assertTrue(rows > 0, "rows found");
        }
    }

    /** Every flow hash of the index, as many that it does not hold, each in the whole time and in random windows. */
    private static void assertSameAsFooters(final Path capture, final Path idx, final long seed) throws IOException {
        try (PacketIndex index = PacketIndex.open(capture, idx)) {
            final TreeSet<Long> hashes = new TreeSet<>();
            final long[] span = {Long.MAX_VALUE, Long.MIN_VALUE};
            index.scanFlows((chunk, flow, hash, first, last) -> {
                hashes.add(hash);
                span[0] = Math.min(span[0], first);
                span[1] = Math.max(span[1], last);
            });
            assertTrue(hashes.size() > 5, "flow hashes: " + hashes.size());
            final Random rnd = new Random(seed);
            final List<Long> asked = new ArrayList<>(hashes);
            for (int i = 0; i < hashes.size(); i++) {
                asked.add((long) rnd.nextInt()); // almost never one the index holds: the bloom filters and pages say no
            }
            long rows = 0;
            for (long stored : asked) {
                final long flowHash = stored << 32;
                rows += assertSame(index, flowHash, Long.MIN_VALUE, Long.MAX_VALUE);
                final long from = span[0] + (long) (rnd.nextDouble() * (span[1] - span[0]));
                assertSame(index, flowHash, from, from + (long) (rnd.nextDouble() * (span[1] - span[0]) / 3));
                assertSame(index, flowHash, Long.MIN_VALUE, from);
            }
            final long[] withFlow = {0};
            index.scanAll((ts, offset, chunk, flow, dgramTs) -> withFlow[0] += flow >= 0 ? 1 : 0);
            assertEquals(withFlow[0], rows, "every packet row of a flow found once by its flow's hash");
        }
    }

    private static long assertSame(final PacketIndex index, final long flowHash, final long from, final long to) throws IOException {
        final List<String> got = new ArrayList<>();
        final List<String> want = new ArrayList<>();
        index.lookup(flowHash, from, to, (ts, offset, chunk, flow, dgramTs) -> got.add(ts + " " + offset + " " + chunk + " " + flow + " " + dgramTs));
        index.lookupThroughFooters(flowHash, from, to,
            (ts, offset, chunk, flow, dgramTs) -> want.add(ts + " " + offset + " " + chunk + " " + flow + " " + dgramTs));
        assertEquals(want, got, () -> "flow hash " + Long.toHexString(flowHash) + " in [" + from + ", " + to + "]");
        return got.size();
    }

    /** Each uid's frames, sliced through the lookup file, are the ones the generator wrote for it. */
    private static void assertGeneratorsFrames(final Path capture, final Path idx, final Generated truth, final Path connLog)
        throws IOException {
        final List<ConnRecord> rows = ConnLogs.readStrictly(connLog);
        try (Scalpel s = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(idx).withBuildIfMissing(false))) {
            final Scalpel.Selection all = s.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                final long[] expected = truth.framesOf(uid).stream().mapToLong(f -> truth.frame(f).recordOffset()).sorted().toArray();
                assertArrayEquals(expected, all.offsets(i), () -> uid);
            }
        }
        assertTrue(truth.conns().stream().mapToLong(TruthConn::pkts).sum() > 0, "connections with packets");
    }
}
