package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    void shouldRefuseOneIndexDirectoryForTwoCaptures() throws Exception {
        final Path second = Files.copy(capture, dir.resolve("second.pcap"));

        final Cli r = Cli.run("index", "--index", dir.resolve("idx").toString(), capture.toString(), second.toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--index"), r::toString);
        assertFalse(Files.exists(dir.resolve("idx")), "nothing indexed on a usage error");
    }
}
