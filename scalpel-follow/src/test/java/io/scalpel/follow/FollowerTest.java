package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.zeek.ConnRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower's bounds, with records from a source in memory over a capture that never reaches
 * them (their ts lies a year after its last frame): reading pauses at the pending limit with one
 * warning and says so in the status line; a record that waited past the capture grace is counted
 * as without packets and named, and its position committed.
 */
class FollowerTest {
    @TempDir
    Path dir;

    /** Hands out {@code total} records, two a poll, unless paused; remembers what was committed. */
    private static final class MemorySource implements ConnSource {
        final List<ConnRecord> records;
        int next;
        boolean paused;
        int pausedPolls;
        long committed = -1;

        MemorySource(final List<ConnRecord> records) {
            this.records = records;
        }

        @Override
        public List<Arrival> poll(final Duration wait) {
            if (paused) {
                pausedPolls++;
                return List.of();
            }
            final List<Arrival> out = new ArrayList<>();
            final long now = System.nanoTime();
            for (int i = 0; i < 2 && next < records.size(); i++, next++) {
                out.add(new Arrival("mem", next, next + 1, records.get(next), now, now));
            }
            return out;
        }

        @Override
        public void pause(final boolean p) {
            paused = p;
        }

        @Override
        public void commit(final Map<String, Long> n) {
            committed = n.getOrDefault("mem", committed);
        }

        @Override
        public Set<String> revoked() {
            return Set.of();
        }

        @Override
        public long lag() {
            return records.size() - next;
        }

        @Override
        public String name() {
            return "memory";
        }

        @Override
        public void close() {
        }
    }

    private static List<ConnRecord> futureRecords(final int n) throws Exception {
        final List<byte[]> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(("{\"ts\":1800000000." + (100000 + i) + ",\"uid\":\"CFuture" + i + "\",\"id.orig_h\":\"10.9.9.9\",\"id.orig_p\":"
                + (1000 + i) + ",\"id.resp_h\":\"10.9.9.8\",\"id.resp_p\":53,\"proto\":\"udp\",\"orig_pkts\":1,\"resp_pkts\":1}")
                .getBytes(StandardCharsets.UTF_8));
        }
        final ZeekMessages.Parsed p = ZeekMessages.parse(List.of(), lines, "test");
        return List.of(p.records());
    }

    private Path capture() throws Exception {
        final Path capture = dir.resolve("cap.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(31), capture, dir.resolve("conn.log"));
        return capture;
    }

    @Test
    void shouldPauseReadingAtThePendingLimitAndSaySo() throws Exception {
        final MemorySource source = new MemorySource(futureRecords(20));
        final List<String> warnings = new ArrayList<>();
        final List<Map<String, Object>> statuses = new ArrayList<>();
        final Path split = dir.resolve("split");
        Follower.prepare(split);
        final FollowSettings settings = new FollowSettings(capture(), Scalpel.Options.defaults(), split, Duration.ofSeconds(600),
            Duration.ofSeconds(600), 5, Duration.ZERO, Duration.ZERO, 1000);
        new Follower(settings, Duration.ofMillis(100), source, new FollowCounters(), FollowKafkaTest.listener(warnings, statuses))
            .run(() -> source.pausedPolls >= 5);
        assertEquals(6, source.next, "read two a poll until 5 or more wait: 6");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("6 conn records wait for " + settings.capture() + " (--max-pending 5): reading memory"
            + " is paused until the capture catches up"), warnings.toString());
        final Map<String, Object> last = statuses.get(statuses.size() - 1);
        assertEquals(6, last.get("pending"));
        assertEquals(true, last.get("paused"));
        assertEquals(-1L, source.committed, "nothing is done, nothing committed");
    }

    @Test
    void shouldCountARecordTheCaptureNeverReachesAsWithoutPacketsAfterTheGrace() throws Exception {
        final MemorySource source = new MemorySource(futureRecords(3));
        final List<String> warnings = new ArrayList<>();
        final List<Map<String, Object>> statuses = new ArrayList<>();
        final Path split = dir.resolve("split");
        Follower.prepare(split);
        final FollowCounters counters = new FollowCounters();
        final FollowSettings settings = new FollowSettings(capture(), Scalpel.Options.defaults(), split, Duration.ofSeconds(600),
            Duration.ofSeconds(1), 100, Duration.ZERO, Duration.ZERO, 1000);
        new Follower(settings, Duration.ofMillis(100), source, counters, FollowKafkaTest.listener(warnings, statuses))
            .run(() -> counters.noPackets == 3);
        assertEquals(3, source.committed, "all three done: committed past them");
        assertEquals(0, counters.extracts);
        assertEquals(3, counters.early, "written before the capture reached them");
        assertEquals("uid CFuture0 (no packets in " + settings.capture() + ")", warnings.get(0));
        assertEquals(0, statuses.get(statuses.size() - 1).get("pending"));
    }
}
