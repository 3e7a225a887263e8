package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testing.CaptureBytes;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that used to end in a stack trace, a hang or a silent wrong answer, through the CLI: each
 * ends in its documented exit code with one-line messages on stderr that name what and where. The
 * fixtures are made here from testdata/sample.pcap and testdata/sample-conn.log (whose first row,
 * {@value #UID}, is ICMP 10.1.139.164 → 172.21.23.134 type 13, code 14, at 1700000000 s).
 */
class NoStackTraceCliTest {
    private static final String UID = "CGYGRP1JflrnEXWrau";
    private static final String ROW = "\"ts\":1700000000.0,\"id.orig_h\":\"10.1.139.164\",\"id.orig_p\":13,"
        + "\"id.resp_h\":\"172.21.23.134\",\"id.resp_p\":14,\"proto\":\"icmp\",\"duration\":0.004201";

    @TempDir
    Path dir;
    Path capture;

    @BeforeEach
    void copyTheSample() throws IOException {
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        capture = Files.copy(testdata.resolve("sample.pcap"), dir.resolve("sample.pcap"));
    }

    @Test
    void shouldRefuseDevZeroAsAConnLogByItsFirstByte() {
        assumeTrue(Files.exists(Path.of("/dev/zero")), "skipped: no /dev/zero here");

        // With --all, and with --uid (whose second reading of the log needs a copy of a stream: the
        // copy is made as the first reading goes, so it stops where that reading refuses the stream).
        for (List<String> uids : List.of(List.of("--all"), List.of("--uid", "C1"))) {
            final List<String> args = new java.util.ArrayList<>(List.of("slice", capture.toString(), "--conn", "/dev/zero"));
            args.addAll(uids);
            args.addAll(List.of("-w", dir.resolve("o.pcap").toString()));
            final Cli r = Cli.run(args.toArray(new String[0]));

            assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
            assertOneLineEach(r);
            assertTrue(r.err().contains("scalpel: /dev/zero line 1: not a Zeek conn.log: starting with byte 0x00;"), r::toString);
        }
    }

    @Test
    void shouldRefuseACaptureThatIsNotARegularFileByWhatItIs() {
        assumeTrue(Files.exists(Path.of("/dev/zero")), "skipped: no /dev/zero here");

        final Cli index = Cli.run("index", "/dev/zero");
        final Cli slice = Cli.run("slice", "/dev/zero", "--from", "0", "-w", dir.resolve("o.pcap").toString());
        final Cli stdin = Cli.run("index", "-");

        for (Cli r : new Cli[] {index, slice}) {
            assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
            assertOneLineEach(r);
            assertTrue(r.err().startsWith("scalpel: /dev/zero: not a regular file (a pipe, a device or a directory): a capture is"
                + " read at random offsets and indexed beside it; save it to a file first"), r::toString);
        }
        assertEquals(ExitCode.BAD_INPUT.code(), stdin.exit(), stdin::toString);
        assertTrue(stdin.err().startsWith("scalpel: -: a capture cannot come from stdin: "), stdin::toString);
        assertFalse(Files.exists(dir.resolve("o.pcap")));
    }

    @Test
    void shouldSkipJsonLinesBeyondTheReadersLimitsAndSliceTheRest() throws IOException {
        final Path log = Files.writeString(dir.resolve("conn.json"), String.join("\n",
            "{\"uid\":\"Cdeep\",\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "," + ROW + "}",
            "{\"uid\":\"Cnumber\",\"orig_bytes\":" + "7".repeat(2000) + "," + ROW + "}",
            "{\"uid\":\"Ckey\",\"" + "k".repeat(50_001) + "\":1," + ROW + "}",
            "{\"uid\":\"" + UID + "\"," + ROW + "}") + "\n");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", log.toString(), "--all", "-w", dir.resolve("o.pcap").toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertOneLineEach(r);
        for (int line = 1; line <= 3; line++) {
            assertTrue(r.err().contains("scalpel: warning: " + log + " line " + line + ": beyond a limit of the JSON reader: "), r::toString);
        }
        assertTrue(r.err().contains("wrote 2 packets of 1 of 1 uids"), r::toString);
    }

    @Test
    void shouldSayInOneLineThatAManifestIsNotJson() throws IOException {
        assertEquals(ExitCode.OK.code(), Cli.run("index", "-q", capture.toString()).exit());
        final Path manifest = dir.resolve("sample.pcap.scalpel/manifest.json");
        Files.writeString(manifest, "{\"format\": \"scalpel-index\",\n \"version\": 3,\n \"parts\": [ nonsense ]\n}");

        final Cli r = Cli.run("slice", capture.toString(), "--from", "1700000000", "--to", "1700000001", "-w",
            dir.resolve("o.pcap").toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertOneLineEach(r);
        assertTrue(r.err().startsWith("scalpel: " + manifest + ": unreadable index manifest (line 3, column "), r::toString);
        assertFalse(r.err().contains("[Source") || r.err().contains("jackson"), r::toString);
    }

    @Test
    void shouldWarnOfAPcapngTimestampBeyond2262NamingItsBlock() throws IOException {
        final Path ng = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .shb()                 // 28 bytes
            .idb(101, 0, 0, 0)     // raw IP, no snaplen, if_tsresol 0: seconds; 32 bytes
            .epb(0, -1L, 16, 16)   // at 60: 2^64 - 1 seconds, 16 bytes of data
            .writeTo(dir.resolve("overflow.pcapng"));

        final Cli r = Cli.run("index", ng.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertOneLineEach(r);
        assertTrue(r.err().contains("scalpel: warning: " + ng + ": byte offset 60: enhanced packet block timestamp "
            + "18446744073709551615 in units of 10^-0 s"), r::toString);
        assertTrue(r.err().contains("clamped to 2262-04-11T23:47:16.854775807Z"), r::toString);
    }

    @Test
    void shouldMapTheJvmsFaultOnMappedMemoryToBadInputInOneLine() {
        final InternalError fault = new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code");

        assertEquals(ExitCode.BAD_INPUT, Failures.exitCode(fault));
        assertEquals("a capture changed while reading (a fault occurred in a recent unsafe memory access operation in compiled"
            + " Java code); run the command again once it no longer changes", Failures.message(fault));
    }

    @Test
    void shouldJoinAMessageOfSeveralLinesIntoOne() {
        final IllegalStateException multi = new IllegalStateException("first line\n  at [Source: x; line: 1]\r\nthird");

        assertEquals("internal error: java.lang.IllegalStateException: first line at [Source: x; line: 1] third"
            + " (set SCALPEL_DEBUG=1 for the stack trace)", Failures.message(multi));
        assertEquals("internal error: java.lang.StackOverflowError (set SCALPEL_DEBUG=1 for the stack trace)",
            Failures.message(new StackOverflowError()));
    }

    /** Every line on stderr is one of scalpel's: no stack trace, no library's text on lines of its own. */
    static void assertOneLineEach(final Cli r) {
        for (String line : List.of(r.err().split("\n"))) {
            assertTrue(line.isEmpty() || line.startsWith("scalpel") || line.startsWith("indexed ") || line.startsWith("up to date "),
                () -> "a line not scalpel's: '" + line + "' in " + r);
        }
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread"), r::toString);
    }
}
