package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel index A B C} indexes every capture it can, names each one it cannot, and exits
 * with the worst code of them all, in the order 1 > 6 > 3 > 5 > 4 > 0. The captures are copies
 * of testdata/sample.pcap; the failures are made here (a GIF header, a missing file, an index
 * directory that is a file).
 */
class IndexManyCapturesTest {
    @TempDir
    Path dir;
    Path a;
    Path c;

    @BeforeEach
    void copyTheSample() throws IOException {
        final Path sample = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).resolve("sample.pcap");
        a = Files.copy(sample, dir.resolve("a.pcap"));
        c = Files.copy(sample, dir.resolve("c.pcap"));
    }

    @Test
    void shouldIndexEveryCaptureItCanAndNameEachFailure() throws IOException {
        final Path bad = Files.write(dir.resolve("bad.pcap"), "GIF89a\u0001\u0000\u0001\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        final Path missing = dir.resolve("missing.pcap");

        final Cli r = Cli.run("index", "-q", a.toString(), bad.toString(), missing.toString(), c.toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertTrue(Files.isRegularFile(dir.resolve("a.pcap.scalpel/manifest.json")), "a.pcap indexed");
        assertTrue(Files.isRegularFile(dir.resolve("c.pcap.scalpel/manifest.json")), "c.pcap indexed, after the failures");
        assertTrue(r.err().contains("scalpel: " + bad + ": byte offset 0: unknown capture format"), r::toString);
        assertTrue(r.err().contains("scalpel: " + missing + ": no such file"), r::toString);
        assertTrue(r.err().contains("scalpel: 2 of 4 captures not indexed: " + bad + ", " + missing), r::toString);
        NoStackTraceCliTest.assertOneLineEach(r);
    }

    @Test
    void shouldExitWithAnOutputErrorOverABadCapture() throws IOException {
        final Path bad = Files.write(dir.resolve("bad.pcap"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Files.writeString(dir.resolve("c.pcap.scalpel"), "not an index directory");

        final Cli r = Cli.run("index", "--json", c.toString(), bad.toString(), a.toString());

        assertEquals(ExitCode.OUTPUT.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: cannot write index " + dir.resolve("c.pcap.scalpel")), r::toString);
        assertTrue(r.err().contains("scalpel: " + bad + ": byte offset 0"), r::toString);
        assertEquals(1, r.out().lines().count(), "one JSON summary, of a.pcap: " + r);
        assertTrue(r.out().contains("\"capture\":\"" + a + "\""), r::toString);
    }

    @Test
    void shouldExitZeroWhenEveryCaptureIsIndexed() {
        final Cli r = Cli.run("index", "-q", a.toString(), c.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertFalse(r.err().contains("not indexed"), r::toString);
    }

    @Test
    void shouldRankExitCodesInternalOverOutputOverBadInputOverPartialOverNothingFound() {
        final List<ExitCode> order = List.of(ExitCode.INTERNAL, ExitCode.OUTPUT, ExitCode.BAD_INPUT, ExitCode.PARTIAL,
            ExitCode.NOTHING_FOUND, ExitCode.OK);
        for (int i = 0; i < order.size(); i++) {
            for (int j = 0; j < order.size(); j++) {
                final ExitCode expected = order.get(Math.min(i, j));
                assertEquals(expected, ExitCode.worst(order.get(i), order.get(j)), order.get(i) + " and " + order.get(j));
            }
        }
        assertEquals(ExitCode.USAGE, ExitCode.worst(ExitCode.USAGE, ExitCode.OUTPUT), "a usage error ranks under internal only");
    }
}
