package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.PcapFile;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scalpel follow over a directory that gains rotated captures, as {@code tcpdump -G} leaves them:
 * each file grows, then the next one is started; conn records (a growing conn.log) arrive as
 * their frames are written. Every uid's extract, across the files, is its frames as the
 * generator's truth has them.
 */
class FollowCaptureSetTest {
    @TempDir
    Path dir;

    @Test
    void shouldFollowADirectoryThatGainsRotatedFiles() throws Exception {
        final LiveScenario scenario = new LiveScenario(dir, GeneratorSpec.defaults(515).withConnections(90));
        final Path pieces = Files.createDirectories(dir.resolve("pieces"));
        final List<RotatedCaptures.Piece> cut = RotatedCaptures.cutEvenly(scenario.full, scenario.truth, pieces, "trace-%02d.%s",
            false, false, false);
        // Where each uid's last frame is: its file, and the end of its record there.
        final Map<String, long[]> end = new HashMap<>();
        for (int k = 0; k < cut.size(); k++) {
            final RotatedCaptures.Piece p = cut.get(k);
            for (int i = 0; i < p.frames().size(); i++) {
                final TruthFrame f = p.frames().get(i);
                final long[] at = {k, p.offsets().get(i) + f.recordLength()};
                for (String uid : f.uids()) {
                    end.merge(uid, at, (a, b) -> a[0] > b[0] || (a[0] == b[0] && a[1] > b[1]) ? a : b);
                }
            }
        }
        final List<TruthConn> order = new ArrayList<>(scenario.truth.conns());
        order.sort((a, b) -> {
            final long[] x = end.getOrDefault(a.uid(), new long[] {Long.MAX_VALUE, 0});
            final long[] y = end.getOrDefault(b.uid(), new long[] {Long.MAX_VALUE, 0});
            return x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]);
        });
        final Map<String, String> json = scenario.jsonLines(dir, io.scalpel.testdata.ConnLogForms.Ts.EPOCH_SECONDS);
        final Path captures = Files.createDirectories(dir.resolve("captures"));
        final Path conn = dir.resolve("conn.log");
        Files.createFile(conn);
        // The first file's header is there when the follower starts.
        final byte[] first = Files.readAllBytes(cut.get(0).file());
        Files.write(captures.resolve("trace-00.pcap"), java.util.Arrays.copyOf(first, PcapFile.FILE_HEADER_LENGTH));
        final Path split = dir.resolve("split");
        Follower.prepare(split);
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            final Future<?> sensor = pool.submit(() -> {
                int next = 0;
                for (int k = 0; k < cut.size(); k++) {
                    final byte[] bytes = Files.readAllBytes(cut.get(k).file());
                    final Path file = captures.resolve(cut.get(k).file().getFileName());
                    long written = k == 0 ? PcapFile.FILE_HEADER_LENGTH : 0;
                    final int steps = 8;
                    for (int s = 1; s <= steps; s++) {
                        final long to = s == steps ? bytes.length : Math.min(bytes.length, written + bytes.length / steps + 3);
                        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                            out.write(bytes, (int) written, (int) (to - written));
                        }
                        written = to;
                        final List<String> rows = new ArrayList<>();
                        while (next < order.size()) {
                            final long[] at = end.get(order.get(next).uid());
                            if (at != null && (at[0] > k || (at[0] == k && at[1] > written))) {
                                break;
                            }
                            rows.add(json.get(order.get(next++).uid()));
                        }
                        Files.write(conn, rows, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                        TimeUnit.MILLISECONDS.sleep(80);
                    }
                }
                final List<String> rest = new ArrayList<>();
                while (next < order.size()) {
                    rest.add(json.get(order.get(next++).uid()));
                }
                Files.write(conn, rest, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                return null;
            });
            final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
            final FollowCounters counters = new FollowCounters();
            final Future<?> followed = pool.submit(() -> {
                try (ConnLogTail tail = new ConnLogTail(conn, split, warnings::add, counters)) {
                    new Follower(new FollowSettings(captures, Scalpel.Options.defaults(), split, Duration.ofSeconds(2),
                        Duration.ofSeconds(600), 100_000, Duration.ZERO, Duration.ofSeconds(3), 1000), Duration.ofMillis(200), tail,
                        counters, FollowKafkaTest.listener(warnings, new ArrayList<>())).run(() -> false);
                }
                return null;
            });
            sensor.get(2, TimeUnit.MINUTES);
            followed.get(2, TimeUnit.MINUTES);
            assertEquals(List.of(), scenario.problems(split), "extracts against the truth; warnings: " + warnings);
            assertEquals(scenario.uidsWithFrames(), counters.extracts);
            assertTrue(Files.isDirectory(captures.resolve(".scalpel")), "the set's index, beside its files");
        } finally {
            pool.shutdownNow();
        }
    }
}
