package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large plain log searched ahead on several threads ({@link SplitLineSearch}), and by the reader's
 * thread alone: the numbers of the lines it reports and refuses far after the wanted row (where the
 * lines of the row's address are searched for without counting lines), against the line numbers
 * this test wrote them at; a later row of the key far after; when it searches ahead at all.
 */
class SplitLineSearchTest {
    private static final String WANTED = "CWanted00000000001";
    private static final String HEADER = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
        + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n";
    private static final int HEADER_LINES = 6;
    private static final int ROWS = 30_000;
    /** Pieces of 64 KiB on two threads, from the log's first byte: the log is about 70 pieces. */
    private static final SplitLineSearch.Plan SPLIT = new SplitLineSearch.Plan(1, 64 * 1024, 2, 1 << 17);
    /** From 256 KiB left, in pieces of 16 KiB: a count of fewer lines than that is made by the reader's thread alone. */
    private static final SplitLineSearch.Plan SPLIT_FROM_256K = new SplitLineSearch.Plan(256 * 1024, 16 * 1024, 2, 1 << 17);
    private static final SplitLineSearch.Plan ONE_THREAD = new SplitLineSearch.Plan(Long.MAX_VALUE, 1 << 22, 1, 1 << 17);

    @TempDir
    Path dir;

    /**
     * A log of {@value #ROWS} rows after {@link #HEADER}, the wanted uid's row at {@code wantedAt}
     * (0-based), each row {@code i} replaced by {@code replace[i]} where given.
     */
    private Path log(final int wantedAt, final java.util.Map<Integer, String> replace) throws IOException {
        final StringBuilder b = new StringBuilder(HEADER);
        for (int i = 0; i < ROWS; i++) {
            if (replace.containsKey(i)) {
                b.append(replace.get(i)).append('\n');
                continue;
            }
            final String uid = i == wantedAt ? WANTED : String.format("COther%012d", i);
            b.append(String.format("%d.000000\t%s\t10.1.%d.%d\t%d\t192.168.%d.%d\t443\ttcp\n", 1_700_000_000 + i, uid,
                i % 200, i / 200 % 200, 1024 + i % 50_000, i % 7, i % 250 + 1));
        }
        final Path log = dir.resolve("conn.log");
        Files.writeString(log, b);
        return log;
    }

    /** The line number of row {@code i} (0-based) in {@link #log}. */
    private static long lineOf(final int i) {
        return HEADER_LINES + i + 1L;
    }

    @ParameterizedTest(name = "wanted row {0}")
    @ValueSource(ints = {3, 14_000})
    void shouldReportAGarbledLineFarAfterTheWantedRowAtItsLine(final int wantedAt) throws IOException {
        // The wanted row's two addresses as written: the garbled line holds them, so it is parsed.
        final String orig = String.format("10.1.%d.%d", wantedAt % 200, wantedAt / 200 % 200);
        final String resp = String.format("192.168.%d.%d", wantedAt % 7, wantedAt % 250 + 1);
        final int garbledAt = 27_123;
        final Path log = log(wantedAt, java.util.Map.of(garbledAt, "1.0\tCGarbled000000001\t" + orig + "\t" + resp + "\tnot-a-port"));

        for (SplitLineSearch.Plan plan : List.of(SPLIT, SPLIT_FROM_256K, ONE_THREAD)) {
            final List<Long> reported = new ArrayList<>();
            final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of(WANTED), row -> false,
                (source, line, message) -> reported.add(line), plan);

            assertEquals(lineOf(wantedAt), r.rows().get(WANTED).line(), "the wanted row's line, " + plan);
            assertEquals(List.of(lineOf(garbledAt)), reported, "the garbled line's, " + plan);
        }
    }

    @Test
    void shouldFindALaterRowOfTheKeyFarAfterTheWantedRow() throws IOException {
        final int wantedAt = 500;
        final int laterAt = 25_001;
        final String later = String.format("%d.000000\tCLater000000000001\t192.168.%d.%d\t443\t10.1.%d.%d\t%d\ttcp", 1_700_100_000,
            wantedAt % 7, wantedAt % 250 + 1, wantedAt % 200, wantedAt / 200 % 200, 1024 + wantedAt % 50_000);
        final Path log = log(wantedAt, java.util.Map.of(laterAt, later));

        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of(WANTED), row -> false, ConnLogListener.IGNORE, SPLIT);

        assertEquals(1_700_100_000_000_000_000L, r.nextStart(r.rows().get(WANTED)), "the later row of the key, reversed");
        assertEquals(lineOf(wantedAt), r.rows().get(WANTED).line());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"#separator ", "#set_separator\t", "#fields\tts\tid.orig_h"})
    void shouldRefuseABrokenHeaderFarIntoTheLogAtItsLine(final String header) throws IOException {
        final int brokenAt = 21_000;
        final Path log = log(10, java.util.Map.of(brokenAt, header));

        for (SplitLineSearch.Plan plan : List.of(SPLIT, SPLIT_FROM_256K, ONE_THREAD)) {
            final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
                () -> ConnSelection.read(log.toString(), Set.of(WANTED), row -> false, ConnLogListener.IGNORE, plan));
            assertEquals(lineOf(brokenAt), e.line(), e.getMessage());
        }
    }

    @Test
    void shouldRefuseALogCutShortWhileItIsSearched() throws IOException {
        final Path log = log(ROWS - 5, java.util.Map.of());
        final long size = Files.size(log);
        try (ConnLogReader reader = ConnLogReader.open(log, ConnLogListener.IGNORE, ZeekLogKind.CONN, SPLIT)) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(size / 3); // after the log was opened and mapped, before it is searched
            }
            reader.sieve(LineSieve.of(Set.of(WANTED)));
            final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> {
                while (reader.next() != null) {
                    continue;
                }
            });
            assertEquals(0, e.line(), e.getMessage());
            assertEquals(log + ": cut short while it was read (" + size / 3 + " of the " + size + " bytes it had when opened);"
                + " read it again once it no longer changes", e.getMessage());
        }
    }

    @Test
    void shouldTakeAThreadMoreForEachCoreTheLoadLeavesFree() {
        final SplitLineSearch.Plan four = new SplitLineSearch.Plan(1, 1, 4, 1);
        assertEquals(2, four.forLoad(2, 0.3).threads(), "a quiet machine of two cores");
        assertEquals(2, four.forLoad(2, 1.4).threads(), "one of two cores busy, about");
        assertEquals(1, four.forLoad(2, 1.6).threads(), "both busy, about");
        assertEquals(1, four.forLoad(2, 8.0).threads(), "a loaded machine");
        assertEquals(4, four.forLoad(8, 1.0).threads(), "no more than the plan's own");
        assertEquals(4, four.forLoad(2, -1).threads(), "the load not known");
    }

    @Test
    void shouldSearchAheadOnlyOnTwoThreadsOrMoreAndFromItsSize() throws IOException {
        final Path file = dir.resolve("any.log");
        Files.write(file, new byte[1 << 20]);
        assertNull(SplitLineSearch.of(file, 1 << 20, "any.log", new SplitLineSearch.Plan((1 << 20) + 1, 1 << 16, 2, 10)), "too small");
        assertNull(SplitLineSearch.of(file, 1 << 20, "any.log", new SplitLineSearch.Plan(1, 1 << 16, 1, 10)), "one thread");
        assertNotNull(SplitLineSearch.of(file, 1 << 20, "any.log", new SplitLineSearch.Plan(1 << 20, 1 << 16, 2, 10)));
    }
}
