package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile conn.logs through {@code scalpel slice}: uids that are paths, control characters, NUL
 * or thousands of characters long; overlong lines, wrong column counts, binary garbage and a
 * gzip stream that inflates to one line of hundreds of megabytes. Nothing is written outside
 * {@code --split-dir}, nothing hangs or runs out of memory, every skipped line is named by its
 * number, and what is printed of a hostile value is escaped and bounded.
 *
 * <p>Each row is a copy of a real row of the project's sample conn.log with only its uid (or
 * one field) changed, so a row that were accepted would have packets to write.
 */
class HostileConnLogTest {
    private static final Duration LIMIT = Duration.ofSeconds(120);
    /** The first row of testdata/sample-conn.log, whose packets the sample holds. */
    private static final String UID = "CGYGRP1JflrnEXWrau";
    private static final int LONGEST_PRINTED_LINE = 400;

    @TempDir
    static Path dir;
    static Path capture;
    static List<String> header;
    static String row;

    @BeforeAll
    static void indexTheSample() throws IOException {
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        capture = Files.copy(testdata.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        final List<String> lines = Files.readAllLines(testdata.resolve("sample-conn.log"));
        header = lines.stream().takeWhile(l -> l.startsWith("#")).toList();
        row = lines.stream().filter(l -> l.contains(UID)).findFirst().orElseThrow();
        final Cli r = Cli.run("index", "-q", capture.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
    }

    @Test
    void shouldRefuseEveryUidThatIsNotAFileNameAndWriteNothingOutsideTheSplitDirectory() throws IOException {
        // Zeek writes a byte it must escape as \xHH; the reader undoes it, so these uids hold the raw bytes.
        final List<String> hostile = List.of("../escaped", "../../../../../../tmp/escaped", "/tmp/absolute-escaped", "a/b", "..",
            ".", ".hidden", "-rf", "nul\\x00byte", "esc\\x1b[31mred", "new\\x0aline", "tab\\x09inside", "x".repeat(5000),
            "\\xe2\\x80\\xae" + "fdp.exe");
        final List<String> lines = new ArrayList<>(header.subList(0, header.size()));
        for (String uid : hostile) {
            lines.add(row.replace(UID, uid));
        }
        lines.add(row);
        final Path conn = Files.write(dir.resolve("hostile-uids.log"), lines);
        final Path split = dir.resolve("deep/er/split");
        final Set<String> before = tree();

        final Cli r = assertTimeoutPreemptively(LIMIT, () -> Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all",
            "--split-dir", split.toString()));

        assertEquals(ExitCode.PARTIAL.code(), r.exit(), () -> "refused uids next to a written one: " + r);
        assertClean(r);
        assertEquals(Set.of(UID + ".pcap"), Set.copyOf(list(split)), "only the safe uid is written: " + r);
        final Set<String> after = tree();
        after.removeIf(p -> p.startsWith(dir.resolve("deep").toString()));
        assertEquals(before, after, "files outside --split-dir after the slice");
        for (String escaped : new String[] {"/tmp/absolute-escaped.pcap", "/tmp/escaped.pcap"}) {
            assertFalse(Files.exists(Path.of(escaped)), () -> escaped + ": a uid escaped the split directory");
        }
        assertEquals(Set.of(split.toString(), split.resolve(UID + ".pcap").toString(), dir.resolve("deep").toString(),
            dir.resolve("deep/er").toString()), tree().stream().filter(p -> p.startsWith(dir.resolve("deep").toString()))
            .collect(java.util.stream.Collectors.toSet()), "under the split directory's parents");
        final long refusals = r.err().lines().filter(l -> l.contains("not a safe file name; refused")).count();
        assertEquals(hostile.size(), refusals, () -> "each unsafe uid is named once on stderr: " + r);
        assertTrue(r.err().contains("esc\\x1b[31mred") && r.err().contains("nul\\x00byte") && r.err().contains("new\\x0aline"),
            () -> "control characters are shown escaped: " + r);
        assertTrue(r.err().contains("...(4920 more)"), () -> "a 5000-character uid is cut after 80: " + r);
    }

    @Test
    void shouldRefuseAnUnsafeUidGivenOnTheCommandLine() throws IOException {
        final Path conn = Files.write(dir.resolve("one.log"), concat(header, List.of(row.replace(UID, "../cmdline-escaped"))));
        final Path split = dir.resolve("split-cmdline");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", "../cmdline-escaped", "--split-dir",
            split.toString());

        assertEquals(ExitCode.NOTHING_FOUND.code(), r.exit(), r::toString);
        assertClean(r);
        assertTrue(r.err().contains("uid ../cmdline-escaped (not a safe file name; refused)"), r::toString);
        assertFalse(Files.exists(dir.resolve("cmdline-escaped.pcap")), "written outside --split-dir");
        assertTrue(list(split).isEmpty(), "nothing written for a refused uid");
    }

