package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel serve} as a subcommand: its refusals to start are usage errors in one line, and
 * registering it (and {@code scalpel follow}) loads nothing of the server (or of follow and its
 * Kafka client) for the other commands.
 */
@Tag("e2e")
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseToListenBeyondLoopbackWithoutAToken() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Cli r = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(), "--bind", "0.0.0.0:0");
        assertEquals(ExitCode.USAGE.code(), r.exit(), r.toString());
        assertTrue(r.err().startsWith("scalpel: --bind 0.0.0.0:0 is not a loopback address: give --token-file"), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    @Test
    void shouldRefuseAShortOrMissingTokenFile() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Path token = Files.writeString(dir.resolve("token"), "short\n");
        final Cli shortToken = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(),
            "--token-file", token.toString());
        assertEquals(ExitCode.USAGE.code(), shortToken.exit(), shortToken.toString());
        assertTrue(shortToken.err().contains("at least 16 characters"), shortToken.toString());
        final Cli missing = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(),
            "--token-file", dir.resolve("nosuch").toString());
        assertEquals(ExitCode.USAGE.code(), missing.exit(), missing.toString());
        assertTrue(missing.err().startsWith("scalpel: --token-file " + dir.resolve("nosuch") + ": cannot be read"), missing.toString());
    }

    @Test
    void shouldRefuseMissingCapturesLogsAndBadAddresses() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Cli captures = Cli.run("serve", "--captures", dir.resolve("nosuch.pcap").toString(), "--logs", sample[1].toString());
        assertEquals(ExitCode.USAGE.code(), captures.exit(), captures.toString());
        assertTrue(captures.err().contains("nosuch.pcap: no such file or directory"), captures.toString());
        final Cli logs = Cli.run("serve", "--captures", sample[0].toString(), "--logs", dir.resolve("nosuch.log").toString());
        assertEquals(ExitCode.USAGE.code(), logs.exit(), logs.toString());
        assertTrue(logs.err().contains("--logs " + dir.resolve("nosuch.log") + ": no such file or directory"), logs.toString());
        final Cli bind = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(), "--bind", "x:y");
        assertEquals(ExitCode.USAGE.code(), bind.exit(), bind.toString());
        assertTrue(bind.err().contains("the port must be a number"), bind.toString());
        final Cli threads = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(),
            "--slicing-threads", "0");
        assertEquals(ExitCode.USAGE.code(), threads.exit(), threads.toString());
        assertEquals("scalpel: --slicing-threads 0: at least 1 slice must be computed at once", threads.err().strip(),
            threads.toString());
    }

    @Test
    void shouldRefuseAKeystoreWithoutItsPasswordFileOrThatIsNoKeystore() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final Path keystore = Files.writeString(dir.resolve("serve.p12"), "-----BEGIN CERTIFICATE-----\n");
        final Cli alone = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(),
            "--tls-keystore", keystore.toString());
        assertEquals(ExitCode.USAGE.code(), alone.exit(), alone.toString());
        assertEquals("scalpel: --tls-keystore needs --tls-password-file (a file whose first line is its password)",
            alone.err().strip());
        final Path password = Files.writeString(dir.resolve("password"), "secret\n");
        final Cli garbage = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(),
            "--tls-keystore", keystore.toString(), "--tls-password-file", password.toString());
        assertEquals(ExitCode.USAGE.code(), garbage.exit(), garbage.toString());
        assertTrue(garbage.err().startsWith("scalpel: --tls-keystore " + keystore + ": not a PKCS#12 keystore, or cut short"),
            garbage.toString());
        assertEquals(1, garbage.err().lines().count(), garbage.toString());
    }

    @Test
    void shouldRefuseAPortInUse() throws Exception {
        final Path[] sample = Cli.sample(dir);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            final String bind = "127.0.0.1:" + taken.getLocalPort();
            final Cli r = Cli.run("serve", "--captures", sample[0].toString(), "--logs", sample[1].toString(), "--bind", bind);
            assertEquals(ExitCode.USAGE.code(), r.exit(), r.toString());
            assertEquals("scalpel: --bind " + bind + ": cannot listen there (Failed to bind to /" + bind + ")", r.err().strip());
        }
    }

    @Test
    void shouldLoadNothingOfTheServerForTheOtherCommands() throws Exception {
        final Path[] sample = Cli.sample(dir);
        final List<String> slice = classesLoaded("slice.txt", "slice", sample[0].toString(), "--conn", sample[1].toString(), "--all",
            "-w", dir.resolve("all.pcap").toString());
        for (String prefix : List.of("io.scalpel.serve.", "org.eclipse.jetty.", "io.prometheus.", "io.scalpel.follow.",
            "org.apache.kafka.")) {
            assertFalse(slice.stream().anyMatch(l -> l.contains(" " + prefix)), prefix + " loaded for slice");
        }
        // The control: the same count sees the subcommand when it is the one run.
        final List<String> serve = classesLoaded("serve.txt", "serve", "--help");
        assertTrue(serve.stream().anyMatch(l -> l.contains(" io.scalpel.serve.ServeCommand")), "serve --help loads its command");
        final List<String> follow = classesLoaded("follow.txt", "follow", "--help");
        assertTrue(follow.stream().anyMatch(l -> l.contains(" io.scalpel.follow.FollowCommand")), "follow --help loads its command");
    }

    /** The classes a run of {@code scalpel ARGS} in a child JVM loads, as -verbose:class lists them. */
    private List<String> classesLoaded(final String file, final String... args) throws Exception {
        final Path out = dir.resolve(file);
        final Process p = ChildJvm.start(List.of(ChildJvm.MAX_HEAP, "-verbose:class"), out, dir.resolve(file + ".err"), args);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue());
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }
}
