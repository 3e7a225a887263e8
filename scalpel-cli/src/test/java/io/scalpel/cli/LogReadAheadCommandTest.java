package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slice by uid searches its conn.log while the index opens: when both fail, the index's failure
 * is reported exactly as when the log is sound (the same line, the same exit code), nothing is
 * written, and the log's thread is gone once the command returns; when only the log fails, its
 * failure is reported. Oracle: the same command with a sound log, and with a sound index.
 */
class LogReadAheadCommandTest {
    private static final String READ_AHEAD_THREAD = "scalpel-log-read-ahead";

    @TempDir
    Path dir;
    Path capture;
    Path conn;
    Path brokenLog;
    String uid;

    @BeforeEach
    void indexTheSample() throws IOException {
        final Path[] sample = Cli.sample(dir);
        capture = sample[0];
        conn = sample[1];
        assertEquals(0, Cli.run("index", "-q", capture.toString()).exit());
        uid = Files.readAllLines(conn).stream().filter(l -> !l.startsWith("#")).findFirst().orElseThrow().split("\t")[1];
        // data before any header, then a header: refused at its first line
        brokenLog = Files.writeString(dir.resolve("broken-conn.log"), "1.0\t" + uid + "\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\n#fields\tts\tuid\n");
    }

    private Cli slice(final Path log, final Path out) {
        return Cli.run("slice", capture.toString(), "--conn", log.toString(), "--uid", uid, "-w", out.toString());
    }

    private static boolean readAheadThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(READ_AHEAD_THREAD) && t.isAlive());
    }

    @Test
    void shouldReportTheIndexsFailureAsBeforeWhenTheLogFailsTooAndLeaveNoOutputNorThread() throws IOException {
        final Cli logFails = slice(brokenLog, dir.resolve("log-fails.pcap"));
        assertEquals(ExitCode.BAD_INPUT.code(), logFails.exit(), logFails::toString);
        assertTrue(logFails.err().contains(brokenLog.toString()) && logFails.err().contains("line 1"), logFails::toString);

        Files.writeString(dir.resolve("sample.pcap.scalpel").resolve("manifest.json"), "{ not a manifest");
        final Cli indexFails = slice(conn, dir.resolve("index-fails.pcap"));
        assertEquals(ExitCode.BAD_INPUT.code(), indexFails.exit(), indexFails::toString);
        assertTrue(indexFails.err().contains("manifest.json"), indexFails::toString);

        final Path out = dir.resolve("both-fail.pcap");
        final Cli both = slice(brokenLog, out);
        assertEquals(indexFails.exit(), both.exit(), both::toString);
        assertEquals(indexFails.err(), both.err(), "the index's failure, worded as when the log is sound");
        assertEquals("", both.out());
        assertTrue(Files.notExists(out), "nothing written");
        assertTrue(Files.notExists(dir.resolve("index-fails.pcap")), "nothing written");
        assertTrue(!readAheadThreadAlive(), "the log's search has ended when the command returns");
    }

    @Test
    void shouldStopTheLogsSearchStartedFromTheArgumentsWhenTheCommandLineIsRefused() throws IOException {
        // a log whose every line holds the uid and is refused by the parser: read for far longer than a command line is parsed
        final StringBuilder slow = new StringBuilder(Files.readString(conn));
        for (int i = 0; i < 300_000; i++) {
            slow.append("x\t").append(uid).append('\n');
        }
        final Path slowLog = Files.writeString(dir.resolve("slow-conn.log"), slow);
        final Path out = dir.resolve("refused.pcap");
        final Cli refused = Cli.run("slice", capture.toString(), "--conn", slowLog.toString(), "--uid", uid, "-w", out.toString(),
            "--no-such-option");
        assertEquals(ExitCode.USAGE.code(), refused.exit(), refused::toString);
        assertTrue(refused.err().contains("--no-such-option"), refused::toString);
        assertTrue(Files.notExists(out), "nothing written");
        assertTrue(!readAheadThreadAlive(), "the log's search, started before the arguments were parsed, has ended");

        final Cli other = Cli.run("slice", capture.toString(), "--conn", slowLog.toString(), "--uid", uid, "--flow", "tcp 10.0.0.1:1 10.0.0.2:2",
            "-w", out.toString());
        assertEquals(ExitCode.USAGE.code(), other.exit(), other::toString);
        assertTrue(Files.notExists(out), "nothing written");
        assertTrue(!readAheadThreadAlive(), "a request refused after parsing: the search has ended");
    }

    @Test
    void shouldReportALogNameThatIsNoPathInOneLineWithTheSearchStartedFromTheArguments() {
        final Path out = dir.resolve("no-path.pcap");
        final Cli c = Cli.run("slice", capture.toString(), "--conn", "conn\0.log", "--uid", uid, "-w", out.toString());
        assertEquals(ExitCode.USAGE.code(), c.exit(), c::toString);
        assertEquals(1, c.err().lines().count(), c::toString);
        assertTrue(c.err().startsWith("scalpel: "), c::toString);
        assertTrue(Files.notExists(out), "nothing written");
    }
}
