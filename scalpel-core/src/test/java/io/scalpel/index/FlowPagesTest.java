package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.Addresses;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query's read of the flows table column by column ({@link FlowPages}: terms decided on
 * dictionary ids, row groups ruled out by scanning dictionary pages, values decoded lazily) gives
 * exactly the rows, with every value, that the table read whole, record by record and unpruned,
 * gives when each row is tested here on its text and numbers. Random conditions of hosts (present
 * and absent), port ranges (rows without ports kept), protocols, IP versions, VLANs, and/or
 * combinations and time windows, over generated captures (plain; VLAN, QinQ, IPv6, fragments,
 * other protocols, cut frames), indexed in one chunk (flow row groups of several pages) and in
 * chunks of 256 rows (many row groups).
 */
class FlowPagesTest {
    @TempDir
    Path dir;

    /** Rows whose key lacks its ports (a TCP or UDP header cut off), over every index checked. */
    private static long withoutPorts;

    /** A flow row as the visitor sees it: every column, and the Community ID. */
    private record Row(int chunk, int flow, long hash, long firstTs, long lastTs, long packets, long bytes, int ipVersion, int proto,
                       String src, int srcPort, String dst, int dstPort, int vlan, int innerVlan, int depth, boolean portsKnown,
                       String communityId) {
        static Row of(final FlowRowView r) {
            return new Row(r.chunk(), r.flow(), r.flowHash(), r.firstTs(), r.lastTs(), r.packets(), r.bytes(), r.ipVersion(), r.proto(),
                r.src(), r.srcPort(), r.dst(), r.dstPort(), r.vlan(), r.innerVlan(), r.depth(), r.portsKnown(), r.communityId());
        }
    }

    /** A condition as the index takes it, and the same condition tested here on a row. */
    private record Condition(FlowRowFilter filter, Predicate<Row> test, String text) {
        Condition and(final Condition o) {
            return new Condition(filter.and(o.filter), test.and(o.test), "(" + text + " and " + o.text + ")");
        }

        Condition or(final Condition o) {
            return new Condition(filter.or(o.filter), test.or(o.test), "(" + text + " or " + o.text + ")");
        }
    }

    @Test
    void shouldReadExactlyTheRowsAWholeUnprunedReadAccepts() throws IOException {
        int checked = 0;
        int seed = 100;
        for (GeneratorSpec spec : List.of(GeneratorSpec.defaults(seed).withConnections(1500),
            GeneratorSpec.everything(seed + 1).withConnections(1500).withIpv6(true),
            GeneratorSpec.defaults(seed + 2).withConnections(1500).withIpv6(true).withFragments(true))) {
            final Path capture = dir.resolve("c" + seed + ".pcap");
            CaptureGenerator.generate(spec, capture, dir.resolve("conn" + seed + ".log"));
            appendCutFrames(capture, new Random(seed));
            for (int chunkRows : new int[] {IndexBuilder.CHUNK_ROWS, 256}) {
                final Path idx = dir.resolve("idx" + seed + "-" + chunkRows);
                SmallChunks.index(capture, idx, chunkRows);
                try (PacketIndex index = PacketIndex.open(capture, idx)) {
                    checked += check(index, new Random(seed * 31L + chunkRows), chunkRows == IndexBuilder.CHUNK_ROWS);
                }
            }
            seed += 10;
        }
        assertTrue(checked > 500, "conditions with rows: " + checked);
        assertTrue(withoutPorts > 0, "rows without their ports");
    }

    /**
     * Appends to a microsecond pcap of Ethernet frames 200 TCP frames cut off after their IPv4 header,
     * between hosts 10.9.0.0/24 (so that some share an address): their keys lack the ports, so their
     * rows have null ports, which every port term keeps.
     */
    private static void appendCutFrames(final Path capture, final Random rnd) throws IOException {
        final java.nio.ByteBuffer file = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(capture)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long last = 0;
        for (int p = 24; p + 16 <= file.limit(); p += 16 + file.getInt(p + 8)) {
            last = Math.max(last, file.getInt(p) & 0xFFFF_FFFFL);
        }
        final java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(200 * (16 + 34)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 200; i++) {
            out.putInt((int) (last + 1 + i / 10)).putInt(i).putInt(34).putInt(60);
            out.put(new byte[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00});
            out.put(new byte[] {0x45, 0, 0, 46, 0, (byte) i, 0, 0, 64, 6, 0, 0});
            out.put(new byte[] {10, 9, 0, (byte) rnd.nextInt(16), 10, 9, 0, (byte) rnd.nextInt(16)});
        }
        java.nio.file.Files.write(capture, out.array(), java.nio.file.StandardOpenOption.APPEND);
    }

