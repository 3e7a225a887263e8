package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ExternalTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code scalpel slice --community-id} and conn.logs with a {@code community_id} column, on a
 * generated capture. The IDs come from tshark (its Community ID dissector, per frame), the
 * expected frames from the generator's ground truth.
 */
@Tag("external")
class CommunityIdCommandTest {
    private static final int PCAP_HEADER_LENGTH = 24;
    /** A well-formed Community ID that no flow of the generated capture has (the spec's TCP example). */
    private static final String ABSENT_ID = "1:wCb3OG7yAFWelaUydu0D+125CLM=";

    /** Holds the generated capture, made once for the class. */
    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    static Path capture;
    static Generated truth;
    static byte[] captureBytes;
    /** tshark's Community ID of each frame number (seed 0), and with seed 1. */
    static Map<Integer, String> idOfFrame;
    static Map<Integer, String> seed1IdOfFrame;

    @BeforeAll
    static void generate() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.defaults(8200).withFormat(CaptureFileFormat.PCAP_NSEC_LE)
            .withConnections(30).withIcmp(true).withIpv6(true);
        capture = shared.resolve("cap.pcap");
        truth = CaptureGenerator.generate(spec, capture, null);
        captureBytes = Files.readAllBytes(capture);
        idOfFrame = tsharkIds(0);
        seed1IdOfFrame = tsharkIds(1);
    }

    private static Map<Integer, String> tsharkIds(final int seed) throws IOException {
        ExternalTools.require(ExternalTools.TSHARK);
        final String out;
        try {
            out = ExternalTools.run(List.of("tshark", "-n", "--enable-protocol", "communityid", "-o", "communityid.seed:" + seed,
                "-r", capture.toString(), "-T", "fields", "-e", "frame.number", "-e", "communityid"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        final Map<Integer, String> ids = new HashMap<>();
        for (String line : out.split("\n")) {
            final String[] f = line.split("\t");
            if (f.length == 2 && !f[1].isBlank()) {
                ids.put(Integer.parseInt(f[0].trim()), f[1].trim());
            }
        }
        return ids;
    }

    private TruthConn firstConn(final Predicate<TruthConn> which) {
        return truth.conns().stream().filter(which).filter(c -> !framesOf(c.uid()).isEmpty()).findFirst()
            .orElseThrow(() -> new AssertionError("the generated capture has no such connection"));
    }

    private List<TruthFrame> framesOf(final String uid) {
        return truth.frames().stream().filter(f -> f.uids().contains(uid)).toList();
    }

    private String idOf(final TruthConn c, final Map<Integer, String> ids) {
        final String id = ids.get(framesOf(c.uid()).get(0).number());
        assertTrue(id != null, "tshark gives " + c.uid() + " a Community ID");
        return id;
    }

    private byte[] extract(final List<TruthFrame> frames) {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(captureBytes, 0, PCAP_HEADER_LENGTH);
        frames.stream().sorted(java.util.Comparator.comparingLong(TruthFrame::recordOffset))
            .forEach(f -> b.write(captureBytes, (int) f.recordOffset(), f.recordLength()));
        return b.toByteArray();
    }

    private static String seconds(final long nanos) {
        return new BigDecimal(nanos).movePointLeft(9).setScale(6, RoundingMode.HALF_UP).toPlainString();
    }

    @Test
    void shouldSliceTheFramesOfTwoCommunityIdsGivenAsAListOrRepeated() throws IOException {
        final TruthConn tcp = firstConn(c -> c.proto().equals("tcp") && c.origH().contains(":"));
        final TruthConn icmp = firstConn(c -> c.proto().equals("icmp") && framesOf(c.uid()).size() > 1);
        final List<TruthFrame> expected = new java.util.ArrayList<>(framesOf(tcp.uid()));
        expected.addAll(framesOf(icmp.uid()));
        for (String[] ids : List.of(new String[] {"--community-id", idOf(tcp, idOfFrame) + "," + idOf(icmp, idOfFrame)},
                                    new String[] {"--community-id", idOf(tcp, idOfFrame), "--community-id", idOf(icmp, idOfFrame)})) {
            final Path out = dir.resolve("two.pcap");
            final String[] args = new String[ids.length + 5];
            args[0] = "slice";
            args[1] = capture.toString();
            System.arraycopy(ids, 0, args, 2, ids.length);
            args[ids.length + 2] = "--json";
            args[ids.length + 3] = "-w";
            args[ids.length + 4] = out.toString();
            final Cli r = Cli.run(args);

            assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
            assertArrayEquals(extract(expected), Files.readAllBytes(out), () -> "the frames of " + tcp.uid() + " and " + icmp.uid());
            assertTrue(r.out().contains("\"matched\":2,\"requested\":2"), r::toString);
        }
    }

    @Test
    void shouldLimitACommunityIdToTheWindowGiven() throws IOException {
        final TruthConn udp = firstConn(c -> c.proto().equals("udp"));
        final String id = idOf(udp, idOfFrame);
        final Path out = dir.resolve("window.pcap");

        final Cli inside = Cli.run("slice", capture.toString(), "--community-id", id, "--from",
            BigDecimal.valueOf(udp.tsNanos(), 9).toPlainString(), "--to", BigDecimal.valueOf(udp.endNanos(), 9).toPlainString(),
            "-w", out.toString());
        assertEquals(ExitCode.OK.code(), inside.exit(), inside::toString);
        assertArrayEquals(extract(framesOf(udp.uid())), Files.readAllBytes(out));

        Files.delete(out);
        final Cli before = Cli.run("slice", capture.toString(), "--community-id", id, "--to",
            seconds(udp.tsNanos() - 1_000_000), "-w", out.toString());
        assertEquals(ExitCode.NOTHING_FOUND.code(), before.exit(), before::toString);
        assertTrue(before.err().contains("scalpel: community ID " + id + " (no packets in " + capture + " in the window)"),
            before::toString);
        assertFalse(Files.exists(out), "no output");
    }

    @Test
    void shouldExitPartialWhenOneCommunityIdHasNoPackets() throws IOException {
        final TruthConn tcp = firstConn(c -> c.proto().equals("tcp"));
        final Path out = dir.resolve("partial.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--community-id", idOf(tcp, idOfFrame) + "," + ABSENT_ID,
            "-w", out.toString());

        assertEquals(ExitCode.PARTIAL.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: community ID " + ABSENT_ID + " (no packets in " + capture + ")"), r::toString);
        assertTrue(r.err().contains("of 1 of 2 community IDs"), r::toString);
        assertArrayEquals(extract(framesOf(tcp.uid())), Files.readAllBytes(out));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--community-id|1:c026f7386ef200559e95a53276ed03fb5db908b3|--community-id '1:c026f7386ef200559e95a53276ed03fb5db908b3' is not a Community ID v1",
        "--community-id|wCb3OG7yAFWelaUydu0D+125CLM=|--community-id 'wCb3OG7yAFWelaUydu0D+125CLM=' is not a Community ID v1",
        "--community-id-seed|65536|--community-id-seed 65536 is not a 16-bit value (0-65535)",
    })
    void shouldExitWithUsageForAMalformedCommunityIdOrSeed(final String option, final String value, final String message) {
        final Path out = dir.resolve("none.pcap");
        final Cli r = option.equals("--community-id-seed")
            ? Cli.run("slice", capture.toString(), "--community-id", ABSENT_ID, option, value, "-w", out.toString())
            : Cli.run("slice", capture.toString(), option, value, "-w", out.toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: " + message), r::toString);
        assertFalse(Files.exists(out), "no output");
    }

    @Test
    void shouldExitWithUsageForCommunityIdWithConn() throws IOException {
        final Path conn = dir.resolve("conn.log");
        Files.writeString(conn, "#fields\tuid\tcommunity_id\n");
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "--community-id", ABSENT_ID,
            "-w", dir.resolve("x.pcap").toString());
        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--community-id cannot be combined with --conn"), r::toString);
    }

    /** A zeek-cut subset (uid ts duration community_id) has no 5-tuple: its rows join by Community ID and window. */
    @Test
    void shouldSliceAZeekCutSubsetWithoutFiveTupleByItsCommunityIds() throws IOException {
        final StringBuilder log = new StringBuilder("#separator \\x09\n#fields\tuid\tts\tduration\tcommunity_id\n");
        for (TruthConn c : truth.conns()) {
            log.append(c.uid()).append('\t').append(seconds(c.tsNanos())).append('\t')
                .append(c.durationNanos() == 0 ? "-" : seconds(c.durationNanos())).append('\t').append(idOf(c, idOfFrame)).append('\n');
        }
        final Path conn = dir.resolve("conn.cut");
        Files.writeString(conn, log, StandardCharsets.UTF_8);
        final Path split = dir.resolve("split");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "--split-dir", split.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        for (TruthConn c : truth.conns()) {
            assertArrayEquals(extract(framesOf(c.uid())), Files.readAllBytes(split.resolve(c.uid() + ".pcap")), c.uid());
        }
    }

    /**
     * A full conn.log with community_id: rows join by their 5-tuple; a row whose logged ID is not
     * its 5-tuple's under the seed given is named on stderr and counted in the JSON summary. With
     * the seed Zeek used (here 1, IDs from tshark with seed 1), nothing is reported.
     */
    @Test
    void shouldReportRowsWhoseCommunityIdIsNotThatOfTheirFiveTuple() throws IOException {
        final TruthConn a = firstConn(c -> c.proto().equals("tcp"));
        final TruthConn b = firstConn(c -> c.proto().equals("udp"));
        final Path conn = dir.resolve("conn.log");
        final Path out = dir.resolve("ab.pcap");
        final List<TruthFrame> expected = new java.util.ArrayList<>(framesOf(a.uid()));
        expected.addAll(framesOf(b.uid()));

        Files.writeString(conn, connLog(List.of(a, b), Map.of(a.uid(), idOf(a, seed1IdOfFrame), b.uid(), idOf(b, seed1IdOfFrame))));
        final Cli seed0 = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", a.uid() + "," + b.uid(),
            "--json", "-w", out.toString());
        assertEquals(ExitCode.OK.code(), seed0.exit(), seed0::toString);
        assertArrayEquals(extract(expected), Files.readAllBytes(out), "joined by the 5-tuple");
        assertTrue(seed0.err().contains("uid " + a.uid() + ": community_id " + idOf(a, seed1IdOfFrame)
            + " is not the Community ID of its 5-tuple with seed 0 (" + idOf(a, idOfFrame) + "); joined by the 5-tuple"
            + " (if Zeek used another seed, give it with --community-id-seed)"), seed0::toString);
        assertTrue(seed0.out().contains("\"community_id_mismatches\":2"), seed0::toString);

        final Cli seed1 = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", a.uid() + "," + b.uid(),
            "--community-id-seed", "1", "--json", "-w", out.toString());
        assertEquals(ExitCode.OK.code(), seed1.exit(), seed1::toString);
        assertFalse(seed1.err().contains("community_id"), seed1::toString);
        assertTrue(seed1.out().contains("\"community_id_mismatches\":0"), seed1::toString);
        assertArrayEquals(extract(expected), Files.readAllBytes(out));

        // The same audit over a capture set holding the capture.
        final Path set = Files.createDirectory(dir.resolve("set"));
        Files.copy(capture, set.resolve("member.pcap"));
        final Cli overSet = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--uid", a.uid() + "," + b.uid(),
            "--json", "-w", dir.resolve("set.pcap").toString());
        assertEquals(ExitCode.OK.code(), overSet.exit(), overSet::toString);
        assertTrue(overSet.err().contains("uid " + a.uid() + ": community_id " + idOf(a, seed1IdOfFrame)
            + " is not the Community ID of its 5-tuple with seed 0"), overSet::toString);
        assertTrue(overSet.out().contains("\"community_id_mismatches\":2"), overSet::toString);
    }

    private static String connLog(final List<TruthConn> conns, final Map<String, String> ids) {
        final StringBuilder log = new StringBuilder("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\tcommunity_id\n");
        for (TruthConn c : conns) {
            log.append(seconds(c.tsNanos())).append('\t').append(c.uid()).append('\t').append(c.origH()).append('\t')
                .append(c.origP()).append('\t').append(c.respH()).append('\t').append(c.respP()).append('\t').append(c.proto())
                .append('\t').append(c.durationNanos() == 0 ? "-" : seconds(c.durationNanos())).append('\t')
                .append(ids.get(c.uid())).append('\n');
        }
        return log.toString();
    }
}
