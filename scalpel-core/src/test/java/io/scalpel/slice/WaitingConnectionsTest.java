package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.extract.OutputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connections waiting to be handed on in time order, a few in memory and the rest in runs of a
 * temporary file, against the same connections sorted by {@link Connection#compareByTime}: taken
 * out all at the end, and taken out as a stream does (those before a time that every later one
 * comes after), with ties on time and source; the file removed at the close; a directory it cannot
 * write in named in the error.
 */
class WaitingConnectionsTest {
    @TempDir
    Path dir;

    @Test
    void shouldHandThemOutInTimeOrderFromMemoryAndRuns() throws IOException {
        final Random random = new Random(17);
        final List<Connection> added = new ArrayList<>();
        final List<Connection> out = new ArrayList<>();
        long spilled;
        try (WaitingConnections waiting = new WaitingConnections(dir, 7)) {
            for (int block = 0; block < 40; block++) {
                // block k starts from k * 100 on; every later block from (k + 1) * 100
                for (int i = random.nextInt(60); i > 0; i--) {
                    final Connection c = connection(random, block * 100L + random.nextInt(300));
                    added.add(c);
                    waiting.add(c);
                }
                for (Connection c = waiting.peek(); c != null && c.firstTs() < (block + 1) * 100L; c = waiting.peek()) {
                    out.add(waiting.poll());
                }
            }
            for (Connection c = waiting.poll(); c != null; c = waiting.poll()) {
                out.add(c);
            }
            assertNull(waiting.peek());
            assertEquals(0, waiting.size());
            spilled = waiting.spilled();
        }
        added.sort(Connection::compareByTime);
        assertEquals(added, out);
        assertTrue(spilled > added.size() / 2, "spilled " + spilled + " of " + added.size());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the temporary file left behind");
        }
    }

    /**
     * A full sort by bytes, three in memory at a time: over 160 runs are written, the shortest
     * merged whenever there are more than {@link WaitingConnections#MOST_RUNS}, and every
     * connection comes out in the order a stable sort of the list gives (ties as added).
     */
    @Test
    void shouldSortByAnotherOrderThroughMergedRuns() throws IOException {
        final Random random = new Random(23);
        final java.util.Comparator<Connection> byBytes =
            java.util.Comparator.comparingLong(Connection::bytes).reversed().thenComparing(Connection::compareByTime);
        final List<Connection> added = new ArrayList<>();
        final List<Connection> out = new ArrayList<>();
        int mostRuns = 0;
        try (WaitingConnections sorted = new WaitingConnections(dir, 3, byBytes)) {
            for (int i = 0; i < 2_000; i++) {
                // few byte counts and times: many ties, some complete
                final Connection c = connection(random, random.nextInt(20));
                final Connection tied = new Connection(c.ipVersion(), c.protocol(), c.srcHi(), c.srcLo(), c.srcPort(), c.dstHi(), c.dstLo(),
                    c.dstPort(), c.vlan(), c.innerVlan(), c.depth(), c.firstTs(), c.lastTs(), c.packets(), 100 + random.nextInt(4),
                    c.established(), c.opensWithSyn());
                added.add(tied);
                sorted.add(tied);
                mostRuns = Math.max(mostRuns, sorted.runs());
            }
            assertTrue(sorted.spilled() > 1_900, "spilled " + sorted.spilled());
            for (Connection c = sorted.poll(); c != null; c = sorted.poll()) {
                out.add(c);
            }
        }
        assertTrue(mostRuns <= WaitingConnections.MOST_RUNS, "runs read from at once: " + mostRuns);
        added.sort(byBytes);
        assertEquals(added, out);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the temporary file left behind");
        }
    }

    /** Connections equal in time order come out by the sequence numbers they were added with, not as added. */
    @Test
    void shouldOrderEqualsByTheirSequenceNumbers() throws IOException {
        final Random random = new Random(29);
        final List<Connection> added = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            final Connection c = connection(random, 7);
            added.add(new Connection(4, 6, 0, 1, 1, 0, 2, 2, -1, -1, 0, 7, 8, 1 + i, 60, false, false));
            added.add(c);
        }
        final List<Connection> out = new ArrayList<>();
        try (WaitingConnections waiting = new WaitingConnections(dir, 4)) {
            for (int i = added.size() - 1; i >= 0; i--) {
                waiting.add(added.get(i), i);
            }
            for (Connection c = waiting.poll(); c != null; c = waiting.poll()) {
                out.add(c);
            }
        }
        final List<Connection> expected = new ArrayList<>(added);
        expected.sort(Connection::compareByTime);
        assertEquals(expected, out);
    }

    @Test
    void shouldNameTheTemporaryDirectoryItCannotWriteIn() throws IOException {
        final Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        try (WaitingConnections waiting = new WaitingConnections(notADirectory, 2)) {
            final Random random = new Random(3);
            waiting.add(connection(random, 1));
            waiting.add(connection(random, 2));
            final OutputException e = assertThrows(OutputException.class, () -> waiting.add(connection(random, 3)));
            assertTrue(e.getMessage().startsWith("cannot write " + notADirectory + ": "), e.getMessage());
        }
    }

    /** A connection starting at {@code first}, from one of a few sources (so that times and sources tie), to one of many destinations. */
    private static Connection connection(final Random random, final long first) {
        return new Connection(4, random.nextBoolean() ? 6 : 17, 0, random.nextInt(3), random.nextInt(2), 0, random.nextInt(1000),
            random.nextInt(5), random.nextInt(3) - 1, -1, random.nextInt(2), first, first + random.nextInt(3), 1 + random.nextInt(9),
            60 + random.nextInt(1500), random.nextBoolean(), random.nextBoolean());
    }
}
