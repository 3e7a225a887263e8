package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The slice command on the contract sample, judged by the test's own pcap walk and decoder, and by tcpdump. */
class SliceCommandTest {
    /** The first two rows of sample-conn.log: unfragmented, so frames = orig_pkts + resp_pkts. */
    private static final String FIRST = "CjnUex7KLTh3VLr8Ks";
    private static final String SECOND = "Ck98N2KD4BOE0TDOgv";
    /** A UDP row whose four datagrams are each two IPv4 fragments: Zeek counts 4, the capture holds 8 frames. */
    private static final String FRAGMENTED = "CosI6AOFgHs5NjFCYh";
    private static final String UNKNOWN = "CNoSuchUid000000";

    @TempDir
    Path dir;
    Path capture;
    Path conn;
    PcapFile pcap;
    List<ConnOracle.Conn> rows;
    Map<String, ConnOracle.Expected> expected;

    @BeforeEach
    void copySample() throws IOException {
        final Path[] sample = Cli.sample(dir);
        capture = sample[0];
        conn = sample[1];
        pcap = PcapFile.read(capture);
        rows = ConnOracle.readConnLog(conn);
        expected = ConnOracle.expected(pcap, rows);
    }

    @Test
    void shouldFindEveryRowsPacketsInTheSampleAsZeekCountedThem() {
        // Checks the oracle itself: each row's datagrams in the capture (a fragmented datagram once) are
        // what the conn.log counts. Frames exceed it only by trailing fragments.
        final List<Executable> checks = new ArrayList<>();
        int fragmentedRows = 0;
        for (ConnOracle.Conn c : rows) {
            final ConnOracle.Expected e = expected.get(c.uid());
            checks.add(() -> assertEquals(c.zeekPackets(), e.datagrams(), c.uid() + ": datagrams vs orig_pkts+resp_pkts"));
            if (e.frames() != e.datagrams()) {
                fragmentedRows++;
            }
        }
        assertAll(checks);
        assertEquals(2, fragmentedRows, "rows with IP fragments in the sample (CRMoW0FhR2znvrQjun, " + FRAGMENTED + ")");
        assertEquals(8, expected.get(FRAGMENTED).frames());
    }

    @Tag("external")
    @Test
    void shouldWriteByteIdenticalRecordsOfTwoUids() throws Exception {
        final Path out = dir.resolve("two.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST + "," + SECOND,
            "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<Long> offsets = union(FIRST, SECOND);
        assertRecordsAreCopies(out, offsets);
        assertEquals(zeekPackets(FIRST) + zeekPackets(SECOND), tcpdumpCount(out), "tcpdump's packet count vs conn.log");
        assertFalse(r.err().contains("\tat "), r::toString);
    }

    @Tag("external")
    @Test
    void shouldCarryEveryFragmentOfAFragmentedConnection() throws Exception {
        final Path out = dir.resolve("frag.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FRAGMENTED, "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertRecordsAreCopies(out, expected.get(FRAGMENTED).offsets());
        assertEquals(8, tcpdumpCount(out), "4 datagrams in 2 fragments each (Zeek counts 4)");
    }

    @Test
    void shouldTreatARepeatedUidOptionLikeACommaList() throws Exception {
        final Path listed = dir.resolve("listed.pcap");
        final Path repeated = dir.resolve("repeated.pcap");

        final Cli a = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST + "," + FRAGMENTED,
            "-w", listed.toString());
        final Cli b = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST, "--uid", FRAGMENTED,
            "-w", repeated.toString());

        assertEquals(ExitCode.OK.code(), a.exit(), a::toString);
        assertEquals(ExitCode.OK.code(), b.exit(), b::toString);
        assertArrayEquals(Files.readAllBytes(listed), Files.readAllBytes(repeated));
        assertRecordsAreCopies(repeated, union(FIRST, FRAGMENTED));
    }

