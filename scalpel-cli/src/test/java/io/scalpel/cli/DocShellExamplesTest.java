package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link DocShellExamplesIT} reads a page's shell examples ({@link ShellExample}) and judges a
 * run of them ({@link ShellExampleRunner}), on pages written here: what is a command and what its
 * output, which examples are the product's and which are marked as not run, what {@code ...} may
 * stand for, and that a command that fails or prints anything else than its page shows is reported.
 */
class DocShellExamplesTest {
    private static final String FENCE = "```";

    @TempDir
    Path dir;

    @Test
    void shouldReadATranscriptAsCommandsEachWithTheLinesUnderIt() {
        final List<ShellExample> examples = ShellExample.parse("page.md", String.join("\n",
            "Intro.",
            "",
            FENCE,
            "$ scalpel index testdata/sample.pcap",
            "indexed testdata/sample.pcap: 329 packets",
            "",
            "$ grep -c x testdata/a \\",
            "    testdata/b",
            "3",
            "$ true",
            FENCE,
            ""));

        assertEquals(1, examples.size());
        final ShellExample e = examples.get(0);
        assertEquals("page.md:3", e.where());
        assertTrue(e.transcript());
        assertFalse(e.illustrative());
        assertTrue(e.ofTheProduct());
        assertEquals(List.of(
            new ShellExample.Command(4, "scalpel index testdata/sample.pcap", List.of("indexed testdata/sample.pcap: 329 packets")),
            new ShellExample.Command(7, "grep -c x testdata/a \\\n    testdata/b", List.of("3")),
            new ShellExample.Command(10, "true", List.of())), e.commands());
    }

    @Test
    void shouldTakeEveryLineOfAShBlockButBlankLinesAndCommentsAsACommandWithoutOutput() {
        final List<ShellExample> examples = ShellExample.parse("page.md", String.join("\n",
            "- in a list:",
            "",
            "  ```sh",
            "  # a comment",
            "  java -jar scalpel-cli/target/scalpel.jar index testdata/sample.pcap   # indexes",
            "",
            "  python3 script.py a \\",
            "      b",
            "  ```"));

        final ShellExample e = examples.get(0);
        assertFalse(e.transcript());
        assertEquals(List.of(
            new ShellExample.Command(5, "java -jar scalpel-cli/target/scalpel.jar index testdata/sample.pcap   # indexes", null),
            new ShellExample.Command(7, "python3 script.py a \\\n    b", null)), e.commands());
    }

    @Test
    void shouldMarkAnExampleIllustrativeOnlyWhenTheParagraphRightBeforeItSaysItIsNotRunByTheTests() {
        final List<ShellExample> examples = ShellExample.parse("page.md", String.join("\n",
            "On a capture of 10 GB, which is not",
            "run by the tests:",
            "",
            FENCE,
            "$ scalpel index big.pcap",
            FENCE,
            "",
            "Then on the sample:",
            "",
            FENCE,
            "$ scalpel index testdata/sample.pcap",
            FENCE));

        assertEquals(List.of(true, false), examples.stream().map(ShellExample::illustrative).toList());
    }

    @Test
    void shouldTellExamplesOfTheProductFromBuildsAndOtherBlocks() {
        final List<ShellExample> examples = ShellExample.parse("page.md", String.join("\n",
            "```sh", "./mvnw -B verify", FENCE,
            "```sh", "./mvnw -B -q package -DskipTests   # scalpel-cli/target/scalpel.jar", "scalpel-bench/compare.sh", FENCE,
            "```sh", "./mvnw -B -q package -DskipTests", "testdata/quickstart.sh", FENCE,
            "```sh", "bin/scalpel --version", FENCE,
            "```java", "$ not a shell example", FENCE,
            FENCE, "scalpel slice [-hV] CAPTURE", FENCE));

        assertEquals(List.of(false, false, true, true), examples.stream().map(ShellExample::ofTheProduct).toList());
        assertEquals(List.of("testdata/quickstart.sh"), examples.get(2).runnable().stream().map(ShellExample.Command::text).toList(),
            "the build is not run: the test runs in it");
    }

    @Test
    void shouldLetAnElisionStandForAnyTextInALineAndForAnyLinesAlone() {
        final ShellExample.Command c = command("scalpel index testdata/sample.pcap",
            "indexed testdata/sample.pcap: 329 packets in ... s; index .../sample.pcap.scalpel", "...", "done");

        assertNull(ShellExample.mismatch(c, "indexed testdata/sample.pcap: 329 packets in 1.2 s; index /tmp/x/sample.pcap.scalpel\ndone\n"));
        assertNull(ShellExample.mismatch(c, "indexed testdata/sample.pcap: 329 packets in 1.2 s; index /x/sample.pcap.scalpel\na\nb\ndone"));
        assertNull(ShellExample.mismatch(c, "indexed testdata/sample.pcap: 329 packets in 1 s; index /sample.pcap.scalpel  \ndone\n\n"),
            "trailing white space and blank lines are not compared");
    }

