package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.ConnLogs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conn.log read in batches outside the heap gives every row the next row of its key that
 * {@link SameKeyRows} gives with the whole log in memory, and each uid's first row once; the
 * external sort under it agrees with {@link Arrays#sort}. Tiny runs force the sorts to spill and
 * merge.
 */
class ConnLogBatchesTest {
    @TempDir
    Path dir;

    @Test
    void shouldSortRecordsOfLongsAsAnInMemorySortDoesWhateverTheRunSize() throws IOException {
        final Random rng = new Random(7);
        for (int runRecords : new int[] {2, 3, 17, 1000}) {
            final long[][] records = new long[500][];
            try (LongRecordSort sort = new LongRecordSort(2, runRecords, dir)) {
                for (int i = 0; i < records.length; i++) {
                    records[i] = new long[] {rng.nextInt(20) - 10, rng.nextLong()};
                    sort.add(records[i]);
                }
                Arrays.sort(records, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
                final long[] r = new long[2];
                try (LongRecordSort.Cursor c = sort.sorted()) {
                    for (long[] expected : records) {
                        assertTrue(c.next(r));
                        assertArrayEquals(expected, r, "run of " + runRecords);
                    }
                    assertFalse(c.next(r));
                }
            }
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "run files deleted");
            }
        }
    }

    @Test
    void shouldGiveEachRowItsNextRowOfTheSameKeyAndEachUidOnceInBoundedBatches() throws IOException {
        final Path conn = dir.resolve("conn.log");
        CaptureGenerator.generate(GeneratorSpec.everything(91).withConnections(300), dir.resolve("cap.pcap"), conn);
        // The log twice over, so that every uid comes back (duplicates) and every key has a next row.
        final List<String> lines = Files.readAllLines(conn, StandardCharsets.UTF_8);
        final List<String> twice = new ArrayList<>(lines.subList(0, lines.size() - 1));
        lines.stream().filter(l -> !l.startsWith("#")).forEach(twice::add);
        final Path doubled = dir.resolve("doubled.log");
        Files.write(doubled, twice, StandardCharsets.UTF_8);
        final List<ConnRecord> all = ConnLogs.readStrictly(doubled);
        for (boolean vlanAware : new boolean[] {false, true}) {
            final SameKeyRows inMemory = SameKeyRows.of(all, vlanAware);
            final Map<String, ConnRecord> firsts = new LinkedHashMap<>();
            all.forEach(r -> firsts.putIfAbsent(r.uid(), r));
            final List<ConnRecord> got = new ArrayList<>();
            try (ConnLogBatches batches = ConnLogBatches.open(doubled.toString(), r -> vlanAware, (s, l, m) -> { }, 7, 5)) {
                ConnLogBatches.Batch b;
                while ((b = batches.next()) != null) {
                    assertTrue(b.rows().size() <= 7, "bounded batches");
                    for (int i = 0; i < b.rows().size(); i++) {
                        final ConnRecord r = b.rows().get(i);
                        assertEquals(inMemory.nextStart(r), b.nextStarts()[i], r.uid() + " vlan-aware " + vlanAware);
                        got.add(r);
                    }
                }
                assertEquals(all.size(), batches.rows());
                assertEquals(all.size() - firsts.size(), batches.duplicates());
            }
            assertEquals(List.copyOf(firsts.values()), got, "the first row of each uid, in log order");
            assertTrue(got.stream().anyMatch(r -> inMemory.nextStart(r) != SameKeyRows.NONE), "some rows have a next row");
        }
    }
}
