package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.TestTags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scalpel follow against a real Kafka broker (Apache Kafka's own, in this JVM) while a capture
 * grows: every uid's extract is exactly its frames as the generator's truth has them, whatever
 * shape its conn record came in; other logs are ignored and counted, bad records skipped; a kill
 * -9 mid-stream and a restart lose no uid and leave none with two files or a frame twice.
 */
@Tag(TestTags.E2E)
class FollowKafkaTest {
    @TempDir
    static Path brokerDir;
    private static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static GeneratorSpec spec(final long seed, final int connections) {
        return GeneratorSpec.defaults(seed).withConnections(connections).withReuseTuples(true).withVlan(true);
    }

    @Test
    void shouldWriteEveryUidsFramesAsZeekLogsItInEveryShape() throws Exception {
        final LiveScenario scenario = new LiveScenario(dir, spec(4242, 150));
        broker.createTopic("zeek", 2);
        final Path live = dir.resolve("live.pcap");
        final Path split = dir.resolve("split");
        final ZeekKafkaWriter writer = new ZeekKafkaWriter(scenario, dir);
        scenario.startLive(live);
        final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
        final List<Map<String, Object>> statuses = Collections.synchronizedList(new ArrayList<>());
        final FollowCounters counters = new FollowCounters();
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer();
             KafkaConnSource source = new KafkaConnSource(broker.bootstrap(), List.of("zeek"), "g1", Map.of(),
                 Duration.ofSeconds(30), warnings::add, counters)) {
            final Future<ZeekKafkaWriter.Sent> sent = pool.submit(() -> writer.run(producer, "zeek", live, 40, 60));
            final Future<?> followed = pool.submit(() -> {
                Follower.prepare(split);
                new Follower(settings(live, split), Duration.ofMillis(200), source, counters, listener(warnings, statuses))
                    .run(() -> false);
                return null;
            });
            final ZeekKafkaWriter.Sent s = sent.get(2, TimeUnit.MINUTES);
            followed.get(2, TimeUnit.MINUTES);
            assertEquals(List.of(), scenario.problems(split), "extracts against the truth");
            assertEquals(s.conns() + 1, counters.conns + counters.bad - 1, "every conn record read (one bad conn record among them)");
            assertEquals(s.otherLogs(), counters.otherLogs, "records of other logs, ignored and counted");
            assertEquals(s.bad(), counters.bad, "bad records: " + warnings);
            assertTrue(warnings.stream().anyMatch(w -> w.matches("topic zeek partition \\d offset \\d+: not JSON .*\\(record skipped\\)")),
                () -> "the bad record named by its partition and offset: " + warnings);
            assertEquals(scenario.uidsWithFrames(), counters.extracts, "one extract per uid with frames");
            final Map<String, Object> last = statuses.get(statuses.size() - 1);
            assertEquals(0, last.get("pending"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldLoseNoUidAndWriteNoneTwiceAcrossAKillMidStream() throws Exception {
        final LiveScenario scenario = new LiveScenario(dir, spec(777, 160));
        broker.createTopic("zeek-kill", 2);
        final Path live = dir.resolve("live.pcap");
        final Path split = dir.resolve("split");
        final ZeekKafkaWriter writer = new ZeekKafkaWriter(scenario, dir);
        scenario.startLive(live);
        final String[] args = {live.toString(), "--kafka", broker.bootstrap(), "--topic", "zeek-kill", "--group", "g-kill",
            "--split-dir", split.toString(), "--idle-grace", "2", "--index-interval", "0.2", "--json", "--status-every", "1",
            // The killed consumer's partitions go to the restarted one once its session has expired.
            "--kafka-option", "session.timeout.ms=6000", "--kafka-option", "heartbeat.interval.ms=1000"};
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
            final Process first = FollowMain.start(dir.resolve("first.out"), dir.resolve("first.err"), args);
            final Future<ZeekKafkaWriter.Sent> sent = pool.submit(() -> writer.run(producer, "zeek-kill", live, 100, 100));
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (extracts(split) < 20 && first.isAlive() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            final long before = extracts(split);
            assertTrue(first.isAlive(), () -> "the first run is still following: " + read(dir.resolve("first.err")));
            assertTrue(before >= 20, "the first run wrote extracts before it was killed");
            assertTrue(!sent.isDone(), "killed mid-stream, while records and frames still come");
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no last commit
            assertTrue(first.waitFor(1, TimeUnit.MINUTES));

            final String[] again = java.util.Arrays.copyOf(args, args.length + 2);
            again[args.length] = "--exit-idle";
            again[args.length + 1] = "4";
            final Process second = FollowMain.start(dir.resolve("second.out"), dir.resolve("second.err"), again);
            sent.get(2, TimeUnit.MINUTES);
            assertTrue(second.waitFor(2, TimeUnit.MINUTES), "the restarted run stops once everything is quiet");
            assertEquals(0, second.exitValue(), () -> read(dir.resolve("second.err")));
            assertEquals(List.of(), scenario.problems(split), () -> "extracts against the truth after a kill -9 and a restart; "
                + read(dir.resolve("second.err")));
            final List<String> status = Files.readAllLines(dir.resolve("second.out"));
            assertTrue(status.get(status.size() - 1).contains("\"pending\":0"), () -> "the last status: " + status);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long extracts(final Path split) throws java.io.IOException {
        if (!Files.isDirectory(split)) {
            return 0;
        }
        try (var files = Files.list(split)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcap")).count();
        }
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static FollowSettings settings(final Path live, final Path split) {
        return new FollowSettings(live, Scalpel.Options.defaults(), split, Duration.ofSeconds(2), Duration.ofSeconds(600),
            100_000, Duration.ZERO, Duration.ofSeconds(3), 1000);
    }

    static Follower.Listener listener(final List<String> warnings, final List<Map<String, Object>> statuses) {
        return new Follower.Listener() {
            @Override
            public void warning(final String message) {
                warnings.add(message);
            }

            @Override
            public void status(final Map<String, Object> status) {
                statuses.add(status);
            }
        };
    }
}
