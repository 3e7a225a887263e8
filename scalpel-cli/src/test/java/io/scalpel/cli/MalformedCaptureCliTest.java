package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed, truncated and corrupt captures through the {@code scalpel} command: {@code index},
 * then {@code slice} of a time range and, where a conn.log belongs to the capture (the generated
 * ones), the same range converted to the other format and a slice of every uid.
 * Each ends in success or in a one-line error naming the file and a byte offset, with a
 * documented exit code: never a stack trace, a hang or an OutOfMemoryError.
 *
 * <p>The inputs: every capture of the shared corpus (tcpdump's set with its truncated, empty and
 * corrupt files, the pcapng test suite, Zeek's traces, the Community ID traces; a gzip'd capture
 * is refused as one) and the broken files of {@link MalformedCaptures}, made in the test from
 * two of the project's own captures. Where a broken file has a known answer (refused at an
 * offset, indexed to a cut with a warning, indexed whole), it is checked; the random corruptions
 * must only end in one of the two.
 *
 * <p>The bulk runs in-process through picocli ({@link Cli}), with a time limit per command. A
 * representative subset (the valid bases, one file per kind of defect and the three largest
 * corpus captures) also runs as a child JVM with {@code -Xmx256m}, where an OutOfMemoryError or
 * an uncaught exception would show as "Exception in thread" on stderr. The test prints how many
 * inputs it tried and what became of them.
 */
@Tag("e2e")
class MalformedCaptureCliTest {
    private static final Duration PER_COMMAND = Duration.ofSeconds(60);
    private static final long CHILD_TIMEOUT_SECONDS = 120;
    private static final int RANDOM_MUTANTS_PER_BASE = 40;
    private static final long RANDOM_SEED = 20_261_130L;
    /**
     * End of the time-range slice, in 2106: every pcap timestamp (32-bit seconds, plus a fraction
     * field of at most 2^32 microseconds that the reader carries into the seconds) is before it.
     */
    private static final String TO = "4300000000";
    private static final Set<Integer> INDEX_EXITS = Set.of(ExitCode.OK.code(), ExitCode.BAD_INPUT.code());
    private static final Set<Integer> SLICE_EXITS = Set.of(ExitCode.OK.code(), ExitCode.NOTHING_FOUND.code());
    private static final Pattern OFFSET = Pattern.compile("byte offset (\\d+)");
    private static final Set<String> CHILD_CASES = Set.of("pcap-valid", "pcapng-valid", "pcap-bad-magic", "pcap-caplen-1mib",
        "pcap-cut-in-record-data-3", "pcapng-block-length-2gib", "pcapng-interface-id-out-of-range",
        "pcapng-cut-in-block-body-656", "pcap-random-0");
    private static final int LARGEST_CORPUS_IN_CHILD = 3;

    @TempDir
    static Path work;

    private static final Tally TALLY = new Tally();

