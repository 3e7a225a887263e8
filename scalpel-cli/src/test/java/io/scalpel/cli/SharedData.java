package io.scalpel.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testing.TestTags;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared test data beside the project; absent, the test is skipped with a message
 * naming the missing path. (Tools such as tcpdump: {@link io.scalpel.testing.ExternalTools}.)
 */
final class SharedData {
    private SharedData() {
    }

    /** The shared directory (../shared of the project root), or a skip naming the missing path. */
    static Path sharedDir(final String relative) {
        if (relative.startsWith("corpus")) {
            TestTags.require(TestTags.CORPUS, "reads the shared corpus");
        }
        final String base = System.getProperty("scalpel.shared.dir", "../shared");
        final Path p = Path.of(base).resolve(relative).normalize();
        assumeTrue(Files.exists(p), () -> "skipped: shared test data " + p + " is absent");
        return p;
    }
}
