package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code scalpel slice} without a conn.log: a {@code --flow} in a {@code --from/--to} window (or
 * several), a {@code --query}, or a time range alone (absolute or relative); and {@code --from/--to}
 * narrowing a conn.log slice; on a generated capture; the extract is judged against the
 * generator's ground truth (which frames, byte for byte).
 */
class QueryWithoutConnLogTest {
    private static final int PCAP_HEADER_LENGTH = 24;

    @TempDir
    Path dir;
    Path capture;
    Generated truth;
    byte[] captureBytes;

    @BeforeEach
    void generate() throws IOException {
        // Nanosecond pcap; IPv4 and IPv6, TCP, UDP and ICMP, ARP noise, some timestamps out of file order.
        final GeneratorSpec spec = GeneratorSpec.defaults(8100).withFormat(CaptureFileFormat.PCAP_NSEC_LE)
            .withConnections(40).withUnsortedTimestamps(true);
        capture = dir.resolve("cap.pcap");
        truth = CaptureGenerator.generate(spec, capture, null);
        captureBytes = Files.readAllBytes(capture);
    }

    @Test
    void shouldSliceExactlyTheFramesOfAnIpv4TcpFlowInItsWindowWrittenInEitherOrder() throws IOException {
        final TruthConn c = firstConn(x -> x.proto().equals("tcp") && !x.origH().contains(":"));
        // A flow in a window is the frames in the window: not the packets after a TCP close, which a conn.log row adds.
        final List<TruthFrame> expected = framesOf(c.uid()).stream().filter(f -> f.tsNanos() <= c.endNanos()).toList();

        for (String flow : List.of("tcp " + c.origH() + ":" + c.origP() + " " + c.respH() + ":" + c.respP(),
                                   "tcp " + c.respH() + ":" + c.respP() + " " + c.origH() + ":" + c.origP())) {
            final Path out = dir.resolve("flow.pcap");
            final Cli r = Cli.run("slice", capture.toString(), "--flow", flow,
                "--from", epochSeconds(c.tsNanos()), "--to", epochSeconds(c.endNanos()), "-w", out.toString());

            assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
            assertArrayEquals(extract(expected), Files.readAllBytes(out), () -> flow + ": the frames of " + c.uid());
        }
    }

    @Test
    void shouldSliceExactlyTheFramesOfAnIpv6FlowWrittenWithBrackets() throws IOException {
        final TruthConn c = firstConn(x -> (x.proto().equals("tcp") || x.proto().equals("udp")) && x.origH().contains(":"));
        final String flow = c.proto() + " [" + c.origH() + "]:" + c.origP() + " [" + c.respH() + "]:" + c.respP();
        final Path out = dir.resolve("flow6.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--flow", flow,
            "--from", epochSeconds(c.tsNanos()), "--to", epochSeconds(c.endNanos()), "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertArrayEquals(extract(framesOf(c.uid()).stream().filter(f -> f.tsNanos() <= c.endNanos()).toList()),
            Files.readAllBytes(out), () -> flow + ": the frames of " + c.uid() + " in the window");
    }

    @Test
    void shouldSliceEveryFrameInATimeRangeGivenInEpochSecondsOrIso8601() throws IOException {
        // The middle third of the capture's time span, bounds on frame timestamps (inclusive).
        final List<TruthFrame> byTime = truth.frames().stream()
            .sorted(java.util.Comparator.comparingLong(TruthFrame::tsNanos)).toList();
        final long from = byTime.get(byTime.size() / 3).tsNanos();
        final long to = byTime.get(2 * byTime.size() / 3).tsNanos();
        final List<TruthFrame> expected = truth.frames().stream().filter(f -> f.tsNanos() >= from && f.tsNanos() <= to).toList();
        assertTrue(expected.stream().anyMatch(f -> f.uids().isEmpty()), "the range holds frames of no connection (ARP)");
        assertTrue(expected.stream().anyMatch(f -> !f.uids().isEmpty()), "the range holds frames of connections");

        final String[][] spellings = {
            {epochSeconds(from), epochSeconds(to)},
            {Instant.ofEpochSecond(0, from).toString(), Instant.ofEpochSecond(0, to).toString()},
        };
        for (String[] range : spellings) {
            final Path out = dir.resolve("range.pcap");
            final Cli r = Cli.run("slice", capture.toString(), "--from", range[0], "--to", range[1], "-w", out.toString());

            assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
            assertArrayEquals(extract(expected), Files.readAllBytes(out), () -> "--from " + range[0] + " --to " + range[1]);
        }
    }

