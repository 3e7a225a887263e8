package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.ConnLogForms;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testing.ExternalTools;
import io.scalpel.testing.PcapFile;
import io.scalpel.testing.ZeekCutBaselines;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slice} over the conn.log forms analysts have and the uids they hold in files: a log
 * keyed by VLAN (Zeek's own {@code conn_key.vlan_fivetuple-2} baseline, judged by Zeek's counts
 * and by tshark's VLAN ids of each extract), whole-second times, Zeek's archive directory layout,
 * {@code --uids-from}, and the uids and options refused.
 */
class LogFormsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VLAN_NOTE = " has id.ctx.vlan columns (Zeek's VLAN-aware connection key): its rows are joined"
        + " VLAN-aware (--vlan-blind ignores the tags)";
    /** The three uids of vlan_fivetuple-2 and their tags as its conn.log.cut gives them. */
    private static final List<String> VLAN_UIDS = List.of("CHhAvVGS1DHFjwGM9", "C4J4Th3PJpwUYZZ6gc", "ClEkJM2Vm5giqnMf4h");
    private static final List<String> VLAN_IDS = List.of("", "10,20", "42");

    @TempDir
    Path dir;

    // ---- logs keyed by VLAN ----

    @Tag("corpus")
    @Tag("external")
    @Test
    void shouldSliceEachUidOfAVlanKeyedBaselineOnItsOwnVlanAndSaySoOnce() throws Exception {
        final Path trace = SharedData.sharedDir("corpus/zeek/traces/vlan-collisions.pcap");
        final Path log = vlanFiveTupleLog();
        for (int i = 0; i < VLAN_UIDS.size(); i++) {
            final Path out = dir.resolve(VLAN_UIDS.get(i) + ".pcap");
            final Cli r = Cli.run("slice", trace.toString(), "--index", dir.resolve("idx").toString(), "--conn", log.toString(),
                "--uid", VLAN_UIDS.get(i), "-w", out.toString(), "--json");

            assertEquals(0, r.exit(), r::toString);
            final JsonNode json = JSON.readTree(r.out());
            assertEquals(14, json.get("packets").asLong(), "Zeek's 7+7 for " + VLAN_UIDS.get(i) + "\n" + r);
            assertTrue(json.get("vlan_aware").asBoolean(), r::toString);
            assertEquals(log + " has id.ctx.vlan columns (Zeek's VLAN-aware connection key)", json.get("vlan_aware_reason").asText());
            assertEquals(1, count(r.err(), log + VLAN_NOTE), r::toString);
            ExternalTools.require(ExternalTools.TSHARK);
            assertEquals(Set.of(VLAN_IDS.get(i)), vlanIds(out), VLAN_UIDS.get(i) + ": every frame on the row's VLAN (tshark)");
        }
    }

    @Tag("corpus")
    @Test
    void shouldSliceAVlanKeyedLogOnItsTagsInACaptureSetToo() throws Exception {
        final Path set = Files.createDirectory(dir.resolve("set"));
        Files.copy(SharedData.sharedDir("corpus/zeek/traces/vlan-collisions.pcap"), set.resolve("vlan-collisions.pcap"));

        final Cli r = Cli.run("slice", set.toString(), "--conn", vlanFiveTupleLog().toString(), "--all",
            "--split-dir", dir.resolve("split").toString(), "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(42, JSON.readTree(r.out()).get("packets").asLong(), "3 uids of 14 packets each, no frame twice\n" + r);
        assertTrue(JSON.readTree(r.out()).get("vlan_aware").asBoolean(), r::toString);
        assertTrue(r.err().contains(VLAN_NOTE), r::toString);
    }

    @Tag("corpus")
    @Test
    void shouldJoinAJsonLogKeyedByVlanAlsoForRowsBeforeTheFirstThatNamesTheColumn() throws Exception {
        final Path trace = SharedData.sharedDir("corpus/zeek/traces/vlan-collisions.pcap");
        // As Zeek writes JSON: the untagged connection first, its unset id.ctx fields left out.
        final String tuple = "\"id.orig_h\":\"141.142.228.5\",\"id.orig_p\":59856,\"id.resp_h\":\"192.150.187.43\",\"id.resp_p\":80,";
        final Path log = Files.writeString(dir.resolve("conn.json"),
            "{\"uid\":\"CHhAvVGS1DHFjwGM9\"," + tuple + "\"proto\":\"tcp\"}\n"
                + "{\"uid\":\"C4J4Th3PJpwUYZZ6gc\"," + tuple + "\"id.ctx.vlan\":10,\"id.ctx.inner_vlan\":20,\"proto\":\"tcp\"}\n"
                + "{\"uid\":\"ClEkJM2Vm5giqnMf4h\"," + tuple + "\"id.ctx.vlan\":42,\"proto\":\"tcp\"}\n");

        final Cli r = Cli.run("slice", trace.toString(), "--index", dir.resolve("idx").toString(), "--conn", log.toString(),
            "--uid", "CHhAvVGS1DHFjwGM9", "-w", dir.resolve("untagged.pcap").toString(), "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(14, JSON.readTree(r.out()).get("packets").asLong(), "the untagged flow's 7+7, not the 42 of the 5-tuple\n" + r);
    }

    @Tag("corpus")
    @Test
    void shouldIgnoreTheTagsOfAVlanKeyedLogWithVlanBlind() throws Exception {
        final Path trace = SharedData.sharedDir("corpus/zeek/traces/vlan-collisions.pcap");

        final Cli r = Cli.run("slice", trace.toString(), "--index", dir.resolve("idx").toString(), "--conn", vlanFiveTupleLog().toString(),
            "--uid", VLAN_UIDS.get(1), "--vlan-blind", "-w", dir.resolve("blind.pcap").toString(), "--json");

        assertEquals(0, r.exit(), r::toString);
        final JsonNode json = JSON.readTree(r.out());
        assertEquals(42, json.get("packets").asLong(), "every frame of the 5-tuple, on every VLAN\n" + r);
        assertFalse(json.get("vlan_aware").asBoolean());
        assertEquals("--vlan-blind", json.get("vlan_aware_reason").asText());
        assertFalse(r.err().contains(VLAN_NOTE), r::toString);
    }

    @Test
    void shouldSayWhyAPlainLogIsJoinedVlanBlind() throws Exception {
        final Path[] sample = Cli.sample(dir);

        final Cli r = Cli.run("slice", sample[0].toString(), "--conn", sample[1].toString(), "--all", "-w",
            dir.resolve("all.pcap").toString(), "--json");

        assertEquals(0, r.exit(), r::toString);
        assertFalse(JSON.readTree(r.out()).get("vlan_aware").asBoolean());
        assertEquals("Zeek's default connection key ignores VLAN tags", JSON.readTree(r.out()).get("vlan_aware_reason").asText());
    }

    @Test
    void shouldRefuseVlanAwareWithVlanBlind() throws IOException {
        final Path[] sample = Cli.sample(dir);

        final Cli r = Cli.run("slice", sample[0].toString(), "--conn", sample[1].toString(), "--all", "--vlan-aware", "--vlan-blind",
            "-w", dir.resolve("x.pcap").toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().startsWith("scalpel: --vlan-aware and --vlan-blind cannot be combined\n"), r::toString);
    }

    // ---- coarse times, archive directories ----

    @Test
    void shouldWidenWholeSecondTimesWarnOnceAndSliceEveryUidOfAnArchiveDirectory() throws Exception {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(5151).withFormat(CaptureFileFormat.PCAP_USEC_LE)
            .withConnections(30), capture, dir.resolve("zeek-conn.log"));
        final List<TruthConn> conns = truth.conns();
        final Path logs = Files.createDirectory(dir.resolve("logs"));
        final Path first = Files.createDirectories(logs.resolve("2015-01-12")).resolve("conn.05:00:00-06:00:00.log");
        final Path second = Files.createDirectories(logs.resolve("2015-01-13")).resolve("conn.00:00:00-01:00:00.log");
        final Path current = Files.createDirectories(logs.resolve("current")).resolve("conn.log");
        ConnLogForms.writeZeekCut(conns.subList(0, 10), ConnLogForms.Ts.ISO_WHOLE_SECONDS, first);
        ConnLogForms.writeZeekCut(conns.subList(10, 20), ConnLogForms.Ts.ISO_WHOLE_SECONDS, second);
        ConnLogForms.writeZeekCut(conns.subList(20, conns.size()), ConnLogForms.Ts.EPOCH_SECONDS, current);
        gzip(second);

        final Cli r = Cli.run("slice", capture.toString(), "--conn", logs.toString(), "--all", "--split-dir",
            dir.resolve("split").toString(), "--json");

        assertEquals(0, r.exit(), r::toString);
        final JsonNode json = JSON.readTree(r.out());
        assertEquals(conns.size(), json.get("matched").asInt(), r::toString);
        long frames = 0;
        for (TruthConn c : conns) {
            final Path file = dir.resolve("split").resolve(c.uid() + ".pcap");
            assertEquals(truth.framesOf(c.uid()).size(), PcapFile.read(file).records.size(), c.uid() + "\n" + r);
            frames += truth.framesOf(c.uid()).size();
        }
        assertEquals(frames, json.get("packets").asLong());
        assertEquals(List.of("scalpel: warning: " + first + " line 3: ts is coarser than the microseconds Zeek logs (1 s): the"
            + " first packet lies within 1 s after it, so the windows of such rows close that much later than ts + duration"),
            r.err().lines().filter(l -> l.contains("coarser")).toList(), r::toString);
    }

    // ---- uids from a file ----

    @Test
    void shouldReadUidsFromAListAZeekCutOutputACsvAndStdin() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final List<String> uids = uidsOf(sample[1]).subList(0, 3);
        final Path list = Files.writeString(dir.resolve("uids.txt"), "  " + uids.get(0) + "  \n\n" + uids.get(1) + "\r\n");
        final Path cut = Files.writeString(dir.resolve("cut.tsv"), "uid\tts\n" + uids.get(0) + "\t1.0\n" + uids.get(2) + "\t2.0\n");
        final Path csv = Files.writeString(dir.resolve("alerts.csv"), "\"ts\",\"UID\",\"note\"\n1,\"" + uids.get(1) + "\",x\n");
        final Path fields = Files.writeString(dir.resolve("fields.log"), "#separator \\x09\n#fields\tts\tuid\n1.0\t" + uids.get(2) + "\n");

        final Cli fromList = slice(sample, "--uids-from", list.toString(), "--uid", uids.get(2));
        final Cli fromCut = slice(sample, "--uids-from", cut.toString());
        final Cli fromCsv = slice(sample, "--uids-from", csv.toString());
        final Cli fromFields = slice(sample, "--uids-from", fields.toString());
        final Cli fromStdin = withStdin(uids.get(1) + "\n", () -> slice(sample, "--uids-from", "-"));

        assertEquals(3, JSON.readTree(fromList.out()).get("matched").asInt(), fromList::toString);
        assertEquals(2, JSON.readTree(fromCut.out()).get("matched").asInt(), "the header line is skipped\n" + fromCut);
        assertEquals(List.of(), strings(JSON.readTree(fromCut.out()).get("problems")), fromCut::toString);
        assertEquals(1, JSON.readTree(fromCsv.out()).get("matched").asInt(), "the UID column, not the first\n" + fromCsv);
        assertEquals(List.of(), strings(JSON.readTree(fromCsv.out()).get("problems")), fromCsv::toString);
        assertEquals(1, JSON.readTree(fromFields.out()).get("matched").asInt(), fromFields::toString);
        assertEquals(1, JSON.readTree(fromStdin.out()).get("matched").asInt(), fromStdin::toString);
    }

    @Test
    void shouldRefuseAnEmptyUidInAFileNamingItsLine() throws IOException {
        final Path[] sample = Cli.sample(dir);
        final Path list = Files.writeString(dir.resolve("uids.txt"), "uid\tts\nC1\t1\n\t2\n");
        final Path empty = Files.writeString(dir.resolve("empty.txt"), "uid\n\n");

        final Cli r = slice(sample, "--uids-from", list.toString());
        final Cli none = slice(sample, "--uids-from", empty.toString());
        final Cli missing = slice(sample, "--uids-from", dir.resolve("nosuch.txt").toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertEquals("scalpel: --uids-from " + list + " line 3: empty uid\n", r.err());
        assertEquals(ExitCode.BAD_INPUT.code(), none.exit(), none::toString);
        assertEquals("scalpel: --uids-from " + empty + ": no uids in it\n", none.err());
        assertEquals(ExitCode.BAD_INPUT.code(), missing.exit(), missing::toString);
        assertEquals("scalpel: " + dir.resolve("nosuch.txt") + ": no such file\n", missing.err());
    }

    @Test
    void shouldRefuseEmptyAndAtFileUidsOnTheCommandLine() throws IOException {
        final Path[] sample = Cli.sample(dir);
        final Path atFile = Files.writeString(dir.resolve("uids.txt"), uidsOf(sample[1]).get(0) + "\n");

        final Cli empty = slice(sample, "--uid", "");
        final Cli doubleComma = slice(sample, "--uid", "CA,,CB");
        final Cli at = slice(sample, "--uid", "@" + atFile);

        for (Cli r : List.of(empty, doubleComma)) {
            assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
            assertTrue(r.err().startsWith("scalpel: --uid: empty uid (an empty value, or two commas in a row)\n"), r::toString);
        }
        assertEquals(ExitCode.USAGE.code(), at.exit(), at::toString);
        assertTrue(at.err().startsWith("scalpel: --uid '@" + atFile + "': a uid does not start with '@'; to read uids from a file,"
            + " give --uids-from " + atFile + "\n"), at::toString);
        assertFalse(Files.exists(dir.resolve("out.pcap")), "nothing written");
    }

    @Test
    void shouldRefuseUidsFromStdinWithTheLogOnStdinAndWithoutALog() throws IOException {
        final Path[] sample = Cli.sample(dir);

        final Cli both = Cli.run("slice", sample[0].toString(), "--conn", "-", "--uids-from", "-", "-w", dir.resolve("x.pcap").toString());
        final Cli noLog = Cli.run("slice", sample[0].toString(), "--uids-from", "x.txt", "-w", dir.resolve("x.pcap").toString());
        final Cli withAll = Cli.run("slice", sample[0].toString(), "--conn", sample[1].toString(), "--all", "--uids-from", "x.txt",
            "-w", dir.resolve("x.pcap").toString());

        assertEquals(ExitCode.USAGE.code(), both.exit(), both::toString);
        assertTrue(both.err().startsWith("scalpel: --uids-from and --conn cannot both read stdin\n"), both::toString);
        assertEquals(ExitCode.USAGE.code(), noLog.exit(), noLog::toString);
        assertTrue(noLog.err().startsWith("scalpel: --uids-from needs --conn LOG or --tunnel-log LOG\n"), noLog::toString);
        assertEquals(ExitCode.USAGE.code(), withAll.exit(), withAll::toString);
        assertTrue(withAll.err().startsWith("scalpel: with --conn give either --uid UID[,UID...] (or --uids-from FILE) or --all\n"),
            withAll::toString);
    }

    // ---- helpers ----

    /** vlan_fivetuple-2's conn.log.cut, with the proto its service (http) implies: the subset left proto out. */
    private Path vlanFiveTupleLog() throws IOException {
        return ZeekCutBaselines.withProtoFromService(SharedData.sharedDir(
            "corpus/zeek/baselines/scripts.policy.frameworks.conn_key.vlan_fivetuple-2/conn.log.cut"), dir.resolve("logs"));
    }

    private Cli slice(final Path[] sample, final String... args) {
        final List<String> all = new ArrayList<>(List.of("slice", sample[0].toString(), "--conn", sample[1].toString(), "--json",
            "-w", dir.resolve("out.pcap").toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(new String[0]));
    }

    private static Cli withStdin(final String text, final java.util.function.Supplier<Cli> run) {
        final InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(saved);
        }
    }

    private static List<String> uidsOf(final Path conn) throws IOException {
        return Files.readAllLines(conn).stream().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split("\t")[1]).toList();
    }

    /** The VLAN ids of each frame of a capture as tshark decodes them ("" for an untagged frame). */
    private static Set<String> vlanIds(final Path capture) throws IOException, InterruptedException {
        final String[] lines = ExternalTools.run(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields",
            "-e", "vlan.id", "-E", "aggregator=,")).split("\n", -1);
        return new TreeSet<>(List.of(lines).subList(0, lines.length - 1)); // the last is after the final newline
    }

    private static int count(final String text, final String line) {
        return (int) text.lines().filter(l -> l.equals("scalpel:" + (line.startsWith(" ") ? "" : " ") + line)).count();
    }

    private static List<String> strings(final JsonNode array) {
        final List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void gzip(final Path file) throws IOException {
        final byte[] text = Files.readAllBytes(file);
        Files.delete(file);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file.resolveSibling(file.getFileName() + ".gz")))) {
            out.write(text);
        }
    }
}
