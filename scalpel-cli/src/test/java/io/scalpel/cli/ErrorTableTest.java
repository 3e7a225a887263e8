package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rows of docs/cli.md's "Errors and their exit codes" table (and the error classes of its
 * exit-code table) that other tests do not provoke: each case gives its documented exit code
 * and a one-line message naming what failed. The other rows: bad magic, truncated header,
 * garbled conn.log, stale index, unknown uid, usage and the missing directory in
 * {@link SliceCommandTest}; caplen beyond the limit, block length mismatch and interface id out
 * of range in {@link MalformedCaptureCliTest}; unsafe uids and skipped lines in
 * {@link HostileConnLogTest}; Parquet and zstd conn.logs in {@link ConnLogSourcesCommandTest};
 * --bpf in {@link BpfSliceCommandTest}; outputs that are inputs, empty output paths and a directory
 * that takes no new files in {@link OutputSafetyCommandTest}.
 */
class ErrorTableTest {
    /** The first row of testdata/sample-conn.log, whose packets testdata/sample.pcap holds. */
    private static final String UID = "CGYGRP1JflrnEXWrau";

    @TempDir
    Path dir;
    Path capture;
    Path conn;

    @BeforeEach
    void copyTheSample() throws IOException {
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        capture = Files.copy(testdata.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        conn = Files.copy(testdata.resolve("sample-conn.log"), dir.resolve("sample-conn.log"));
    }

    @Test
    void shouldExitWithOutputErrorWhenTheIndexDirectoryCannotBeCreatedUnderAFile() throws IOException {
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        final Path index = file.resolve("sub/idx");

        final Cli r = Cli.run("index", "-q", "--index", index.toString(), capture.toString());

        assertExit(ExitCode.OUTPUT, r);
        assertTrue(r.err().startsWith("scalpel: cannot write index " + index + ": "), r::toString);
    }

    @Test
    void shouldExitWithOutputErrorWhenSliceCannotBuildTheMissingIndex() throws IOException {
        final Path index = Files.writeString(dir.resolve("a-file"), "x").resolve("idx");

        final Cli r = Cli.run("slice", capture.toString(), "--index", index.toString(), "--conn", conn.toString(), "--uid", UID,
            "-w", dir.resolve("out.pcap").toString());

        assertExit(ExitCode.OUTPUT, r);
        assertTrue(r.err().contains("scalpel: cannot write index " + index + ": "), r::toString);
        assertFalse(Files.exists(dir.resolve("out.pcap")), "nothing written");
    }

    @Test
    void shouldExitWithOutputErrorForAnIndexUnderAProcFileSystem() {
        final Path proc = Path.of("/proc/self");
        assumeTrue(Files.isDirectory(proc), "skipped: no /proc on this system");
        final Path index = proc.resolve("scalpel-index");

        final Cli r = Cli.run("index", "-q", "--index", index.toString(), capture.toString());

        assertExit(ExitCode.OUTPUT, r);
        assertTrue(r.err().startsWith("scalpel: cannot write index " + index + ": "), r::toString);
    }

    @Test
    void shouldExitWithOutputErrorWhenTheSplitDirectoryIsAFile() throws IOException {
        final Path file = Files.writeString(dir.resolve("split"), "x");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "--split-dir", file.toString());

        assertExit(ExitCode.OUTPUT, r);
        assertTrue(r.err().contains("cannot create --split-dir " + file + ": " + file + " exists and is not a directory"), r::toString);
    }

    @Test
    void shouldExitWithBadInputNamingAConnLogDirectoryWithoutConnLogs() throws IOException {
        final Path notALog = Files.createDirectory(dir.resolve("logs"));
        Files.writeString(notALog.resolve("dns.log"), "#fields\tts\n");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", notALog.toString(), "--uid", UID, "-w", dir.resolve("o.pcap").toString());

        assertExit(ExitCode.BAD_INPUT, r);
        assertEquals("scalpel: " + notALog + ": directory holds no conn.log (files named conn.*, like conn.log,"
            + " conn.2026-11-30-10-00-00.log.gz or conn.parquet)", lastLine(r.err()), r::toString);
    }

