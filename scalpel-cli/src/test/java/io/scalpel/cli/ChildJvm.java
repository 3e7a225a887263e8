package io.scalpel.cli;

import io.scalpel.testing.TestTags;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The scalpel command as a separate JVM with a 256 MiB heap, on the test's class path. */
final class ChildJvm {
    static final String MAX_HEAP = "-Xmx256m";

    private ChildJvm() {
    }

    /** Starts {@code scalpel ARGS...}; stdout and stderr go to the given files. */
    static Process start(final Path stdout, final Path stderr, final String... args) throws IOException {
        return start(MAX_HEAP, stdout, stderr, args);
    }

    /** Starts {@code scalpel ARGS...} with the given {@code -Xmx...} option. */
    static Process start(final String maxHeap, final Path stdout, final Path stderr, final String... args) throws IOException {
        return start(List.of(maxHeap), stdout, stderr, args);
    }

    /** Starts {@code scalpel ARGS...} with the given JVM options (a {@code -Xmx...} among them). */
    static Process start(final List<String> jvmOptions, final Path stdout, final Path stderr, final String... args) throws IOException {
        TestTags.require(TestTags.E2E, "runs scalpel in a child JVM");
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ScalpelCommand.class.getName()));
        command.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        pb.environment().remove("SCALPEL_DEBUG");
        return pb.start();
    }
}
