package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packets of a TCP connection after both endpoints closed (the last ACK, a FIN sent again, an
 * RST) belong to its uid for Zeek's close delay (DOMAIN-NOTES section 2): every way the CLI joins
 * conn.log rows slices them, and nothing of the next connection on the same tuple. The oracle is
 * the generator's truth, which models real endings and tuples reused inside the close delay.
 */
class TcpTailCommandTest {
    private static final long SLACK_NANOS = 5_000;
    private static final long MICROS = 1_000;

    @TempDir
    Path dir;

    private Generated truth;
    private Path capture;
    private Path conn;

    @BeforeEach
    void generate() throws IOException {
        capture = dir.resolve("cap.pcap");
        conn = dir.resolve("conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(4411).withReuseTuples(true).withVlan(true)
            .withConnections(60), capture, conn);
    }

    /** TCP uids with frames after their logged duration. */
    private List<TruthConn> withTail() {
        final List<TruthConn> tails = new ArrayList<>();
        for (TruthConn c : truth.conns()) {
            if (c.proto().equals("tcp") && truth.framesOf(c.uid()).stream()
                .anyMatch(n -> truth.frame(n).tsNanos() > c.endNanos() + SLACK_NANOS)) {
                tails.add(c);
            }
        }
        assertTrue(tails.size() >= 5, "closed TCP connections with packets after their duration: " + tails.size());
        return tails;
    }

    /** The (timestamp, captured length) of the uid's truth frames that {@code keep} accepts, in capture order. */
    private List<String> expected(final String uid, final Predicate<TruthFrame> keep) {
        return truth.framesOf(uid).stream().map(truth::frame).filter(keep).sorted(Comparator.comparingInt(TruthFrame::number))
            .map(f -> f.tsNanos() + "/" + f.capturedLength()).toList();
    }

    private static List<String> records(final Path extract) throws IOException {
        return PcapFile.read(extract).records.stream().map(r -> r.tsNanos() + "/" + r.capturedLength()).toList();
    }

    @Test
    void shouldSliceThePacketsAfterTheCloseOfEveryClosedConnection() throws IOException {
        for (TruthConn c : withTail()) {
            final Path out = dir.resolve(c.uid() + ".pcap");
            final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", c.uid(), "-w", out.toString());
            assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
            assertEquals(expected(c.uid(), f -> true), records(out), c.uid());
            assertEquals(c.pkts(), records(out).size(), c.uid() + ": orig_pkts + resp_pkts");
        }
    }

    @Test
    void shouldSliceEveryUidWithItsTailIntoSplitFiles() throws IOException {
        final Path split = dir.resolve("split");
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "--split-dir", split.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        for (TruthConn c : truth.conns()) {
            assertEquals(expected(c.uid(), f -> true), records(split.resolve(c.uid() + ".pcap")), c.uid());
        }
    }

    @Test
    void shouldFollowTailsAcrossTheFilesOfACaptureSet() throws IOException {
        final Path set = Files.createDirectories(dir.resolve("set"));
        RotatedCaptures.cutEvenly(capture, truth, set, "trace-%02d.%s", false, false, false, false, false);
        final Path split = dir.resolve("set-split");
        final Cli r = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--all", "--split-dir", split.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        for (TruthConn c : truth.conns()) {
            // A set's extract is merged by timestamp.
            final List<String> inTimeOrder = truth.framesOf(c.uid()).stream().map(truth::frame)
                .sorted(Comparator.comparingLong(TruthFrame::tsNanos).thenComparingInt(TruthFrame::number))
                .map(f -> f.tsNanos() + "/" + f.capturedLength()).toList();
            assertEquals(inTimeOrder, records(split.resolve(c.uid() + ".pcap")), c.uid());
        }
    }

    @Test
    void shouldTakeNothingAfterTheCloseWithACloseDelayOfZero() throws IOException {
        final TruthConn c = withTail().get(0);
        final Path out = dir.resolve("no-delay.pcap");
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", c.uid(), "--tcp-close-delay", "0",
            "-w", out.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertEquals(expected(c.uid(), f -> f.tsNanos() <= c.endNanos() + SLACK_NANOS), records(out), c.uid());
    }

    @Test
    void shouldRefuseACloseDelayThatIsNotANumberOfSeconds() {
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", "C1", "--tcp-close-delay", "-1",
            "-w", dir.resolve("x.pcap").toString());
        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--tcp-close-delay"), r::toString);
    }

    /**
     * With {@code --uid} alone the log's other rows are not parsed, yet the next row of the uid's
     * key (here written into the log to start between the close and the last ACK, the other way
     * round) is found and ends the tail: from a file, a gzip'd file, and standard input.
     */
    @Tag("e2e")
    @Test
    void shouldEndTheTailAtTheNextRowOfTheSameKeyWithUidAlone() throws IOException, InterruptedException {
        final TruthConn c = withTail().get(0);
        final long lastAck = truth.framesOf(c.uid()).stream().mapToLong(n -> truth.frame(n).tsNanos())
            .filter(ts -> ts > c.endNanos() + SLACK_NANOS).min().orElseThrow();
        final long nextTs = c.endNanos() + (lastAck - c.endNanos()) / 2 / MICROS * MICROS + MICROS;
        assertTrue(nextTs < lastAck && nextTs > c.endNanos(), "a start between the close and the last ACK");
        final String row = String.join("\t", seconds(nextTs), "CnextRowSameKey001", c.respH(), Integer.toString(c.respP()),
            c.origH(), Integer.toString(c.origP()), "tcp") + "\n";
        final List<String> lines = new ArrayList<>(Files.readAllLines(conn, StandardCharsets.UTF_8));
        final int fields = lines.stream().filter(l -> l.startsWith("#fields")).findFirst().orElseThrow().split("\t").length - 1;
        lines.add(lines.size() - 1, row.strip() + "\t-".repeat(fields - 7)); // before #close; the other columns unset
        final Path withNext = dir.resolve("with-next.log");
        Files.write(withNext, lines, StandardCharsets.UTF_8);
        final Path gz = dir.resolve("with-next.log.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(withNext, out);
        }
        final List<String> expected = expected(c.uid(), f -> f.tsNanos() < nextTs - MICROS);
        for (Path log : List.of(withNext, gz)) {
            final Path out = dir.resolve("next-" + log.getFileName() + ".pcap");
            final Cli r = Cli.run("slice", capture.toString(), "--conn", log.toString(), "--uid", c.uid(), "-w", out.toString());
            assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
            assertEquals(expected, records(out), c.uid() + " from " + log.getFileName());
        }
        final Path out = dir.resolve("next-stdin.pcap");
        final Process p = ChildJvm.start(dir.resolve("stdout.txt"), dir.resolve("stderr.txt"), "slice", capture.toString(),
            "--conn", "-", "--uid", c.uid(), "-w", out.toString());
        try (OutputStream stdin = p.getOutputStream()) {
            Files.copy(withNext, stdin);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "slice from stdin ends");
        assertEquals(0, p.exitValue(), () -> readQuietly(dir.resolve("stderr.txt")));
        assertEquals(expected, records(out), c.uid() + " from stdin");
    }

    private static String readQuietly(final Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Nanoseconds as Zeek prints a time: seconds with six decimals. */
    private static String seconds(final long nanos) {
        return new java.math.BigDecimal(nanos).movePointLeft(9).setScale(6, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
