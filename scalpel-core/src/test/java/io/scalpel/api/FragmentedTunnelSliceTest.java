package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.IndexManifest;
import io.scalpel.index.IndexSchema;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Slicer;
import io.scalpel.testdata.FragmentedTunnelScenario;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import io.scalpel.zeek.TunnelLogReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tunnels in fragmented outer IPv4 datagrams (GTP-U, VXLAN and GRE over UDP, fragments in order
 * and out of order, interleaved with another datagram's): every fragment of an outer datagram
 * belongs to the outer flow, to the inner connection it carries and, for GRE over UDP, to the GRE
 * tunnel tunnel.log names by the two addresses. Slicing each uid of a generated capture gives
 * exactly the frames the generator's truth names.
 */
class FragmentedTunnelSliceTest {
    @TempDir
    Path dir;
    FragmentedTunnelScenario.Written scenario;
    Map<String, ConnRecord> conns;
    Map<String, Tunnel> tunnels;

    @BeforeEach
    void generate() throws Exception {
        scenario = FragmentedTunnelScenario.write(dir);
        conns = new LinkedHashMap<>();
        try (ConnLogReader r = ConnLogReader.open(scenario.connLog(), ConnLogListener.IGNORE)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                conns.put(c.uid(), c);
            }
        }
        assertEquals(8, conns.size());
        try (TunnelLogReader r = TunnelLogReader.open(scenario.tunnelLog(), ConnLogListener.IGNORE)) {
            tunnels = r.tunnels();
        }
        assertEquals(Set.of(FragmentedTunnelScenario.GRE_TUNNEL), tunnels.keySet());
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
            final long[] gre = scenario.offsetsOf(FragmentedTunnelScenario.GRE_TUNNEL);
            assertTrue(gre.length > 0);
            assertArrayEquals(gre, scalpel.selectTunnels(List.of(tunnels.get(FragmentedTunnelScenario.GRE_TUNNEL))).offsets(0),
                "the GRE-over-UDP tunnel of tunnel.log vs the generator's truth");
        }
    }

    @Test
    void shouldTakeAGreOverUdpTunnelsAddressOnlyNameForAQueryWithoutAProtocolButNotForProtocol47() throws Exception {
        final String addresses = " 192.0.2.30:0 192.0.2.40:0";
        try (Scalpel scalpel = Scalpel.open(scenario.capture())) {
            // unknown_transport without ip_proto: any protocol Zeek keys by addresses alone, as tunnel.log names GRE
            assertArrayEquals(scenario.offsetsOf(FragmentedTunnelScenario.GRE_TUNNEL), scalpel.selectQueries(List.of(
                FlowQuery.parse("unknown_transport" + addresses, Long.MIN_VALUE, Long.MAX_VALUE, false))).offsets(0));
            // IP protocol 47 names a GRE flow over IP, which the capture does not have: the UDP flow carries this GRE
            assertEquals(0, scalpel.selectQueries(List.of(
                FlowQuery.parse("47" + addresses, Long.MIN_VALUE, Long.MAX_VALUE, false))).offsets(0).length);
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
            // Every frame of a tunnel, whole datagram or fragment, has the outer and the inner layer's row,
            // and a GRE-over-UDP frame one more for the GRE tunnel's address-only name.
            assertEquals(scenario.outerNames(), m.outerRows());
            final String packets = scalpel.index().directory().resolve(IndexSchema.PACKETS_DIR).resolve("*.parquet").toString();
            final String flows = scalpel.index().directory().resolve(IndexSchema.FLOWS_DIR).resolve("*.parquet").toString();
            assertEquals(m.packets() + m.outerRows(), count(db, "SELECT count(*) FROM read_parquet(?)", packets));
            assertEquals(scenario.frames().size(), count(db, "SELECT count(*) FROM read_parquet(?) p JOIN read_parquet(?) f"
                + " USING (chunk, flow) WHERE f.depth = 0", packets, flows), "one innermost row per frame");
            assertEquals(scenario.outerNames(), count(db, "SELECT count(*) FROM read_parquet(?) p JOIN read_parquet(?) f"
                + " USING (chunk, flow) WHERE f.depth = 1", packets, flows), "one outer row per outer name of a tunnelled frame");
            assertEquals(scenario.offsetsOf(FragmentedTunnelScenario.GRE_TUNNEL).length, count(db,
                "SELECT count(*) FROM read_parquet(?) p JOIN read_parquet(?) f USING (chunk, flow)"
                + " WHERE f.depth = 1 AND f.proto = 47 AND f.src_port = 0 AND f.dst_port = 0", packets, flows),
                "the GRE-over-UDP frames' rows under the tunnel's address-only key");
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