    @Tag("corpus")
    @TestFactory
    Stream<DynamicTest> shouldIndexAndSliceEveryCorpusCaptureOrRefuseItWithTheFileAndOffset() throws IOException {
        final Path corpus = SharedData.sharedDir("corpus");
        final List<Path> captures = corpusCaptures(corpus);
        final List<Path> largest = captures.stream().sorted(Comparator.comparingLong(MalformedCaptureCliTest::size).reversed())
            .limit(LARGEST_CORPUS_IN_CHILD).toList();
        return captures.stream().map(capture -> DynamicTest.dynamicTest(corpus.relativize(capture).toString(), () -> {
            final Path copy = copyIn("corpus-" + corpus.relativize(capture).toString().replace('/', '_'), Files.readAllBytes(capture));
            final MalformedCaptures.Case any = MalformedCaptures.Case.either(copy.getFileName().toString(), null, null);
            TALLY.corpus++;
            runInProcess(any, copy);
            if (largest.contains(capture)) {
                runInChildJvm(any, copy);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> shouldRefuseEachBrokenCaptureAtItsOffsetOrIndexEveryWholeRecord() throws IOException {
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        return MalformedCaptures.all(testdata, RANDOM_SEED, RANDOM_MUTANTS_PER_BASE).stream()
            .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                final Path file = copyIn(c.name() + (c.name().startsWith("pcapng") ? ".pcapng" : ".pcap"), c.bytes());
                TALLY.generated++;
                runInProcess(c, file);
                if (CHILD_CASES.contains(c.name())) {
                    runInChildJvm(c, file);
                }
            }));
    }

    @AfterAll
    static void report() {
        System.out.println("malformed captures: " + (TALLY.corpus + TALLY.generated) + " inputs tried (" + TALLY.corpus
            + " corpus, " + TALLY.generated + " generated), " + TALLY.childRuns + " of them also in a child JVM with -Xmx256m: "
            + TALLY.indexed + " indexed (" + TALLY.truncated + " with a truncated tail), " + TALLY.refused
            + " refused with exit 3; " + TALLY.sliced + " slices run; no crash, hang or OutOfMemoryError");
    }

    private static void runInProcess(final MalformedCaptures.Case c, final Path capture) {
        final Path index = work.resolve(capture.getFileName() + ".idx");
        final Cli indexed = assertTimeoutPreemptively(PER_COMMAND,
            () -> Cli.run("index", "--json", "--index", index.toString(), capture.toString()), () -> "index hangs on " + capture);
        assertClean(indexed.exit(), indexed.err(), "index " + capture);
        assertTrue(INDEX_EXITS.contains(indexed.exit()), () -> "index " + capture + ": undocumented outcome: " + indexed);
        if (indexed.exit() != ExitCode.OK.code()) {
            TALLY.refused++;
            assertRefusal(c, capture, indexed.err());
            return;
        }
        TALLY.indexed++;
        final JsonNode summary = json(indexed.out());
        checkIndexed(c, capture, summary, indexed.err(), true);
        final long packets = summary.get("packets").asLong();

        final Path out = work.resolve(capture.getFileName() + ".range.out");
        final Cli range = assertTimeoutPreemptively(PER_COMMAND,
            () -> Cli.run("slice", "--json", "--index", index.toString(), "--to", TO, "-w", out.toString(), capture.toString()),
            () -> "slice --to hangs on " + capture);
        TALLY.sliced++;
        assertClean(range.exit(), range.err(), "slice --to " + capture);
        assertTrue(SLICE_EXITS.contains(range.exit()), () -> "slice --to " + capture + ": undocumented outcome: " + range);
        final long written = json(range.out()).get("packets").asLong();
        if ("pcap".equals(summary.get("format").asText())) {
            assertEquals(packets, written, () -> capture + ": every indexed pcap frame has a 32-bit timestamp before " + TO
                + ", so the time range slices each: " + range);
        } else {
            assertTrue(written <= packets, () -> capture + ": more frames sliced than indexed: " + range);
        }
        assertEquals(written > 0, Files.exists(out), () -> capture + ": an output file exactly when frames were written: " + range);

        if (c.connLog() != null) {
            convert(capture, index, "pcap".equals(summary.get("format").asText()), written);
            final Path split = work.resolve(capture.getFileName() + ".all.out");
            final Cli all = assertTimeoutPreemptively(PER_COMMAND,
                () -> Cli.run("slice", "--index", index.toString(), "--conn", c.connLog(), "--all", "-w", split.toString(),
                    capture.toString()), () -> "slice --all hangs on " + capture);
            TALLY.sliced++;
            assertClean(all.exit(), all.err(), "slice --all " + capture);
            assertTrue(SLICE_EXITS.contains(all.exit()), () -> "slice --all " + capture + ": undocumented outcome: " + all);
        }
    }

    /**
     * The time-range slice again, converted to the other format: pcap to pcapng keeps every frame;
     * pcapng to pcap may refuse frames of several link types (exit 2), nothing else.
     */
    private static void convert(final Path capture, final Path index, final boolean pcap, final long written) {
        final Path out = work.resolve(capture.getFileName() + ".converted.out");
        final Cli r = assertTimeoutPreemptively(PER_COMMAND, () -> Cli.run("slice", "--json", "--index", index.toString(), "--to", TO,
            "--format", pcap ? "pcapng" : "pcap", "-w", out.toString(), capture.toString()), () -> "slice --format hangs on " + capture);
        TALLY.sliced++;
        assertClean(r.exit(), r.err(), "slice --format " + capture);
        if (!pcap && r.exit() == ExitCode.USAGE.code()) {
            assertTrue(r.err().contains("link type"), () -> "pcapng to pcap refused for another reason than mixed link types: " + r);
            assertFalse(Files.exists(out), "nothing written when the conversion is refused");
            return;
        }
        assertTrue(SLICE_EXITS.contains(r.exit()), () -> "slice --format " + capture + ": undocumented outcome: " + r);
        assertEquals(written, json(r.out()).get("packets").asLong(), () -> capture + ": the converted slice has the same frames: " + r);
    }

    private static void checkIndexed(final MalformedCaptures.Case c, final Path capture, final JsonNode summary, final String err,
                                     final boolean count) {
        final JsonNode tail = summary.get("truncated_tail_offset");
        if (!tail.isNull()) {
            TALLY.truncated += count ? 1 : 0;
            assertTrue(err.contains("scalpel: warning: " + capture + ": byte offset " + tail.asLong() + ": last record is incomplete"),
                () -> capture + ": a truncated tail at " + tail + " without its warning: " + err);
            assertTrue(tail.asLong() < size(capture), () -> capture + ": truncated tail beyond the end");
        }
        switch (c.kind()) {
            case WHOLE -> {
                assertEquals(c.packets(), summary.get("packets").asLong(), () -> capture + ": packets: " + summary);
                assertTrue(tail.isNull(), () -> capture + ": no truncated tail expected: " + summary);
            }
            case TRUNCATED -> {
                assertEquals(c.packets(), summary.get("packets").asLong(), () -> capture + ": the whole records before the cut: " + summary);
                assertEquals(c.offset(), tail.asLong(), () -> capture + ": the offset of the incomplete record: " + summary);
            }
            case REFUSED -> fail(capture + ": must be refused, was indexed: " + summary);
            default -> {
            }
        }
    }

    private static void assertRefusal(final MalformedCaptures.Case c, final Path capture, final String err) {
        final String line = err.strip();
        assertFalse(line.contains("\n"), () -> "one line of error, got: " + err);
        assertTrue(line.startsWith("scalpel: " + capture + ": byte offset ")
            || line.startsWith("scalpel: " + capture + ": compressed byte offset "), () -> "the error names the file and the offset: " + err);
        final Matcher m = OFFSET.matcher(line);
        assertTrue(m.find(), line);
        final long offset = Long.parseLong(m.group(1));
        assertTrue(offset >= 0 && offset <= size(capture), () -> "offset outside the file: " + line);
        switch (c.kind()) {
            case REFUSED -> assertTrue(offset >= c.offset() && offset < c.offsetEnd(),
                () -> capture + ": refused at " + offset + ", expected in [" + c.offset() + ", " + c.offsetEnd() + "): " + line);
            case WHOLE, TRUNCATED -> fail(capture + ": must be indexed, was refused: " + line);
            default -> {
            }
        }
    }

    /** The same commands as a separate JVM with a 256 MiB heap and a time limit. */
    private static void runInChildJvm(final MalformedCaptures.Case c, final Path capture) throws Exception {
        TALLY.childRuns++;
        final Path index = work.resolve(capture.getFileName() + ".child-idx");
        final Child indexed = child("index", "--json", "--index", index.toString(), capture.toString());
        assertClean(indexed.exit, indexed.err, "child JVM: index " + capture);
        assertTrue(INDEX_EXITS.contains(indexed.exit), () -> "child JVM: index " + capture + ": " + indexed);
        if (indexed.exit != ExitCode.OK.code()) {
            assertRefusal(c, capture, indexed.err);
            return;
        }
        checkIndexed(c, capture, json(indexed.out), indexed.err, false);
        final List<String> slice = new ArrayList<>(List.of("slice", "--index", index.toString(), "-w",
            work.resolve(capture.getFileName() + ".child.out").toString(), capture.toString()));
        if (c.connLog() != null) {
            slice.addAll(List.of("--conn", c.connLog(), "--all"));
        } else {
            slice.addAll(List.of("--to", TO));
        }
        final Child sliced = child(slice.toArray(String[]::new));
        assertClean(sliced.exit, sliced.err, "child JVM: " + slice);
        assertTrue(SLICE_EXITS.contains(sliced.exit), () -> "child JVM: " + slice + ": " + sliced);
    }

    private record Child(int exit, String out, String err) {
    }

    private static Child child(final String... args) throws Exception {
        final Path out = Files.createTempFile(work, "child", ".out");
        final Path err = Files.createTempFile(work, "child", ".err");
        final Process p = ChildJvm.start(out, err, args);
        if (!p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("child JVM hangs (more than " + CHILD_TIMEOUT_SECONDS + " s): scalpel " + String.join(" ", args));
        }
        return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void assertClean(final int exit, final String err, final String what) {
        assertFalse(err.contains("\tat "), () -> what + ": stack trace on stderr: " + err);
        assertFalse(err.contains("Exception in thread"), () -> what + ": uncaught exception: " + err);
        assertFalse(err.contains("OutOfMemoryError"), () -> what + ": out of memory: " + err);
        assertFalse(err.contains("internal error"), () -> what + ": internal error: " + err);
        assertTrue(exit != ExitCode.INTERNAL.code(), () -> what + ": exit 1 (internal error): " + err);
    }

    private static JsonNode json(final String out) {
        try {
            final JsonNode n = new ObjectMapper().readTree(out.strip());
            assertTrue(n != null && n.isObject(), () -> "not one JSON object: " + out);
            return n;
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + out, e);
        }
    }

    private static List<Path> corpusCaptures(final Path corpus) throws IOException {
        try (Stream<Path> s = Files.walk(corpus)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                final String name = p.getFileName().toString();
                return name.endsWith(".pcap") || name.endsWith(".pcapng") || name.endsWith(".cap") || name.endsWith(".pcap.gz");
            }).sorted().toList();
        }
    }

    private static Path copyIn(final String name, final byte[] bytes) throws IOException {
        return Files.write(work.resolve(name), bytes);
    }

    private static long size(final Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static final class Tally {
        int corpus;
        int generated;
        int childRuns;
        int indexed;
        int truncated;
        int refused;
        int sliced;
    }
}
