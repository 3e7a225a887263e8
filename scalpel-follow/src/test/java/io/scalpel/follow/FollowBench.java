package io.scalpel.follow;

import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The measurement of docs/follow.md: {@code scalpel follow} reading N generated conn records from
 * Kafka (Apache Kafka's broker in this JVM) while the capture grows at a set rate, in a child JVM
 * of 256 MiB as a deployment runs it; then every uid's extract is checked against the generator's
 * truth. Each run is followed by its peer on the same finished capture: {@code scalpel index} then
 * {@code scalpel slice --all --split-dir} (what one does without follow), timed the same way.
 *
 * <p>Usage (from the project root, after {@code ./mvnw -B -q -o install -DskipTests}):
 * {@code java -Xmx6g -cp "$(cat scalpel-follow/target/test-classpath.txt):scalpel-follow/target/test-classes:scalpel-follow/target/classes"
 * io.scalpel.follow.FollowBench DIR CONNECTIONS MB_PER_SECOND RUNS}; the class path file is written by
 * {@code ./mvnw -B -q -o -pl scalpel-follow dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt}.
 */
public final class FollowBench {
    private static final Pattern NUMBER = Pattern.compile("\"%s\":(-?[0-9.]+|null)");

    private FollowBench() {
    }

    public static void main(final String[] args) throws Exception {
        final Path dir = Files.createDirectories(Path.of(args[0]));
        final int connections = Integer.parseInt(args[1]);
        final double rate = Double.parseDouble(args[2]) * 1e6;
        final int runs = Integer.parseInt(args[3]);
        long t = System.nanoTime();
        final LiveScenario scenario = new LiveScenario(dir, GeneratorSpec.defaults(20261206).withConnections(connections)
            .withMaxPayload(1400));
        System.out.printf(Locale.ROOT, "generated %d connections, %d frames, %.1f MB spanning %.1f s of capture time in %.1f s%n",
            scenario.truth.conns().size(), scenario.truth.frames().size(), scenario.captureLength() / 1e6,
            (scenario.truth.lastTsNanos() - scenario.truth.firstTsNanos()) / 1e9, (System.nanoTime() - t) / 1e9);
        final Path connJson = dir.resolve("conn.json");
        scenario.truth.writeConnLogJson(connJson);
        final ZeekKafkaWriter writer = new ZeekKafkaWriter(scenario, dir);
        final Path brokerDir = dir.resolve("broker");
        delete(brokerDir);
        try (KafkaBroker broker = KafkaBroker.start(Files.createDirectories(brokerDir))) {
            for (int r = 1; r <= runs; r++) {
                follow(scenario, writer, broker, dir.resolve("run-" + r), r, rate);
                peer(scenario, connJson, dir.resolve("peer-" + r));
            }
        }
        System.exit(0);
    }

    private static void follow(final LiveScenario scenario, final ZeekKafkaWriter writer, final KafkaBroker broker, final Path run,
                               final int r, final double rate) throws Exception {
        delete(run);
        Files.createDirectories(run);
        final String topic = "bench-" + r;
        broker.createTopic(topic, 2);
        final Path live = run.resolve("live.pcap");
        final Path split = run.resolve("split");
        scenario.startLive(live);
        final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), FollowMain.class.getName(), live.toString(),
            "--kafka", broker.bootstrap(), "--topic", topic, "--group", topic, "--split-dir", split.toString(), "--json",
            "--status-every", "1", "--idle-grace", "3", "--exit-idle", "5"))
            .redirectOutput(run.resolve("status.jsonl").toFile()).redirectError(run.resolve("follow.err").toFile()).start();
        final long started = System.nanoTime();
        TimeUnit.SECONDS.sleep(4); // the JVM and the consumer's join
        final long[] appended = {PcapFile.FILE_HEADER_LENGTH, 0};
        final long writing = System.nanoTime();
        // The capture grows at the set rate on a thread of its own, whatever the producer's pace.
        final Thread sensor = new Thread(() -> {
            try {
                final int chunk = 1 << 20;
                long written = PcapFile.FILE_HEADER_LENGTH;
                while (written < scenario.captureLength()) {
                    final long to = Math.min(scenario.captureLength(), written + chunk);
                    scenario.append(live, written, to);
                    written = to;
                    synchronized (appended) {
                        appended[0] = written;
                    }
                    final long wait = writing + (long) ((written - PcapFile.FILE_HEADER_LENGTH) / rate * 1e9) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                synchronized (appended) {
                    appended[1] = System.nanoTime();
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, "sensor");
        sensor.start();
        long hwm = 0;
        int next = 0;
        int others = 0;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
            while (next < scenario.byEnd.size()) {
                final long written;
                synchronized (appended) {
                    written = appended[0];
                }
                final boolean all = written >= scenario.captureLength();
                final int before = next;
                while (next < scenario.byEnd.size() && (all || scenario.endOffset(scenario.byEnd.get(next)) <= written)) {
                    final TruthConn c = scenario.byEnd.get(next);
                    ZeekKafkaWriter.send(producer, topic, writer.connRecord(next, c));
                    if (next % 4 == 0) {
                        ZeekKafkaWriter.send(producer, topic, ZeekKafkaWriter.otherLog(others++, c));
                    }
                    next++;
                }
                hwm = Math.max(hwm, anonymousRss(p.pid()));
                if (next == before) {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
            }
            producer.flush();
        }
        sensor.join();
        final double writeSeconds = (appended[1] - writing) / 1e9;
        while (p.isAlive()) {
            hwm = Math.max(hwm, anonymousRss(p.pid()));
            TimeUnit.MILLISECONDS.sleep(200);
        }
        final List<String> status = Files.readAllLines(run.resolve("status.jsonl"));
        final String last = status.get(status.size() - 1);
        // The time the last extract was written: the first status line with the final count.
        final long extracts = (long) value(last, "extracts");
        double lastExtractAt = 0;
        double maxHeap = 0;
        double maxHeld = 0;
        for (String line : status) {
            maxHeap = Math.max(maxHeap, value(line, "heap_used_mib"));
            maxHeld = Math.max(maxHeld, value(line, "heap_after_gc_mib"));
            if ((long) value(line, "extracts") == extracts && lastExtractAt == 0) {
                lastExtractAt = value(line, "seconds");
            }
        }
        final double followSeconds = lastExtractAt - (writing - started) / 1e9;
        final List<String> problems = scenario.problems(split);
        System.out.printf(Locale.ROOT, "follow run %d: capture %.1f MB written in %.2f s (%.1f MB/s), %d conn records sent; %d extracts"
                + " in %.2f s from the first byte (%.0f extracts/s); delay record->extract p50 %s ms, p99 %s ms; heap held after GC at most"
                + " %.0f MiB, heap used at most %.0f MiB (of 256), anonymous RSS at most %d MiB; %d index opens; exit %d; mismatches against the truth: %d%s%n",
            r, scenario.captureLength() / 1e6, writeSeconds, scenario.captureLength() / 1e6 / writeSeconds, next, extracts,
            followSeconds, extracts / followSeconds, text(last, "run_delay_p50_ms"), text(last, "run_delay_p99_ms"), maxHeld, maxHeap,
            hwm >> 10, (long) value(last, "index_opens"), p.exitValue(), problems.size(), problems.isEmpty() ? "" : " " + problems);
    }

    /** The peer: the finished capture indexed, then every uid of its conn.log sliced to a directory. */
    private static void peer(final LiveScenario scenario, final Path connJson, final Path run) throws Exception {
        delete(run);
        Files.createDirectories(run);
        final Path capture = run.resolve("capture.pcap");
        Files.deleteIfExists(capture);
        Files.createLink(capture, scenario.full);
        final long t = System.nanoTime();
        final int index = scalpel(run, "index", "-q", capture.toString());
        final int slice = scalpel(run, "slice", capture.toString(), "--conn", connJson.toString(), "--all", "--split-dir",
            run.resolve("split").toString());
        final double seconds = (System.nanoTime() - t) / 1e9;
        final List<String> problems = scenario.problems(run.resolve("split"));
        System.out.printf(Locale.ROOT, "peer: index + slice --all --split-dir of the finished capture: %.2f s (%.0f extracts/s);"
            + " exits %d, %d; mismatches against the truth: %d%n", seconds, scenario.uidsWithFrames() / seconds, index, slice,
            problems.size());
    }

    private static int scalpel(final Path run, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-XX:+UseParallelGC", "-jar", "scalpel-cli/target/scalpel.jar"));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectOutput(run.resolve(args[0] + ".out").toFile())
            .redirectError(run.resolve(args[0] + ".err").toFile()).start();
        return p.waitFor();
    }

    /** Deletes a run's directory left by an earlier bench. */
    private static void delete(final Path d) throws IOException {
        if (Files.exists(d)) {
            try (var files = Files.walk(d)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The process's resident memory that is not a mapped file (heap, stacks, JVM), KiB: the capture's pages are not counted. */
    private static long anonymousRss(final long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("RssAnon:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0; // the process has ended
        }
        return 0;
    }

    private static double value(final String json, final String key) {
        final String v = text(json, key);
        return v == null || v.equals("null") ? 0 : Double.parseDouble(v);
    }

    private static String text(final String json, final String key) {
        final Matcher m = Pattern.compile(String.format(NUMBER.pattern(), key)).matcher(json);
        return m.find() ? m.group(1) : null;
    }
}
