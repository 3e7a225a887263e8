package io.scalpel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.cli.ScalpelCommand;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.PcapFile;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap use does not grow with the capture: the command, in a child JVM whose heap is a quarter
 * of the capture's size or less, indexes a generated capture and slices uids out of it (into one
 * file and one file per uid), and every extract holds exactly the packets the generator's
 * conn.log counts for its uids (that conn.log is checked against tcpdump by
 * {@link SyntheticCaptureTest}). A heap that had to hold the capture, or grew with it, ends the
 * child with an OutOfMemoryError and fails the test.
 */
@Tag("e2e")
class LargeCaptureMemoryTest {
    private static final long CHILD_HEAP = 96L << 20;
    private static final long CAPTURE_BYTES = CHILD_HEAP * 17 / 4;
    private static final int UIDS = 25;
    private static final long TIMEOUT_MINUTES = 10;

    @TempDir
    Path dir;

    @Test
    void shouldIndexAndSliceACaptureOverFourTimesTheChildHeap() throws Exception {
        final Path capture = dir.resolve("large.pcap");
        final Path connLog = dir.resolve("conn.log");
        final SyntheticCapture.Written written = SyntheticCapture.write(capture,
            SyntheticCapture.Spec.defaults().withBytes(CAPTURE_BYTES).withSeed(11).withConnLog(connLog));
        assertTrue(Files.size(capture) >= 4 * CHILD_HEAP, "capture of " + Files.size(capture) + " bytes");

        final JsonNode index = run("index", capture.toString(), "--json");
        assertEquals(written.packets(), index.get("packets").asLong(), index.toString());

        final List<ConnRecord> rows = ConnLogs.readStrictly(connLog);
        Collections.shuffle(rows, new Random(5));
        final List<ConnRecord> chosen = rows.subList(0, UIDS);
        final String uids = chosen.stream().map(ConnRecord::uid).collect(Collectors.joining(","));
        long expected = 0;
        for (ConnRecord r : chosen) {
            expected += r.origPkts() + r.respPkts();
        }

        final Path one = dir.resolve("one.pcap");
        run("slice", capture.toString(), "--conn", connLog.toString(), "--uid", uids, "-w", one.toString());
        assertEquals(expected, pcapRecords(one), "packets of " + UIDS + " uids in one extract");

        final Path split = dir.resolve("split");
        run("slice", capture.toString(), "--conn", connLog.toString(), "--uid", uids, "--split-dir", split.toString());
        for (ConnRecord r : chosen) {
            assertEquals(r.origPkts() + r.respPkts(), pcapRecords(split.resolve(r.uid() + ".pcap")), r.uid());
        }
    }

    /** Runs the command in a child JVM with the small heap; returns its --json output (or null). */
    private JsonNode run(final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + (CHILD_HEAP >> 20) + "m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
            ScalpelCommand.class.getName()));
        command.addAll(List.of(args));
        final Path out = Files.createTempFile(dir, "out", ".txt");
        final Path err = Files.createTempFile(dir, "err", ".txt");
        final Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + ": still running after " + TIMEOUT_MINUTES + " minutes");
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", args) + " with -Xmx" + (CHILD_HEAP >> 20) + "m: " + tail(err));
        final String json = Files.readString(out).trim();
        return json.startsWith("{") ? new ObjectMapper().readTree(json) : null;
    }

    private static String tail(final Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            final List<String> all = lines.collect(Collectors.toList());
            return String.join("\n", all.subList(Math.max(0, all.size() - 8), all.size()));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    /** Records of a little-endian microsecond pcap, counted by walking its record headers. */
    private static long pcapRecords(final Path pcap) throws IOException {
        final PcapFile f = PcapFile.read(pcap);
        assertTrue(f.order == ByteOrder.LITTLE_ENDIAN && !f.nanos, pcap + ": magic");
        assertEquals(f.bytes.length, f.end, pcap + ": last record cut at " + f.end);
        return f.records.size();
    }
}
