package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.zeek.ConnLogFormatException;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnSelection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slice's conn.log read while its captures are opened: the slice says what a slice reading the log
 * itself says, in the same order, and writes the same packets; a failed read throws, where the rows
 * are taken, what reading the log throws; a read not taken is stopped and its thread ended. Oracles:
 * the lines the test broke in the generator's log and the generator's frames of each uid; for a
 * log that cannot be read, {@link ConnSelection#read} of the log on the test's own thread.
 */
class LogReadAheadTest {
    @TempDir
    Path dir;
    private Path capture;
    private Path zeekLog;
    private Generated truth;

    /** Keeps what a slice says, in order. */
    private static final class Said implements SliceListener {
        final List<String> warnings = new ArrayList<>();

        @Override
        public void warning(final String message) {
            warnings.add(message);
        }

        @Override
        public void note(final String message) {
            warnings.add("note: " + message);
        }
    }

    @BeforeEach
    void generate() throws IOException {
        capture = dir.resolve("trace.pcap");
        zeekLog = dir.resolve("zeek-conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(4411), capture, zeekLog);
    }

    private Scalpel.Options options() {
        return Scalpel.Options.defaults().withIndex(dir.resolve("idx"));
    }

    @Test
    void shouldSayTheLogsMalformedLinesInOrderAndWriteTheUidsPacketsWithTheLogReadAhead() throws IOException {
        // The uids of the log's last five rows: a wanted uid is searched for until its row is read, so the broken
        // lines that hold one, near the log's start, come before every wanted row.
        final List<String> rows = Files.readAllLines(zeekLog).stream().filter(l -> !l.startsWith("#")).toList();
        final List<String> uids = rows.subList(rows.size() - 5, rows.size()).stream().map(l -> l.split("\t")[1]).toList();
        final List<String> lines = new ArrayList<>();
        final List<Integer> broken = new ArrayList<>();
        for (String line : Files.readAllLines(zeekLog)) {
            lines.add(line);
            if (!line.startsWith("#") && broken.size() < 13) {
                lines.add("broken\t" + uids.get(0)); // found by the uid's bytes, then refused by the parser
                broken.add(lines.size()); // its line number, from 1
            }
        }
        final Path conn = Files.write(dir.resolve("conn.log"), lines);
        final SliceRequest request = SliceRequest.builder().conn(conn.toString()).uids(uids).write(dir.resolve("ahead.pcap")).build();

        final Said said = new Said();
        final SliceOutcome outcome;
        try (LogReadAhead ahead = LogReadAhead.start(request, options());
             Captures captures = Captures.open(capture, options())) {
            outcome = Slices.run(captures, request, said, ahead);
            assertTrue(ahead.ended(), "the read's thread has ended once its rows are taken");
        }
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(conn + " line " + broken.get(i));
        }
        assertEquals(expected, said.warnings.stream().filter(w -> w.endsWith("(line skipped)"))
            .map(w -> w.replaceFirst("^(.* line \\d+): .*$", "$1")).toList(), said.warnings::toString);
        assertEquals(List.of(conn + ": 3 more malformed lines skipped"), said.warnings.stream()
            .filter(w -> w.contains("more malformed lines")).toList());
        final long frames = uids.stream().mapToLong(u -> truth.framesOf(u).size()).sum();
        assertEquals(frames, outcome.packets());
        assertEquals(SliceOutcome.Status.OK, outcome.status());

        final Said own = new Said();
        final SliceRequest itself = SliceRequest.builder().conn(conn.toString()).uids(uids).write(dir.resolve("own.pcap")).build();
        try (Captures captures = Captures.open(capture, options())) {
            Slices.run(captures, itself, own);
        }
        assertEquals(own.warnings, said.warnings, "the same warnings as a slice reading the log itself, in its order");
        assertArrayEquals(Files.readAllBytes(dir.resolve("own.pcap")), Files.readAllBytes(dir.resolve("ahead.pcap")));
    }

    @Test
    void shouldThrowTheReadsFailureWhereTheRowsAreTaken() throws IOException {
        final Path conn = Files.writeString(dir.resolve("conn.log"), "1.0\tCabc\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\n"
            + "#fields\tts\tuid\n");
        final String uid = truth.conns().get(0).uid();
        final ConnLogFormatException own = assertThrows(ConnLogFormatException.class,
            () -> ConnSelection.read(conn.toString(), Set.of(uid), r -> false, ConnLogListener.IGNORE));
        final SliceRequest request = SliceRequest.builder().conn(conn.toString()).uids(List.of(uid)).write(dir.resolve("o.pcap")).build();
        try (LogReadAhead ahead = LogReadAhead.start(request, options());
             Captures captures = Captures.open(capture, options())) {
            final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> Slices.run(captures, request, new Said(), ahead));
            assertEquals(own.getMessage(), e.getMessage());
            assertTrue(ahead.ended());
        }
        assertTrue(Files.notExists(dir.resolve("o.pcap")), "nothing written");
    }

    @Test
    void shouldRefuseADamagedLookupFileAsASliceReadingTheLogItselfDoes() throws IOException {
        final String uid = truth.conns().get(0).uid();
        final SliceRequest request = SliceRequest.builder().conn(zeekLog.toString()).uids(List.of(uid)).write(dir.resolve("o.pcap")).build();
        try (Captures captures = Captures.open(capture, options())) {
            assertEquals(truth.framesOf(uid).size(), Slices.run(captures, request, new Said()).packets(), "the index is built");
        }
        final Path lookup = dir.resolve("idx").resolve(io.scalpel.index.IndexSchema.LOOKUP_FILE);
        final byte[] bytes = Files.readAllBytes(lookup);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(lookup, bytes);

        final IOException own;
        try (Captures captures = Captures.open(capture, options())) {
            own = assertThrows(IOException.class, () -> Slices.run(captures, request, new Said()));
        }
        assertTrue(own.getMessage().contains("lookup"), own::getMessage);
        try (LogReadAhead ahead = LogReadAhead.start(request, options());
             Captures captures = Captures.open(capture, options())) {
            final IOException e = assertThrows(IOException.class, () -> Slices.run(captures, request, new Said(), ahead));
            assertEquals(own.getClass(), e.getClass());
            assertEquals(own.getMessage(), e.getMessage());
        }
    }

    @Test
    void shouldStopAReadNotTakenAndEndItsThread() throws IOException {
        final String uid = truth.conns().get(0).uid();
        final SliceRequest request = SliceRequest.builder().conn(zeekLog.toString()).uids(List.of(uid)).write(dir.resolve("o.pcap")).build();
        final LogReadAhead ahead = LogReadAhead.start(request, options());
        ahead.close();
        assertTrue(ahead.ended(), "closed, its thread has ended");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("scalpel-log-read-ahead")));
        assertNull(ahead.take(zeekLog.toString(), Set.of(uid), new MalformedLines(zeekLog.toString(), new Said())),
            "a read closed gives no rows: the slice reads the log itself");
        try (Captures captures = Captures.open(capture, options())) {
            assertEquals(truth.framesOf(uid).size(), Slices.run(captures, request, new Said(), ahead).packets());
        }
    }

    @Test
    void shouldReadNothingAheadOfStandardInputEveryUidOrAnotherLog() throws IOException {
        final String uid = truth.conns().get(0).uid();
        final Path out = dir.resolve("o.pcap");
        final MalformedLines quiet = new MalformedLines("log", new Said());
        for (SliceRequest r : List.of(SliceRequest.builder().conn("-").uids(List.of(uid)).write(out).build(),
            SliceRequest.builder().conn(zeekLog.toString()).all(true).write(out).build(),
            SliceRequest.builder().flows(List.of("tcp 10.0.0.1:1 10.0.0.2:2")).write(out).build())) {
            try (LogReadAhead ahead = LogReadAhead.start(r, options())) {
                assertTrue(ahead.ended());
                assertNull(ahead.take(r.conn() == null ? "-" : r.conn(), r.uids(), quiet), r::toString);
            }
        }
        final SliceRequest one = SliceRequest.builder().conn(zeekLog.toString()).uids(List.of(uid)).write(out).build();
        try (LogReadAhead ahead = LogReadAhead.start(one, options())) {
            assertNull(ahead.take(zeekLog.toString(), Set.of(uid, "Cother"), quiet), "other uids: not this read's");
            assertNull(ahead.take(zeekLog + ".other", Set.of(uid), quiet), "another log: not this read's");
            assertEquals(Set.of(uid), ahead.take(zeekLog.toString(), Set.of(uid), quiet).rows().keySet());
        }
    }

    @Test
    void shouldReadNothingAheadOfANamedPipeOrAMissingLog() throws IOException, InterruptedException {
        final String uid = truth.conns().get(0).uid();
        final Path fifo = dir.resolve("conn.fifo");
        final Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("skipped: no mkfifo on this machine to make a named pipe (" + e.getMessage() + ")");
            return;
        }
        assertEquals(0, mkfifo.waitFor(), "mkfifo made the pipe");
        // a pipe with no writer: a read-ahead would block in its opening, where no interrupt reaches it
        for (Path log : List.of(fifo, dir.resolve("no-such.log"))) {
            final SliceRequest r = SliceRequest.builder().conn(log.toString()).uids(List.of(uid)).write(dir.resolve("o.pcap")).build();
            final LogReadAhead ahead = LogReadAhead.start(r, options());
            assertTrue(ahead.ended(), log + ": nothing read ahead");
            ahead.close();
            assertNull(ahead.take(log.toString(), Set.of(uid), new MalformedLines(log.toString(), new Said())), log::toString);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("scalpel-log-read-ahead")));
    }

    @Test
    void shouldGiveAReadStartedBeforeItsRequestToTheRequestThatAsksForItAndStopItOtherwise() throws IOException {
        final List<String> uids = truth.conns().stream().map(TruthConn::uid).limit(2).toList();
        final SliceRequest asked = SliceRequest.builder().conn(zeekLog.toString()).uids(uids).write(dir.resolve("o.pcap")).build();
        final MalformedLines quiet = new MalformedLines(zeekLog.toString(), new Said());

        final LogReadAhead early = LogReadAhead.start(zeekLog.toString(), List.of(uids.get(1), uids.get(0)), Scalpel.VlanKey.AS_LOGGED);
        try (LogReadAhead taken = early.orStart(asked, options())) {
            assertTrue(taken == early, "the same log, uids (in any order) and keying: the read under way");
            assertEquals(Set.copyOf(uids), taken.take(zeekLog.toString(), Set.copyOf(uids), quiet).rows().keySet(),
                "the rows of the uids, as the generator logged them");
        }

        final List<LogReadAhead> others = List.of(
            LogReadAhead.start(zeekLog.toString(), List.of(uids.get(0)), Scalpel.VlanKey.AS_LOGGED), // fewer uids
            LogReadAhead.start(zeekLog.toString(), uids, Scalpel.VlanKey.BLIND), // another keying
            LogReadAhead.start(capture.toString(), uids, Scalpel.VlanKey.AS_LOGGED)); // another file
        for (LogReadAhead other : others) {
            try (LogReadAhead own = other.orStart(asked, options())) {
                assertTrue(own != other, "not the read the request asks for");
                assertTrue(other.ended(), "the read not asked for is stopped, its thread ended");
                assertEquals(Set.copyOf(uids), own.take(zeekLog.toString(), Set.copyOf(uids), quiet).rows().keySet());
            }
        }

        final SliceRequest every = SliceRequest.builder().conn(zeekLog.toString()).all(true).write(dir.resolve("o.pcap")).build();
        final LogReadAhead early2 = LogReadAhead.start(zeekLog.toString(), uids, Scalpel.VlanKey.AS_LOGGED);
        try (LogReadAhead none = early2.orStart(every, options())) {
            assertTrue(early2.ended() && none.ended(), "every uid: nothing is read ahead");
        }
        try (LogReadAhead own = LogReadAhead.none().orStart(asked, options())) {
            assertTrue(own != LogReadAhead.none() && own.take(zeekLog.toString(), Set.copyOf(uids), quiet) != null,
                "a read of nothing: the request's own is started");
        }
    }
}