    @Test
    void shouldExitWithBadInputForAMissingCaptureInBothCommands() {
        final String missing = dir.resolve("nosuch.pcap").toString();

        final Cli index = Cli.run("index", "-q", missing);
        final Cli slice = Cli.run("slice", missing, "--conn", conn.toString(), "--uid", UID, "-w", dir.resolve("o.pcap").toString());

        assertExit(ExitCode.BAD_INPUT, index);
        assertTrue(index.err().startsWith("scalpel: " + missing + ": no such file"), index::toString);
        assertExit(ExitCode.BAD_INPUT, slice);
        assertTrue(slice.err().startsWith("scalpel: " + missing + ": no such file"), slice::toString);
    }

    @Test
    void shouldExitWithOutputErrorOnAFullDeviceSayingSo() {
        final Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "skipped: /dev/full is absent on this system");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "-w", full.toString());

        assertExit(ExitCode.OUTPUT, r);
        assertEquals("scalpel: cannot write /dev/full: No space left on device", lastLine(r.err()), r::toString);
    }

    @Test
    void shouldExitWithOutputErrorWhenTheReaderOfThePipeGoesAway() {
        final ScalpelCommand command = new ScalpelCommand();
        command.binaryOut = new OutputStream() {
            private int written;

            @Override
            public void write(final int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(final byte[] b, final int off, final int len) throws IOException {
                written += len;
                if (written > 100) {
                    throw new IOException("Broken pipe");
                }
            }
        };
        final StringWriter err = new StringWriter();

        final int exit = ScalpelCommand.run(command, new PrintWriter(new StringWriter()), new PrintWriter(err, true),
            "slice", capture.toString(), "--to", "4300000000", "-w", "-");

        assertEquals(ExitCode.OUTPUT.code(), exit, err::toString);
        assertEquals("scalpel: cannot write <stdout>: Broken pipe", lastLine(err.toString()));
    }

    @Test
    void shouldRefuseAStaleIndexOfACaptureCutShortSayingBothSizes() throws IOException {
        assertExit(ExitCode.OK, Cli.run("index", "-q", capture.toString()));
        final long size = Files.size(capture);
        Files.write(capture, java.util.Arrays.copyOf(Files.readAllBytes(capture), (int) size - 1000));

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "-w", dir.resolve("o.pcap").toString());

        assertExit(ExitCode.BAD_INPUT, r);
        assertTrue(r.err().contains("is stale: " + capture + " changed since it was indexed (indexed " + size + " bytes, now "
            + (size - 1000) + "); re-run `scalpel index " + capture + "` (or slice with --reindex)"), r::toString);
    }

    @Test
    void shouldRefuseAStaleIndexOfACaptureModifiedInPlace() throws IOException {
        final Path big = bigCapture();
        assertExit(ExitCode.OK, Cli.run("index", "-q", big.toString()));
        final byte[] bytes = Files.readAllBytes(big);
        bytes[bytes.length / 2] ^= (byte) 0xFF; // beyond the fingerprinted head and tail
        final FileTime before = Files.getLastModifiedTime(big);
        Files.write(big, bytes);
        Files.setLastModifiedTime(big, FileTime.fromMillis(before.toMillis() + 5000));

        final Cli r = Cli.run("slice", big.toString(), "--to", "4300000000", "-w", dir.resolve("o.pcap").toString());

        assertExit(ExitCode.BAD_INPUT, r);
        assertTrue(r.err().contains(big + " was modified since it was indexed (same size, different modification time)"),
            r::toString);
    }

    /** A record header beyond the fingerprinted head and tail, changed with the modification time put back: the slice's re-check finds it. */
    @Test
    void shouldRefuseARecordWhoseHeaderChangedBehindTheIndexNamingItsOffset() throws IOException {
        final Path big = bigCapture();
        assertExit(ExitCode.OK, Cli.run("index", "-q", big.toString()));
        final byte[] bytes = Files.readAllBytes(big);
        final PcapFile pcap = PcapFile.parse(bytes);
        final PcapFile.Record middle = pcap.records.get(pcap.records.size() / 2);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(pcap.order);
        b.putInt((int) middle.offset() + 4, b.getInt((int) middle.offset() + 4) + 1); // one microsecond later
        final FileTime mtime = Files.getLastModifiedTime(big);
        Files.write(big, bytes);
        Files.setLastModifiedTime(big, mtime);

        final Cli r = Cli.run("slice", big.toString(), "--to", "4300000000", "-w", dir.resolve("o.pcap").toString());

        assertExit(ExitCode.BAD_INPUT, r);
        assertTrue(r.err().contains("scalpel: " + big + ": byte offset " + middle.offset() + ": record has timestamp "
            + (middle.tsNanos() + 1000)), r::toString);
        assertTrue(r.err().contains("the capture changed since it was indexed"), r::toString);
        assertFalse(Files.exists(dir.resolve("o.pcap")), "no partial output");
    }

    @Test
    void shouldExtendTheIndexOfACaptureThatGrewBeforeSlicing() throws IOException {
        assertExit(ExitCode.OK, Cli.run("index", "-q", capture.toString()));
        final long indexed = Files.size(capture);
        final PcapFile pcap = PcapFile.read(capture);
        Files.write(capture, pcap.recordBytes(pcap.records.get(0)), java.nio.file.StandardOpenOption.APPEND);

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID, "-w", dir.resolve("o.pcap").toString());

        assertExit(ExitCode.OK, r);
        assertTrue(r.err().contains("scalpel: " + capture + " grew since it was indexed: indexed its 1 new packets from byte "
            + indexed), r::toString);
    }

    @Test
    void shouldExitWithPartialForAnUnsafeUidNextToAWrittenOne() throws IOException {
        final java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(conn));
        final String row = lines.stream().filter(l -> l.contains(UID)).findFirst().orElseThrow();
        lines.add(row.replace(UID, "../up"));
        Files.write(conn, lines);
        final Path split = dir.resolve("split");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UID + ",../up", "--split-dir",
            split.toString());

        assertExit(ExitCode.PARTIAL, r);
        assertTrue(r.err().contains("uid ../up (not a safe file name; refused)"), r::toString);
        assertTrue(Files.isRegularFile(split.resolve(UID + ".pcap")), r::toString);
    }

    @Test
    void shouldMapAnUnexpectedExceptionToInternalWithAHintInsteadOfAStackTrace() {
        final IllegalStateException bug = new IllegalStateException("invariant broken");

        assertEquals(ExitCode.INTERNAL, Failures.exitCode(bug));
        assertEquals("internal error: java.lang.IllegalStateException: invariant broken (set SCALPEL_DEBUG=1 for the stack trace)",
            Failures.message(bug));
    }

    @Tag("e2e")
    @Test
    void shouldSayInOneLineThatTheHeapIsTooSmall() throws Exception {
        final Path out = dir.resolve("child.out");
        final Path err = dir.resolve("child.err");
        final Process p = ChildJvm.start("-Xmx40m", out, err, "index", "-q", capture.toString());
        assertTrue(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES), "child still running");
        final String stderr = Files.readString(err);
        assertEquals(ExitCode.INTERNAL.code(), p.exitValue(), stderr);
        assertTrue(stderr.startsWith("scalpel: out of memory: the Java heap of "), stderr);
        assertTrue(stderr.contains(" MiB is too small for this command; run it with a larger heap"), stderr);
        assertFalse(stderr.contains("\tat ") || stderr.contains("Exception in thread"), stderr);
        assertFalse(Files.exists(dir.resolve("sample.pcap.scalpel")), "an index left behind by the failed run");
    }

    /** testdata/sample.pcap with its records repeated, so that its middle lies beyond the fingerprinted head and tail. */
    private Path bigCapture() throws IOException {
        final PcapFile sample = PcapFile.read(capture);
        final CaptureBytes out = new CaptureBytes(sample.order).put(sample.header());
        long micros = sample.records.get(0).tsNanos() / 1000;
        for (int copy = 0; copy < 12; copy++) {
            for (PcapFile.Record r : sample.records) {
                out.pcapRecord(micros / 1_000_000, micros % 1_000_000, sample.frameBytes(r), r.originalLength());
                micros += 100;
            }
        }
        return out.writeTo(dir.resolve("big.pcap"));
    }

    private static String lastLine(final String text) {
        final java.util.List<String> lines = text.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static void assertExit(final ExitCode code, final Cli r) {
        assertEquals(code.code(), r.exit(), r::toString);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread"), () -> "stack trace on stderr: " + r);
    }
}
