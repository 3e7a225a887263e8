package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tail of a growing conn.log (JSON lines here): a line is read once it ends, byte offsets are
 * the positions, a bad line is named by its byte offset, a renamed log is read to its end before
 * the new one, and a restart goes on from the checkpoint, in the renamed file when the rotation
 * came in between. The expected offsets are counted here from the lines written.
 */
class ConnLogTailTest {
    private static final Duration NO_WAIT = Duration.ZERO;

    @TempDir
    Path dir;

    private static String row(final String uid) {
        return "{\"ts\":1700000000.5,\"uid\":\"" + uid + "\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\","
            + "\"id.resp_p\":2,\"proto\":\"udp\",\"orig_pkts\":1,\"resp_pkts\":0}";
    }

    private static void append(final Path f, final String text) throws Exception {
        Files.writeString(f, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> uids(final List<Arrival> arrivals) {
        final List<String> u = new ArrayList<>();
        for (Arrival a : arrivals) {
            u.add(a.conn() == null ? null : a.conn().uid());
        }
        return u;
    }

    @Test
    void shouldReadALineOnceItEndsAndNameABadOneByItsOffset() throws Exception {
        final Path log = dir.resolve("conn.log");
        final String first = row("C1") + "\n";
        append(log, first + "{\"uid\":\"C2\", broken\n" + row("C3").substring(0, 20));
        final List<String> warnings = new ArrayList<>();
        final FollowCounters counters = new FollowCounters();
        try (ConnLogTail tail = new ConnLogTail(log, dir, warnings::add, counters)) {
            final List<Arrival> a = tail.poll(NO_WAIT);
            assertEquals(java.util.Arrays.asList("C1", null), uids(a), "the unfinished third line is not read yet");
            assertEquals(0, a.get(0).offset());
            assertEquals(first.length(), a.get(0).next());
            assertEquals(1, counters.bad);
            assertTrue(warnings.get(0).startsWith(log + ": byte offset " + first.length() + ": "), warnings.toString());
            append(log, row("C3").substring(20) + "\n");
            assertEquals(List.of("C3"), uids(tail.poll(NO_WAIT)));
            assertEquals(List.of(), tail.poll(NO_WAIT));
        }
    }

    @Test
    void shouldReadTheRenamedLogToItsEndThenTheNewOneAndResumeFromTheCheckpoint() throws Exception {
        final Path log = dir.resolve("conn.log");
        append(log, row("C1") + "\n");
        final FollowCounters counters = new FollowCounters();
        final List<String> warnings = new ArrayList<>();
        final Path state = Files.createDirectories(dir.resolve("state"));
        final Arrival c1;
        try (ConnLogTail tail = new ConnLogTail(log, state, warnings::add, counters)) {
            c1 = tail.poll(NO_WAIT).get(0);
            append(log, row("C2") + "\n");
            Files.move(log, dir.resolve("conn.08:00:00-09:00:00.log")); // the rotation, C2 not read yet
            append(log, row("C3") + "\n");
            final List<String> read = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                read.addAll(uids(tail.poll(NO_WAIT)));
            }
            assertEquals(List.of("C2", "C3"), read, "the renamed file to its end, then the new one");
            // Only C1 is done: the checkpoint stays in the renamed file, after C1.
            tail.commit(Map.of(c1.partition(), c1.next()));
        }
        final String checkpoint = Files.readString(state.resolve(ConnLogTail.CHECKPOINT));
        assertTrue(checkpoint.contains("\t" + c1.next() + "\t"), checkpoint);
        try (ConnLogTail again = new ConnLogTail(log, state, warnings::add, counters)) {
            final List<String> read = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                read.addAll(uids(again.poll(NO_WAIT)));
            }
            assertEquals(List.of("C2", "C3"), read, "a restart reads what was not done, in the renamed file first");
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldRefuseALogThatIsNotThere() {
        final NoSuchFileException e = assertThrows(NoSuchFileException.class,
            () -> new ConnLogTail(dir.resolve("nosuch.log"), dir, w -> { }, new FollowCounters()));
        assertEquals(dir.resolve("nosuch.log").toString(), e.getFile());
    }
}