    @Test
    void shouldExitWithUsageWhenFromIsAfterTo() {
        final long t = truth.frame(10).tsNanos();
        final Path out = dir.resolve("none.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--from", epochSeconds(t + 1), "--to", epochSeconds(t),
            "-w", out.toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--from is after --to"), r::toString);
        assertFalse(Files.exists(out), "no output");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tcp 10.0.0.1:80                     | --flow wants 'PROTO ADDR:PORT ADDR:PORT', got 'tcp 10.0.0.1:80'",
        "tcp 10.0.0.1 10.0.0.2:80            | '10.0.0.1' is not ADDR:PORT",
        "tcp 10.0.0.1:http 10.0.0.2:80       | '10.0.0.1:http' has no numeric port",
        "tcp 10.0.0.1:70000 10.0.0.2:80      | port 70000 in '10.0.0.1:70000' is out of range",
        "tcp 10.0.0.300:1 10.0.0.2:80        | not an IPv4 address: '10.0.0.300'",
        "tcp 2001:db8::1:80 [2001:db8::2]:80 | write IPv6 endpoints as [ADDR]:PORT, got '2001:db8::1:80'",
        "tcp 10.0.0.1:1 [2001:db8::2]:80     | --flow mixes IPv4 and IPv6 addresses",
        "sctp 10.0.0.1:1 10.0.0.2:80         | --flow protocol 'sctp' is not tcp, udp, icmp or a number",
        "300 10.0.0.1:1 10.0.0.2:80          | --flow protocol 300 is not an IP protocol number",
    })
    void shouldExitWithUsageAndSayWhatIsWrongWithAMalformedFlow(final String flow, final String message) {
        final Path out = dir.resolve("none.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--flow", flow, "-w", out.toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: " + message), r::toString);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
        assertFalse(Files.exists(out), "no output");
    }

    @Test
    void shouldSliceTheFramesAQueryAccepts() throws IOException {
        final TruthConn c = firstConn(x -> x.proto().equals("tcp") && !x.origH().contains(":"));
        final String host = c.origH();
        final List<TruthFrame> expected = truth.frames().stream()
            .filter(f -> f.ipProto() == 6 && (host.equals(f.srcAddr()) || host.equals(f.dstAddr()))).toList();
        final Path out = dir.resolve("query.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--query", "host " + host + " and tcp", "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertArrayEquals(extract(expected), Files.readAllBytes(out), () -> "host " + host + " and tcp");
    }

    @Test
    void shouldSliceSeveralFlowsInOneRun() throws IOException {
        final TruthConn a = firstConn(x -> x.proto().equals("udp") && !x.origH().contains(":"));
        final TruthConn b = firstConn(x -> x.proto().equals("tcp") && !x.origH().contains(":"));
        final List<TruthFrame> expected = truth.frames().stream()
            .filter(f -> (f.uids().contains(a.uid()) && f.tsNanos() <= a.endNanos()) || (f.uids().contains(b.uid()) && f.tsNanos() <= b.endNanos()))
            .toList();
        final Path out = dir.resolve("flows.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--flow", "udp " + a.origH() + ":" + a.origP() + " " + a.respH() + ":" + a.respP(),
            "--flow", "tcp " + b.origH() + ":" + b.origP() + " " + b.respH() + ":" + b.respP(),
            "--from", epochSeconds(Math.min(a.tsNanos(), b.tsNanos())), "--to", epochSeconds(Math.max(a.endNanos(), b.endNanos())),
            "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("of 2 of 2 queries"), r::toString);
        final long from = Math.min(a.tsNanos(), b.tsNanos());
        final long to = Math.max(a.endNanos(), b.endNanos());
        assertArrayEquals(extract(expected.stream().filter(f -> f.tsNanos() >= from && f.tsNanos() <= to).toList()),
            Files.readAllBytes(out));
    }

    @Test
    void shouldTakeTimesRelativeToNow() throws IOException {
        final List<TruthFrame> expected = truth.frames().stream().filter(TruthFrame::hasTimestamp).toList();
        final Path out = dir.resolve("all.pcap");

        // The generated capture lies in 2023: 10000 days ago is before it, one second ago after it.
        final Cli r = Cli.run("slice", capture.toString(), "--from", "10000d ago", "--to", "1s ago", "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertArrayEquals(extract(expected), Files.readAllBytes(out));
        final Cli none = Cli.run("slice", capture.toString(), "--query", "after 1h ago", "-w", dir.resolve("none.pcap").toString());
        assertEquals(ExitCode.NOTHING_FOUND.code(), none.exit(), none::toString);
    }

    @Test
    void shouldNarrowAConnLogSliceToTheWindow() throws IOException {
        final Path conn = dir.resolve("conn.log");
        CaptureGenerator.generate(GeneratorSpec.defaults(8100).withFormat(CaptureFileFormat.PCAP_NSEC_LE).withConnections(40)
            .withUnsortedTimestamps(true), capture, conn);
        final TruthConn c = firstConn(x -> framesOf(x.uid()).size() >= 6);
        final List<TruthFrame> all = framesOf(c.uid()).stream().sorted(java.util.Comparator.comparingLong(TruthFrame::tsNanos)).toList();
        final long from = all.get(2).tsNanos();
        final long to = all.get(all.size() - 2).tsNanos();
        final Path out = dir.resolve("narrowed.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", c.uid(), "--from", epochSeconds(from),
            "--to", epochSeconds(to), "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertArrayEquals(extract(all.stream().filter(f -> f.tsNanos() >= from && f.tsNanos() <= to).toList()), Files.readAllBytes(out),
            () -> c.uid() + " in [" + from + ", " + to + "]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "host 10.0.0.1 andd tcp|--query 'host 10.0.0.1 andd tcp': column 15: expected 'and', 'or' or the end, got 'andd'",
        "port 99999|--query 'port 99999': column 6: port 99999 is out of range (0-65535)",
        "after tomorrow|--query 'after tomorrow': column 7: 'tomorrow' is not a time"})
    void shouldExitWithUsageNamingTheColumnOfABadQuery(final String query, final String message) {
        final Path out = dir.resolve("none.pcap");

        final Cli r = Cli.run("slice", capture.toString(), "--query", query, "-w", out.toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: " + message), r::toString);
        assertFalse(Files.exists(out), "no output");
        assertFalse(Files.exists(dir.resolve("cap.pcap.scalpel")), "nothing indexed before the query was read");
    }

    @Test
    void shouldRefuseAQueryWithAConnLog() {
        final Cli r = Cli.run("slice", capture.toString(), "--query", "tcp", "--conn", "conn.log", "--all", "-w",
            dir.resolve("none.pcap").toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--query cannot be combined with --conn: it selects by itself"), r::toString);
    }

    private TruthConn firstConn(final Predicate<TruthConn> which) {
        return truth.conns().stream().filter(which).filter(c -> !framesOf(c.uid()).isEmpty()).findFirst()
            .orElseThrow(() -> new AssertionError("the generated capture has no such connection"));
    }

    private List<TruthFrame> framesOf(final String uid) {
        return truth.frames().stream().filter(f -> f.uids().contains(uid)).toList();
    }

    /** The pcap an extract of {@code frames} must be: the capture's header, then their records byte for byte. */
    private byte[] extract(final List<TruthFrame> frames) {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(captureBytes, 0, PCAP_HEADER_LENGTH);
        frames.stream().sorted(java.util.Comparator.comparingLong(TruthFrame::recordOffset))
            .forEach(f -> b.write(captureBytes, (int) f.recordOffset(), f.recordLength()));
        return b.toByteArray();
    }

    /** Nanoseconds since the epoch as epoch seconds with a nine-digit fraction. */
    private static String epochSeconds(final long nanos) {
        return BigDecimal.valueOf(nanos, 9).toPlainString();
    }
}
