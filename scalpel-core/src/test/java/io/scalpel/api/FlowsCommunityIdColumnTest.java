package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.index.IndexSchema;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.Frames;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Community ID of each row of flows.parquet ({@link io.scalpel.index.FlowRowView#communityId},
 * computed from the row's key as DuckDB reads it: format 6 stores none): against the spec's
 * baselines and against hand-computed IDs, and flow rows split where the flow hash alone would
 * merge keys of different Community IDs.
 */
class FlowsCommunityIdColumnTest {
    @TempDir
    Path dir;

    private static Path communityIdCorpus() {
        final String shared = System.getProperty("scalpel.shared.dir");
        final Path c = shared == null ? null : Path.of(shared).resolve("corpus/community-id");
        assumeTrue(c != null && Files.isDirectory(c),
            "Community ID corpus absent (scalpel.shared.dir=" + shared + "): skipping the spec's captures");
        return c;
    }

    private static List<List<String>> query(final Path flows, final String sql) throws Exception {
        final List<List<String>> rows = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement q = db.prepareStatement(sql)) {
            q.setString(1, flows.toString());
            try (ResultSet rs = q.executeQuery()) {
                final int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    final List<String> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    @Tag("corpus")
    @Test
    void shouldStoreTheBaselineIdOfEveryFlowOfTheSpecCapture() throws Exception {
        final Path capture = dir.resolve("combined.pcap");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(communityIdCorpus().resolve("pcaps/combined.pcap.gz")))) {
            Files.copy(in, capture);
        }
        final Map<String, String> expected = new HashMap<>();
        final JsonNode baseline = new ObjectMapper().readTree(communityIdCorpus().resolve("baseline/baseline_deflt.json").toFile());
        for (JsonNode r : baseline) {
            expected.put(r.get("proto").asInt() + " " + r.get("saddr").asText() + " " + r.get("sport").asInt(0) + " "
                + r.get("daddr").asText() + " " + r.get("dport").asInt(0), r.get("communityid").asText());
        }
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final Path flows = scalpel.index().directory().resolve(IndexSchema.FLOWS_DIR).resolve("*.parquet");
            final List<List<String>> rows = query(flows,
                "SELECT proto, src, coalesce(src_port, 0), dst, coalesce(dst_port, 0), chunk, flow FROM read_parquet(?) ORDER BY ALL");
            assertTrue(rows.size() >= 10, "flow rows: " + rows);
            final Map<String, String> computed = new HashMap<>();
            scalpel.index().flowRows(Long.MIN_VALUE, Long.MAX_VALUE, r -> computed.put(r.chunk() + " " + r.flow(), r.communityId()));
            for (List<String> r : rows) {
                final String key = String.join(" ", r.subList(0, 5));
                assertTrue(expected.containsKey(key), "a baseline row for " + key);
                assertEquals(expected.get(key), computed.get(r.get(5) + " " + r.get(6)), key);
            }
            assertEquals("0", query(flows, "SELECT count(*) FROM parquet_metadata(?) WHERE path_in_schema = 'community_id'").get(0).get(0),
                "no community_id column");
        }
    }

    /**
     * Two SCTP associations and a GRE packet between the same two hosts share a flow hash (SCTP
     * and GRE are keyed like Zeek's unknown_transport: addresses only) but not a Community ID:
     * each gets its own flow row. The expected IDs were computed with Python from the hex of the
     * spec's byte string: {@code "1:" + base64.b64encode(hashlib.sha1(bytes.fromhex(HEX)).digest())}.
     */
    @Test
    void shouldGiveEveryCommunityIdItsOwnFlowRow() throws Exception {
        final Path capture = dir.resolve("sctp-gre.pcap");
        final byte[] one = Frames.bytes(10, 9, 0, 1);
        final byte[] two = Frames.bytes(10, 9, 0, 2);
        CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 101) // µs, LINKTYPE_RAW
            .pcapRecord(1_700_000_001, 0, ipv4(one, two, 132, sctp(5000, 36412)))   // association A, out
            .pcapRecord(1_700_000_002, 0, ipv4(two, one, 132, sctp(36412, 5000)))   // association A, back
            .pcapRecord(1_700_000_003, 0, ipv4(two, one, 132, sctp(36412, 5001)))   // association B
            .pcapRecord(1_700_000_004, 0, ipv4(two, one, 47, Frames.bytes(0, 0, 0x08, 0))) // GRE header, IPv4 payload type
            .writeTo(capture);
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx2")))) {
            final Path flows = scalpel.index().directory().resolve(IndexSchema.FLOWS_DIR).resolve("*.parquet");
            final List<List<String>> rows = new ArrayList<>();
            scalpel.index().flowRows(Long.MIN_VALUE, Long.MAX_VALUE, r -> rows.add(List.of(Integer.toString(r.proto()),
                Integer.toString(r.srcPort()), Integer.toString(r.dstPort()), Long.toString(r.packets()), r.communityId())));
            assertEquals(List.of(List.of("132", "5000", "36412"), List.of("132", "36412", "5001"), List.of("47", "0", "0")),
                query(flows, "SELECT proto, src_port, dst_port FROM read_parquet(?) ORDER BY first_ts"), "the rows DuckDB reads");
            assertEquals(List.of(
                // hashes 0000 0a090001 0a090002 84 00 1388 8e3c
                List.of("132", "5000", "36412", "2", "1:MeLCnUCMd+skqky/3xZZcZkQtI8="),
                // hashes 0000 0a090001 0a090002 84 00 1389 8e3c
                List.of("132", "36412", "5001", "1", "1:zv1nDgS5JwuNUj4o4B2503EFC5Y="),
                // hashes 0000 0a090001 0a090002 2f 00
                List.of("47", "0", "0", "1", "1:Ha8Sdh495jvqeCJ1xqWqRJml56A=")), rows);
            final long[] b = scalpel.selectCommunityIds(List.of("1:zv1nDgS5JwuNUj4o4B2503EFC5Y="), Long.MIN_VALUE,
                Long.MAX_VALUE).offsets(0);
            assertArrayEquals(new long[] {24 + 2 * (16 + 32)}, b, "association B alone: the third record");
        }
    }

    /** IPv4 header (20 bytes, identification 1, no options, checksum left 0) followed by {@code payload}. */
    private static byte[] ipv4(final byte[] src, final byte[] dst, final int protocol, final byte[] payload) {
        return Frames.concat(Frames.ipv4Fragment(protocol, src, dst, payload.length, 1, false, 0), payload);
    }

    /** SCTP common header: ports, verification tag, checksum (12 bytes). */
    private static byte[] sctp(final int srcPort, final int dstPort) {
        return ByteBuffer.allocate(12).putShort((short) srcPort).putShort((short) dstPort).putInt(7).putInt(0).array();
    }
}
