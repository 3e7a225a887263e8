package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The complete example in docs/java-api.md compiles against the public API and, run on the
 * contract sample, writes a pcap holding the packets it says it wrote.
 */
class JavaApiDocExampleTest {
    private static final String EXAMPLE = "ApiExample";
    private static final Pattern PACKETS_PRINTED = Pattern.compile(": (\\d+) packets");

    @TempDir
    Path work;

    @Test
    void shouldCompileAndRunTheJavaApiExampleOnTheContractSample() throws Exception {
        final String shared = System.getProperty("scalpel.shared.dir");
        final Path contract = shared == null ? null : Path.of(shared, "contract");
        assumeTrue(contract != null && Files.isRegularFile(contract.resolve("sample.pcap")),
            "skipped: the shared contract sample (scalpel.shared.dir=" + shared + ") is not available");
        final String testdata = System.getProperty("scalpel.testdata.dir");
        assertNotNull(testdata, "scalpel.testdata.dir must be set (by surefire)");
        final Path doc = Path.of(testdata).toAbsolutePath().normalize().getParent().resolve("docs/java-api.md");

        final Path classes = DocExample.compile(work, doc, EXAMPLE, DocExample.source(doc, EXAMPLE));

        final Path capture = Files.copy(contract.resolve("sample.pcap"), work.resolve("sample.pcap"));
        final Path connLog = contract.resolve("sample-conn.log");
        final String uid = firstUid(connLog);
        final Path output = work.resolve("example.pcap");

        final String printed = DocExample.run(classes, EXAMPLE, capture.toString(), connLog.toString(), uid, output.toString());
        System.out.print(printed);

        assertTrue(Files.isRegularFile(output), "the example wrote no " + output + "; it printed: " + printed);
        final long packets = countPcapRecords(output);
        assertTrue(packets > 0, "the extract of " + uid + " holds no packets");
        final Matcher m = PACKETS_PRINTED.matcher(printed);
        assertTrue(m.find(), "the example did not print its packet count: " + printed);
        assertEquals(packets, Long.parseLong(m.group(1)), "packets printed vs. records in the written pcap");
    }

    /** The uid of the first row of a Zeek TSV conn.log (uid is its second column in the sample). */
    private static String firstUid(final Path connLog) throws IOException {
        for (String line : Files.readAllLines(connLog, StandardCharsets.UTF_8)) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                return line.split("\t")[1];
            }
        }
        throw new AssertionError(connLog + " has no rows");
    }

    /** Walks a little-endian microsecond pcap record by record; fails on anything else. */
    private static long countPcapRecords(final Path pcap) throws IOException {
        final PcapFile f = PcapFile.read(pcap);
        assertTrue(f.order == ByteOrder.LITTLE_ENDIAN && !f.nanos, "magic of " + pcap + " (the sample is a little-endian µs pcap)");
        assertEquals(f.bytes.length, f.end, "a record cut short at byte " + f.end);
        return f.records.size();
    }
}
