package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.slice.expr.ExpressionParser;
import io.scalpel.slice.expr.FlowPruning;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packet rows of a set of (chunk, flow) pairs ({@link WantedRows}, through
 * {@link PacketIndex#lookupFlows}), on an index of many chunks of several pages each: exactly the
 * rows that a full scan of the packets table ({@link PacketIndex#scanAll}, no pruning) gives for
 * those pairs in the window, for many random sets and windows; and only the pages that can hold
 * them are read, counted in rows ({@link PacketIndex#packetRowsRead}).
 */
class WantedRowsTest {
    /** Rows per chunk: four pages of {@link ParquetTables#PACKET_PAGE_ROWS}. */
    private static final int CHUNK_ROWS = 4 * ParquetTables.PACKET_PAGE_ROWS;

    @TempDir
    static Path dir;

    private static PacketIndex index;
    /** Every packet row, in file order, from a scan that prunes nothing. */
    private static final List<long[]> ROWS = new ArrayList<>();
    /** Per (chunk, flow) pair, the positions of its rows in {@link #ROWS}. */
    private static final Map<Long, List<Integer>> BY_PAIR = new HashMap<>();

    @BeforeAll
    static void build() throws IOException {
        final Path capture = dir.resolve("c.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(5150).withConnections(12000), capture, dir.resolve("conn.log"));
        SmallChunks.index(capture, dir.resolve("idx"), CHUNK_ROWS);
        index = PacketIndex.open(capture, dir.resolve("idx"));
        index.scanAll((ts, offset, chunk, flow, dgramTs) -> {
            if (flow >= 0) {
                BY_PAIR.computeIfAbsent(PacketIndex.flowRow(chunk, flow), k -> new ArrayList<>()).add(ROWS.size());
            }
            ROWS.add(new long[] {ts, offset, chunk, flow, dgramTs});
        });
        final long chunks = ROWS.stream().mapToLong(r -> r[2]).distinct().count();
        assertTrue(chunks >= 6, "many chunks: " + chunks + " of " + ROWS.size() + " rows");
    }

    /** The rows a lookup of {@code pairs} in [{@code from}, {@code to}] gives, as "ts offset chunk flow dgram" lines, and the rows it read. */
    private static long lookup(final Set<Long> pairs, final long from, final long to, final List<String> out) throws IOException {
        final long before = index.packetRowsRead();
        index.lookupFlows(from, to, r -> pairs.contains(PacketIndex.flowRow(r.chunk(), r.flow())),
            (ts, offset, chunk, flow, dgramTs) -> out.add(line(ts, offset, chunk, flow, dgramTs)));
        return index.packetRowsRead() - before;
    }

    private static String line(final long ts, final long offset, final long chunk, final long flow, final long dgramTs) {
        return ts + " " + offset + " " + chunk + " " + flow + " " + dgramTs;
    }

    /** What the full scan gives for {@code pairs}: rows whose join time is in the window. */
    private static List<String> expected(final Set<Long> pairs, final long from, final long to) {
        final List<String> out = new ArrayList<>();
        for (long[] r : ROWS) {
            final long join = r[4] == PacketIndex.NO_DGRAM_TS ? r[0] : r[4];
            if (r[3] >= 0 && pairs.contains(PacketIndex.flowRow((int) r[2], (int) r[3])) && join >= from && join <= to) {
                out.add(line(r[0], r[1], r[2], r[3], r[4]));
            }
        }
        return out;
    }

    @Test
    void shouldGiveWhatAFullScanGivesForRandomSetsOfPairsAndWindows() throws IOException {
        final Random rnd = new Random(77);
        final List<Long> pairs = new ArrayList<>(BY_PAIR.keySet());
        pairs.sort(null);
        final long first = ROWS.stream().mapToLong(r -> r[0]).min().orElseThrow();
        final long last = ROWS.stream().mapToLong(r -> r[0]).max().orElseThrow();
        long found = 0;
        for (int trial = 0; trial < 120; trial++) {
            final Set<Long> wanted = new HashSet<>();
            final int kind = trial % 3;
            if (kind == 0) {
                // a few pairs anywhere
                for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                    wanted.add(pairs.get(rnd.nextInt(pairs.size())));
                }
            } else if (kind == 1) {
                // a run of neighbouring flow numbers: one flow group, across its pages
                final int at = rnd.nextInt(pairs.size());
                wanted.addAll(pairs.subList(at, Math.min(pairs.size(), at + 1 + rnd.nextInt(300))));
            } else {
                // a random share of every pair, as a query of a common port wants
                final double share = rnd.nextDouble() * 0.3;
                for (long p : pairs) {
                    if (rnd.nextDouble() < share) {
                        wanted.add(p);
                    }
                }
            }
            long from = Long.MIN_VALUE;
            long to = Long.MAX_VALUE;
            if (rnd.nextBoolean()) {
                from = first + (long) (rnd.nextDouble() * (last - first));
                to = from + (long) (rnd.nextDouble() * (last - first) / 4);
            }
            final List<String> got = new ArrayList<>();
            lookup(wanted, from, to, got);
            final List<String> want = expected(wanted, from, to);
            got.sort(null);
            want.sort(null);
            assertEquals(want, got, "trial " + trial + ": " + wanted.size() + " pairs in [" + from + ", " + to + "]");
            found += got.size();
        }
        assertTrue(found > 1000, "the trials found rows: " + found);
    }

    @Test
    void shouldReadEveryFlowRowOfAQueryFromRowGroupsOfSeveralPages() throws IOException {
        final List<FlowKeyRow> all = new ArrayList<>();
        final Map<Integer, Integer> perChunk = new HashMap<>();
        index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, r -> {
            all.add(new FlowKeyRow(r.chunk(), r.flow(), r.src(), r.dst(), r.srcPort(), r.dstPort(), r.portsKnown()));
            perChunk.merge(r.chunk(), 1, Integer::sum);
        });
        assertTrue(perChunk.values().stream().anyMatch(n -> n > ParquetTables.FLOW_PAGE_ROWS), "a chunk of several flow pages: " + perChunk);
        final Random rnd = new Random(78);
        for (int trial = 0; trial < 40; trial++) {
            final FlowKeyRow pick = all.get(rnd.nextInt(all.size()));
            final String host = rnd.nextBoolean() ? pick.src() : pick.dst();
            final int port = rnd.nextBoolean() ? pick.srcPort() : pick.dstPort();
            final String query = "host " + host + " and port " + port;
            final List<String> want = new ArrayList<>();
            for (FlowKeyRow r : all) {
                if ((r.src().equals(host) || r.dst().equals(host)) && (!r.portsKnown() || r.srcPort() == port || r.dstPort() == port)) {
                    want.add(r.chunk() + "/" + r.flow());
                }
            }
            final List<String> got = new ArrayList<>();
            index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, FlowPruning.of(ExpressionParser.parse(query, 0)),
                r -> got.add(r.chunk() + "/" + r.flow()));
            want.sort(null);
            got.sort(null);
            assertEquals(want, got, query);
        }
    }

    private record FlowKeyRow(int chunk, int flow, String src, String dst, int srcPort, int dstPort, boolean portsKnown) {
    }

    @Test
    void shouldReadOnlyThePagesThatHoldARareFlow() throws IOException {
        // Pairs whose rows all lie within half a page of the table's order (so in at most two
        // pages), in chunks of more than three pages, one per chunk.
        final Map<Long, Long> rowsOfChunk = new HashMap<>();
        for (long[] r : ROWS) {
            rowsOfChunk.merge(r[2], 1L, Long::sum);
        }
        final Map<Long, Long> byChunk = new HashMap<>();
        BY_PAIR.forEach((pair, at) -> {
            if (at.get(at.size() - 1) - at.get(0) < ParquetTables.PACKET_PAGE_ROWS / 2 && at.size() <= 20
                && rowsOfChunk.get(pair >>> 32) > 3L * ParquetTables.PACKET_PAGE_ROWS) {
                byChunk.merge(pair >>> 32, pair, Math::min);
            }
        });
        assertTrue(byChunk.size() >= 4, "rare flows in full chunks: " + byChunk.size());
        long total = 0;
        for (long pair : byChunk.values()) {
            final List<String> got = new ArrayList<>();
            final long read = lookup(Set.of(pair), Long.MIN_VALUE, Long.MAX_VALUE, got);
            assertEquals(BY_PAIR.get(pair).size(), got.size(), "every row of the pair");
            // the pages of its rows, and at most one page of another flow group whose flow and
            // time ranges span it (a page that ends one group and starts the next)
            assertTrue(read <= 3L * ParquetTables.PACKET_PAGE_ROWS, "rows read for one rare pair: " + read + " of a chunk of "
                + rowsOfChunk.get(pair >>> 32));
            total += read;
        }
        final Set<Long> all = new HashSet<>(byChunk.values());
        final List<String> got = new ArrayList<>();
        final long read = lookup(all, Long.MIN_VALUE, Long.MAX_VALUE, got);
        assertEquals(expected(all, Long.MIN_VALUE, Long.MAX_VALUE).size(), got.size());
        assertEquals(total, read, "the pairs together read what they read one by one");
        final long chunkRows = all.stream().mapToLong(p -> rowsOfChunk.get(p >>> 32)).sum();
        assertTrue(read * 2 <= chunkRows, "under half of their chunks' rows: " + read + " of " + chunkRows);
    }
}
