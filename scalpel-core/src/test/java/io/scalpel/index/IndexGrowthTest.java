package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A capture that grows while it is indexed: each run scans only the records appended since the
 * last one, and the extended index selects exactly what the generator's ground truth says, and
 * what a fresh index of the final file selects.
 */
class IndexGrowthTest {
    @TempDir
    Path dir;

    static Stream<GeneratorSpec> specs() {
        return Stream.of(
            GeneratorSpec.everything(7001).withConnections(60),
            GeneratorSpec.everything(7002).withConnections(60).withFormat(CaptureFileFormat.PCAP_NSEC_BE),
            GeneratorSpec.everything(7003).withConnections(60).withFormat(CaptureFileFormat.PCAPNG_LE),
            GeneratorSpec.everything(7004).withConnections(60).withFormat(CaptureFileFormat.PCAPNG_MIXED_ENDIAN)
                .withLinkType(GeneratorSpec.MIXED_LINK_TYPES));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void shouldScanOnlyTheAppendedRecordsAndSelectLikeAFreshIndex(final GeneratorSpec spec) throws IOException {
        final Path full = dir.resolve("full." + spec.format().extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(spec, full, conn);
        final byte[] bytes = Files.readAllBytes(full);
        final List<TruthFrame> frames = truth.frames();
        final int n = frames.size();
        // Step 1 ends on a record boundary; step 2 inside a record (a writer caught mid-record); step 3 is the whole file.
        // Both cut an IP datagram in two: its first fragments are indexed before the rest is written.
        final int k1 = splitBoundary(truth, n / 3);
        final int k2 = splitBoundary(truth, 2 * n / 3);
        final long cut1 = frames.get(k1).recordOffset();
        final long cut2 = frames.get(k2).recordOffset() + frames.get(k2).recordLength() / 2;

        final Path capture = dir.resolve("growing." + spec.format().extension());
        final Path index = dir.resolve("growing.idx");
        Files.write(capture, Arrays.copyOfRange(bytes, 0, (int) cut1));
        final IndexBuilder.Result first = new IndexBuilder(capture, index).build();
        assertEquals(IndexBuilder.Mode.BUILT, first.mode());
        assertEquals(k1, first.recordsScanned(), "records of step 1");
        assertEquals(straddling(truth, k1), first.manifest().resume().openFragments(), "fragments whose datagram is not complete yet");
        assertTrue(!first.manifest().resume().openFragments().isEmpty(), "step 1 leaves a datagram open");

        Files.write(capture, Arrays.copyOfRange(bytes, (int) cut1, (int) cut2), StandardOpenOption.APPEND);
        final IndexBuilder.Result second = new IndexBuilder(capture, index).build();
        assertEquals(IndexBuilder.Mode.EXTENDED, second.mode());
        assertEquals(k2 - k1, second.recordsScanned(), "records appended in step 2 (the cut record not yet)");
        assertEquals(cut1, second.scannedFrom(), "step 2 starts where step 1 ended");
        assertEquals(frames.get(k2).recordOffset(), second.manifest().truncatedTailOffset(), "the record cut at the end of file");
        assertEquals(k2, second.manifest().packets());
        assertEquals(straddling(truth, k2), second.manifest().resume().openFragments());

        Files.write(capture, Arrays.copyOfRange(bytes, (int) cut2, bytes.length), StandardOpenOption.APPEND);
        final IndexBuilder.Result third = new IndexBuilder(capture, index).build();
        assertEquals(IndexBuilder.Mode.EXTENDED, third.mode());
        assertEquals(n - k2, third.recordsScanned(), "records appended in step 3, the cut one included");
        assertEquals(frames.get(k2).recordOffset(), third.scannedFrom(), "step 3 starts at the record step 2 found cut");
        assertEquals(-1, third.manifest().truncatedTailOffset());
        assertEquals(n, third.manifest().packets());
        assertEquals(List.of(), third.manifest().resume().openFragments(), "every datagram complete");
        assertEquals(null, third.manifest().resume().openPart());
        assertEquals(3, third.manifest().parts().size(), "one part per step, the open tails taken back");

        final IndexBuilder.Result again = new IndexBuilder(capture, index).build();
        assertEquals(IndexBuilder.Mode.UNCHANGED, again.mode());
        assertEquals(0, again.recordsScanned());

        final Path fresh = dir.resolve("fresh.idx");
        assertEquals(IndexBuilder.Mode.BUILT, new IndexBuilder(capture, fresh).build().mode());
        final List<ConnRecord> rows = ConnLogs.readStrictly(conn);
        try (Scalpel extended = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(index).withBuildIfMissing(false));
             Scalpel rebuilt = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(fresh).withBuildIfMissing(false))) {
            assertEquals(CaptureFingerprint.Match.SAME, extended.index().captureMatch());
            final Scalpel.Selection all = extended.select(rows);
            final Scalpel.Selection reference = rebuilt.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                final long[] expected = truth.framesOf(uid).stream().mapToLong(f -> truth.frame(f).recordOffset()).sorted().toArray();
                assertArrayEquals(expected, all.offsets(i), () -> spec + ": " + uid + " from the extended index");
                assertArrayEquals(reference.offsets(i), all.offsets(i), () -> spec + ": " + uid + " extended vs fresh");
                assertArrayEquals(expected, extended.select(List.of(rows.get(i))).offsets(0), () -> spec + ": " + uid + " alone");
            }
            final long[] every = frames.stream().mapToLong(TruthFrame::recordOffset).toArray();
            assertArrayEquals(every, extended.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE), "every frame by time");
            assertEveryFlowRowIsOneOfItsOwn(extended.index());
        }
    }

    /** Each (chunk, flow) names one row of the flows table across all parts, and every packet row's flow has one. */
    private static void assertEveryFlowRowIsOneOfItsOwn(final PacketIndex index) throws IOException {
        final Set<Long> flowRows = new HashSet<>();
        final long[] count = {0};
        index.scanFlows((chunk, flow, hash, firstTs, lastTs) -> {
            count[0]++;
            assertTrue(flowRows.add(PacketIndex.flowRow(chunk, flow)), () -> "flow row (" + chunk + ", " + flow + ") twice");
        });
        assertEquals(index.manifest().flows(), count[0], "flow rows vs manifest");
        index.scanAll((ts, offset, chunk, flow, dgramTs) -> {
            if (flow != IndexBuilder.NO_FLOW) {
                assertTrue(flowRows.contains(PacketIndex.flowRow(chunk, flow)), () -> "packet at " + offset + " names no flow row");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("headerOnlySpecs")
    void shouldExtendAnIndexOfACaptureThatHeldNoWholeRecordYet(final GeneratorSpec spec, final int prefix) throws IOException {
        final Path full = dir.resolve("full." + spec.format().extension());
        final Generated truth = CaptureGenerator.generate(spec, full, dir.resolve("conn.log"));
        final byte[] bytes = Files.readAllBytes(full);
        final Path capture = dir.resolve("growing." + spec.format().extension());
        Files.write(capture, Arrays.copyOf(bytes, prefix));
        final io.scalpel.api.IndexReport empty = Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        assertEquals(0, empty.packets());

        Files.write(capture, Arrays.copyOfRange(bytes, prefix, bytes.length), StandardOpenOption.APPEND);
        final io.scalpel.api.IndexReport grown = Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);

        assertEquals(io.scalpel.api.IndexReport.Mode.EXTENDED, grown.mode());
        assertEquals(truth.frames().size(), grown.recordsScanned());
        assertEquals(truth.frames().size(), grown.packets());
    }

    /** A pcap of its file header only; a pcapng cut inside its first section header block (20 of its bytes). */
    static Stream<org.junit.jupiter.params.provider.Arguments> headerOnlySpecs() {
        return Stream.of(
            org.junit.jupiter.params.provider.Arguments.of(GeneratorSpec.defaults(7600), 24),
            org.junit.jupiter.params.provider.Arguments.of(GeneratorSpec.defaults(7601).withFormat(CaptureFileFormat.PCAPNG_BE), 20));
    }

    @Test
    void shouldExtendFromTheSliceBuildPathAndLeaveAnIndexOfTheGrownPrefixWithoutIt() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.defaults(7100).withConnections(40);
        final Path full = dir.resolve("full.pcap");
        final Generated truth = CaptureGenerator.generate(spec, full, dir.resolve("conn.log"));
        final byte[] bytes = Files.readAllBytes(full);
        final int k = splitBoundary(truth, truth.frames().size() / 2);
        final Path capture = dir.resolve("growing.pcap");
        Files.write(capture, Arrays.copyOfRange(bytes, 0, (int) truth.frames().get(k).recordOffset()));
        Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        Files.write(capture, Arrays.copyOfRange(bytes, (int) truth.frames().get(k).recordOffset(), bytes.length),
            StandardOpenOption.APPEND);

        try (Scalpel prefix = Scalpel.open(capture, Scalpel.Options.defaults().withBuildIfMissing(false))) {
            assertEquals(CaptureFingerprint.Match.GROWN, prefix.index().captureMatch());
            assertEquals(k, prefix.manifest().packets(), "without building, only the indexed prefix");
        }
        try (Scalpel grown = Scalpel.open(capture)) {
            assertEquals(io.scalpel.api.IndexReport.Mode.EXTENDED, grown.indexBuild().mode());
            assertEquals(truth.frames().size() - k, grown.indexBuild().recordsScanned());
            assertEquals(truth.frames().size(), grown.manifest().packets());
            assertEquals(CaptureFingerprint.Match.SAME, grown.index().captureMatch());
        }
    }

    @Test
    void shouldRefuseACaptureChangedInItsIndexedPrefixWithTheSameSizeAndTime() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.defaults(7200).withConnections(40);
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve("conn.log"));
        Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        final FileTime mtime = Files.getLastModifiedTime(capture);
        final byte[] bytes = Files.readAllBytes(capture);
        final TruthFrame last = truth.frames().get(truth.frames().size() - 1);
        bytes[(int) last.recordOffset() + last.recordLength() - 1] ^= 0x5A; // a payload byte of the last record
        Files.write(capture, bytes);
        Files.setLastModifiedTime(capture, mtime);

        final IndexException stale = assertThrows(IndexException.class, () -> Scalpel.open(capture).close());
        assertEquals(IndexException.Kind.STALE, stale.kind());
        assertTrue(stale.getMessage().contains("re-run `scalpel index"), stale.getMessage());
        try (Scalpel reindexed = Scalpel.open(capture, Scalpel.Options.defaults().withReindex(true))) {
            assertEquals(io.scalpel.api.IndexReport.Mode.REBUILT, reindexed.indexBuild().mode());
            assertEquals(truth.frames().size(), reindexed.indexBuild().recordsScanned());
            assertEquals(CaptureFingerprint.Match.SAME, reindexed.index().captureMatch());
        }
    }

    @Test
    void shouldRebuildNotExtendACaptureRewrittenWithTheSamePrefixLength() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.defaults(7300).withConnections(40);
        final Path full = dir.resolve("full.pcap");
        final Generated truth = CaptureGenerator.generate(spec, full, dir.resolve("conn.log"));
        final byte[] bytes = Files.readAllBytes(full);
        final int k = splitBoundary(truth, truth.frames().size() / 2);
        final TruthFrame lastIndexed = truth.frames().get(k - 1);
        final Path capture = dir.resolve("cap.pcap");
        Files.write(capture, Arrays.copyOfRange(bytes, 0, (int) truth.frames().get(k).recordOffset()));
        Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        // Rewritten and longer: the last indexed record's timestamp differs, the length is the same.
        final byte[] rewritten = bytes.clone();
        rewritten[(int) lastIndexed.recordOffset()] ^= 0x01;
        Files.write(capture, rewritten);

        final IndexException stale = assertThrows(IndexException.class,
            () -> Scalpel.open(capture, Scalpel.Options.defaults().withBuildIfMissing(false)).close());
        assertEquals(IndexException.Kind.STALE, stale.kind());
        final io.scalpel.api.IndexReport r = Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        assertEquals(io.scalpel.api.IndexReport.Mode.REBUILT, r.mode());
        assertEquals(truth.frames().size(), r.recordsScanned());
    }

    @Test
    void shouldRebuildNotExtendWhenTheLastIndexedRecordChangedOutsideTheSampledBytes() throws IOException {
        // 80 records of 1 000 bytes, then one of 100 000: its header lies beyond the fingerprint's
        // first 64 KiB and more than 64 KiB before the end, so neither hash covers it. Their bytes
        // are zeros: Ethernet frames of EtherType 0, not IP.
        final CaptureBytes pcap = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 262_144, 1); // µs, Ethernet
        for (int i = 0; i < 80; i++) {
            pcap.pcapRecord(1_700_000_000 + i, 0, 1_000, 1_000);
        }
        final int lastOffset = pcap.size();
        pcap.pcapRecord(1_700_000_100, 0, 100_000, 100_000);
        final Path capture = pcap.writeTo(dir.resolve("big.pcap"));
        assertEquals(81, Scalpel.index(capture, null, io.scalpel.api.Progress.NONE).recordsScanned());

        final byte[] rewritten = pcap.pcapRecord(1_700_000_200, 0, 100, 100).bytes();
        rewritten[lastOffset] ^= 0x01; // the last record's timestamp (seconds, little-endian)
        Files.write(capture, rewritten); // the last record changed, one more appended

        final io.scalpel.api.IndexReport r = Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        assertEquals(io.scalpel.api.IndexReport.Mode.REBUILT, r.mode(), "the fingerprint alone says GROWN; the last record says otherwise");
        assertEquals(82, r.recordsScanned());
    }

    @Test
    void shouldRebuildFromTheStartWhenAsked() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.defaults(7400).withConnections(20);
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve("conn.log"));
        Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);

        final io.scalpel.api.IndexReport r = Scalpel.index(capture, null, io.scalpel.api.Progress.NONE, true);

        assertEquals(io.scalpel.api.IndexReport.Mode.REBUILT, r.mode());
        assertEquals(truth.frames().size(), r.recordsScanned());
        try (PacketIndex index = PacketIndex.open(capture, r.indexDirectory())) {
            assertEquals(1, index.manifest().parts().size());
        }
    }

    @Test
    void shouldKeepThePreviousIndexWhenTheGrownPartIsMalformed() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.defaults(7500).withConnections(20);
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve("conn.log"));
        Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        final byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0x7F); // a record header whose captured length is far beyond the limit
        Files.write(capture, garbage, StandardOpenOption.APPEND);

        assertThrows(io.scalpel.capture.CaptureFormatException.class, () -> Scalpel.index(capture, null, io.scalpel.api.Progress.NONE));

        final Path indexDir = IndexDirectory.defaultFor(capture);
        try (Scalpel prefix = Scalpel.open(capture, Scalpel.Options.defaults().withBuildIfMissing(false))) {
            assertEquals(truth.frames().size(), prefix.manifest().packets(), "the previous index is intact");
        }
        try (Stream<Path> siblings = Files.list(indexDir.getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no staging directory left");
        }
    }

    /**
     * The first frame number at or after {@code near} (0-based: the frames before it are the
     * prefix) such that an IP datagram has fragments on both sides, or {@code near} when none does.
     */
    private static int splitBoundary(final Generated truth, final int near) {
        for (int k = Math.max(1, near); k < truth.frames().size(); k++) {
            if (!straddling(truth, k).isEmpty()) {
                return k;
            }
        }
        return near;
    }

    /** Record offsets, ascending, of the first {@code k} frames that are fragments of a datagram with fragments after them. */
    private static List<Long> straddling(final Generated truth, final int k) {
        final List<TruthFrame> frames = truth.frames();
        final Set<Integer> after = new HashSet<>();
        for (int i = k; i < frames.size(); i++) {
            if (frames.get(i).isFragment()) {
                after.add(frames.get(i).fragmentGroup());
            }
        }
        final List<Long> offsets = new java.util.ArrayList<>();
        for (int i = 0; i < k; i++) {
            if (frames.get(i).isFragment() && after.contains(frames.get(i).fragmentGroup())) {
                offsets.add(frames.get(i).recordOffset());
            }
        }
        return offsets;
    }
}
