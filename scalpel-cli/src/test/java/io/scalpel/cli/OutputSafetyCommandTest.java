package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs are safe by construction: every output file is written under a temporary name and
 * renamed over its target, so a symbolic link (in {@code --split-dir} or as {@code -w},
 * {@code --arrow} or {@code --recompress}) is replaced as a name and its target keeps its bytes;
 * devices and named pipes are written in place; and no output may be an input of the same run
 * (the capture, a member of a capture set, the index, a log, another output), whatever path,
 * symbolic link or hard link names it: that is a usage error (exit 2) naming both, before
 * anything is written. Each test is a defect found by an adversarial pass over the CLI.
 */
class OutputSafetyCommandTest {
    /** The first row of testdata/sample-conn.log, whose packets testdata/sample.pcap holds. */
    private static final String UID = "CGYGRP1JflrnEXWrau";
    /** Every frame of the sample: its timestamps lie before this one. */
    private static final String END_OF_TIME = "4300000000";

    @TempDir
    Path dir;
    Path capture;
    Path conn;
    byte[] captureBytes;

    @BeforeEach
    void copyTheSample() throws IOException {
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        capture = Files.copy(testdata.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        conn = Files.copy(testdata.resolve("sample-conn.log"), dir.resolve("sample-conn.log"));
        captureBytes = Files.readAllBytes(capture);
    }

    // --- links are replaced as names, never followed -----------------------------------------------

    @Test
    void shouldReplaceASymlinkGivenToWriteAndLeaveItsTargetUntouched() throws IOException {
        final byte[] reference = referenceExtract();
        final Path victim = Files.write(dir.resolve("victim.bin"), randomBytes(100_000, 1));
        final byte[] victimBytes = Files.readAllBytes(victim);
        final Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), victim.getFileName());

        final Cli r = slice("-w", link.toString());

