package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@link ParquetJsonDeferral} on parquet-java's own {@code ParquetMetadata}: a JVM that loads the
 * rewritten class ahead of the original and makes a {@code ParquetMetadata} loads no class of
 * Jackson's until JSON is asked for (its {@code -Xlog:class+load} lines, read in order), passes the
 * JVM's verifier (the class is loaded and run), and writes the same JSON as the original class does
 * in this JVM (the same tree: the order of an object's members varies from one JVM to the next); a JVM with the original class is the control that the check sees Jackson loaded
 * with the metadata. A class whose static initialiser is another is left alone.
 */
class ParquetJsonDeferralTest {
    private static final String MAPPER = "shaded.parquet.com.fasterxml.jackson.databind.ObjectMapper ";
    private static final long TIMEOUT_MINUTES = 2;

    @TempDir
    Path dir;

    @Test
    void shouldMakeTheMapperOnFirstUseAndWriteTheSameJson() throws Exception {
        final byte[] original;
        try (InputStream in = ParquetMetadata.class.getClassLoader().getResourceAsStream(ParquetJsonDeferral.CLASS_FILE)) {
            assertNotNull(in, ParquetJsonDeferral.CLASS_FILE);
            original = in.readAllBytes();
        }
        final byte[] rewritten = ParquetJsonDeferral.rewrite(original);
        assertNotNull(rewritten, "the initialiser is the one expected: " + ParquetJsonDeferral.initialiser(original));
        final Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve(ParquetJsonDeferral.CLASS_FILE).getParent());
        Files.write(classes.resolve(ParquetJsonDeferral.CLASS_FILE), rewritten);

        final List<String> deferred = probe(classes);
        final String deferredJson = Files.readString(dir.resolve("json.txt"));
        final List<String> control = probe(null);
        final String controlJson = Files.readString(dir.resolve("json.txt"));

        final String expectedJson = ParquetMetadata.toJSON(ParquetJsonDeferralProbe.metadata());
        // the same tree: Jackson orders a bean's properties as reflection lists its methods, which varies between JVMs
        final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(json.readTree(expectedJson), json.readTree(deferredJson), "the JSON the original class writes");
        assertEquals(json.readTree(expectedJson), json.readTree(controlJson), "the control's JSON");
        assertTrue(loadedBefore(control, MAPPER, "made 0"), "the control: the original class makes the mapper with the metadata");
        assertTrue(!loadedBefore(deferred, MAPPER, "made 0") && loadedBefore(deferred, MAPPER, "json written"),
            "the rewritten class makes the mapper only for JSON");
        assertTrue(deferred.stream().anyMatch(l -> l.contains("ParquetMetadata source: file:" + classes)),
            "the rewritten class was the one loaded");
    }

    @Test
    void shouldLeaveAClassWithAnotherInitialiserAlone() throws IOException {
        try (InputStream in = CommandLine.class.getClassLoader().getResourceAsStream("picocli/CommandLine.class")) {
            assertNull(ParquetJsonDeferral.rewrite(in.readAllBytes()));
        }
    }

    /** Whether a line with {@code loaded} comes before the line {@code marker}. */
    private static boolean loadedBefore(final List<String> lines, final String loaded, final String marker) {
        for (String l : lines) {
            if (l.equals(marker)) {
                return false;
            }
            if (l.contains(loaded)) {
                return true;
            }
        }
        throw new AssertionError("no line " + marker + " in " + lines.size() + " lines");
    }

    /** The probe's output with its class-load lines, run with {@code first} (null: nothing) ahead of this JVM's classpath. */
    private List<String> probe(final Path first) throws IOException, InterruptedException {
        final String cp = (first == null ? "" : first + java.io.File.pathSeparator) + System.getProperty("java.class.path");
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xshare:off", "-Xlog:class+load=info:stdout", "-cp", cp, ParquetJsonDeferralProbe.class.getName(),
            dir.resolve("json.txt").toString()));
        final Path out = dir.resolve("out-" + (first == null ? "control" : "deferred") + ".txt");
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES), "the probe ended");
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        return lines;
    }
}
