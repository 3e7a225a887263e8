package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel follow} as a subcommand: its refusals are one line with the exit code of
 * docs/cli.md's table, and a run over a finished capture and its conn.log writes what
 * {@code slice --all --split-dir} writes, file for file, then stops once everything is quiet.
 */
class FollowCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldAskForExactlyOneSource() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Cli none = Cli.run("follow", sample[0].toString(), "--split-dir", dir.resolve("out").toString());
        assertEquals(ExitCode.USAGE.code(), none.exit(), none.toString());
        assertTrue(none.err().startsWith("scalpel: Error: Missing required argument (specify one of these): (--kafka=BOOTSTRAP"
            + " | --conn-tail=FILE)"), none.toString());
        final Cli both = Cli.run("follow", sample[0].toString(), "--split-dir", dir.resolve("out").toString(), "--kafka",
            "127.0.0.1:9092", "--conn-tail", sample[1].toString());
        assertEquals(ExitCode.USAGE.code(), both.exit(), both.toString());
        assertTrue(both.err().startsWith("scalpel: Error: --kafka=BOOTSTRAP, --conn-tail=FILE are mutually exclusive (specify only"
            + " one)"), both.toString());
        final Cli noTopic = Cli.run("follow", sample[0].toString(), "--split-dir", dir.resolve("out").toString(), "--kafka",
            "127.0.0.1:9092");
        assertEquals(ExitCode.USAGE.code(), noTopic.exit(), noTopic.toString());
        assertEquals("scalpel: --kafka needs --topic: the topic(s) Zeek's Kafka writer sends to", noTopic.err().strip());
        final Cli topicForTail = Cli.run("follow", sample[0].toString(), "--split-dir", dir.resolve("out").toString(),
            "--conn-tail", sample[1].toString(), "--topic", "zeek");
        assertEquals(ExitCode.USAGE.code(), topicForTail.exit(), topicForTail.toString());
        assertEquals("scalpel: --topic and --kafka-option go with --kafka, not --conn-tail", topicForTail.err().strip());
    }

    @Test
    void shouldRefuseABootstrapAddressKafkaCannotParse() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Cli r = Cli.run("follow", sample[0].toString(), "--split-dir", dir.resolve("out").toString(), "--kafka",
            "no-port-here", "--topic", "zeek");
        assertEquals(ExitCode.USAGE.code(), r.exit(), r.toString());
        assertTrue(r.err().startsWith("scalpel: --kafka no-port-here: "), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    @Test
    void shouldSayWhenNoBrokerAnswers() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        final Cli r = Cli.run("follow", sample[0].toString(), "--split-dir", dir.resolve("out").toString(), "--kafka",
            "127.0.0.1:" + port, "--topic", "zeek", "--connect-timeout", "1");
        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r.toString());
        assertEquals("scalpel: --kafka 127.0.0.1:" + port + ": no broker answered within 1 s", r.err().strip());
    }

    @Test
    void shouldRefuseAMissingCaptureOrLogAndAnUnwritableSplitDir() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Cli capture = Cli.run("follow", dir.resolve("nosuch.pcap").toString(), "--split-dir", dir.resolve("out").toString(),
            "--conn-tail", sample[1].toString());
        assertEquals(ExitCode.BAD_INPUT.code(), capture.exit(), capture.toString());
        assertEquals("scalpel: " + dir.resolve("nosuch.pcap") + ": no such file", capture.err().strip());
        final Cli log = Cli.run("follow", sample[0].toString(), "--split-dir", dir.resolve("out").toString(),
            "--conn-tail", dir.resolve("nosuch.log").toString());
        assertEquals(ExitCode.BAD_INPUT.code(), log.exit(), log.toString());
        assertEquals("scalpel: " + dir.resolve("nosuch.log") + ": no such file (--conn-tail names no regular file)",
            log.err().strip());
        final Path file = Files.writeString(dir.resolve("split"), "x");
        final Cli split = Cli.run("follow", sample[0].toString(), "--split-dir", file.toString(), "--conn-tail", sample[1].toString());
        assertEquals(ExitCode.OUTPUT.code(), split.exit(), split.toString());
        assertEquals("scalpel: cannot create --split-dir " + file + ": " + file + " exists and is not a directory",
            split.err().strip());
    }

    @Test
    void shouldWriteWhatSliceAllWritesOverAFinishedCaptureThenStop() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Path sliced = dir.resolve("sliced");
        final Cli slice = Cli.run("slice", sample[0].toString(), "--conn", sample[1].toString(), "--all", "--split-dir",
            sliced.toString());
        assertTrue(slice.exit() == 0 || slice.exit() == ExitCode.PARTIAL.code(), slice.toString());
        final Path followed = dir.resolve("followed");
        final Cli follow = Cli.run("follow", sample[0].toString(), "--conn-tail", sample[1].toString(), "--split-dir",
            followed.toString(), "--idle-grace", "0", "--exit-idle", "1", "--json");
        assertEquals(0, follow.exit(), follow.toString());
        final List<String> names = names(sliced);
        assertTrue(names.size() > 5, names.toString());
        assertEquals(names, names(followed));
        for (String n : names) {
            assertArrayEquals(Files.readAllBytes(sliced.resolve(n)), Files.readAllBytes(followed.resolve(n)), n);
        }
        final String last = follow.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("{\"seconds\":") && last.contains("\"extracts\":" + names.size() + ",")
            && last.contains("\"pending\":0,"), follow.toString());
    }

    private static List<String> names(final Path d) throws Exception {
        try (Stream<Path> files = Files.list(d)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }
}