        assertExit(ExitCode.OK, r);
        assertArrayEquals(victimBytes, Files.readAllBytes(victim), "the link's target keeps its bytes");
        assertFalse(Files.isSymbolicLink(link), "the link is replaced by the extract");
        assertArrayEquals(reference, Files.readAllBytes(link), "the whole extract, nothing of the old target after it");
        assertEquals(PcapFile.parse(reference).records.size(), PcapFile.read(link).records.size());
    }

    @Test
    void shouldReplaceAnExistingLongerFileWhole() throws IOException {
        final byte[] reference = referenceExtract();
        final Path out = Files.copy(capture, dir.resolve("old-extract.pcap"));

        final Cli r = slice("-w", out.toString());

        assertExit(ExitCode.OK, r);
        assertArrayEquals(reference, Files.readAllBytes(out), "the old file's packets are gone, not left after the new ones");
    }

    @Test
    void shouldReplaceASymlinkGivenToArrowAndLeaveItsTargetUntouched() throws IOException {
        final Path victim = Files.write(dir.resolve("victim.bin"), randomBytes(200_000, 2));
        final byte[] victimBytes = Files.readAllBytes(victim);
        final Path link = Files.createSymbolicLink(dir.resolve("pairs.arrow"), victim);

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "--arrow", link.toString());

        assertExit(ExitCode.OK, r);
        assertArrayEquals(victimBytes, Files.readAllBytes(victim), "the link's target keeps its bytes");
        assertFalse(Files.isSymbolicLink(link), "the link is replaced by the Arrow file");
        final byte[] arrow = Files.readAllBytes(link);
        assertTrue(arrow.length < victimBytes.length, "a whole Arrow file of " + arrow.length + " bytes, nothing of the old target");
        assertEquals("ARROW1", new String(arrow, arrow.length - 6, 6, java.nio.charset.StandardCharsets.US_ASCII),
            "the file ends with Arrow's trailing magic");
    }

    @Test
    void shouldReplaceASymlinkNamedLikeAUidInTheSplitDirInsteadOfWritingThroughIt() throws IOException {
        final Path split = Files.createDirectory(dir.resolve("split"));
        final Path outside = Files.write(dir.resolve("outside.bin"), randomBytes(50_000, 3));
        final byte[] outsideBytes = Files.readAllBytes(outside);
        final Path link = Files.createSymbolicLink(split.resolve(UID + ".pcap"), outside);
        final byte[] reference = referenceExtract();

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "--split-dir", split.toString());

        assertExit(ExitCode.OK, r);
        assertArrayEquals(outsideBytes, Files.readAllBytes(outside), "the file the link pointed at keeps its bytes");
        assertFalse(Files.isSymbolicLink(link), "the link is replaced by the extract");
        assertArrayEquals(reference, Files.readAllBytes(link));
    }

    @Test
    void shouldWriteThroughASymlinkToADeviceInPlace() throws IOException {
        final Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull), "skipped: no /dev/null on this system");
        final Path link = Files.createSymbolicLink(dir.resolve("null.pcap"), devNull);

        final Cli r = slice("-w", link.toString());

        assertExit(ExitCode.OK, r);
        assertTrue(Files.isSymbolicLink(link), "a link to a device stays: the device is written, as /dev/stdout would be");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList(), "no temporary file");
        }
    }

    @Test
    void shouldWriteANamedPipeInPlace() throws Exception {
        final Path fifo = dir.resolve("pipe.pcap");
        final Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        } catch (IOException e) {
            assumeTrue(false, "skipped: mkfifo is not installed");
            return;
        }
        assumeTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "skipped: mkfifo failed");
        final byte[] reference = referenceExtract();
        final CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        final Cli r = slice("-w", fifo.toString());

        assertExit(ExitCode.OK, r);
        assertArrayEquals(reference, reader.get(60, TimeUnit.SECONDS), "the reader of the pipe got the extract");
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther(),
            "the pipe is still a pipe");
    }

    // --- an output may not be an input of the same run ---------------------------------------------

    @Test
    void shouldRefuseToWriteOverTheCapture() throws IOException {
        final Cli r = slice("-w", capture.toString());

        assertRefused(r, "-w " + capture, "the capture " + capture);
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseToWriteOverTheCaptureSpelledAnotherWay() throws IOException {
        Files.createDirectory(dir.resolve("sub"));
        final Path spelled = dir.resolve("sub/../sample.pcap");

        final Cli r = slice("-w", spelled.toString());

        assertRefused(r, "-w " + spelled, "the capture " + capture);
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseASymlinkToTheCapture() throws IOException {
        final Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), capture.getFileName());

        final Cli r = slice("-w", link.toString());

        assertRefused(r, "-w " + link, "is a symbolic link to the capture " + capture);
        assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseAHardLinkToTheCapture() throws IOException {
        final Path hard = Files.createLink(dir.resolve("hard.pcap"), capture);

        final Cli r = slice("-w", hard.toString());

        assertRefused(r, "-w " + hard, "is a hard link to the capture " + capture);
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseToWriteOverTheConnLog() throws IOException {
        final byte[] before = Files.readAllBytes(conn);

        final Cli r = slice("-w", conn.toString());

        assertRefused(r, "-w " + conn, "the conn.log " + conn);
        assertArrayEquals(before, Files.readAllBytes(conn));
    }

    @Test
    void shouldRefuseArrowOverTheCapture() throws IOException {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "--arrow", capture.toString());

        assertRefused(r, "--arrow " + capture, "the capture " + capture);
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseTheSameFileForArrowAndWrite() {
        final Path both = dir.resolve("both.out");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "-w", both.toString(),
            "--arrow", both.toString());

        assertRefused(r, "--arrow " + both, "-w " + both);
        assertFalse(Files.exists(both, LinkOption.NOFOLLOW_LINKS), "nothing written");
    }

    @Test
    void shouldRefuseAnOutputInsideTheIndexDirectory() throws IOException {
        assertExit(ExitCode.OK, Cli.run("index", "-q", capture.toString()));
        final Path index = dir.resolve("sample.pcap.scalpel");
        final Path manifest = index.resolve("manifest.json");
        final byte[] before = Files.readAllBytes(manifest);

        final Cli r = slice("-w", manifest.toString());

        assertRefused(r, "-w " + manifest, "the index " + index);
        assertArrayEquals(before, Files.readAllBytes(manifest));
    }

    @Test
    void shouldRefuseTheIndexDirectoryItselfBeforeBuildingIt() {
        final Path index = dir.resolve("sample.pcap.scalpel");

        final Cli r = slice("-w", index.toString());

        assertRefused(r, "-w " + index, "the index " + index);
        assertFalse(Files.exists(index), "refused before the index was built");
    }

    @Test
    void shouldNotReplaceTheCaptureWithTheSplitFileOfAUidNamedLikeIt() throws IOException {
        final Path trace = Files.move(capture, dir.resolve("trace.pcap"));
        final byte[] traceBytes = Files.readAllBytes(trace);
        final List<String> lines = new java.util.ArrayList<>(Files.readAllLines(conn));
        final String row = lines.stream().filter(l -> l.contains(UID)).findFirst().orElseThrow();
        lines.add(lines.size() - 1, row.replace(UID, "trace"));
        Files.write(conn, lines);

        final Cli r = Cli.run("slice", trace.toString(), "--conn", conn.toString(), "--all", "--split-dir", dir.toString());

        assertRefused(r, "--split-dir file " + trace, "the capture " + trace);
        assertArrayEquals(traceBytes, Files.readAllBytes(trace), "the capture is not replaced by the extract of uid 'trace'");
        assertFalse(Files.exists(dir.resolve(UID + ".pcap")), "refused before any file was written");
    }

    @Test
    void shouldRefuseAnEmptySplitDir() throws IOException {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "--split-dir", "");

        assertExit(ExitCode.USAGE, r);
        assertTrue(r.err().startsWith("scalpel: --split-dir: the path is empty"), r::toString);
        assertFalse(Files.exists(Path.of(UID + ".pcap")), "nothing written into the working directory");
    }

    @Test
    void shouldRefuseAnEmptyOutputPath() {
        final Cli r = slice("-w", "");

        assertExit(ExitCode.USAGE, r);
        assertTrue(r.err().startsWith("scalpel: -w: the path is empty"), r::toString);
    }

    @Test
    void shouldRefuseASplitDirThatIsTheIndexDirectory() throws IOException {
        assertExit(ExitCode.OK, Cli.run("index", "-q", capture.toString()));
        final Path index = dir.resolve("sample.pcap.scalpel");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "--split-dir", index.toString());

        assertRefused(r, "--split-dir " + index, "the index " + index);
        assertFalse(Files.exists(index.resolve(UID + ".pcap")));
    }

    @Test
    void shouldRefuseRecompressingACaptureOntoItself() throws IOException {
        final Cli r = Cli.run("index", "--recompress", capture.toString(), capture.toString());

        assertRefused(r, "--recompress " + capture, "the capture " + capture);
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseRecompressingOntoASymlinkToTheCapture() throws IOException {
        final Path link = Files.createSymbolicLink(dir.resolve("link.pcap"), capture);

        final Cli r = Cli.run("index", "--recompress", link.toString(), capture.toString());

        assertRefused(r, "--recompress " + link, "is a symbolic link to the capture " + capture);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(captureBytes, Files.readAllBytes(capture), "the capture is intact");
    }

    @Test
    void shouldRecompressOverASymlinkToAnotherFileByReplacingTheLink() throws IOException {
        final Path victim = Files.write(dir.resolve("victim.bin"), randomBytes(10_000, 4));
        final byte[] victimBytes = Files.readAllBytes(victim);
        final Path link = Files.createSymbolicLink(dir.resolve("copy.pcap.gz"), victim);

        final Cli r = Cli.run("index", "-q", "--recompress", link.toString(), capture.toString());

        assertExit(ExitCode.OK, r);
        assertArrayEquals(victimBytes, Files.readAllBytes(victim));
        assertFalse(Files.isSymbolicLink(link));
        final byte[] copy = Files.readAllBytes(link);
        assertEquals(0x1f, copy[0] & 0xff, "a gzip file");
        assertEquals(0x8b, copy[1] & 0xff, "a gzip file");
    }

    // --- the index: a new directory, built under a temporary name and renamed into place ----------

    @Test
    void shouldReplaceASymlinkAtTheIndexNameWithoutTouchingTheIndexItPointedTo() throws IOException {
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        final Path other = Files.copy(testdata.resolve("fragments.pcap"), dir.resolve("fragments.pcap"));
        assertExit(ExitCode.OK, Cli.run("index", "-q", other.toString()));
        final Path otherIndex = dir.resolve("fragments.pcap.scalpel");
        final Map<Path, String> before = tree(otherIndex);
        final Path link = Files.createSymbolicLink(dir.resolve("sample.pcap.scalpel"), otherIndex.getFileName());

        final Cli r = Cli.run("index", "-q", capture.toString());

        assertExit(ExitCode.OK, r);
        assertEquals(before, tree(otherIndex), "the index the link pointed to keeps every file");
        assertTrue(Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS), "the link is replaced by the new index");
        assertExit(ExitCode.OK, slice("-w", dir.resolve("o.pcap").toString()));
    }

    @Test
    void shouldReplaceASymlinkAtTheCaptureSetManifestWithoutTouchingItsTarget() throws IOException {
        final Path set = Files.createDirectory(dir.resolve("set"));
        Files.move(capture, set.resolve("a.pcap"));
        final Path victim = Files.write(dir.resolve("victim.json"), randomBytes(5_000, 5));
        final byte[] victimBytes = Files.readAllBytes(victim);
        final Path manifest = Files.createDirectory(set.resolve(".scalpel")).resolve("set.json");
        Files.createSymbolicLink(manifest, victim);

        final Cli r = Cli.run("index", "-q", set.toString());

        assertExit(ExitCode.OK, r);
        assertArrayEquals(victimBytes, Files.readAllBytes(victim));
        assertTrue(Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS), "the link is replaced by the set manifest");
    }

    @Test
    void shouldRefuseAnIndexDirectoryNameThatHoldsAnotherFile() throws IOException {
        final Path victim = Files.write(dir.resolve("victim.bin"), randomBytes(5_000, 6));
        final Path link = Files.createSymbolicLink(dir.resolve("idx"), victim);

        final Cli r = Cli.run("index", "-q", "--index", link.toString(), capture.toString());

        assertExit(ExitCode.OUTPUT, r);
        assertTrue(r.err().contains("exists and is not a scalpel index; not replacing it"), r::toString);
        assertArrayEquals(randomBytes(5_000, 6), Files.readAllBytes(victim));
        assertTrue(Files.isSymbolicLink(link));
    }

    /** Every file under {@code root} with its bytes (in base64), links not followed. */
    private static Map<Path, String> tree(final Path root) throws IOException {
        final Map<Path, String> files = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                files.put(root.relativize(p), Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    ? java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p)) : "directory");
            }
        }
        return files;
    }

    // --- capture sets ------------------------------------------------------------------------------

    @Test
    void shouldRefuseAnOutputInsideACaptureSetDirectoryEveryTime() throws IOException {
        final Path set = Files.createDirectory(dir.resolve("set"));
        Files.move(capture, set.resolve("a.pcap"));
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        Files.copy(testdata.resolve("fragments.pcap"), set.resolve("b.pcap"));
        final Path inside = set.resolve("x.pcap");
        final Path outside = dir.resolve("all.pcap");

        final Cli first = Cli.run("slice", set.toString(), "--to", END_OF_TIME, "-w", inside.toString());
        final Cli second = Cli.run("slice", set.toString(), "--to", END_OF_TIME, "-w", inside.toString());
        final Cli whole = Cli.run("slice", set.toString(), "--to", END_OF_TIME, "-w", outside.toString());

        assertRefused(first, "-w " + inside, "the capture set directory " + set);
        assertRefused(second, "-w " + inside, "the capture set directory " + set);
        assertFalse(Files.exists(inside), "no output became a member of the set");
        assertExit(ExitCode.OK, whole);
        final int frames = PcapFile.read(set.resolve("a.pcap")).records.size() + PcapFile.read(set.resolve("b.pcap")).records.size();
        assertTrue(whole.err().contains("wrote " + frames + " packets"), "every frame of the two members, once: " + whole);
    }

    @Test
    void shouldRefuseASymlinkToACaptureSetMemberThatLivesElsewhere() throws IOException {
        final Path set = Files.createDirectory(dir.resolve("set"));
        Files.createSymbolicLink(set.resolve("a.pcap"), capture);

        final Cli r = Cli.run("slice", set.toString(), "--to", END_OF_TIME, "-w", capture.toString());

        assertRefused(r, "-w " + capture, "the capture set member " + set.resolve("a.pcap"));
        assertArrayEquals(captureBytes, Files.readAllBytes(capture));
    }

    @Test
    void shouldRefuseASplitDirInsideACaptureSetDirectory() throws IOException {
        final Path set = Files.createDirectory(dir.resolve("set"));
        Files.move(capture, set.resolve("a.pcap"));
        final Path split = set.resolve("split");

        final Cli r = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--uid", UID, "--split-dir", split.toString());

        assertRefused(r, "--split-dir " + split, "the capture set directory " + set);
        assertFalse(Files.exists(split), "nothing created");
    }

    // --- output errors say what really failed ------------------------------------------------------

    @Test
    void shouldSayThatADirectoryTakesNoNewFilesInsteadOfNoSuchDirectory() {
        final Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc.resolve("self")), "skipped: no /proc on this system");
        final Path target = proc.resolve("x.pcap");

        final Cli r = slice("-w", target.toString());

        assertExit(ExitCode.OUTPUT, r);
        assertEquals("scalpel: cannot write " + target + ": cannot create a file in the directory /proc"
            + " (the file system answered: no such file or directory)", lastLine(r.err()), r::toString);
    }

    // --- helpers -----------------------------------------------------------------------------------

    private Cli slice(final String... output) {
        final List<String> args = new java.util.ArrayList<>(List.of("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID));
        args.addAll(List.of(output));
        return Cli.run(args.toArray(new String[0]));
    }

    /** The extract of {@link #UID} written to a fresh file, removed afterwards. */
    private byte[] referenceExtract() throws IOException {
        final Path fresh = dir.resolve("reference-" + System.nanoTime() + ".pcap");
        assertExit(ExitCode.OK, slice("-w", fresh.toString()));
        final byte[] bytes = Files.readAllBytes(fresh);
        Files.delete(fresh);
        return bytes;
    }

    private static byte[] randomBytes(final int n, final long seed) {
        final byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void assertRefused(final Cli r, final String output, final String input) {
        assertExit(ExitCode.USAGE, r);
        final String line = lastLine(r.err());
        assertTrue(line.startsWith("scalpel: " + output + " "), () -> "names the output first: " + r);
        assertTrue(line.contains(input), () -> "names " + input + ": " + r);
        assertEquals(1, r.err().strip().lines().filter(l -> !l.startsWith("scalpel: no index for ")).count(),
            () -> "one line (after the notice of an index built first): " + r);
        assertFalse(r.err().contains("wrote "), r::toString);
    }

    private static String lastLine(final String text) {
        final List<String> lines = text.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static void assertExit(final ExitCode code, final Cli r) {
        assertEquals(code.code(), r.exit(), r::toString);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread"), () -> "stack trace on stderr: " + r);
    }
}
