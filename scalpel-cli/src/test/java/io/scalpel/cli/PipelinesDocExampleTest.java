package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java example of docs/pipelines.md compiles against the public API and, run on a generated
 * capture, prints for each uid the packets and captured bytes the generator's ground truth gives it.
 */
class PipelinesDocExampleTest {
    private static final String MARKER = "// Example: PairsExample.java";
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(" + Pattern.quote(MARKER) + "\\n.*?)```", Pattern.DOTALL);
    private static final Pattern UID_LINE = Pattern.compile("(?m)^(\\S+)\\t(\\d+) packets\\t(\\d+) bytes$");
    private static final Pattern ROWS_LINE = Pattern.compile("(?m)^rows\\t(\\d+)$");

    @TempDir
    Path work;

    @Test
    void shouldCompileAndRunThePairsExampleCountingWhatTheTruthSays() throws Exception {
        final Path doc = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).toAbsolutePath().normalize().getParent()
            .resolve("docs/pipelines.md");
        assertTrue(Files.isRegularFile(doc), doc + " is missing");
        final Matcher block = JAVA_BLOCK.matcher(Files.readString(doc, StandardCharsets.UTF_8));
        assertTrue(block.find(), doc + " has no ```java block starting with '" + MARKER + "'");
        final Path classes = compile(block.group(1));
        final Path capture = work.resolve("cap.pcapng");
        final Path conn = work.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(2718)
            .withFormat(io.scalpel.testdata.CaptureFileFormat.PCAPNG_LE), capture, conn);

        final String printed = runMain(classes, capture.toString(), conn.toString());

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

    private Path compile(final String source) throws IOException {
        final Path src = Files.createDirectories(work.resolve("src"));
        final Path classes = Files.createDirectories(work.resolve("classes"));
        final Path file = Files.writeString(src.resolve("PairsExample.java"), source, StandardCharsets.UTF_8);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: the tests need a JDK, not a JRE");
        final StringWriter diagnostics = new StringWriter();
        final boolean ok = javac.getTask(diagnostics, null, null,
            List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-Xlint:none"),
            null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file.toFile()))
            .call();
        assertTrue(ok, "the example in docs/pipelines.md does not compile:\n" + diagnostics);
        return classes;
    }

    /** Runs PairsExample.main in this JVM and returns what it printed on System.out. */
    private static String runMain(final Path classes, final String... args) throws Exception {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
            PipelinesDocExampleTest.class.getClassLoader())) {
            final Method main = loader.loadClass("PairsExample").getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
