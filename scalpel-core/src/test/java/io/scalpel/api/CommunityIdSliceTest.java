package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.slice.FlowQuery;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Slicing by Community ID, end to end: the spec's own captures against the spec's baseline IDs
 * (pycommunityid) and against tshark's per-frame Community ID, and generated captures whose
 * zeek-cut style conn.log ({@code uid ts duration community_id}, IDs from tshark) must give the
 * generator's ground truth per uid.
 */
class CommunityIdSliceTest {
    /** The spec's captures of IP traffic (arp.pcap has none; combined.pcap.gz is their gzip'd concatenation). */
    private static final String[] SPEC_PCAPS = {"tcp", "udp", "icmp", "icmp6", "ipv6", "sctp", "rsvp"};

    @TempDir
    Path dir;

    private static Path communityIdCorpus() {
        final String shared = System.getProperty("scalpel.shared.dir");
        final Path c = shared == null ? null : Path.of(shared).resolve("corpus/community-id");
        Assumptions.assumeTrue(c != null && Files.isDirectory(c),
            "Community ID corpus absent (scalpel.shared.dir=" + shared + "): skipping the spec's captures");
        return c;
    }

    /** The spec's combined capture (the baselines' input), un-gzip'd into {@code dir}: every capture in one. */
    private Path combined() throws IOException {
        final Path out = dir.resolve("combined.pcap");
        if (!Files.exists(out)) {
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(
                Files.newInputStream(communityIdCorpus().resolve("pcaps/combined.pcap.gz")))) {
                Files.copy(in, out);
            }
        }
        return out;
    }

    private static JsonNode baseline(final String name) throws IOException {
        return new ObjectMapper().readTree(communityIdCorpus().resolve("baseline").resolve(name).toFile());
    }

    /** A --flow expression for a baseline row: protocol number and the hashed ports as FlowKey has them. */
    private static String flowOf(final JsonNode r) {
        return r.get("proto").asInt() + " " + endpoint(r.get("saddr").asText(), r.get("sport")) + " "
            + endpoint(r.get("daddr").asText(), r.get("dport"));
    }

    private static String endpoint(final String address, final JsonNode port) {
        final int p = port.isNull() ? 0 : port.asInt();
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + p;
    }

    /** Record offsets of a capture's frames, in order: frame number n is at index n - 1. */
    private static long[] recordOffsets(final Path capture) throws IOException {
        final List<Long> offsets = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(capture)) {
            final Frame frame = new Frame();
            while (reader.next(frame)) {
                offsets.add(frame.recordOffset());
            }
        }
        return offsets.stream().mapToLong(Long::longValue).toArray();
    }

    /** tshark's Community ID of every frame that has one: ID to frame numbers. */
    private static Map<String, List<Integer>> tsharkIds(final Path capture, final int seed) throws IOException {
        ExternalTools.require(ExternalTools.TSHARK);
        final String out;
        try {
            out = ExternalTools.run(List.of("tshark", "-n", "--enable-protocol", "communityid", "-o",
                "communityid.seed:" + seed, "-r", capture.toString(), "-T", "fields", "-e", "frame.number", "-e", "communityid"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        final Map<String, List<Integer>> ids = new TreeMap<>();
        for (String line : out.split("\n")) {
            final String[] f = line.split("\t");
            if (f.length == 2 && !f[1].isBlank()) {
                ids.computeIfAbsent(f[1].trim(), k -> new ArrayList<>()).add(Integer.parseInt(f[0].trim()));
            }
        }
        return ids;
    }

    private Scalpel open(final Path capture, final int seed) throws IOException {
        return Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve(capture.getFileName() + ".idx"))
            .withCommunityIdSeed(seed));
    }

    @Tag("corpus")
    @Test
    void shouldSliceTheSpecCapturesByEveryBaselineIdAsByItsTuple() throws IOException {
        final JsonNode rows = baseline("baseline_deflt.json");
        for (String name : SPEC_PCAPS) {
            final Path capture = communityIdCorpus().resolve("pcaps").resolve(name + ".pcap");
            try (Scalpel scalpel = open(capture, 0)) {
                final long[][] byId = new long[rows.size()][];
                long[] all = new long[0];
                for (int i = 0; i < rows.size(); i++) {
                    final JsonNode r = rows.get(i);
                    final String id = r.get("communityid").asText();
                    byId[i] = scalpel.selectCommunityIds(List.of(id), Long.MIN_VALUE, Long.MAX_VALUE).offsets(0);
                    final long[] byTuple = scalpel.selectQueries(List.of(FlowQuery.parse(flowOf(r), Long.MIN_VALUE,
                        Long.MAX_VALUE, false))).offsets(0);
                    assertArrayEquals(byTuple, byId[i], name + ": " + r);
                    all = io.scalpel.slice.Slicer.union(new long[][] {all, byId[i]});
                }
                // Every frame of these captures is IP, and its ID is in the baseline.
                assertArrayEquals(recordOffsets(capture), all, name + ": every frame is found by one baseline ID");
                // All IDs at once (one pass over the index) give the same as one at a time.
                final List<String> ids = new ArrayList<>();
                rows.forEach(r -> ids.add(r.get("communityid").asText()));
                final Scalpel.Selection together = scalpel.selectCommunityIds(ids, Long.MIN_VALUE, Long.MAX_VALUE);
                for (int i = 0; i < rows.size(); i++) {
                    assertArrayEquals(byId[i], together.offsets(i), name + " together: " + rows.get(i));
                }
            }
        }
    }

    @Tag("corpus")
    @Test
    void shouldFindTheSeededBaselineIdsWithTheSeedGiven() throws IOException {
        final JsonNode seed0 = baseline("baseline_deflt.json");
        final JsonNode seed1 = baseline("baseline_seed1.json");
        final List<String> ids0 = new ArrayList<>();
        final List<String> ids1 = new ArrayList<>();
        for (int i = 0; i < seed0.size(); i++) {
            assertEquals(seed0.get(i).get("saddr"), seed1.get(i).get("saddr"), "the baselines list the same tuples in the same order");
            assertEquals(seed0.get(i).get("sport"), seed1.get(i).get("sport"));
            ids0.add(seed0.get(i).get("communityid").asText());
            ids1.add(seed1.get(i).get("communityid").asText());
        }
        final Path capture = combined();
        final Scalpel.Selection expected;
        try (Scalpel scalpel = open(capture, 0)) {
            expected = scalpel.selectCommunityIds(ids0, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        try (Scalpel scalpel = open(capture, 1)) {
            final Scalpel.Selection seeded = scalpel.selectCommunityIds(ids1, Long.MIN_VALUE, Long.MAX_VALUE);
            final Scalpel.Selection unseeded = scalpel.selectCommunityIds(ids0, Long.MIN_VALUE, Long.MAX_VALUE);
            for (int i = 0; i < ids1.size(); i++) {
                assertTrue(expected.offsets(i).length > 0, "each baseline row has frames in the combined capture: " + seed0.get(i));
                assertArrayEquals(expected.offsets(i), seeded.offsets(i), "seed 1: " + seed1.get(i));
                assertEquals(0, unseeded.offsets(i).length, "a seed-0 ID is not a seed-1 ID: " + seed0.get(i));
            }
        }
    }

    @Tag("corpus")
    @Tag("external")
    @ParameterizedTest
    @ValueSource(ints = {0, 4660})
    void shouldSliceEachIdToTheFramesTsharkGivesIt(final int seed) throws IOException {
        final List<Path> captures = new ArrayList<>();
        captures.add(combined());
        final Path generated = dir.resolve("gen.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(77).withVlan(true).withIcmp(true).withIpv6(true)
            .withOtherProtocols(true).withReuseTuples(true).withConnections(60), generated, dir.resolve("gen-conn.log"));
        captures.add(generated);
        for (Path capture : captures) {
            final Map<String, List<Integer>> ids = tsharkIds(capture, seed);
            assertFalse(ids.isEmpty(), capture + ": tshark gives Community IDs");
            final long[] offsets = recordOffsets(capture);
            try (Scalpel scalpel = open(capture, seed)) {
                final List<String> all = new ArrayList<>(ids.keySet());
                final Scalpel.Selection together = scalpel.selectCommunityIds(all, Long.MIN_VALUE, Long.MAX_VALUE);
                for (int i = 0; i < all.size(); i++) {
                    final long[] expected = ids.get(all.get(i)).stream().mapToLong(n -> offsets[n - 1]).sorted().toArray();
                    assertArrayEquals(expected, together.offsets(i), capture.getFileName() + " " + all.get(i));
                }
            }
        }
    }

    /**
     * A zeek-cut subset of the generated conn.log, {@code uid ts duration community_id}, with each
     * uid's ID as tshark computes it for a whole (unfragmented, untruncated) frame of the uid: the
     * join by Community ID and window gives exactly the uid's frames of the ground truth,
     * fragments included.
     */
    @Tag("external")
    @ParameterizedTest
    @ValueSource(longs = {5, 6})
    void shouldJoinConnRowsWithoutFiveTupleByCommunityId(final long generatorSeed) throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(generatorSeed).withVlan(true)
            .withIcmp(true).withIpv6(true).withFragments(true).withOtherProtocols(true).withReuseTuples(true)
            .withUnsortedTimestamps(true).withConnections(50), capture, dir.resolve("full-conn.log"));
        final Map<Integer, String> idOfFrame = new TreeMap<>();
        tsharkIds(capture, 0).forEach((id, frames) -> frames.forEach(n -> idOfFrame.put(n, id)));
        final Map<String, String> idOfUid = new LinkedHashMap<>();
        for (TruthConn c : truth.conns()) {
            for (int n : truth.framesOf(c.uid())) {
                final TruthFrame f = truth.frame(n);
                if (!f.isFragment() && !f.isTruncated() && idOfFrame.containsKey(n)) {
                    idOfUid.put(c.uid(), idOfFrame.get(n));
                    break;
                }
            }
        }
        for (TruthConn c : truth.conns()) {
            final boolean whole = truth.framesOf(c.uid()).stream().map(truth::frame).anyMatch(f -> !f.isFragment() && !f.isTruncated());
            if (!c.proto().equals("unknown_transport") && whole) {
                assertTrue(idOfUid.containsKey(c.uid()), "tshark gives every TCP, UDP and ICMP uid with a whole frame an ID: " + c);
            }
        }
        final StringBuilder log = new StringBuilder("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
            + "#unset_field\t-\n#path\tconn\n#fields\tuid\tts\tduration\tcommunity_id\n#types\tstring\ttime\tinterval\tstring\n");
        for (TruthConn c : truth.conns()) {
            if (idOfUid.containsKey(c.uid())) {
                log.append(c.uid()).append('\t').append(seconds(c.tsNanos())).append('\t')
                    .append(c.durationNanos() == 0 ? "-" : seconds(c.durationNanos())).append('\t')
                    .append(idOfUid.get(c.uid())).append('\n');
            }
        }
        final Path subset = dir.resolve("conn.cut");
        Files.writeString(subset, log, StandardCharsets.UTF_8);
        final List<ConnRecord> rows = ConnLogs.readStrictly(subset);
        assertEquals(idOfUid.size(), rows.size());
        try (Scalpel scalpel = open(capture, 0)) {
            final Scalpel.Selection selection = scalpel.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final ConnRecord row = rows.get(i);
                assertFalse(row.hasFiveTuple());
                final long[] expected = truth.framesOf(row.uid()).stream().mapToLong(n -> truth.frame(n).recordOffset())
                    .sorted().toArray();
                assertArrayEquals(expected, selection.offsets(i), row.uid() + " " + row.communityId());
                assertArrayEquals(expected, scalpel.select(List.of(row)).offsets(0), row.uid() + " alone");
            }
        }
    }

    /** Epoch nanoseconds as Zeek prints them: seconds with six decimals, rounded half up. */
    private static String seconds(final long nanos) {
        return new java.math.BigDecimal(nanos).movePointLeft(9).setScale(6, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    @Tag("corpus")
    @Test
    void shouldRefuseWhatIsNotACommunityId() throws IOException {
        final Path capture = communityIdCorpus().resolve("pcaps").resolve("tcp.pcap");
        try (Scalpel scalpel = open(capture, 0)) {
            final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> scalpel.selectCommunityIds(List.of("1:c026f7386ef200559e95a53276ed03fb5db908b3"), Long.MIN_VALUE,
                    Long.MAX_VALUE));
            assertTrue(e.getMessage().contains("is not a Community ID v1"), e.getMessage());
        }
    }
}
