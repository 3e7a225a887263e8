package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.decode.Addresses;
import io.scalpel.index.IndexSchema;
import io.scalpel.slice.FlowQuery;
import io.scalpel.testing.PcapFile;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index is plain Parquet: DuckDB reads it and, by SQL alone, finds the packets scalpel selects. */
class DuckDbInteropTest {
    /** How many uids each SQL comparison checks. */
    private static final int SEVERAL = 6;
    @TempDir
    Path dir;
    Path capture;
    Path connLog;

    @BeforeEach
    void copySample() throws Exception {
        final Path contract = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("contract").normalize();
        assumeTrue(Files.isRegularFile(contract.resolve("sample.pcap")), () -> "skipped: contract sample " + contract + " is absent");
        capture = Files.copy(contract.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        connLog = contract.resolve("sample-conn.log");
    }

    @Test
    void shouldCountEveryPacketOfTheIndexInDuckDb() throws Exception {
        try (Scalpel scalpel = Scalpel.open(capture);
             Connection db = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement q = db.prepareStatement("SELECT count(*) FROM read_parquet(?)")) {
            q.setString(1, glob(scalpel, IndexSchema.PACKETS_DIR));
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(scalpel.manifest().packets(), rs.getLong(1));
            }
        }
    }

    @Test
    void shouldSelectTheSameOffsetsByFlowAndWindowInSqlAsScalpel() throws Exception {
        try (Scalpel scalpel = Scalpel.open(capture)) {
            assertSqlSelectsLikeScalpel(scalpel);
        }
    }

    @Test
    void shouldReadTheTwoPartsOfAnExtendedIndexAsOneTable() throws Exception {
        final byte[] whole = Files.readAllBytes(capture);
        final long half = recordOffsetNear(whole, whole.length / 2);
        Files.write(capture, java.util.Arrays.copyOf(whole, (int) half));
        Scalpel.index(capture, null, io.scalpel.api.Progress.NONE);
        Files.write(capture, java.util.Arrays.copyOfRange(whole, (int) half, whole.length), java.nio.file.StandardOpenOption.APPEND);

        try (Scalpel scalpel = Scalpel.open(capture);
             Connection db = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement q = db.prepareStatement("SELECT count(*), count(DISTINCT \"offset\") FROM read_parquet(?)")) {
            assertEquals(io.scalpel.api.IndexReport.Mode.EXTENDED, scalpel.indexBuild().mode());
            assertEquals(2, scalpel.manifest().parts().size());
            q.setString(1, glob(scalpel, IndexSchema.PACKETS_DIR));
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(scalpel.manifest().packets(), rs.getLong(1));
                assertEquals(scalpel.manifest().packets(), rs.getLong(2), "no frame indexed twice");
            }
            assertSqlSelectsLikeScalpel(scalpel);
        }
    }

    /** The offset of the first pcap record at or after {@code near}, found by walking the record headers. */
    private static long recordOffsetNear(final byte[] pcap, final long near) {
        final PcapFile f = PcapFile.parse(pcap);
        return f.records.stream().mapToLong(PcapFile.Record::offset).filter(o -> o >= near).findFirst().orElse(f.end);
    }

    /** For several uids (the TCP and UDP rows with the most packets), SQL selects what scalpel does. */
    private void assertSqlSelectsLikeScalpel(final Scalpel scalpel) throws Exception {
        final List<ConnRecord> rows = largestRows(SEVERAL);
        assertEquals(SEVERAL, rows.size(), "TCP and UDP rows in " + connLog);
        for (ConnRecord conn : rows) {
            assertSqlSelectsLikeScalpel(scalpel, conn);
        }
    }

    private void assertSqlSelectsLikeScalpel(final Scalpel scalpel, final ConnRecord conn) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            final long[] selected = scalpel.select(List.of(conn)).offsets(0);
            assertTrue(selected.length > 1, conn.uid() + " has packets");
            final FlowQuery flow = (FlowQuery) io.scalpel.slice.Query.of(conn, false, 0);
            final List<Long> offsets = new ArrayList<>();
            try (PreparedStatement q = db.prepareStatement(
                "SELECT p.\"offset\" FROM read_parquet(?) p JOIN read_parquet(?) f USING (chunk, flow)"
                    + " WHERE f.flow_hash = ? AND epoch_ns(coalesce(p.dgram_ts, p.ts)) BETWEEN ? AND ?"
                    + " ORDER BY p.\"offset\"")) {
                q.setString(1, glob(scalpel, IndexSchema.PACKETS_DIR));
                q.setString(2, glob(scalpel, IndexSchema.FLOWS_DIR));
                q.setLong(3, IndexSchema.storedFlowHash(flow.flowHash()));
                q.setLong(4, flow.from());
                q.setLong(5, flow.to());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        offsets.add(rs.getLong(1));
                    }
                }
            }
            assertArrayEquals(selected, offsets.stream().mapToLong(Long::longValue).toArray(), conn.uid() + ": offsets by SQL vs select");

            try (PreparedStatement q = db.prepareStatement(
                "SELECT DISTINCT src, src_port, dst, dst_port, proto FROM read_parquet(?) WHERE flow_hash = ?")) {
                q.setString(1, glob(scalpel, IndexSchema.FLOWS_DIR));
                q.setLong(2, IndexSchema.storedFlowHash(flow.flowHash()));
                final String orig = Addresses.format(conn.ipVersion(), conn.origHi(), conn.origLo()) + "/" + conn.origPort();
                final String resp = Addresses.format(conn.ipVersion(), conn.respHi(), conn.respLo()) + "/" + conn.respPort();
                int rows = 0;
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        final Set<String> endpoints = Set.of(rs.getString("src") + "/" + rs.getInt("src_port"),
                            rs.getString("dst") + "/" + rs.getInt("dst_port"));
                        assertEquals(Set.of(orig, resp), endpoints, conn.uid() + ": endpoints in flows.parquet");
                        assertEquals(flow.protocol(), rs.getInt("proto"));
                    }
                }
                assertTrue(rows > 0, conn.uid() + ": no row in flows.parquet for flow " + flow.flowHash());
            }
        }
    }

    /** Every part file of one table, as DuckDB's read_parquet takes it. */
    private static String glob(final Scalpel scalpel, final String table) {
        return scalpel.index().directory().resolve(table).resolve("*.parquet").toString();
    }

    /** The {@code n} TCP and UDP rows of the sample's conn.log with the most packets, most first. */
    private List<ConnRecord> largestRows(final int n) throws Exception {
        final List<ConnRecord> rows = new ArrayList<>();
        try (ConnLogReader reader = ConnLogReader.open(connLog, (source, line, message) -> { })) {
            ConnRecord r;
            while ((r = reader.next()) != null) {
                if ("tcp".equals(r.proto()) || "udp".equals(r.proto())) {
                    rows.add(r);
                }
            }
        }
        rows.sort((a, b) -> Long.compare(b.origPkts() + b.respPkts(), a.origPkts() + a.respPkts()));
        return rows.subList(0, Math.min(n, rows.size()));
    }
}
