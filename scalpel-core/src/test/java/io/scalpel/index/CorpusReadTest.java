package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.capture.CaptureFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Every capture of the shared corpus indexes, or is refused with a {@link CaptureFormatException};
 * nothing else escapes. A capture that capinfos read (it counted its packets) must index, not be
 * refused, and the index holds as many packets; only a capture capinfos could not read either
 * may be refused.
 */
class CorpusReadTest {
    /** Files whose count legitimately differs from capinfos', with the reason (verified by hand). */
    private static final Map<String, String> COUNT_EXCEPTIONS = Map.of();
    /** Files capinfos counted that scalpel may refuse, with the reason (verified by hand). */
    private static final Map<String, String> REFUSAL_EXCEPTIONS = Map.of();

    @TempDir
    static Path indexes;

    @Tag("corpus")
    @TestFactory
    Stream<DynamicTest> shouldIndexEveryCorpusCaptureOrRefuseItAsMalformed() throws IOException {
        final Path corpus = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("corpus").normalize();
        assumeTrue(Files.isDirectory(corpus), () -> "skipped: capture corpus " + corpus + " is absent");
        final Map<String, String> capinfos = capinfosCounts(corpus.resolve("tshark-counts.tsv"));
        final List<Path> captures = new ArrayList<>();
        try (Stream<Path> s = Files.walk(corpus)) {
            s.filter(p -> Files.isRegularFile(p) && (p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")))
                .sorted().forEach(captures::add);
        }
        return captures.stream().map(capture -> {
            final String name = corpus.relativize(capture).toString();
            return DynamicTest.dynamicTest(name, () -> indexOne(capture, name, capinfos.get(name)));
        });
    }

    /** The check itself: a refusal is a failure when capinfos counted the file's packets, and only then. */
    @Test
    void shouldFailWhenACaptureCapinfosCountedIsRefused() throws IOException {
        final Path gif = Files.write(indexes.resolve("not-a-capture.pcap"), "GIF89a not a capture".getBytes(StandardCharsets.US_ASCII));

        final AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> indexOne(gif, "not-a-capture.pcap", "3"));
        indexOne(gif, "not-a-capture.pcap", "-");

        assertTrue(e.getMessage().startsWith("not-a-capture.pcap: refused although capinfos read its 3 packets: "), e.getMessage());
    }

    static void indexOne(final Path capture, final String name, final String capinfosPackets) throws IOException {
        final Path dir = indexes.resolve(name.replace('/', '_') + ".scalpel");
        final IndexBuilder.Result r;
        try {
            r = new IndexBuilder(capture, dir).build();
        } catch (CaptureFormatException e) {
            System.out.println("corpus " + name + ": refused: " + e.getMessage() + " (capinfos: " + capinfosPackets + ")");
            if (counted(capinfosPackets) && !REFUSAL_EXCEPTIONS.containsKey(name)) {
                fail(name + ": refused although capinfos read its " + capinfosPackets + " packets: " + e.getMessage());
            }
            return;
        } catch (IOException | RuntimeException e) {
            fail(name + ": neither indexed nor refused as malformed: " + e, e);
            return;
        }
        final long packets = r.manifest().packets();
        System.out.println("corpus " + name + ": " + packets + " packets (capinfos: " + capinfosPackets + ")"
            + (r.manifest().truncatedTailOffset() >= 0 ? ", truncated tail at " + r.manifest().truncatedTailOffset() : ""));
        if (!counted(capinfosPackets)) {
            return;
        }
        final String why = COUNT_EXCEPTIONS.get(name);
        if (why != null) {
            System.out.println("corpus " + name + ": count not compared: " + why);
            return;
        }
        assertEquals(Long.parseLong(capinfosPackets), packets, name + ": packets indexed vs capinfos");
    }

    /** Whether capinfos read the file and counted its packets. */
    static boolean counted(final String capinfosPackets) {
        return capinfosPackets != null && capinfosPackets.matches("\\d+");
    }

    private static Map<String, String> capinfosCounts(final Path tsv) throws IOException {
        final Map<String, String> counts = new HashMap<>();
        if (!Files.isRegularFile(tsv)) {
            return counts;
        }
        final List<String> lines = Files.readAllLines(tsv);
        final List<String> header = List.of(lines.get(0).split("\t"));
        final int file = header.indexOf("file");
        final int packets = header.indexOf("packets_capinfos");
        for (String line : lines.subList(1, lines.size())) {
            final String[] f = line.split("\t", -1);
            counts.put(f[file], f[packets]);
        }
        return counts;
    }
}
