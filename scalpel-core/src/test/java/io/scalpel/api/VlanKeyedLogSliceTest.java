package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.ZeekCutBaselines;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conn.log written with Zeek's VLAN-aware connection key ({@code id.ctx.vlan} columns) is joined
 * VLAN-aware through the Java API by default, for one capture and for a capture set, and
 * VLAN-blind when {@link Scalpel.VlanKey#BLIND} says so. Oracles: the generator's frames split by
 * their VLAN tags, and Zeek's own counts for {@code conn_key.vlan_fivetuple-2}.
 */
class VlanKeyedLogSliceTest {
    @TempDir
    Path dir;

    /** One row of the VLAN-keyed log: the connection's frames on one pair of tags. */
    private record Part(String uid, TruthConn conn, int vlan, int innerVlan, long[] offsets, long first, long last) {
    }

    @Test
    void shouldJoinALogKeyedByVlanByItsTagsThroughTheApiForACaptureAndACaptureSet() throws IOException {
        final Path set = Files.createDirectory(dir.resolve("set"));
        final Path capture = set.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(3131).withVlan(true).withSameTupleOnTwoVlans(true)
            .withConnections(36), capture, dir.resolve("zeek-conn.log"));
        final List<Part> parts = partsByVlan(truth);
        assertTrue(parts.size() > truth.conns().size(), "some connection is seen on two VLANs");
        final Path log = writeVlanKeyedLog(parts, dir.resolve("conn-vlan-key.log"));
        final List<ConnRecord> rows = ConnLogs.readStrictly(log);
        assertTrue(rows.stream().allMatch(ConnRecord::vlanKeyed));

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")));
             Scalpel blind = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx"))
                 .withVlanKey(Scalpel.VlanKey.BLIND));
             CaptureSet captureSet = CaptureSet.open(set, Scalpel.Options.defaults().withIndex(dir.resolve("set-idx")))) {
            final Scalpel.Selection aware = scalpel.select(rows);
            final Scalpel.Selection ignored = blind.select(rows);
            final CaptureSet.Selection inSet = captureSet.select(rows);
            int widerWhenBlind = 0;
            for (int i = 0; i < rows.size(); i++) {
                final Part p = parts.get(i);
                assertArrayEquals(p.offsets, aware.offsets(i), p.uid + " on VLAN " + p.vlan + "/" + p.innerVlan);
                assertArrayEquals(p.offsets, inSet.members().get(0).offsets()[i], p.uid + " in the capture set");
                final long[] blindOffsets = ignored.offsets(i);
                assertTrue(LongStream.of(p.offsets).allMatch(o -> Arrays.binarySearch(blindOffsets, o) >= 0), p.uid);
                widerWhenBlind += blindOffsets.length > p.offsets.length ? 1 : 0;
            }
            assertTrue(widerWhenBlind >= 2, "VLAN-blind, both rows of a connection seen on two VLANs take the other's frames");
        }
    }

    @Tag("corpus")
    @Test
    void shouldGiveEachUidOfZeeksVlanFiveTupleBaselineItsSevenAndSevenPackets() throws IOException {
        final Path corpus = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("corpus/zeek").normalize();
        final Path cut = corpus.resolve("baselines/scripts.policy.frameworks.conn_key.vlan_fivetuple-2/conn.log.cut");
        assumeTrue(Files.isRegularFile(cut), () -> "skipped: Zeek baseline " + cut + " is absent");
        final List<ConnRecord> rows = ConnLogs.readStrictly(ZeekCutBaselines.withProtoFromService(cut, dir));
        assertEquals(3, rows.size());

        try (Scalpel scalpel = Scalpel.open(corpus.resolve("traces/vlan-collisions.pcap"),
            Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            for (ConnRecord r : rows) {
                assertTrue(r.vlanKeyed(), r.uid());
                assertEquals(r.origPkts() + r.respPkts(), scalpel.select(List.of(r)).offsets(0).length,
                    r.uid() + " (VLAN " + r.vlan() + "/" + r.innerVlan() + "): Zeek's orig_pkts + resp_pkts");
            }
        }
    }

    /** Each connection's frames by their tags: one part for most, two for a connection seen on two VLANs. */
    private static List<Part> partsByVlan(final Generated truth) {
        final List<Part> parts = new ArrayList<>();
        for (TruthConn c : truth.conns()) {
            final Map<List<Integer>, List<TruthFrame>> byTags = new LinkedHashMap<>();
            for (int n : truth.framesOf(c.uid())) {
                final TruthFrame f = truth.frame(n);
                byTags.computeIfAbsent(List.of(f.outerVlan(), f.innerVlan()), k -> new ArrayList<>()).add(f);
            }
            for (Map.Entry<List<Integer>, List<TruthFrame>> e : byTags.entrySet()) {
                final List<TruthFrame> frames = e.getValue();
                final String uid = byTags.size() == 1 ? c.uid() : c.uid() + "v" + e.getKey().get(0);
                parts.add(new Part(uid, c, e.getKey().get(0), e.getKey().get(1),
                    frames.stream().mapToLong(TruthFrame::recordOffset).sorted().toArray(),
                    frames.stream().mapToLong(TruthFrame::tsNanos).min().orElseThrow(),
                    frames.stream().mapToLong(TruthFrame::tsNanos).max().orElseThrow()));
            }
        }
        return parts;
    }

    /** Zeek 8's conn.log with {@code @load frameworks/conn_key/vlan_fivetuple}: the tags inside the id record. */
    private static Path writeVlanKeyedLog(final List<Part> parts, final Path path) throws IOException {
        final StringBuilder out = new StringBuilder("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            + "#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tid.ctx.vlan\tid.ctx.inner_vlan\tproto"
            + "\tduration\tip_proto\n");
        for (Part p : parts) {
            final TruthConn c = p.conn;
            out.append(String.join("\t", seconds(p.first), p.uid, c.origH(), Integer.toString(c.origP()), c.respH(),
                Integer.toString(c.respP()), p.vlan < 0 ? "-" : Integer.toString(p.vlan),
                p.innerVlan < 0 ? "-" : Integer.toString(p.innerVlan), c.proto(), seconds(p.last - p.first),
                Integer.toString(c.ipProto()))).append('\n');
        }
        Files.writeString(path, out, StandardCharsets.UTF_8);
        return path;
    }

    private static String seconds(final long nanos) {
        return nanos / 1_000_000_000L + "." + String.format("%09d", nanos % 1_000_000_000L);
    }
}
