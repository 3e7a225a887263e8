package io.scalpel.follow;

import io.scalpel.testing.TestTags;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * {@code scalpel follow ARGS} in a JVM of its own (the command line's errors printed as the CLI
 * prints them, in one line), for the tests that kill it.
 */
public final class FollowMain {
    private FollowMain() {
    }

    public static void main(final String[] args) {
        final CommandLine cl = new CommandLine(new FollowCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            System.err.println("scalpel: " + io.scalpel.api.Failure.message(ex));
            return 1;
        });
        System.exit(cl.execute(args));
    }

    /** Starts {@code scalpel follow ARGS} in a child JVM; its stdout and stderr go to the given files. */
    static Process start(final Path stdout, final Path stderr, final String... args) throws IOException {
        TestTags.require(TestTags.E2E, "runs scalpel follow in a child JVM");
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-cp", System.getProperty("java.class.path"), FollowMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }
}
