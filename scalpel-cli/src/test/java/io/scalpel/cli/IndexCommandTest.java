package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testing.PcapFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexCommandTest {
    @TempDir
    Path dir;
    Path capture;

    @BeforeEach
    void copySample() throws Exception {
        capture = Cli.sample(dir)[0];
    }

    @Test
    void shouldWriteManifestAndBothTablesBesideTheCapture() {
        final Cli r = Cli.run("index", "-q", capture.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final Path index = dir.resolve("sample.pcap.scalpel");
        for (String file : new String[] {"manifest.json", "packets/part-00000.parquet", "flows/part-00000.parquet"}) {
            assertTrue(Files.isRegularFile(index.resolve(file)), () -> file + " missing in " + index + "; " + r);
        }
    }

    @Test
    void shouldPrintOneJsonObjectCountingEveryRecordOfTheCapture() throws Exception {
        final int records = PcapFile.read(capture).records.size();

        final Cli r = Cli.run("index", "--json", capture.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final String[] lines = r.out().strip().split("\n");
        assertEquals(1, lines.length, () -> "one JSON object per capture, got: " + r.out());
        final JsonNode summary = new ObjectMapper().readTree(lines[0]);
        assertTrue(summary.isObject(), lines[0]);
        assertEquals(records, summary.get("packets").asLong(), "packets vs record headers walked in the test");
        assertEquals("pcap", summary.get("format").asText());
        assertFalse(r.err().contains("\tat "), r::toString);
    }

    @Test
    void shouldReportTheRecordsScannedInEachRunOfAGrowingCapture() throws Exception {
        final PcapFile pcap = PcapFile.read(capture);
        final int n = pcap.records.size();
        final int k1 = n / 3;
        final int k2 = 2 * n / 3;
        final long cut1 = pcap.records.get(k1).offset();
        final long cut2 = pcap.records.get(k2).offset() + PcapFile.RECORD_HEADER_LENGTH / 2; // inside a record header
        final Path growing = dir.resolve("growing.pcap");

        Files.write(growing, java.util.Arrays.copyOfRange(pcap.bytes, 0, (int) cut1));
        JsonNode run = indexJson(growing);
        assertEquals("built", run.get("mode").asText());
        assertEquals(k1, run.get("records_scanned").asLong());

        Files.write(growing, java.util.Arrays.copyOfRange(pcap.bytes, (int) cut1, (int) cut2), java.nio.file.StandardOpenOption.APPEND);
        run = indexJson(growing);
        assertEquals("extended", run.get("mode").asText());
        assertEquals(k2 - k1, run.get("records_scanned").asLong(), "only the records appended");
        assertEquals(cut1, run.get("scanned_from").asLong());
        assertEquals(pcap.records.get(k2).offset(), run.get("truncated_tail_offset").asLong());
        assertEquals(k2, run.get("packets").asLong());

        Files.write(growing, java.util.Arrays.copyOfRange(pcap.bytes, (int) cut2, pcap.bytes.length), java.nio.file.StandardOpenOption.APPEND);
        run = indexJson(growing);
        assertEquals("extended", run.get("mode").asText());
        assertEquals(n - k2, run.get("records_scanned").asLong());
        assertEquals(pcap.records.get(k2).offset(), run.get("scanned_from").asLong(), "the cut record is scanned whole now");
        assertEquals(n, run.get("packets").asLong());
        assertTrue(run.get("truncated_tail_offset").isNull());

        run = indexJson(growing);
        assertEquals("unchanged", run.get("mode").asText());
        assertEquals(0, run.get("records_scanned").asLong());

        final Cli rebuilt = Cli.run("index", "--json", "--rebuild", growing.toString());
        assertEquals(ExitCode.OK.code(), rebuilt.exit(), rebuilt::toString);
        run = new ObjectMapper().readTree(rebuilt.out().strip());
        assertEquals("rebuilt", run.get("mode").asText());
        assertEquals(n, run.get("records_scanned").asLong());
    }

    @Test
    void shouldExtendTheIndexWhenSlicingACaptureThatGrew() throws Exception {
        final PcapFile pcap = PcapFile.read(capture);
        final int k = pcap.records.size() / 2;
        final Path growing = dir.resolve("growing.pcap");
        Files.write(growing, java.util.Arrays.copyOfRange(pcap.bytes, 0, (int) pcap.records.get(k).offset()));
        assertEquals(ExitCode.OK.code(), Cli.run("index", "-q", growing.toString()).exit());
        Files.write(growing, java.util.Arrays.copyOfRange(pcap.bytes, (int) pcap.records.get(k).offset(), pcap.bytes.length),
            java.nio.file.StandardOpenOption.APPEND);
        final PcapFile.Record last = pcap.records.get(pcap.records.size() - 1);
        final String window = Long.toString(last.tsNanos() / 1_000_000_000L);

        final Cli r = Cli.run("slice", growing.toString(), "--from", window, "-w", dir.resolve("tail.pcap").toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("grew since it was indexed: indexed its " + (pcap.records.size() - k) + " new packets"), r::toString);
        assertTrue(PcapFile.read(dir.resolve("tail.pcap")).records.stream().anyMatch(x -> x.tsNanos() == last.tsNanos()),
            "the last record, appended after the first index, is sliced");
        assertEquals("unchanged", indexJson(growing).get("mode").asText());
    }

    private static JsonNode indexJson(final Path capture) throws Exception {
        final Cli r = Cli.run("index", "--json", capture.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        return new ObjectMapper().readTree(r.out().strip());
    }

    @Test
    void shouldRefuseOneIndexDirectoryForTwoCaptures() throws Exception {
        final Path second = Files.copy(capture, dir.resolve("second.pcap"));

        final Cli r = Cli.run("index", "--index", dir.resolve("idx").toString(), capture.toString(), second.toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--index"), r::toString);
        assertFalse(Files.exists(dir.resolve("idx")), "nothing indexed on a usage error");
    }
}
