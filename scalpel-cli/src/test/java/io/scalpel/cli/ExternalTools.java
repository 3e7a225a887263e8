package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds what a test needs from outside the project: the shared test data beside the project and
 * tools such as tcpdump. Absent locally, the test is skipped with a message naming what is missing;
 * on CI ({@code CI=true}), where they are installed, their absence fails the test.
 */
final class ExternalTools {
    private ExternalTools() {
    }

    /** The shared directory (../shared of the project root), or a skip naming the missing path. */
    static Path sharedDir(final String relative) {
        final String base = System.getProperty("scalpel.shared.dir", "../shared");
        final Path p = Path.of(base).resolve(relative).normalize();
        assumeTrue(Files.exists(p), () -> "skipped: shared test data " + p + " is absent");
        return p;
    }

    /** The absolute path of {@code name} on the PATH; skips (fails on CI) when it is not installed. */
    static Path tool(final String name) {
        final String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                final Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        final String message = name + " is not installed (not on PATH); apt-get install " + name;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true and " + message);
        }
        assumeTrue(false, "skipped: " + message);
        return null;
    }
}
