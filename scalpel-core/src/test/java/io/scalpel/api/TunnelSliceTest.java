package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.IndexException;
import io.scalpel.index.IndexManifest;
import io.scalpel.index.IndexSchema;
import io.scalpel.testdata.TunnelScenario;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import io.scalpel.zeek.TunnelLogReader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * Tunnelled frames belong to their inner connection and to the tunnel that carries them: sliced
 * by either uid (from conn.log or tunnel.log), a capture made by the test-side generator gives
 * exactly the frames its truth names.
 */
class TunnelSliceTest {
    @TempDir
    Path dir;
    TunnelScenario.Written scenario;
    Map<String, ConnRecord> conns;
    Map<String, Tunnel> tunnels;

    @BeforeEach
    void generate() throws Exception {
        scenario = TunnelScenario.write(dir);
        conns = new LinkedHashMap<>();
        try (ConnLogReader r = ConnLogReader.open(scenario.connLog(), ConnLogListener.IGNORE)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                conns.putIfAbsent(c.uid(), c);
            }
        }
        try (TunnelLogReader r = TunnelLogReader.open(scenario.tunnelLog(), ConnLogListener.IGNORE)) {
            tunnels = r.tunnels();
        }
    }

    @Test
    void shouldSliceEveryInnerAndOuterUidToExactlyItsFrames() throws Exception {
        try (Scalpel scalpel = Scalpel.open(scenario.capture())) {
            int checked = 0;
            for (String uid : scenario.uids()) {
                final long[] offsets = conns.containsKey(uid)
                    ? scalpel.select(List.of(conns.get(uid))).offsets(0)
                    : scalpel.selectTunnels(List.of(tunnels.get(uid))).offsets(0);
                assertArrayEquals(scenario.offsetsOf(uid), offsets, uid + ": frames selected vs the generator's truth");
                assertTrue(offsets.length > 0, uid);
                checked++;
            }
            assertEquals(scenario.conns().size() + 4, checked, "conn.log uids and the four tunnel.log-only parents");
        }
    }

    @Test
    void shouldTellTwoTunnelsBetweenTheSameEndpointsApartByTheirDiscoverAndCloseTimes() throws Exception {
        try (Scalpel scalpel = Scalpel.open(scenario.capture())) {
            final Scalpel.Selection both = scalpel.selectTunnels(List.of(tunnels.get(TunnelScenario.GRE_1),
                tunnels.get(TunnelScenario.GRE_2)));
            assertArrayEquals(scenario.offsetsOf(TunnelScenario.GRE_1), both.offsets(0));
            assertArrayEquals(scenario.offsetsOf(TunnelScenario.GRE_2), both.offsets(1));
            final Tunnel whole = tunnels.get(TunnelScenario.GRE_1);
            final Tunnel unbounded = new Tunnel(whole.uid(), whole.line(), whole.tunnelType(), whole.ipVersion(), whole.origHi(),
                whole.origLo(), whole.origPort(), whole.respHi(), whole.respLo(), whole.respPort(), ConnRecord.NO_TIMESTAMP, Tunnel.OPEN);
            final long[] expected = both.union();
            assertArrayEquals(expected, scalpel.selectTunnels(List.of(unbounded)).offsets(0),
                "a GRE tunnel without times (masked ts) takes every frame between its endpoints, and no plain ICMP between them");
        }
    }

    @Test
    void shouldWriteAFrameOnceWhenItsInnerAndOuterUidsAreSlicedTogether() throws Exception {
        try (Scalpel scalpel = Scalpel.open(scenario.capture())) {
            final String inner = "CinVxlanTcpaaaaa7";
            final Scalpel.Selection s = scalpel.select(List.of(conns.get(inner), conns.get(TunnelScenario.VXLAN_OUT),
                conns.get(TunnelScenario.VXLAN_BACK)));
            final long[] union = s.union();
            assertArrayEquals(scenario.offsetsOf(inner), union, "the outer flows carry exactly the inner connection's frames");
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(union.length, scalpel.write(union, null, out, w -> { }));
            final long expectedBytes = 24 + scenario.frames().stream().filter(f -> f.uids().contains(inner))
                .mapToLong(f -> recordLength(f.recordOffset())).sum();
            assertEquals(expectedBytes, out.size(), "file header and each record once");
        }
    }

    @Test
    void shouldIndexOneRowPerEncapsulatingLayerWithItsDepth() throws Exception {
        final long tunnelled = scenario.frames().stream().filter(f -> f.uids().size() == 2).count();
        try (Scalpel scalpel = Scalpel.open(scenario.capture());
             Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            final IndexManifest m = scalpel.manifest();
            assertEquals(scenario.frames().size(), m.packets());
            assertEquals(tunnelled, m.outerRows(), "one outer row per tunnelled frame: each has one encapsulating layer");
            final String packets = scalpel.index().directory().resolve(IndexSchema.PACKETS_DIR).resolve("*.parquet").toString();
            final String flows = scalpel.index().directory().resolve(IndexSchema.FLOWS_DIR).resolve("*.parquet").toString();
            assertEquals(m.packets() + m.outerRows(), count(db, "SELECT count(*) FROM read_parquet(?)", packets));
            assertEquals(tunnelled, count(db, "SELECT count(*) FROM read_parquet(?) p JOIN read_parquet(?) f USING (chunk, flow)"
                + " WHERE f.depth = 1", packets, flows));
            assertEquals(scenario.frames().size(), count(db, "SELECT count(*) FROM read_parquet(?) p LEFT JOIN read_parquet(?) f"
                + " USING (chunk, flow) WHERE p.flow = -1 OR f.depth = 0", packets, flows), "one depth-0 (or flow-less) row per frame");
            assertEquals(scenario.frames().size(), count(db, "SELECT count(DISTINCT \"offset\") FROM read_parquet(?)", packets));
        }
    }

    @Test
    void shouldRefuseAnIndexOfTheFirstFormatVersionWithAReindexHint() throws Exception {
        try (Scalpel scalpel = Scalpel.open(scenario.capture())) {
            final Path manifest = scalpel.index().directory().resolve(IndexSchema.MANIFEST_FILE);
            final String json = Files.readString(manifest, StandardCharsets.UTF_8);
            assertTrue(json.contains("\"version\" : " + IndexManifest.VERSION), json);
            // a version-1 manifest has no digest of itself
            Files.writeString(manifest, json.replace("\"version\" : " + IndexManifest.VERSION, "\"version\" : 1")
                .replaceAll(",\\s*\"manifest_sha256\" : \"[0-9a-f]{64}\"", ""));
        }
        final IndexException e = assertThrows(IndexException.class,
            () -> Scalpel.open(scenario.capture(), Scalpel.Options.defaults().withBuildIfMissing(false)));
        assertEquals(IndexException.Kind.VERSION, e.kind());
        assertTrue(e.getMessage().endsWith("rebuild it with `scalpel index " + scenario.capture() + "` (or slice with --reindex)"),
            e.getMessage());
        try (Scalpel rebuilt = Scalpel.open(scenario.capture(), Scalpel.Options.defaults().withReindex(true))) {
            assertFalse(rebuilt.indexBuild() == null, "--reindex rebuilds an index of the old version");
            assertEquals(IndexManifest.VERSION, rebuilt.manifest().version());
        }
    }

    private long recordLength(final long offset) {
        final List<TunnelScenario.Frame> frames = new ArrayList<>(scenario.frames());
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).recordOffset() == offset) {
                final long next = i + 1 < frames.size() ? frames.get(i + 1).recordOffset() : fileSize();
                return next - offset;
            }
        }
        throw new AssertionError("no frame at " + offset);
    }

    private long fileSize() {
        try {
            return Files.size(scenario.capture());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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
