package io.scalpel.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.IndexBuilder;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.ConnLogForms;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Indexing and the conn ⋈ packets join on a local[2] Spark, judged against the generator's truth
 * and against the CLI run in-process on the same files: the packets Dataset and the per-uid
 * extracts frame for frame, a capture set's extracts byte for byte, the index files file for file,
 * and a broken capture reported alone.
 */
@Tag("e2e")
class ScalpelSparkTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private Generated generate(final long seed, final Path capture, final Path conn) throws IOException {
        return CaptureGenerator.generate(GeneratorSpec.defaults(seed).withFormat(CaptureFileFormat.PCAP_USEC_LE).withConnections(60)
            .withReuseTuples(true).withVlan(true), capture, conn);
    }

    @Test
    void shouldGiveTheTruthsFramesOfEveryUidAsPacketRowsAndAsExtracts() throws Exception {
        final Path capture = dir.resolve("trace.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = generate(9101, capture, conn);
        final byte[] bytes = Files.readAllBytes(capture);
        final SparkOptions options = SparkOptions.defaults().withPartitions(3);
        assertEquals("built", ScalpelSpark.index(spark, List.of(capture.toString()), options).first().getAs("mode"));
        final Dataset<Row> rows = conn(conn, capture);

        final Map<String, List<Row>> packets = byUid(ScalpelSpark.packets(rows, options).collectAsList());
        final Path out = dir.resolve("split");
        final List<Row> report = ScalpelSpark.extracts(rows, out.toString(), options).collectAsList();

        int withFrames = 0;
        for (TruthConn c : truth.conns()) {
            final List<TruthFrame> expected = truth.framesOf(c.uid()).stream().map(truth::frame).toList();
            final List<Row> got = packets.getOrDefault(c.uid(), List.of());
            assertEquals(expected.size(), got.size(), c.uid() + ": packets");
            for (int i = 0; i < expected.size(); i++) {
                final TruthFrame f = expected.get(i);
                final Row r = got.get(i);
                assertEquals(f.tsNanos(), (long) r.getAs("ts"), c.uid() + " frame " + f.number());
                assertEquals(f.capturedLength(), (int) r.getAs("caplen"));
                assertEquals(f.linkType(), (int) r.getAs("linktype"));
                assertArrayEquals(Arrays.copyOfRange(bytes, (int) f.recordOffset() + PcapFile.RECORD_HEADER_LENGTH,
                    (int) f.recordOffset() + f.recordLength()), r.getAs("bytes"), c.uid() + " frame " + f.number() + ": bytes");
            }
            final Path file = out.resolve(c.uid() + ".pcap");
            assertEquals(!expected.isEmpty(), Files.exists(file), c.uid() + ": an extract when it has frames");
            if (!expected.isEmpty()) {
                withFrames++;
                final PcapFile pcap = PcapFile.read(file);
                assertEquals(expected.stream().map(TruthFrame::tsNanos).toList(), pcap.records.stream().map(PcapFile.Record::tsNanos)
                    .toList(), c.uid() + ": extract");
            }
        }
        assertTrue(withFrames > 40, "most connections have frames: " + withFrames);
        assertEquals(truth.conns().size(), packets.keySet().size() + truth.conns().size() - withFrames);
        assertEquals(withFrames, report.stream().mapToInt(r -> r.getAs("files")).sum());
        assertTrue(report.stream().allMatch(r -> r.getAs("error") == null), report::toString);
    }

    @Test
    void shouldJoinAJsonConnLogAsItsTsvTwin() throws Exception {
        final Path capture = dir.resolve("trace.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = generate(9102, capture, conn);
        final Path json = dir.resolve("conn.json");
        ConnLogForms.writeJson(truth.conns(), ConnLogForms.Ts.EPOCH_SECONDS, json);
        ScalpelSpark.index(spark, List.of(capture.toString()), SparkOptions.defaults());

        final Dataset<Row> fromJson = spark.read().json(json.toString()).withColumn("capture", lit(capture.toString()));
        final Dataset<Row> fromTsv = conn(conn, capture);

        final Map<String, List<Row>> a = byUid(ScalpelSpark.packets(fromJson, SparkOptions.defaults()).collectAsList());
        final Map<String, List<Row>> b = byUid(ScalpelSpark.packets(fromTsv, SparkOptions.defaults()).collectAsList());
        assertEquals(b.keySet(), a.keySet());
        long frames = 0;
        for (String uid : b.keySet()) {
            assertEquals(truth.framesOf(uid).size(), a.get(uid).size(), uid);
            assertEquals(b.get(uid).stream().map(r -> r.getAs("ts")).toList(), a.get(uid).stream().map(r -> r.getAs("ts")).toList(), uid);
            frames += a.get(uid).size();
        }
        assertTrue(frames > 100, "frames joined: " + frames);

        // docs/spark.md's SQL: packets per second of each connection, summed back per uid
        fromTsv.createOrReplaceTempView("conn");
        ScalpelSpark.packets(fromTsv, SparkOptions.defaults()).where("error is null").createOrReplaceTempView("packets");
        final Map<String, Long> perUid = new LinkedHashMap<>();
        for (Row r : spark.sql(docsSql()).collectAsList()) {
            perUid.merge(r.getAs("uid"), r.<Long>getAs("packets"), Long::sum);
        }
        for (String uid : b.keySet()) {
            assertEquals((long) truth.framesOf(uid).size(), perUid.get(uid), uid + ": packets per second, summed");
        }
    }

    /** The SQL of docs/spark.md's section "SQL" that pairs conn rows with their packets per second. */
    private static String docsSql() throws IOException {
        final Path root = Path.of(System.getProperty("scalpel.testdata.dir")).toAbsolutePath().normalize().getParent();
        final String page = Files.readString(root.resolve("docs/spark.md"));
        final int start = page.indexOf("spark.sql(\"\"\"") + "spark.sql(\"\"\"".length();
        return page.substring(start, page.indexOf("\"\"\")", start));
    }

    @Test
    void shouldWriteTheCliExtractsOfACaptureSetWhoseRowsAreSpreadOverTasks() throws Exception {
        final Path source = dir.resolve("source.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = generate(9103, source, conn);
        final Path set = Files.createDirectories(dir.resolve("rotated"));
        RotatedCaptures.cutEvenly(source, truth, set, "trace.%02d.%s", false, true, false);
        final SparkOptions options = SparkOptions.defaults().withPartitions(4);
        final List<Row> indexed = ScalpelSpark.indexSets(spark, List.of(set.toString()), options).collectAsList();
        assertEquals(3, indexed.size(), indexed::toString);
        final Path cliOut = dir.resolve("cli");
        final LocalSpark.Cli cli = LocalSpark.cli("slice", set.toString(), "--conn", conn.toString(), "--all", "--split-dir",
            cliOut.toString());
        assertEquals(0, cli.exit(), cli::toString);

        final Path sparkOut = dir.resolve("spark");
        final List<Row> report = ScalpelSpark.extracts(conn(conn, set), sparkOut.toString(), options).collectAsList();

        assertTrue(report.size() > 1, "the set's rows were sliced in more than one task: " + report);
        final Map<String, byte[]> expected = LocalSpark.files(cliOut);
        assertTrue(expected.size() > 40, "extracts: " + expected.size());
        assertSameFiles(expected, LocalSpark.files(sparkOut));
    }

    @Test
    void shouldReportAMalformedAndAMissingCaptureAloneAndDoTheRest() throws Exception {
        final Path good = dir.resolve("good.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = generate(9104, good, conn);
        final Path bad = dir.resolve("bad.pcap");
        final byte[] broken = Arrays.copyOf(Files.readAllBytes(good), 4096);
        // the first record header's captured length (bytes 32-35 of the file) set far beyond any snaplen
        broken[32] = (byte) 0xFF;
        broken[33] = (byte) 0xFF;
        broken[34] = (byte) 0xFF;
        broken[35] = (byte) 0x7F;
        Files.write(bad, broken);
        final Path missing = dir.resolve("missing.pcap");

        final Map<String, Row> indexed = new LinkedHashMap<>();
        for (Row r : ScalpelSpark.index(spark, List.of(good.toString(), bad.toString(), missing.toString()), SparkOptions.defaults())
            .collectAsList()) {
            indexed.put(r.getAs("capture"), r);
        }
        assertEquals("built", indexed.get(good.toString()).getAs("mode"));
        assertEquals(truth.frames().size(), (long) indexed.get(good.toString()).getAs("packets"));
        assertNull(indexed.get(good.toString()).getAs("error"));
        assertEquals("failed", indexed.get(bad.toString()).getAs("mode"));
        final String badError = indexed.get(bad.toString()).getAs("error");
        assertTrue(badError.contains(bad.toString()) && badError.contains("offset 24"), badError);
        assertEquals("failed", indexed.get(missing.toString()).getAs("mode"));
        assertEquals(missing + ": no such file", indexed.get(missing.toString()).getAs("error"));

        final Dataset<Row> rows = ScalpelSpark.readZeekTsv(spark, conn.toString());
        final Dataset<Row> both = rows.withColumn("capture", lit(good.toString())).union(rows.withColumn("capture", lit(bad.toString())));
        final List<Row> packets = ScalpelSpark.packets(both, SparkOptions.defaults().withPartitions(2)).collectAsList();
        final List<Row> failures = packets.stream().filter(r -> r.getAs("error") != null).toList();
        assertTrue(!failures.isEmpty() && failures.stream().allMatch(r -> bad.toString().equals(r.getAs("capture"))), failures::toString);
        assertEquals(truth.frames().stream().filter(f -> !f.uids().isEmpty()).mapToLong(f -> f.uids().size()).sum(),
            packets.stream().filter(r -> r.getAs("error") == null).count(), "every frame of every uid of the good capture");

        final List<Row> report = ScalpelSpark.extracts(both, dir.resolve("out").toString(), SparkOptions.defaults()).collectAsList();
        for (Row r : report) {
            if (bad.toString().equals(r.getAs("capture"))) {
                assertNotNull(r.getAs("error"), r::toString);
            } else {
                assertNull(r.getAs("error"), r::toString);
                assertTrue((int) r.getAs("files") > 0, r::toString);
            }
        }
    }

    @Test
    void shouldShareIndexesWithTheCliBothWaysFileForFile() throws Exception {
        final Path a = dir.resolve("a.pcap");
        final Path aConn = dir.resolve("a.conn.log");
        final Generated truthA = generate(9105, a, aConn);
        final Path b = dir.resolve("b.pcap");
        final Path bConn = dir.resolve("b.conn.log");
        final Generated truthB = generate(9106, b, bConn);
        final Path root = dir.resolve("spark-indexes");

        // a: indexed by Spark; the CLI finds it fresh, and slices with it
        ScalpelSpark.index(spark, List.of(a.toString()), SparkOptions.defaults().withIndexRoot(root.toString()));
        final Path sparkIndex = root.resolve("a.pcap.scalpel");
        final Map<String, byte[]> before = LocalSpark.files(sparkIndex);
        final LocalSpark.Cli fresh = LocalSpark.cli("index", "--index", sparkIndex.toString(), a.toString());
        assertEquals(0, fresh.exit(), fresh::toString);
        assertTrue(fresh.err().contains("unchanged") || fresh.out().contains("unchanged"), fresh::toString);
        final TruthConn one = truthA.conns().stream().filter(c -> truthA.framesOf(c.uid()).size() > 3).findFirst().orElseThrow();
        final Path out = dir.resolve("one.pcap");
        final LocalSpark.Cli slice = LocalSpark.cli("slice", a.toString(), "--index", sparkIndex.toString(), "--conn", aConn.toString(),
            "--uid", one.uid(), "-w", out.toString());
        assertEquals(0, slice.exit(), slice::toString);
        assertEquals(truthA.framesOf(one.uid()).size(), PcapFile.read(out).records.size());
        // and the CLI's own index of a is the same files
        final Path cliIndex = dir.resolve("cli-indexes/a.pcap.scalpel");
        assertEquals(0, LocalSpark.cli("index", "--index", cliIndex.toString(), a.toString()).exit());
        assertSameFiles(LocalSpark.files(cliIndex), before);

        // b: indexed by the CLI; the join uses it (it never builds one)
        assertEquals(0, LocalSpark.cli("index", b.toString()).exit());
        final Map<String, byte[]> cliB = LocalSpark.files(dir.resolve("b.pcap.scalpel"));
        final List<Row> index = ScalpelSpark.index(spark, List.of(b.toString()), SparkOptions.defaults()).collectAsList();
        assertEquals("unchanged", index.get(0).getAs("mode"));
        final String first = truthB.conns().get(0).uid();
        final List<Row> packets = ScalpelSpark.packets(conn(bConn, b).where(col("uid").equalTo(first)), SparkOptions.defaults())
            .collectAsList();
        assertEquals(truthB.framesOf(first).size(), packets.size(), packets::toString);
        final Map<String, byte[]> after = LocalSpark.files(dir.resolve("b.pcap.scalpel"));
        assertEquals(cliB.keySet(), after.keySet(), "nothing written by Spark");
    }

    @Test
    void shouldRefuseAConnDataFrameWithoutTheJoinsColumns() {
        final Dataset<Row> noTuple = spark.sql("select 'C1' as uid, '1.0' as ts, '/x.pcap' as capture");
        final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> ScalpelSpark.packets(noTuple, SparkOptions.defaults()));
        assertTrue(e.getMessage().startsWith("the conn DataFrame needs uid and id.orig_h, id.orig_p, id.resp_h, id.resp_p, proto (or"
            + " community_id instead)"), e.getMessage());
        final Dataset<Row> noCapture = spark.sql("select 'C1' as uid, 'C' as community_id");
        final IllegalArgumentException c = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> ScalpelSpark.packets(noCapture, SparkOptions.defaults()));
        assertTrue(c.getMessage().startsWith("the conn DataFrame has no column capture"), c.getMessage());
        final IllegalArgumentException s = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> ScalpelSpark.index(spark, List.of("s3a://bucket/x.pcap"), SparkOptions.defaults()));
        assertTrue(s.getMessage().contains("only local paths and file: URIs"), s.getMessage());
    }

    @Test
    void shouldRunTheMainClassThatSparkSubmitRuns() throws Exception {
        final Path captures = Files.createDirectories(dir.resolve("captures"));
        final Path capture = captures.resolve("trace.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = generate(9107, capture, conn);
        Files.write(captures.resolve("notes.txt"), "not a capture".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final Path root = dir.resolve("indexes");

        final java.io.StringWriter out = new java.io.StringWriter();
        final java.io.StringWriter err = new java.io.StringWriter();
        assertEquals(ScalpelSparkMain.OK, ScalpelSparkMain.run(spark, new java.io.PrintWriter(out), new java.io.PrintWriter(err), "index",
            "--index-root", root.toString(), captures.toString()), err::toString);
        final List<String> lines = out.toString().lines().toList();
        assertEquals(1, lines.size(), "one report line per capture of the directory: " + lines);
        assertTrue(lines.get(0).contains("\"mode\":\"built\"") && lines.get(0).contains("\"packets\":" + truth.frames().size()),
            lines::toString);
        assertTrue(Files.isRegularFile(root.resolve("trace.pcap.scalpel/manifest.json")));
        final Map<String, byte[]> inline = LocalSpark.files(root.resolve("trace.pcap.scalpel"));
        final java.io.StringWriter rebuilt = new java.io.StringWriter();
        assertEquals(ScalpelSparkMain.OK, ScalpelSparkMain.run(spark, new java.io.PrintWriter(rebuilt), new java.io.PrintWriter(err), "index",
            "--index-root", root.toString(), "--rebuild", "--writer-threads", "2", captures.toString()), err::toString);
        assertTrue(rebuilt.toString().contains("\"mode\":\"rebuilt\""), rebuilt::toString);
        assertSameFiles(inline, LocalSpark.files(root.resolve("trace.pcap.scalpel")));

        final Path split = dir.resolve("split");
        final java.io.StringWriter extracted = new java.io.StringWriter();
        assertEquals(ScalpelSparkMain.OK, ScalpelSparkMain.run(spark, new java.io.PrintWriter(extracted), new java.io.PrintWriter(err),
            "extract", "--conn", conn.toString(), "--capture", capture.toString(), "--split-dir", split.toString(), "--index-root",
            root.toString(), "--format", "pcapng", "--partitions", "2"), err::toString);
        final long withFrames = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).count();
        try (java.util.stream.Stream<Path> files = Files.list(split)) {
            assertEquals(withFrames, files.filter(f -> f.toString().endsWith(".pcapng")).count(), extracted::toString);
        }

        final java.io.StringWriter usage = new java.io.StringWriter();
        assertEquals(ScalpelSparkMain.USAGE, ScalpelSparkMain.run(spark, new java.io.PrintWriter(out), new java.io.PrintWriter(usage),
            "index", "--rebuilt", captures.toString()));
        assertEquals("scalpel-spark: unknown option --rebuilt\n", usage.toString());
        final java.io.StringWriter threads = new java.io.StringWriter();
        assertEquals(ScalpelSparkMain.USAGE, ScalpelSparkMain.run(spark, new java.io.PrintWriter(out), new java.io.PrintWriter(threads),
            "index", "--writer-threads", "3", captures.toString()));
        assertEquals("scalpel-spark: --writer-threads must be 0, 1 or 2, not 3\n", threads.toString());
        assertEquals(IndexBuilder.INLINE_WRITER, SparkOptions.defaults().writerThreads(),
            "no writer thread: a task uses one core, the task slots are the parallelism");
        assertEquals(IndexBuilder.INLINE_WRITER, SparkOptions.defaults().indexOptions().writerThreads(), "what each task builds with");
        final IllegalArgumentException three = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> SparkOptions.defaults().withWriterThreads(3));
        assertEquals("an index build writes with 0, 1 or 2 writer threads, not 3", three.getMessage());
        final java.io.StringWriter failed = new java.io.StringWriter();
        assertEquals(ScalpelSparkMain.BAD_INPUT, ScalpelSparkMain.run(spark, new java.io.PrintWriter(failed), new java.io.PrintWriter(err),
            "index", dir.resolve("missing.pcap").toString()));
        assertTrue(failed.toString().contains("no such file"), failed::toString);
    }

    /** The same file names, each with the same bytes. */
    private static void assertSameFiles(final Map<String, byte[]> expected, final Map<String, byte[]> got) {
        assertEquals(expected.keySet(), got.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), got.get(name), name);
        }
    }

    /** The rows of a TSV conn.log, each to be sliced against {@code capture}. */
    private static Dataset<Row> conn(final Path log, final Path capture) {
        return ScalpelSpark.readZeekTsv(spark, log.toString()).withColumn("capture", lit(capture.toString()));
    }

    /** The packet rows (errors left out) of each uid, in the order they came. */
    private static Map<String, List<Row>> byUid(final List<Row> rows) {
        final Map<String, List<Row>> m = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.getAs("error") == null) {
                m.computeIfAbsent(r.getAs("uid"), k -> new ArrayList<>()).add(r);
            }
        }
        return m;
    }
}