    @Test
    void shouldWriteOneFilePerConnRowWithExactlyItsPackets() throws Exception {
        final Path split = dir.resolve("split");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "--split-dir", split.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<Executable> checks = new ArrayList<>();
        long files;
        try (var s = Files.list(split)) {
            files = s.filter(p -> p.toString().endsWith(".pcap")).count();
        }
        assertEquals(rows.stream().filter(c -> expected.get(c.uid()).frames() > 0).count(), files, "one <uid>.pcap per row with packets");
        for (ConnOracle.Conn c : rows) {
            checks.add(() -> assertRecordsAreCopies(split.resolve(c.uid() + ".pcap"), expected.get(c.uid()).offsets()));
        }
        assertAll(checks);
    }

    @Test
    void shouldStreamAPcapToStandardOutputForDash() throws Exception {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST, "-w", "-");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final Path streamed = Files.write(dir.resolve("streamed.pcap"), r.binary());
        assertRecordsAreCopies(streamed, expected.get(FIRST).offsets());
        assertEquals("", r.out(), "nothing but the capture on stdout");
    }

    @Test
    void shouldIndexFirstWhenTheCaptureHasNoIndex() {
        final Path index = dir.resolve("sample.pcap.scalpel");
        assertFalse(Files.exists(index));

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST,
            "-w", dir.resolve("o.pcap").toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("no index for " + capture) && r.err().contains("indexed"), r::toString);
        assertTrue(Files.isRegularFile(index.resolve("manifest.json")), "index created");
    }

    // --- exit codes -------------------------------------------------------------------------------

    @Test
    void shouldExitWithUsageWithoutArguments() {
        assertExit(ExitCode.USAGE, Cli.run());
    }

    @Test
    void shouldExitWithUsageForAnUnknownOption() {
        assertExit(ExitCode.USAGE, Cli.run("slice", capture.toString(), "--no-such-option", "-w", out()));
    }

    @Test
    void shouldExitWithUsageForBothWriteAndSplitDir() {
        assertExit(ExitCode.USAGE, Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all",
            "-w", out(), "--split-dir", dir.resolve("split").toString()));
    }

    @Test
    void shouldExitWithUsageForUidWithoutConn() {
        final Cli r = Cli.run("slice", capture.toString(), "--uid", FIRST, "-w", out());
        assertExit(ExitCode.USAGE, r);
        assertTrue(r.err().contains("--conn"), r::toString);
    }

    @Test
    void shouldExitWithUsageForAnUnknownFormat() {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST, "--format", "erf", "-w", out());
        assertExit(ExitCode.USAGE, r);
        assertTrue(r.err().contains("erf"), r::toString);
    }

    @Test
    void shouldExitWithUsageForAnUnparsableFrom() {
        final Cli r = Cli.run("slice", capture.toString(), "--from", "yesterday", "-w", out());
        assertExit(ExitCode.USAGE, r);
        assertTrue(r.err().contains("yesterday"), r::toString);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"9999999999", "3000-01-01T00:00:00Z", "99999999999999999999999.5"})
    void shouldExitWithUsageAndSayOutOfRangeForATimeBeyondWhatNanosecondsCount(final String time) {
        // 2^63 - 1 ns after 1970 is 2262-04-11T23:47:16.854775807Z: each of these lies after it.
        final Cli r = Cli.run("slice", capture.toString(), "--to", time, "-w", out());

        assertExit(ExitCode.USAGE, r);
        assertTrue(r.err().contains("'--to': '" + time + "' is out of range") && r.err().contains("2262-04-11T23:47:16.854775807Z"),
            r::toString);
        assertFalse(Files.exists(Path.of(out())), "nothing written on a usage error");
    }

    @Test
    void shouldTakeTheLastNanosecondThatALongCountsAsATime() {
        final Cli r = Cli.run("slice", capture.toString(), "--from", "9223372036.854775807", "-w", out());

        assertExit(ExitCode.NOTHING_FOUND, r);
    }

    @Test
    void shouldExitWithBadInputForACaptureWithBadMagic() throws IOException {
        final Path bad = Files.write(dir.resolve("bad.pcap"), "this is not a capture, just text....".getBytes(StandardCharsets.US_ASCII));

        final Cli r = Cli.run("slice", bad.toString(), "--conn", conn.toString(), "--uid", FIRST, "-w", out());

        assertExit(ExitCode.BAD_INPUT, r);
        assertTrue(r.err().contains(bad.toString()) && r.err().contains("byte offset 0"), r::toString);
    }

    @Test
    void shouldExitWithBadInputForATruncatedPcapHeader() throws IOException {
        final byte[] head = new byte[10];
        System.arraycopy(pcap.bytes, 0, head, 0, head.length);
        final Path bad = Files.write(dir.resolve("short.pcap"), head);

        final Cli r = Cli.run("index", bad.toString());

        assertExit(ExitCode.BAD_INPUT, r);
        assertTrue(r.err().contains(bad.toString()), r::toString);
    }

    @Test
    void shouldExitWithBadInputForAGarbledConnLog() throws IOException {
        final byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        final Path bad = Files.write(dir.resolve("garbled-conn.log"), garbage);

        final Cli r = Cli.run("slice", capture.toString(), "--conn", bad.toString(), "--uid", FIRST, "-w", out());

        assertExit(ExitCode.BAD_INPUT, r);
        assertTrue(r.err().contains(bad.toString()), r::toString);
    }

    @Test
    void shouldRefuseAStaleIndexUntilReindexed() throws IOException {
        // The first record lies in the first 64 KiB, which the capture fingerprint hashes.
        assertExit(ExitCode.OK, Cli.run("index", "-q", capture.toString()));
        final PcapFile.Record first = pcap.records.get(0);
        final byte[] changed = pcap.bytes.clone();
        for (int i = 0; i < first.capturedLength(); i++) {
            changed[(int) first.offset() + PcapFile.RECORD_HEADER_LENGTH + i] ^= (byte) 0xFF;
        }
        Files.write(capture, changed);

        final Cli stale = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST, "-w", out());
        assertExit(ExitCode.BAD_INPUT, stale);
        assertTrue(stale.err().contains("re-run `scalpel index"), stale::toString);

        final Cli reindexed = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST, "--reindex", "-w", out());
        assertExit(ExitCode.OK, reindexed);
    }

    @Test
    void shouldRefuseAStaleIndexWhenTheCaptureChangedInTheMiddle() throws IOException {
        assertExit(ExitCode.OK, Cli.run("index", "-q", capture.toString()));
        final PcapFile.Record middle = pcap.records.get(pcap.records.size() / 2);
        final byte[] changed = pcap.bytes.clone();
        changed[(int) middle.offset() + PcapFile.RECORD_HEADER_LENGTH] ^= (byte) 0xFF;
        Files.write(capture, changed);

        assertExit(ExitCode.BAD_INPUT, Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST, "-w", out()));
    }

    @Test
    void shouldExitWithNothingFoundForAnUnknownUidAlone() {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", UNKNOWN, "-w", out());

        assertExit(ExitCode.NOTHING_FOUND, r);
        assertTrue(r.err().contains(UNKNOWN), r::toString);
    }

    @Test
    void shouldExitWithNothingFoundForAFlowThatMatchesNothing() {
        final Cli r = Cli.run("slice", capture.toString(), "--flow", "tcp 192.0.2.1:1 192.0.2.2:2", "-w", out());

        assertExit(ExitCode.NOTHING_FOUND, r);
    }

    @Test
    void shouldExitWithPartialWhenOneUidIsUnknown() throws Exception {
        final Path out = dir.resolve("partial.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST + "," + UNKNOWN,
            "-w", out.toString());

        assertExit(ExitCode.PARTIAL, r);
        assertTrue(r.err().contains(UNKNOWN), r::toString);
        assertFalse(r.err().contains("uid " + FIRST), r::toString);
        assertRecordsAreCopies(out, expected.get(FIRST).offsets());
    }

    @Test
    void shouldExitWithOutputErrorOnAFullDevice() {
        final Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(full), "skipped: /dev/full is absent on this system");

        assertExit(ExitCode.OUTPUT, Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST,
            "-w", full.toString()));
    }

    @Test
    void shouldExitWithOutputErrorForAMissingDirectory() {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST,
            "-w", dir.resolve("no/such/dir/out.pcap").toString());

        assertExit(ExitCode.OUTPUT, r);
    }

    @Test
    void shouldExitWithOutputErrorForAnUnwritableDirectory() throws IOException {
        final Path readOnly = Files.createDirectory(dir.resolve("read-only"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        // As root, permissions do not stop a write: a directory that is a regular file does.
        final Path target = Files.isWritable(readOnly)
            ? Files.writeString(dir.resolve("a-file"), "x").resolve("sub/out.pcap")
            : readOnly.resolve("out.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", FIRST, "-w", target.toString());

        assertExit(ExitCode.OUTPUT, r);
        assertTrue(r.err().contains(target.toString()), r::toString);
    }

    // --- helpers ----------------------------------------------------------------------------------

    private String out() {
        return dir.resolve("out.pcap").toString();
    }

    private static void assertExit(final ExitCode code, final Cli r) {
        assertEquals(code.code(), r.exit(), r::toString);
        assertFalse(r.err().contains("\tat "), () -> "stack trace on stderr: " + r);
        if (code != ExitCode.OK) {
            assertNotEquals("", r.err().strip(), "a failure says why on stderr");
        }
    }

    private long zeekPackets(final String uid) {
        return rows.stream().filter(c -> c.uid().equals(uid)).findFirst().orElseThrow().zeekPackets();
    }

    /** Offsets of the frames of several uids, each once, in capture order. */
    private List<Long> union(final String... uids) {
        final java.util.TreeSet<Long> all = new java.util.TreeSet<>();
        for (String u : uids) {
            all.addAll(expected.get(u).offsets());
        }
        return new ArrayList<>(all);
    }

    /** The output's header is the capture's and its records are the capture's records at {@code offsets}, in order. */
    private void assertRecordsAreCopies(final Path output, final List<Long> offsets) throws IOException {
        assertTrue(Files.isRegularFile(output), () -> output + " not written");
        final PcapFile written = PcapFile.read(output);
        assertArrayEquals(pcap.header(), written.header(), output + ": file header differs from the capture's");
        assertEquals(written.bytes.length, written.records.isEmpty() ? PcapFile.FILE_HEADER_LENGTH
            : written.records.get(written.records.size() - 1).offset() + written.records.get(written.records.size() - 1).length(),
            output + ": bytes after the last whole record");
        assertEquals(offsets.size(), written.records.size(), output + ": record count");
        for (int i = 0; i < offsets.size(); i++) {
            final long offset = offsets.get(i);
            final PcapFile.Record original = pcap.records.stream().filter(rec -> rec.offset() == offset).findFirst().orElseThrow();
            assertArrayEquals(pcap.recordBytes(original), written.recordBytes(written.records.get(i)),
                output + ": record " + i + " is not a copy of the capture's record at byte " + offset);
        }
    }

    private static long tcpdumpCount(final Path file) throws IOException, InterruptedException {
        io.scalpel.testing.ExternalTools.require(io.scalpel.testing.ExternalTools.TCPDUMP);
        final Path tcpdump = io.scalpel.testing.ExternalTools.executable(io.scalpel.testing.ExternalTools.TCPDUMP).orElseThrow();
        final Process p = new ProcessBuilder(tcpdump.toString(), "-nn", "-r", file.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tcpdump -r " + file + " failed");
        return text.lines().count();
    }
}
