package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.UdpCapture;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture is cut short, overwritten in place or replaced under another file's name at a random
 * moment while {@code scalpel index} or {@code scalpel slice} (a child JVM with {@code -Xmx256m})
 * reads it. Whatever the moment, the command ends with exit 0 (it read what it needed before the
 * change, the file it opened was left as it was, or it opened the capture already cut and indexed
 * its whole records with a warning) or exit 3 (the capture changed while reading, or since it was indexed),
 * never exit 1, never a stack trace, and never a partial extract under the output's name; an
 * extract written with exit 0 is byte for byte the capture it was cut from.
 *
 * <p>The capture is {@link UdpCapture}'s ({@value #FRAMES} frames, about 15 MB). Each command is
 * first timed undisturbed; each trial then waits a random time up to that long (JVM start-up
 * included) before its change, so the changes fall before, during and after the reading. The
 * random generator is seeded ({@value #SEED}, or {@code -Dscalpel.faults.seed}); more trials with
 * {@code -Dscalpel.faults.trials=N} (per command; default {@value #TRIALS}).
 */
@Tag("e2e")
class CaptureFaultInjectionTest {
    private static final int FRAMES = 200_000;
    private static final int TRIALS = 12;
    private static final long SEED = 20_251_206L;
    private static final long WAIT_MINUTES = 5;

    /** How the capture is changed. */
    enum Fault {
        /** Cut to a random length ({@code truncate -s}). */
        CUT,
        /** Truncated and written again with another capture ({@code cp other capture}). */
        OVERWRITE,
        /** Another file renamed over its name ({@code mv other capture}). */
        RENAME
    }

    @TempDir
    static Path dir;
    static Path base;
    static Path other;

    @BeforeAll
    static void writeCaptures() throws IOException {
        base = UdpCapture.write(dir.resolve("base.pcap"), FRAMES);
        other = UdpCapture.write(dir.resolve("other.pcap"), FRAMES / 3);
    }

    @Test
    void shouldEndEveryIndexOfAChangingCaptureWithExitZeroOrThreeAndNoStackTrace() throws Exception {
        final Random random = new Random(Long.getLong("scalpel.faults.seed", SEED));
        final long undisturbed = timed(copy("timed-index"), "index", "-q");
        final Map<String, Integer> outcomes = new TreeMap<>();
        for (int t = 0; t < trials(); t++) {
            final Fault fault = Fault.values()[t % Fault.values().length];
            final Path capture = copy("index-" + t);
            final Trial r = trial(capture, fault, random, undisturbed, "index", "-q", capture.toString());
            outcomes.merge("index " + fault + " " + r.outcome(), 1, Integer::sum);
            assertNoCrash(r);
        }
        System.out.println("fault injection, index: " + outcomes);
    }

    @Test
    void shouldEndEverySliceOfAChangingCaptureWithExitZeroOrThreeAndNoPartialExtract() throws Exception {
        final Random random = new Random(Long.getLong("scalpel.faults.seed", SEED) + 1);
        final Path index = dir.resolve("base.pcap.scalpel");
        assertEquals(ExitCode.OK.code(), Cli.run("index", "-q", base.toString()).exit());
        final long undisturbed = timed(copy("timed-slice"), "slice", "--index", index.toString(), "--from", "0", "-w",
            dir.resolve("timed.out").toString());
        final Map<String, Integer> outcomes = new TreeMap<>();
        for (int t = 0; t < trials(); t++) {
            final Fault fault = Fault.values()[t % Fault.values().length];
            final Path capture = copy("slice-" + t);
            final Path out = dir.resolve("slice-" + t + ".out");
            final Trial r = trial(capture, fault, random, undisturbed, "slice", capture.toString(), "--index", index.toString(),
                "--from", "0", "-w", out.toString());
            outcomes.merge("slice " + fault + " " + r.outcome(), 1, Integer::sum);
            assertNoCrash(r);
            if (r.exit == 0) {
                assertArrayEquals(Files.readAllBytes(base), Files.readAllBytes(out), "the extract of every frame: " + r);
                Files.delete(out);
            } else {
                assertFalse(Files.exists(out), "a partial extract under the output's name: " + r);
            }
        }
        System.out.println("fault injection, slice: " + outcomes);
    }

    private static int trials() {
        return Integer.getInteger("scalpel.faults.trials", TRIALS);
    }

    /** A copy of the capture with its modification time, so that the index of {@link #base} describes it. */
    private static Path copy(final String name) throws IOException {
        return Files.copy(base, dir.resolve(name + ".pcap"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** Runs {@code scalpel COMMAND ... CAPTURE} undisturbed; returns its wall time in ms. */
    private static long timed(final Path capture, final String command, final String... options) throws Exception {
        final List<String> args = new ArrayList<>(List.of(command));
        if (command.equals("slice")) {
            args.add(capture.toString());
            args.addAll(List.of(options));
        } else {
            args.addAll(List.of(options));
            args.add(capture.toString());
        }
        final long start = System.nanoTime();
        final Trial r = run(args.toArray(String[]::new), null, null, 0, null);
        assertEquals(ExitCode.OK.code(), r.exit, r::toString);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static Trial trial(final Path capture, final Fault fault, final Random random, final long undisturbed,
                               final String... args) throws Exception {
        return run(args, capture, fault, random.nextInt((int) Math.max(1, undisturbed)), random);
    }

    /** Runs scalpel ARGS in a child JVM; {@code delayMillis} after its start, changes {@code capture} as {@code fault} says. */
    private static Trial run(final String[] args, final Path capture, final Fault fault, final long delayMillis, final Random random)
        throws Exception {
        final Path out = dir.resolve("child.out");
        final Path err = dir.resolve("child.err");
        final Process p = ChildJvm.start(out, err, args);
        String change = "none";
        if (fault != null) {
            Thread.sleep(delayMillis);
            change = change(capture, fault, random) + " after " + delayMillis + " ms (" + (p.isAlive() ? "running" : "done") + ")";
        }
        assertTrue(p.waitFor(WAIT_MINUTES, TimeUnit.MINUTES), "scalpel " + String.join(" ", args) + " still running");
        return new Trial(String.join(" ", args), change, p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Changes the capture; returns what was done. */
    private static String change(final Path capture, final Fault fault, final Random random) throws IOException {
        switch (fault) {
            case CUT: {
                final long length = 1 + (long) (random.nextDouble() * (Files.size(base) - 1));
                try (RandomAccessFile f = new RandomAccessFile(capture.toFile(), "rw")) {
                    f.setLength(length);
                }
                return "cut to " + length + " bytes";
            }
            case OVERWRITE:
                try (OutputStream o = Files.newOutputStream(capture)) { // truncates, then writes: as cp does
                    Files.copy(other, o);
                }
                return "overwritten with " + other.getFileName();
            default:
                final Path moved = Files.copy(other, capture.resolveSibling(capture.getFileName() + ".new"),
                    StandardCopyOption.REPLACE_EXISTING);
                Files.move(moved, capture, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return "replaced by a copy of " + other.getFileName();
        }
    }

    private static void assertNoCrash(final Trial r) {
        assertTrue(r.exit == ExitCode.OK.code() || r.exit == ExitCode.BAD_INPUT.code(), r::toString);
        assertFalse(r.err.contains("\tat ") || r.err.contains("Exception") || r.err.contains("Error"), r::toString);
        for (String line : r.err.split("\n")) {
            assertTrue(line.isEmpty() || line.startsWith("scalpel"), () -> "a line not scalpel's: " + line + " in " + r);
        }
        if (r.exit == ExitCode.BAD_INPUT.code()) {
            assertTrue(r.err.contains("capture changed") || r.err.contains("is stale"), r::toString);
        }
    }

    private record Trial(String command, String change, int exit, String out, String err) {
        /** The exit code, and for exit 3 which refusal it was. */
        String outcome() {
            if (exit != ExitCode.BAD_INPUT.code()) {
                return "exit " + exit;
            }
            return "exit 3 " + (err.contains("capture changed while reading") ? "(changed while reading)" : "(stale index)");
        }

        @Override
        public String toString() {
            return "scalpel " + command + "; capture " + change + ": exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
