package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The connections of captures read one after the other joined as they come, against the same
 * captures' connections joined in memory ({@link Connection#joined}, the oracle): captures that
 * overlap in time and follow one another with silences shorter and longer than the timeouts, keys
 * that come back (TCP and UDP, a SYN that starts a connection again), ties in time; three waiting
 * in memory, the rest in the temporary file; bounds of the later captures exact, loose and
 * unknown. A sink that wants no more stops it; the temporary file is gone at the end.
 */
class JoinedConnectionsTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldJoinAsTheListJoinedInMemoryDoes() throws IOException {
        for (int seed = 0; seed < 30; seed++) {
            final Random random = new Random(seed);
            final List<List<Connection>> captures = captures(random);
            final List<Connection> expected = Connection.joined(captures);
            for (int bound = 0; bound < 3; bound++) {
                final List<Connection> out = new ArrayList<>();
                final long spilled;
                try (JoinedConnections joined = new JoinedConnections(out::add, dir, 3)) {
                    read(joined, captures, bound);
                    joined.finish();
                    assertFalse(joined.stopped());
                }
                assertEquals(expected, out, "seed " + seed + ", bound " + bound);
                try (Stream<Path> left = Files.list(dir)) {
                    assertEquals(List.of(), left.toList(), "the temporary file left behind");
                }
            }
        }
    }

    /**
     * 5 000 connections of different keys, one a second over captures of ten minutes each: the
     * keys held open at once are those within a timeout of the one read, not every key.
     */
    @Test
    void shouldHoldOnlyTheKeysStillOpen() throws IOException {
        final List<List<Connection>> captures = new ArrayList<>();
        for (int k = 0; k < 5_000; k++) {
            if (k % 600 == 0) {
                captures.add(new ArrayList<>());
            }
            captures.get(captures.size() - 1).add(connection(17, k, k * SECOND, k * SECOND + SECOND / 2, false, false));
        }
        final List<Connection> out = new ArrayList<>();
        try (JoinedConnections joined = new JoinedConnections(out::add, dir, 3)) {
            read(joined, captures, 0);
            joined.finish();
            assertTrue(joined.mostOpen() <= 62, "keys open at once: " + joined.mostOpen());
        }
        assertEquals(Connection.joined(captures), out);
    }

    @Test
    void shouldStopWhenTheSinkWantsNoMore() throws IOException {
        final List<List<Connection>> captures = captures(new Random(5));
        final List<Connection> out = new ArrayList<>();
        try (JoinedConnections joined = new JoinedConnections(c -> out.add(c) && out.size() < 4, dir, 3)) {
            for (int k = 0; k < captures.size() && !joined.stopped(); k++) {
                joined.member(Long.MIN_VALUE);
                final List<Connection> inOrder = new ArrayList<>(captures.get(k));
                inOrder.sort(Connection::compareByTime);
                for (Connection c : inOrder) {
                    if (!joined.connection(c)) {
                        break;
                    }
                }
            }
            joined.finish();
            assertTrue(joined.stopped());
        }
        assertEquals(Connection.joined(captures).subList(0, 4), out);
    }

    /**
     * Hands {@code joined} the captures' connections in time order; before each capture the first
     * time of those after it: exact ({@code bound} 0), 30 s earlier (1), or unknown (2).
     */
    private static void read(final JoinedConnections joined, final List<List<Connection>> captures, final int bound) throws IOException {
        for (int k = 0; k < captures.size(); k++) {
            long later = Long.MAX_VALUE;
            for (int j = k + 1; j < captures.size(); j++) {
                for (Connection c : captures.get(j)) {
                    later = Math.min(later, c.firstTs());
                }
            }
            joined.member(bound == 2 ? Long.MIN_VALUE : bound == 1 && later != Long.MAX_VALUE ? later - 30 * SECOND : later);
            final List<Connection> inOrder = new ArrayList<>(captures.get(k));
            inOrder.sort(Connection::compareByTime);
            for (Connection c : inOrder) {
                assertTrue(joined.connection(c));
            }
        }
    }

    /**
     * A few captures, each starting a random while after the one before (sometimes before it
     * ends), of connections of a few keys (so that they come back, within a timeout and past it),
     * some starting at the same time.
     */
    private static List<List<Connection>> captures(final Random random) {
        final List<List<Connection>> captures = new ArrayList<>();
        long start = 1_700_000_000L * SECOND;
        for (int k = 2 + random.nextInt(5); k > 0; k--) {
            final List<Connection> capture = new ArrayList<>();
            final long length = (30 + random.nextInt(400)) * SECOND;
            for (int i = random.nextInt(40); i > 0; i--) {
                final long first = start + (random.nextInt(4) == 0 ? 0 : (long) (random.nextDouble() * length)) / SECOND * SECOND;
                final long last = first + random.nextInt(3) * random.nextInt(90) * SECOND;
                capture.add(connection(random.nextBoolean() ? 6 : 17, random.nextInt(6), first, last, random.nextBoolean(),
                    random.nextInt(3) == 0));
            }
            captures.add(capture);
            start += random.nextInt(3) == 0 ? length / 2 : length + random.nextInt(200) * SECOND;
        }
        return captures;
    }

    /** A connection of key {@code key} (both directions), its counts made from its times. */
    private static Connection connection(final int protocol, final int key, final long first, final long last, final boolean reversed,
                                         final boolean syn) {
        final long a = 0x0A00_0000L + key;
        final long b = 0xC0A8_0001L;
        final long frames = 1 + (last - first) / SECOND;
        return reversed
            ? new Connection(4, protocol, 0, b, 80, 0, a, 40_000 + key, -1, -1, 0, first, last, frames, frames * 60, !syn, syn)
            : new Connection(4, protocol, 0, a, 40_000 + key, 0, b, 80, -1, -1, 0, first, last, frames, frames * 60, !syn, syn);
    }
}
