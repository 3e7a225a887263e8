package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed captures in testdata/ sliced by uid give exactly the committed golden extracts,
 * byte for byte. The golden files were built from the generator's ground truth by
 * testdata/golden/make-golden.py, not by scalpel (testdata/golden/GOLDEN.tsv lists them).
 */
class GoldenExtractTest {
    @TempDir
    Path dir;

    static Stream<String[]> golden() throws IOException {
        final Path list = testdata().resolve("golden/GOLDEN.tsv");
        final List<String> lines = Files.readAllLines(list);
        return lines.stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split("\t"));
    }

    private static Path testdata() {
        return Path.of(System.getProperty("scalpel.testdata.dir", "testdata"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("golden")
    void shouldSliceTheGoldenExtractByteForByte(final String capture, final String connLog, final String uids, final String extract)
        throws IOException {
        final Path copy = dir.resolve(capture);
        Files.copy(testdata().resolve(capture), copy);
        final Path out = dir.resolve("out-" + Path.of(extract).getFileName());
        final Cli r = Cli.run("slice", copy.toString(), "--conn", testdata().resolve(connLog).toString(), "--uid", uids,
            "-w", out.toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertArrayEquals(Files.readAllBytes(testdata().resolve(extract)), Files.readAllBytes(out), extract);
    }
}
