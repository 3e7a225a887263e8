package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages the index of a generated capture a few hundred times, one damage at a time, each
 * undone before the next: a random byte of a random file changed (the manifest or any part of
 * either table), a file cut short, a part replaced by the part of the same name of another
 * capture's index. After each, {@code slice --all} runs through the CLI. It must write exactly
 * the extract of the intact index (whose frames are the generator's truth) with exit 0, or be
 * refused with exit 3 and one line that names the damaged index and says how to rebuild it:
 * never a different extract, never exit 1, never a stack trace or another library's text. Every
 * damage that changed a byte is found by {@code index --verify} (exit 3). For one damage in
 * eight the advice is followed: {@code scalpel index CAPTURE} (alternately {@code slice
 * --reindex}) must rebuild the index, not call it up to date, and slice the intact extract.
 *
 * <p>{@code -Dscalpel.index.damages=N} runs N damages instead of {@value #DAMAGES} (the longer run
 * of docs/robustness.md).
 */
class IndexCorruptionCliTest {
    private static final int DAMAGES = 240;
    private static final int FOLLOW_ADVICE_EVERY = 8;

    @TempDir
    Path dir;

    @Test
    void shouldNeverSliceSilentlyWrongOrCrashOnADamagedIndex() throws IOException {
        final Path capture = dir.resolve("c.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = indexInTwoScans(7411, capture, conn);
        final Path index = dir.resolve("c.pcap.scalpel");
        final Path other = dir.resolve("o.pcap.scalpel");
        indexInTwoScans(7412, dir.resolve("o.pcap"), null);

        final Path intactOut = dir.resolve("intact.pcap");
        final Cli first = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "-w", intactOut.toString());
        assertEquals(ExitCode.OK.code(), first.exit(), first::toString);
        final byte[] intact = Files.readAllBytes(intactOut);
        final long truthFrames = truth.frames().stream().filter(f -> !f.uids().isEmpty()).count();
        assertEquals(truthFrames, PcapFile.parse(intact).records.size(), "the intact index slices the generator's frames");
        final List<TruthFrame> owned = truth.frames().stream().filter(f -> !f.uids().isEmpty()).toList();
        final List<PcapFile.Record> written = PcapFile.parse(intact).records;
        for (int i = 0; i < owned.size(); i++) {
            assertEquals(owned.get(i).tsNanos(), written.get(i).tsNanos(), "frame " + owned.get(i).number());
        }

        final Path saved = dir.resolve("saved");
        copyTree(index, saved);
        final List<Path> files = files(index);
        assertTrue(files.size() >= 5, () -> "manifest and two parts of each table: " + files);
        final int damages = Integer.getInteger("scalpel.index.damages", DAMAGES);
        final Random rng = new Random(7413);
        final TreeMap<String, Integer> outcomes = new TreeMap<>();
        for (int d = 0; d < damages; d++) {
            final Path file = files.get(rng.nextInt(files.size()));
            final String what = damage(file, index, other, rng);
            final boolean changed = !java.util.Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(saved.resolve(index.relativize(file))));
            final Path out = dir.resolve("out.pcap");
            Files.deleteIfExists(out);
            final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "-w", out.toString());
            final String context = what + " " + index.relativize(file) + ": " + r;
            if (r.exit() == ExitCode.OK.code()) {
                assertArrayEquals(intact, Files.readAllBytes(out), () -> "a different extract with exit 0 after " + context);
                outcomes.merge("sliced the intact extract", 1, Integer::sum);
            } else {
                assertRefused(r, index, context);
                assertFalse(Files.exists(out), () -> "an output left by a refused slice: " + context);
                outcomes.merge("refused (exit 3)", 1, Integer::sum);
            }
            final Cli verify = Cli.run("index", "--verify", capture.toString());
            assertEquals(changed ? ExitCode.BAD_INPUT.code() : ExitCode.OK.code(), verify.exit(), () -> "--verify after " + context
                + "\n" + verify);
            if (changed) {
                assertRefused(verify, index, context);
            }
            if (changed && d % FOLLOW_ADVICE_EVERY == 0) {
                followAdvice(d / FOLLOW_ADVICE_EVERY % 2 == 0, capture, conn, intact, context);
                outcomes.merge("advice followed, index rebuilt", 1, Integer::sum);
            }
            restore(saved, index);
        }
        System.out.println("IndexCorruptionCliTest: " + damages + " damages: " + outcomes);
        assertTrue(outcomes.getOrDefault("refused (exit 3)", 0) > damages / 2, outcomes::toString);
    }

    /** A capture and its index built in two scans (half, then the whole, extending it): two parts per table. */
    private Generated indexInTwoScans(final long seed, final Path capture, final Path conn) throws IOException {
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(seed).withConnections(60)
            .withFormat(CaptureFileFormat.PCAP_USEC_LE), capture, conn);
        final byte[] whole = Files.readAllBytes(capture);
        Files.write(capture, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertEquals(ExitCode.OK.code(), Cli.run("index", "-q", capture.toString()).exit());
        Files.write(capture, whole);
        final Cli extended = Cli.run("index", "--json", capture.toString());
        assertTrue(extended.out().contains("\"mode\":\"extended\""), extended::toString);
        return truth;
    }

    /** Does one damage to {@code file}; says which. */
    private static String damage(final Path file, final Path index, final Path other, final Random rng) throws IOException {
        final long size = Files.size(file);
        final int kind = rng.nextInt(10);
        if (kind < 7 || size == 0) {
            final long at = size == 0 ? 0 : (long) (rng.nextDouble() * size);
            try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
                r.seek(at);
                final int old = size == 0 ? 0 : r.read();
                r.seek(at);
                r.write(old ^ (1 + rng.nextInt(255)));
            }
            return "byte " + at + " changed in";
        }
        if (kind < 9) {
            final long at = (long) (rng.nextDouble() * size);
            try (RandomAccessFile r = new RandomAccessFile(file.toFile(), "rw")) {
                r.setLength(at);
            }
            return "cut at byte " + at;
        }
        final Path swap = other.resolve(index.relativize(file).toString());
        Files.copy(swap, file, StandardCopyOption.REPLACE_EXISTING);
        return "replaced by the other capture's";
    }

    /** A refusal as the error table has it: exit 3, one line naming the index, advice, no library text. */
    private static void assertRefused(final Cli r, final Path index, final String context) {
        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), () -> "exit code after " + context);
        final String err = r.err().strip();
        final String last = err.substring(err.lastIndexOf('\n') + 1);
        assertTrue(last.startsWith("scalpel: ") && last.contains(index.toString()), () -> "message after " + context);
        assertTrue(last.contains("scalpel index") && (last.contains("rebuild it") || last.contains("re-run")),
            () -> "no advice after " + context);
        assertFalse(err.contains("Exception") || err.contains("\tat ") || err.contains("internal error"),
            () -> "a stack trace or a library's text after " + context);
    }

    /** Runs the refusal's advice and slices again: the intact extract. */
    private void followAdvice(final boolean index, final Path capture, final Path conn, final byte[] intact, final String context)
        throws IOException {
        final Path out = dir.resolve("after.pcap");
        Files.deleteIfExists(out);
        if (index) {
            final Cli rebuilt = Cli.run("index", "--json", capture.toString());
            assertEquals(ExitCode.OK.code(), rebuilt.exit(), () -> "`scalpel index` after " + context + "\n" + rebuilt);
            assertTrue(rebuilt.out().contains("\"mode\":\"rebuilt\""), () -> "not rebuilt after " + context + "\n" + rebuilt);
            assertTrue(rebuilt.err().contains("rebuilt its index"), () -> "rebuilt without saying why: " + rebuilt);
        }
        final Cli r = index
            ? Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "-w", out.toString())
            : Cli.run("slice", capture.toString(), "--reindex", "--conn", conn.toString(), "--all", "-w", out.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), () -> "slice after the advice, after " + context + "\n" + r);
        assertArrayEquals(intact, Files.readAllBytes(out), () -> "another extract after the advice, after " + context);
    }

    private static List<Path> files(final Path index) throws IOException {
        try (Stream<Path> s = Files.walk(index)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException {
        for (Path f : files(from)) {
            final Path target = to.resolve(from.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Puts the saved index back (a rebuild may have replaced the directory and its part names). */
    private static void restore(final Path saved, final Path index) throws IOException {
        if (Files.exists(index)) {
            try (Stream<Path> s = Files.walk(index)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        copyTree(saved, index);
    }
}
