package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testing.PcapFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scalpel follow over a conn.log Zeek is writing (TSV) while the capture grows, with a rotation
 * (conn.log renamed, a new one opened) and a stop and restart after it: every uid's extract is
 * its frames as the generator's truth has them, and the restart goes on from the checkpoint
 * rather than from the start.
 */
class FollowConnTailTest {
    @TempDir
    Path dir;

    @Test
    void shouldFollowAGrowingConnLogAcrossARotationAndARestart() throws Exception {
        final LiveScenario scenario = new LiveScenario(dir, GeneratorSpec.defaults(99).withConnections(120).withReuseTuples(true));
        final Map<String, List<String>> tsv = scenario.tsv(dir);
        final List<String> header = tsv.get("#");
        final Path logs = Files.createDirectories(dir.resolve("logs"));
        final Path conn = logs.resolve("conn.log");
        final Path live = dir.resolve("live.pcap");
        final Path split = dir.resolve("split");
        scenario.startLive(live);
        Files.write(conn, header, StandardCharsets.UTF_8);
        Follower.prepare(split);

        final int steps = 40;
        final AtomicBoolean rotated = new AtomicBoolean();
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            final Future<Integer> writer = pool.submit(() -> {
                long written = PcapFile.FILE_HEADER_LENGTH;
                int next = 0;
                for (int s = 1; s <= steps; s++) {
                    final long to = s == steps ? scenario.captureLength()
                        : Math.min(scenario.captureLength(), written + (scenario.captureLength() - 24L) / steps + 5);
                    scenario.append(live, written, to);
                    written = to;
                    final List<String> rows = new ArrayList<>();
                    while (next < scenario.byEnd.size() && scenario.endOffset(scenario.byEnd.get(next)) <= written) {
                        rows.add(tsv.get(scenario.byEnd.get(next++).uid()).get(0));
                    }
                    Files.write(conn, rows, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                    if (s == steps / 2) {
                        // Zeek's rotation: the log closed and renamed, a new one opened with its header.
                        Files.writeString(conn, "#close\t2026-12-06-09-00-00\n", StandardOpenOption.APPEND);
                        Files.move(conn, logs.resolve("conn.2026-12-06-08-00-00.log"));
                        Files.write(conn, header, StandardCharsets.UTF_8);
                        rotated.set(true);
                    }
                    TimeUnit.MILLISECONDS.sleep(60);
                }
                final List<String> rest = new ArrayList<>();
                for (TruthConn c : scenario.byEnd.subList(next, scenario.byEnd.size())) {
                    rest.add(tsv.get(c.uid()).get(0));
                }
                Files.write(conn, rest, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                return scenario.byEnd.size();
            });
            // The first run stops (gracefully) a little after the rotation.
            final FollowCounters first = new FollowCounters();
            final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
            final long[] stopAt = {Long.MAX_VALUE};
            try (ConnLogTail tail = new ConnLogTail(conn, split, warnings::add, first)) {
                new Follower(settings(live, split, Duration.ZERO), Duration.ofMillis(200), tail, first,
                    FollowKafkaTest.listener(warnings, new ArrayList<>())).run(() -> {
                        if (rotated.get() && stopAt[0] == Long.MAX_VALUE) {
                            stopAt[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                        }
                        return System.nanoTime() > stopAt[0];
                    });
            }
            assertTrue(first.extracts > 0, "the first run wrote extracts");
            final FollowCounters second = new FollowCounters();
            final Future<?> restarted = pool.submit(() -> {
                try (ConnLogTail tail = new ConnLogTail(conn, split, warnings::add, second)) {
                    new Follower(settings(live, split, Duration.ofSeconds(3)), Duration.ofMillis(200), tail, second,
                        FollowKafkaTest.listener(warnings, new ArrayList<>())).run(() -> false);
                }
                return null;
            });
            final int rows = writer.get(2, TimeUnit.MINUTES);
            restarted.get(2, TimeUnit.MINUTES);
            assertEquals(List.of(), scenario.problems(split), "extracts against the truth; warnings: " + warnings);
            assertEquals(List.of(), warnings);
            assertTrue(second.conns < rows, "the restart went on from the checkpoint: it read " + second.conns + " of " + rows
                + " rows (the first run read " + first.conns + ")");
            assertTrue(first.conns + second.conns >= rows, "rows still waiting at the stop were not committed: read again");
        } finally {
            pool.shutdownNow();
        }
    }

    private static FollowSettings settings(final Path live, final Path split, final Duration exitIdle) {
        return new FollowSettings(live, Scalpel.Options.defaults(), split, Duration.ofSeconds(2), Duration.ofSeconds(600),
            100_000, Duration.ZERO, exitIdle, 1000);
    }
}