    /** Checks 300 random conditions on {@code index}; the number that selected a row. */
    private static int check(final PacketIndex index, final Random rnd, final boolean oneChunk) throws IOException {
        final Map<Long, Row> all = new TreeMap<>();
        index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, FlowRowFilter.ANY, r -> all.put(PacketIndex.flowRow(r.chunk(), r.flow()), Row.of(r)));
        final List<Row> rows = new ArrayList<>(all.values());
        withoutPorts += rows.stream().filter(r -> !r.portsKnown()).count();
        if (oneChunk) {
            assertTrue(rows.stream().anyMatch(r -> r.flow() >= ParquetTables.FLOW_PAGE_ROWS), "a row group of several pages: " + rows.size() + " rows");
        }
        int withRows = 0;
        for (int i = 0; i < 300; i++) {
            final Condition c = condition(rnd, rows, 0);
            final long from = rnd.nextInt(3) == 0 ? rows.get(rnd.nextInt(rows.size())).firstTs() : Long.MIN_VALUE;
            final long to = rnd.nextInt(3) == 0 ? rows.get(rnd.nextInt(rows.size())).lastTs() : Long.MAX_VALUE;
            final Map<Long, Row> expected = new TreeMap<>();
            all.forEach((k, r) -> {
                if (r.lastTs() >= from && r.firstTs() <= to && c.test().test(r)) {
                    expected.put(k, r);
                }
            });
            final Map<Long, Row> got = new TreeMap<>();
            index.flowRows(from, to, c.filter(), r -> got.put(PacketIndex.flowRow(r.chunk(), r.flow()), Row.of(r)));
            assertEquals(expected, got, c.text() + " in [" + from + ", " + to + "]");
            if (!expected.isEmpty()) {
                withRows++;
            }
        }
        return withRows;
    }

    private static Condition condition(final Random rnd, final List<Row> rows, final int depth) {
        final int kind = rnd.nextInt(depth < 2 ? 8 : 6);
        final Row r = rows.get(rnd.nextInt(rows.size()));
        switch (kind) {
            case 0, 1 -> {
                final String address = rnd.nextInt(5) == 0 ? "10.255.254.253" : rnd.nextBoolean() ? r.src() : r.dst();
                final Addresses.Parsed a = Addresses.parse(address);
                return new Condition(FlowRowFilter.host(a.ipVersion(), a.hi(), a.lo()),
                    x -> x.src().equals(address) || x.dst().equals(address), "host " + address);
            }
            case 2 -> {
                final int low = rnd.nextBoolean() ? r.srcPort() : r.dstPort();
                final int high = rnd.nextInt(3) == 0 ? low + rnd.nextInt(2000) : low;
                return new Condition(FlowRowFilter.port(low, high),
                    x -> !x.portsKnown() || x.srcPort() >= low && x.srcPort() <= high || x.dstPort() >= low && x.dstPort() <= high,
                    "port " + low + "-" + high);
            }
            case 3 -> {
                final int p = r.proto();
                final int alt = rnd.nextBoolean() ? p : rnd.nextInt(60);
                return new Condition(FlowRowFilter.protocol(p, alt), x -> x.proto() == p || x.proto() == alt, "proto " + p + "/" + alt);
            }
            case 4 -> {
                final int v = r.ipVersion();
                return new Condition(FlowRowFilter.ipVersion(v), x -> x.ipVersion() == v, "ip version " + v);
            }
            case 5 -> {
                final int id = r.vlan() >= 0 && rnd.nextBoolean() ? r.vlan() : r.innerVlan() >= 0 ? r.innerVlan() : rnd.nextInt(4096);
                return new Condition(FlowRowFilter.vlan(id), x -> x.vlan() == id || x.innerVlan() == id, "vlan " + id);
            }
            case 6 -> {
                return condition(rnd, rows, depth + 1).and(condition(rnd, rows, depth + 1));
            }
            default -> {
                return condition(rnd, rows, depth + 1).or(condition(rnd, rows, depth + 1));
            }
        }
    }
}
