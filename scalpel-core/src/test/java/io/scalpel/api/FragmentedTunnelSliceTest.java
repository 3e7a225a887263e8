package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.IndexManifest;
import io.scalpel.index.IndexSchema;
import io.scalpel.slice.Slicer;
import io.scalpel.testdata.FragmentedTunnelScenario;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tunnels in fragmented outer IPv4 datagrams (GTP-U and VXLAN, fragments in order and out of
 * order, interleaved with another datagram's): every fragment of an outer datagram belongs to the
 * outer flow and to the inner connection it carries. Slicing each uid of a generated capture gives
 * exactly the frames the generator's truth names.
 */
class FragmentedTunnelSliceTest {
    @TempDir
    Path dir;
    FragmentedTunnelScenario.Written scenario;
    Map<String, ConnRecord> conns;

    @BeforeEach
    void generate() throws Exception {
        scenario = FragmentedTunnelScenario.write(dir);
        conns = new LinkedHashMap<>();
        try (ConnLogReader r = ConnLogReader.open(scenario.connLog(), ConnLogListener.IGNORE)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                conns.put(c.uid(), c);
            }
        }
        assertEquals(6, conns.size());
    }

    @Test
    void shouldSliceInnerAndOuterUidsToEveryFragmentOfTheirDatagrams() throws Exception {
        try (Scalpel scalpel = Scalpel.open(scenario.capture())) {
            for (Map.Entry<String, ConnRecord> e : conns.entrySet()) {
                final long[] truth = scenario.offsetsOf(e.getKey());
                assertTrue(truth.length > 0, e.getKey());
                assertArrayEquals(truth, scalpel.select(List.of(e.getValue())).offsets(0),
                    e.getKey() + ": frames selected vs the generator's truth");
            }
        }
    }

    @Test
    void shouldSliceTheSameWhenOneScanOfTheIndexAnswersManyQueries() throws Exception {
        final List<ConnRecord> many = new ArrayList<>();
        while (many.size() <= Slicer.LOOKUPS_BEFORE_SCAN) {
            many.addAll(conns.values());
        }
        try (Scalpel scalpel = Scalpel.open(scenario.capture())) {
            final Scalpel.Selection s = scalpel.select(many);
            for (int i = 0; i < many.size(); i++) {
                assertArrayEquals(scenario.offsetsOf(many.get(i).uid()), s.offsets(i), many.get(i).uid());
            }
        }
    }

    @Test
    void shouldGiveEachFragmentOfATunnellingDatagramOneRowPerLayer() throws Exception {
        try (Scalpel scalpel = Scalpel.open(scenario.capture());
             Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            final IndexManifest m = scalpel.manifest();
            assertEquals(scenario.frames().size(), m.packets());
            // Every frame of a tunnel, whole datagram or fragment, has the outer and the inner layer's row.
            assertEquals(scenario.tunnelledFrames(), m.outerRows());
            final String packets = scalpel.index().directory().resolve(IndexSchema.PACKETS_DIR).resolve("*.parquet").toString();
            final String flows = scalpel.index().directory().resolve(IndexSchema.FLOWS_DIR).resolve("*.parquet").toString();
            assertEquals(m.packets() + m.outerRows(), count(db, "SELECT count(*) FROM read_parquet(?)", packets));
            assertEquals(scenario.frames().size(), count(db, "SELECT count(*) FROM read_parquet(?) p JOIN read_parquet(?) f"
                + " USING (chunk, flow) WHERE f.depth = 0", packets, flows), "one innermost row per frame");
            assertEquals(scenario.tunnelledFrames(), count(db, "SELECT count(*) FROM read_parquet(?) p JOIN read_parquet(?) f"
                + " USING (chunk, flow) WHERE f.depth = 1", packets, flows), "one outer row per tunnelled frame");
        }
    }

    private static long count(final Connection db, final String sql, final String... files) throws Exception {
        try (PreparedStatement q = db.prepareStatement(sql)) {
            for (int i = 0; i < files.length; i++) {
                q.setString(i + 1, files[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                return rs.getLong(1);
            }
        }
    }
}