    @Test
    void shouldSkipOverlongWrongAndGarbageLinesNamingEachAndSliceTheRest() throws IOException {
        final String overlong = row.replace(UID, "C" + "o".repeat(3 << 20));
        final String[] fields = row.split("\t");
        final String tooFew = String.join("\t", List.of(fields).subList(0, 5));
        final String tooMany = row + "\textra\tcolumns";
        final String garbage = new String(new byte[] {(byte) 0xFF, 0x00, 0x01, (byte) 0x80, 0x1B, 0x7F}, StandardCharsets.ISO_8859_1);
        final List<String> lines = concat(header, List.of(overlong, tooFew, tooMany, garbage, row));
        final Path conn = dir.resolve("mixed-bad.log");
        Files.write(conn, lines, StandardCharsets.ISO_8859_1);
        final Path out = dir.resolve("mixed-bad.pcap");
        final int first = header.size() + 1;

        final Cli r = assertTimeoutPreemptively(LIMIT,
            () -> Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "-w", out.toString()));

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertClean(r);
        for (int line = first; line < first + 4; line++) {
            final String name = "hostile: line " + line;
            assertTrue(r.err().contains(conn + " line " + line + ": "), () -> name + " is not named: " + r);
        }
        assertTrue(Files.isRegularFile(out), r::toString);
        assertTrue(r.err().contains("wrote"), r::toString);
    }

    /**
     * A gzip'd conn.log of a few hundred kilobytes that inflates to one line of 400 MB, then a good
     * row, sliced by a child JVM with a 256 MiB heap: the line is skipped in bounded memory.
     */
    @Tag("e2e")
    @Test
    void shouldSkipTheOneHugeLineOfAGzipBombInBoundedMemory() throws Exception {
        final Path conn = dir.resolve("bomb.log.gz");
        final byte[] chunk = "A".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
        final int megabytes = 400;
        try (OutputStream gz = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(conn)), 1 << 16)) {
            gz.write((String.join("\n", header) + "\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < megabytes; i++) {
                gz.write(chunk);
            }
            gz.write(("\n" + row + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(Files.size(conn) < 2 << 20, "the bomb is small on disk");
        final Path out = dir.resolve("bomb.pcap");
        final Path stdout = dir.resolve("bomb.stdout");
        final Path stderr = dir.resolve("bomb.stderr");

        final Process p = ChildJvm.start(stdout, stderr, "slice", capture.toString(), "--conn", conn.toString(), "--all", "-w",
            out.toString());
        final boolean ended = p.waitFor(LIMIT.toSeconds() * 2, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        final String err = Files.readString(stderr);

        assertTrue(ended, () -> "the slice hangs on a gzip bomb: " + err);
        assertFalse(err.contains("OutOfMemoryError") || err.contains("Exception in thread") || err.contains("\tat "), err);
        assertEquals(ExitCode.OK.code(), p.exitValue(), err);
        assertTrue(err.contains(conn + " line " + (header.size() + 1) + ": "), () -> "the huge line is named: " + err);
        assertTrue(Files.isRegularFile(out), "the good row after the bomb is sliced: " + err);
    }

    private static void assertClean(final Cli r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread"), r::toString);
        assertTrue(r.exit() != ExitCode.INTERNAL.code(), r::toString);
        for (String line : r.err().lines().toList()) {
            assertTrue(line.length() <= LONGEST_PRINTED_LINE, () -> "a line of " + line.length() + " characters on stderr: "
                + line.substring(0, 200));
            assertTrue(line.chars().noneMatch(c -> Character.isISOControl(c)), () -> "a raw control character on stderr: " + line);
        }
    }

    private static List<String> list(final Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** Every path under the test's directory. */
    private static Set<String> tree() throws IOException {
        final Set<String> all = new TreeSet<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(p -> all.add(p.toString()));
        }
        return all;
    }

    private static List<String> concat(final List<String> a, final List<String> b) {
        final List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
