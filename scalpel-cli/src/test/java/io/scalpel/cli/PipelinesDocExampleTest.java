package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java example of docs/pipelines.md compiles against the public API and, run on a generated
 * capture, prints for each uid the packets and captured bytes the generator's ground truth gives it.
 */
class PipelinesDocExampleTest {
    private static final String EXAMPLE = "PairsExample";
    private static final Pattern UID_LINE = Pattern.compile("(?m)^(\\S+)\\t(\\d+) packets\\t(\\d+) bytes$");
    private static final Pattern ROWS_LINE = Pattern.compile("(?m)^rows\\t(\\d+)$");

    @TempDir
    Path work;

    @Test
    void shouldCompileAndRunThePairsExampleCountingWhatTheTruthSays() throws Exception {
        final Path doc = DocExample.doc("pipelines.md");
        final Path classes = DocExample.compile(work, doc, EXAMPLE, DocExample.source(doc, EXAMPLE));
        final Path capture = work.resolve("cap.pcapng");
        final Path conn = work.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(2718)
            .withFormat(io.scalpel.testdata.CaptureFileFormat.PCAPNG_LE), capture, conn);

        final String printed = DocExample.run(classes, EXAMPLE, capture.toString(), conn.toString());

        final Map<String, String> expected = new TreeMap<>();
        long rows = 0;
        for (TruthConn c : truth.conns()) {
            final List<Integer> frames = truth.framesOf(c.uid());
            if (!frames.isEmpty()) {
                final long bytes = frames.stream().mapToLong(n -> truth.frame(n).capturedLength()).sum();
                expected.put(c.uid(), frames.size() + " packets, " + bytes + " bytes");
                rows += frames.size();
            }
        }
        final Map<String, String> got = new TreeMap<>();
        final Matcher m = UID_LINE.matcher(printed);
        while (m.find()) {
            got.put(m.group(1), m.group(2) + " packets, " + m.group(3) + " bytes");
        }
        assertEquals(expected, got, "per uid, as printed:\n" + printed);
        final Matcher total = ROWS_LINE.matcher(printed);
        assertTrue(total.find(), printed);
        assertEquals(rows, Long.parseLong(total.group(1)));
    }
}
