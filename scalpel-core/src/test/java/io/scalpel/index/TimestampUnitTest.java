package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.capture.MappedFile;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The unit of the tables' timestamps: microseconds for a classic pcap of microsecond magic,
 * nanoseconds for one of nanosecond magic and for pcapng, as each part's Parquet schema states;
 * either way every packet row reads back as the generator's frame time in ns, and the flows'
 * first and last times are those of their frames. The first and last stored values of a bound
 * round to the times it admits.
 */
class TimestampUnitTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_LE", "PCAP_NSEC_BE", "PCAPNG_LE"})
    void shouldStoreTheCapturesUnitAndReadBackTheGeneratorsTimes(final CaptureFileFormat format) throws IOException {
        final Path capture = dir.resolve("c." + format.extension());
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(7401).withConnections(60).withFormat(format),
            capture, null);
        final Path index = dir.resolve("c.idx");
        final IndexManifest m = new IndexBuilder(capture, index, MappedFile.DEFAULT_SEGMENT_SIZE, 512).build().manifest();
        final LogicalTypeAnnotation.TimeUnit expected = format == CaptureFileFormat.PCAP_USEC_LE
            ? LogicalTypeAnnotation.TimeUnit.MICROS : LogicalTypeAnnotation.TimeUnit.NANOS;
        for (IndexManifest.Part part : m.parts()) {
            for (String[] table : new String[][] {{IndexSchema.PACKETS_DIR, IndexSchema.TS, IndexSchema.DGRAM_TS},
                {IndexSchema.FLOWS_DIR, IndexSchema.FIRST_TS, IndexSchema.LAST_TS}}) {
                final IndexPart p = new IndexPart(index.resolve(table[0]).resolve(part.file()),
                    table[0].equals(IndexSchema.PACKETS_DIR) ? part.packetsFile() : part.flowsFile(), "rebuild");
                for (int c = 1; c < table.length; c++) {
                    final LogicalTypeAnnotation type = p.open().footer().getFileMetaData().getSchema().getType(table[c])
                        .getLogicalTypeAnnotation();
                    assertEquals(LogicalTypeAnnotation.timestampType(true, expected), type, table[0] + "." + table[c]);
                }
            }
        }
        final List<long[]> rows = new ArrayList<>();
        try (PacketIndex i = PacketIndex.open(capture, index)) {
            i.scanAll((ts, offset, chunk, flow, dgramTs) -> rows.add(new long[] {offset, ts}));
            final long[] firstLast = {Long.MAX_VALUE, Long.MIN_VALUE};
            i.scanFlows((chunk, flow, hash, first, last) -> {
                firstLast[0] = Math.min(firstLast[0], first);
                firstLast[1] = Math.max(firstLast[1], last);
            });
            assertEquals(truth.firstTsNanos(), firstLast[0], "earliest first_ts");
            assertTrue(firstLast[1] >= truth.lastTsNanos() - 60_000_000_000L && firstLast[1] <= truth.lastTsNanos() + 60_000_000_000L,
                "latest last_ts near the last frame (a fragment's datagram time can be later)");
        }
        final java.util.Map<Long, Long> tsAt = new java.util.HashMap<>();
        for (long[] r : rows) {
            assertEquals(r[1], (long) tsAt.computeIfAbsent(r[0], o -> r[1]), "a frame's rows share its time");
        }
        int checked = 0;
        for (TruthFrame f : truth.frames()) {
            if (f.hasTimestamp()) {
                assertEquals(f.tsNanos(), tsAt.get(f.recordOffset()), () -> "frame at " + f.recordOffset());
                checked++;
            }
        }
        assertTrue(checked > 100, "frames checked: " + checked);
    }

    @Test
    void shouldRoundFilterBoundsToTheTimesTheyAdmit() {
        assertEquals(1_700_000_000_000_001L, TimestampUnit.MICROS.atLeast(1_700_000_000_000_000_001L));
        assertEquals(1_700_000_000_000_000L, TimestampUnit.MICROS.atLeast(1_700_000_000_000_000_000L));
        assertEquals(1_700_000_000_000_000L, TimestampUnit.MICROS.atMost(1_700_000_000_000_000_999L));
        assertEquals(-2L, TimestampUnit.MICROS.atMost(-1001L));
        assertEquals(-1L, TimestampUnit.MICROS.atLeast(-1001L));
        assertEquals(Long.MIN_VALUE / 1000 - 1, TimestampUnit.MICROS.atMost(Long.MIN_VALUE));
        assertEquals(Long.MAX_VALUE / 1000, TimestampUnit.MICROS.atMost(Long.MAX_VALUE));
        assertEquals(42L, TimestampUnit.NANOS.atLeast(42L));
        assertEquals(42L, TimestampUnit.NANOS.atMost(42L));
    }

    @Test
    void shouldSelectAWindowToTheMicrosecond() throws IOException {
        final Path capture = dir.resolve("w.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(7402).withConnections(40), capture, null);
        final TruthFrame f = truth.frames().get(truth.frames().size() / 2);
        try (Scalpel s = Scalpel.open(capture)) {
            final long[] at = s.selectWindow(f.tsNanos(), f.tsNanos());
            assertTrue(java.util.Arrays.stream(at).anyMatch(o -> o == f.recordOffset()), "the frame at its own time");
            for (long o : s.selectWindow(f.tsNanos() + 1, f.tsNanos() + 999)) {
                assertTrue(truth.frames().stream().anyMatch(t -> t.recordOffset() == o && t.tsNanos() > f.tsNanos()),
                    "a window within one microsecond after the frame holds no frame of its time");
            }
        }
    }
}
