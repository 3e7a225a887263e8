package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.index.PacketIndex;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.PcapFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel index} and {@code scalpel slice -w} killed with SIGKILL while they write (the
 * child JVM is killed by {@link Process#destroyForcibly()}, which is SIGKILL on Linux, as soon as
 * its temporary output has grown): the previous index and the previous output file are left
 * byte for byte as they were, and nothing partial appears under their names.
 *
 * <p>The capture is made here: {@value #FRAMES} frames of 60 captured bytes (the first frames of
 * the project's sample, cut to 60 bytes and repeated with later timestamps), about 110 MB, so
 * that indexing and slicing it take seconds.
 */
@Tag("e2e")
class KillMidWriteTest {
    private static final int FRAMES = 1_500_000;
    private static final int SNAP = 60;
    private static final int BASE_FRAMES = 200;
    private static final long GROWN_PAST = 64 * 1024;
    private static final long WAIT_SECONDS = 180;

    @TempDir
    static Path dir;
    static Path capture;
    static Path index;

    @BeforeAll
    static void makeAndIndexABigCapture() throws IOException {
        assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"),
            "skipped: Process.destroyForcibly is SIGKILL on Linux only");
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        final PcapFile sample = PcapFile.read(testdata.resolve("sample.pcap"));
        capture = dir.resolve("big.pcap");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(capture), 1 << 20)) {
            final CaptureBytes b = new CaptureBytes(sample.order).put(sample.header());
            final long firstNanos = sample.records.get(0).tsNanos();
            for (int i = 0; i < FRAMES; i++) {
                final PcapFile.Record r = sample.records.get(i % BASE_FRAMES);
                final long micros = (firstNanos / 1000) + (long) i * 10;
                final byte[] data = Arrays.copyOf(sample.frameBytes(r), Math.min(SNAP, r.capturedLength()));
                b.pcapRecord(micros / 1_000_000, micros % 1_000_000, data, r.capturedLength()).drainTo(out);
            }
        }
        index = dir.resolve("big.pcap.scalpel");
        final Cli r = Cli.run("index", "-q", capture.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
    }

    @Test
    void shouldLeaveThePreviousIndexByteIdenticalWhenIndexingIsKilled() throws Exception {
        final Map<String, byte[]> before = contents(index);

        killWhenGrown(isIndexTemporary(), "index", "--rebuild", "-q", capture.toString());

        assertEquals(before.keySet(), contents(index).keySet(), "files of the index after the kill");
        final Map<String, byte[]> after = contents(index);
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " changed by the killed run");
        }
        try (PacketIndex readable = PacketIndex.open(capture, index)) {
            final long[] rows = {0};
            readable.scanAll((ts, offset, chunk, flow, dgramTs) -> rows[0]++);
            assertEquals(FRAMES, rows[0], "rows of the previous index, read after the kill");
        }
        final Cli again = Cli.run("index", "--json", capture.toString());
        assertEquals(ExitCode.OK.code(), again.exit(), () -> "indexing again after the kill: " + again);
        assertTrue(again.out().contains("\"packets\":" + FRAMES), again::toString);
    }

    @Test
    void shouldLeaveThePreviousOutputFileUnchangedWhenASliceIsKilled() throws Exception {
        final Path out = dir.resolve("out.pcap");
        final byte[] previous = "the previous extract".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(out, previous);

        killWhenGrown(p -> p.getFileName().toString().startsWith(".out.pcap.tmp-"),
            "slice", capture.toString(), "--to", "4300000000", "-w", out.toString());

        assertArrayEquals(previous, Files.readAllBytes(out), "out.pcap after the killed slice");
        final Cli again = Cli.run("slice", "--json", capture.toString(), "--to", "4300000000", "-w", out.toString());
        assertEquals(ExitCode.OK.code(), again.exit(), () -> "slicing again after the kill: " + again);
        assertEquals(FRAMES, PcapFile.read(out).records.size(), "records of the slice run to completion");
    }

    private static Predicate<Path> isIndexTemporary() {
        return p -> p.getFileName().toString().startsWith("big.pcap.scalpel.tmp-");
    }

    /** Starts scalpel in a child JVM and SIGKILLs it once a file or directory matching {@code temporary} holds more than {@link #GROWN_PAST} bytes. */
    private static void killWhenGrown(final Predicate<Path> temporary, final String... args) throws Exception {
        final Process p = ChildJvm.start(dir.resolve("child.out"), dir.resolve("child.err"), args);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        long grown = 0;
        try {
            while (p.isAlive() && System.nanoTime() < deadline) {
                grown = bytesUnder(temporary);
                if (grown > GROWN_PAST) {
                    break;
                }
                Thread.sleep(2);
            }
        } finally {
            p.destroyForcibly();
        }
        assertTrue(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS), "the killed child JVM did not end");
        final long seen = grown;
        if (seen <= GROWN_PAST) {
            fail("scalpel " + String.join(" ", args) + " ended (exit " + p.exitValue() + ") or timed out before its temporary output grew past "
                + GROWN_PAST + " bytes: " + Files.readString(dir.resolve("child.err")));
        }
        assertEquals(137, p.exitValue(), "exit status of a process killed by SIGKILL (128 + 9)");
    }

    private static long bytesUnder(final Predicate<Path> temporary) throws IOException {
        long bytes = 0;
        try (Stream<Path> top = Files.list(dir)) {
            for (Path t : top.filter(temporary).toList()) {
                try (Stream<Path> all = Files.walk(t)) {
                    for (Path f : all.filter(Files::isRegularFile).toList()) {
                        bytes += sizeOrZero(f);
                    }
                } catch (IOException | java.io.UncheckedIOException gone) {
                    // renamed or deleted while walking: counted at the next poll
                }
            }
        }
        return bytes;
    }

    private static long sizeOrZero(final Path f) {
        try {
            return Files.size(f);
        } catch (IOException gone) {
            return 0;
        }
    }

    private static Map<String, byte[]> contents(final Path directory) throws IOException {
        final Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(directory)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                files.put(directory.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return files;
    }
}
