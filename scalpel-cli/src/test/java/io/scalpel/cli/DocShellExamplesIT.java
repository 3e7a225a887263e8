package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell example of README.md, docs/*.md and testdata/README.md that runs scalpel or uses
 * {@code testdata/} runs as the page shows it, on the shaded jar that {@code package} made
 * ({@link ShellExample} says what an example promises, {@link ShellExampleRunner} how it is run).
 * Each example runs on its own fresh copy of the checkout's testdata, so its first slice of a
 * capture builds the index. An example marked "not run by the tests" (it needs a capture the
 * checkout does not have) is reported as skipped, and so is one that needs a program this
 * machine lacks (tcpdump, tshark, python3...).
 */
@Tag("external")
@Tag("e2e")
class DocShellExamplesIT {
    private static final Path ROOT = Path.of(System.getProperty("scalpel.root.dir", "..")).toAbsolutePath().normalize();
    private static final Path JAR = ROOT.resolve("scalpel-cli/target/scalpel.jar");
    /** A page's Java example, which its commands compile and run as the reader saved it: NAME.java. */
    private static final Pattern JAVA_EXAMPLE = Pattern.compile("```java\\n(// Example: (\\w+\\.java)\\n.*?)```", Pattern.DOTALL);
    /** The pages whose examples are run, and the fewest examples each has: a page whose examples the parser lost fails. */
    private static final Map<String, Integer> PAGES_WITH_EXAMPLES = Map.of(
        "README.md", 2, "docs/cli.md", 15, "docs/pipelines.md", 2, "docs/java-api.md", 1, "testdata/README.md", 2);

    /** The programs the project's tests use as oracles: missing, they skip an example, and fail it on CI. */
    private static final Set<String> ORACLES = Set.of(ExternalTools.TCPDUMP, ExternalTools.TSHARK, ExternalTools.LIBPCAP);

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> everyShellExampleRunsAsItsPageShows() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built (the integration tests run after package)");
        final ShellExampleRunner runner = new ShellExampleRunner(ROOT);
        final List<DynamicTest> tests = new ArrayList<>();
        for (Path page : pages()) {
            final String markdown = Files.readString(page, StandardCharsets.UTF_8);
            final Map<String, String> javaExamples = javaExamples(markdown);
            for (ShellExample example : examplesOfTheProduct(page)) {
                tests.add(dynamicTest(example.where(), () -> {
                    Assumptions.assumeFalse(example.illustrative(),
                        () -> "skipped: " + example.where() + " is marked \"" + ShellExample.NOT_RUN + "\"");
                    for (String program : ShellExampleRunner.optionalProgramsUsed(example)) {
                        if (ORACLES.contains(program)) {
                            ExternalTools.require(program);
                        } else {
                            Assumptions.assumeTrue(ExternalTools.isAvailable(program),
                                () -> "skipped: " + example.where() + " runs " + program + ", which is not installed");
                        }
                    }
                    final Path dir = Files.createTempDirectory(work, "example");
                    final List<String> failures = runner.run(example, javaExamples, dir);
                    if (!failures.isEmpty()) {
                        fail(failures.size() + " command(s) of " + example.where() + " did not run as shown:\n\n"
                            + String.join("\n\n", failures));
                    }
                }));
            }
        }
        return tests.stream();
    }

    @Test
    void shouldFindTheExamplesOfEveryPageThatHasThem() throws IOException {
        final Map<String, Long> run = new LinkedHashMap<>();
        for (Path page : pages()) {
            run.put(name(page), examplesOfTheProduct(page).stream().filter(e -> !e.illustrative()).count());
        }
        PAGES_WITH_EXAMPLES.forEach((page, fewest) ->
            assertTrue(run.getOrDefault(page, 0L) >= fewest, page + " has at least " + fewest + " examples that are run: " + run));
    }

    private static List<ShellExample> examplesOfTheProduct(final Path page) throws IOException {
        return ShellExample.parse(name(page), Files.readString(page, StandardCharsets.UTF_8)).stream()
            .filter(ShellExample::ofTheProduct).toList();
    }

    /** README.md, docs/*.md in name order, testdata/README.md. */
    private static List<Path> pages() throws IOException {
        final List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            pages.addAll(docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().toList());
        }
        pages.add(ROOT.resolve("testdata/README.md"));
        return pages;
    }

    private static String name(final Path page) {
        return ROOT.relativize(page).toString();
    }

    /** The page's Java examples by file name: what a reader saves before running the commands under them. */
    private static Map<String, String> javaExamples(final String markdown) {
        final Matcher m = JAVA_EXAMPLE.matcher(markdown.replace("\r\n", "\n"));
        final Map<String, String> files = new LinkedHashMap<>();
        while (m.find()) {
            files.put(m.group(2), m.group(1));
        }
        return files;
    }
}