    @Test
    void shouldReportOutputThatDiffersFromWhatThePageShows() {
        final ShellExample.Command c = command("scalpel slice testdata/sample.pcap -w one.pcap", "scalpel: wrote 9 packets", "done");

        final String changed = ShellExample.mismatch(c, "scalpel: wrote 8 packets\ndone\n");
        assertNotNull(changed);
        assertTrue(changed.contains("    scalpel: wrote 9 packets") && changed.contains("    scalpel: wrote 8 packets"), changed);
        assertNotNull(ShellExample.mismatch(c, "scalpel: wrote 9 packets\n"), "a line missing");
        assertNotNull(ShellExample.mismatch(c, "scalpel: wrote 9 packets\ndone\nmore\n"), "a line more");
        assertNotNull(ShellExample.mismatch(c, "done\nscalpel: wrote 9 packets\n"), "another order");
        assertNotNull(ShellExample.mismatch(command("true"), "something\n"), "no output shown: nothing printed");
    }

    @Test
    void shouldAcceptThePipesLinesInAnyOrderButEachOfThemOnce() {
        final ShellExample.Command pipe = command("scalpel slice testdata/sample.pcap -w - | tcpdump -nr -",
            "reading from file -", "scalpel: wrote 2 packets", "22:13:21 IP ...", "22:13:21 IP ...");
        final ShellExample.Command quoted = command("scalpel slice testdata/sample.pcap --bpf 'tcp or (udp | x)'", "a", "b");

        assertNull(ShellExample.mismatch(pipe, "reading from file -\n22:13:21 IP a\nscalpel: wrote 2 packets\n22:13:21 IP b\n"));
        assertNotNull(ShellExample.mismatch(pipe, "reading from file -\n22:13:21 IP a\nscalpel: wrote 2 packets\n"), "a line missing");
        assertNotNull(ShellExample.mismatch(pipe, "reading from file -\n22:13:21 IP a\nscalpel: wrote 2 packets\n22:13:21 IP b\nx\n"),
            "a line more");
        assertNotNull(ShellExample.mismatch(quoted, "b\na\n"), "a | inside quotes is no pipe");
    }

    @Test
    void shouldLetOnlyACommandFollowedByEchoStatusFail() {
        final ShellExample e = ShellExample.parse("page.md", String.join("\n",
            FENCE, "$ scalpel slice nosuch.pcap", "$ echo $?", "3", "$ scalpel index testdata/sample.pcap", FENCE)).get(0);

        assertTrue(e.statusShownAfter(0));
        assertFalse(e.statusShownAfter(1));
        assertFalse(e.statusShownAfter(2));
    }

    @Tag("e2e")
    @Test
    void shouldRunAnExampleOnAFreshCopyOfTheTestdataAndPassWhenItPrintsWhatItsPageShows() throws Exception {
        final Path checkout = checkout();
        final ShellExample e = ShellExample.parse("page.md", String.join("\n",
            FENCE,
            "$ ls testdata",
            "a.txt",
            "$ cat saved.txt testdata/a.txt; echo \"$TZ\"",
            "saved",
            "rows",
            "UTC",
            "$ grep -c nothing testdata/a.txt",
            "0",
            "$ echo $?",
            "1",
            "$ echo x | tr x y",
            "y",
            FENCE)).get(0);

        final List<String> failures = new ShellExampleRunner(checkout).run(e, Map.of("saved.txt", "saved\n"), dir.resolve("run"));

        assertEquals(List.of(), failures, "the index and out/ of the checkout's testdata are not copied; the page's files are saved");
    }

    @Tag("e2e")
    @Test
    void shouldReportEveryCommandThatFailsOrPrintsOtherThanShown() throws Exception {
        final Path checkout = checkout();
        final ShellExample e = ShellExample.parse("page.md", String.join("\n",
            "",
            FENCE,
            "$ cat testdata/a.txt",
            "row",
            "$ false",
            "$ cat testdata/nosuch",
            "cat: testdata/nosuch: No such file or directory",
            "$ echo fine",
            "fine",
            FENCE)).get(0);

        final List<String> failures = new ShellExampleRunner(checkout).run(e, Map.of(), dir.resolve("run"));

        assertEquals(3, failures.size(), () -> String.join("\n\n", failures));
        assertTrue(failures.get(0).startsWith("page.md:3 `cat testdata/a.txt`: not the output shown"), failures.get(0));
        assertTrue(failures.get(0).contains("    row\n") && failures.get(0).contains("    rows\n"), failures.get(0));
        assertTrue(failures.get(1).startsWith("page.md:5 `false`: exit status 1 (only a command followed by `$ echo $?` may fail)"),
            failures.get(1));
        assertTrue(failures.get(2).startsWith("page.md:6 `cat testdata/nosuch`: exit status 1"), failures.get(2));
        assertFalse(failures.get(2).contains("not the output shown"), failures.get(2));
    }

    /** A checkout whose testdata has one file, and an index and an out/ directory that earlier runs left there. */
    private Path checkout() throws IOException {
        final Path checkout = dir.resolve("checkout");
        final Path testdata = Files.createDirectories(checkout.resolve("testdata"));
        Files.writeString(testdata.resolve("a.txt"), "rows\n");
        Files.writeString(Files.createDirectories(testdata.resolve("a.pcap.scalpel")).resolve("manifest.json"), "{}");
        Files.writeString(Files.createDirectories(testdata.resolve("out")).resolve("x.pcap"), "x");
        return checkout;
    }

    private static ShellExample.Command command(final String text, final String... output) {
        return new ShellExample.Command(1, text, List.of(output));
    }
}
