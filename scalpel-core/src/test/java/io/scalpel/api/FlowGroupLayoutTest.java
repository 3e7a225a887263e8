package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.IndexSchema;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.testing.ConnLogs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format 3 row order, read back by DuckDB (not by scalpel): in each packets part, rows come by
 * chunk, then flow group (flow numbers / 1 024, rows without a flow first), then capture order;
 * and with more than one flow group per chunk, every uid looked up alone still gets exactly the
 * generator's frames.
 */
class FlowGroupLayoutTest {
    @TempDir
    Path dir;

    @Test
    void shouldGroupPacketRowsByFlowGroupAndStillFindEveryConnection() throws Exception {
        final Path capture = dir.resolve("cap.pcap");
        final Path conn = dir.resolve("conn.log");
        // Enough connections for several groups of 1 024 flow numbers in the one chunk.
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(11).withConnections(2600), capture, conn);
        final List<ConnRecord> rows = ConnLogs.readStrictly(conn);
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final String glob = scalpel.index().directory().resolve(IndexSchema.PACKETS_DIR).resolve("*.parquet").toString();
            int groups = 0;
            long rowsRead = 0;
            try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                 Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT filename, file_row_number, chunk, flow, \"offset\" FROM read_parquet('"
                     + glob + "', filename = true, file_row_number = true) ORDER BY filename, file_row_number")) {
                String file = null;
                long prevKey = Long.MIN_VALUE;
                long prevOffset = -1;
                while (rs.next()) {
                    rowsRead++;
                    final String f = rs.getString(1);
                    final long key = ((long) rs.getInt(3) << 32) + Math.floorDiv(rs.getInt(4), 1024);
                    final long offset = rs.getLong(5);
                    if (!f.equals(file)) {
                        file = f;
                        prevKey = Long.MIN_VALUE;
                    }
                    assertTrue(key >= prevKey, () -> f + " row " + rowNumber(rs) + ": (chunk, flow group) goes back");
                    if (key == prevKey) {
                        assertTrue(offset >= prevOffset, () -> f + " row " + rowNumber(rs) + ": offset goes back within a flow group");
                    } else {
                        groups++;
                    }
                    prevKey = key;
                    prevOffset = offset;
                }
            }
            assertEquals(scalpel.manifest().packets() + scalpel.manifest().outerRows(), rowsRead, "every row read by DuckDB");
            assertTrue(groups >= 3, "several flow groups in the chunk (with the rows without a flow): " + groups);
            for (ConnRecord row : rows) {
                final long[] expected = truth.framesOf(row.uid()).stream().mapToLong(n -> truth.frame(n).recordOffset()).sorted().toArray();
                assertArrayEquals(expected, scalpel.select(List.of(row)).offsets(0), row.uid());
            }
        }
    }

    private static long rowNumber(final ResultSet rs) {
        try {
            return rs.getLong(2);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }
}
