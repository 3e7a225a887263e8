package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The complete example in docs/java-api.md compiles against the public API and, run on the
 * contract sample, writes a pcap holding the packets it says it wrote.
 */
class JavaApiDocExampleTest {
    private static final String MARKER = "// Example: ApiExample.java";
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(" + Pattern.quote(MARKER) + "\\n.*?)```", Pattern.DOTALL);
    private static final Pattern PACKETS_PRINTED = Pattern.compile(": (\\d+) packets");

    private static final int PCAP_HEADER_LENGTH = 24;
    private static final int PCAP_RECORD_HEADER_LENGTH = 16;
    private static final int PCAP_CAPLEN_OFFSET = 8;
    private static final int PCAP_MAGIC_MICROS = 0xA1B2C3D4;

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

        final String source = exampleSource(doc);
        final Path classes = compile(source);

        final Path capture = Files.copy(contract.resolve("sample.pcap"), work.resolve("sample.pcap"));
        final Path connLog = contract.resolve("sample-conn.log");
        final String uid = firstUid(connLog);
        final Path output = work.resolve("example.pcap");

        final String printed = runMain(classes, capture.toString(), connLog.toString(), uid, output.toString());

        assertTrue(Files.isRegularFile(output), "the example wrote no " + output + "; it printed: " + printed);
        final long packets = countPcapRecords(output);
        assertTrue(packets > 0, "the extract of " + uid + " holds no packets");
        final Matcher m = PACKETS_PRINTED.matcher(printed);
        assertTrue(m.find(), "the example did not print its packet count: " + printed);
        assertEquals(packets, Long.parseLong(m.group(1)), "packets printed vs. records in the written pcap");
    }

    /** The one java block of the doc that starts with the example marker. */
    private static String exampleSource(final Path doc) throws IOException {
        assertTrue(Files.isRegularFile(doc), doc + " is missing");
        final String text = Files.readString(doc, StandardCharsets.UTF_8).replace("\r\n", "\n");
        final Matcher m = JAVA_BLOCK.matcher(text);
        assertTrue(m.find(), doc + " has no ```java block starting with '" + MARKER + "'");
        final String source = m.group(1);
        assertTrue(!m.find(), doc + " has more than one ```java block starting with '" + MARKER + "'");
        return source;
    }

    private Path compile(final String source) throws IOException {
        final Path src = Files.createDirectories(work.resolve("src"));
        final Path classes = Files.createDirectories(work.resolve("classes"));
        final Path file = Files.writeString(src.resolve("ApiExample.java"), source, StandardCharsets.UTF_8);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: the tests need a JDK, not a JRE");
        final StringWriter diagnostics = new StringWriter();
        final boolean ok = javac.getTask(diagnostics, null, null,
            List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-Xlint:none"),
            null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file.toFile()))
            .call();
        assertTrue(ok, "the example in docs/java-api.md does not compile:\n" + diagnostics);
        return classes;
    }

    /** Runs ApiExample.main in this JVM and returns what it printed on System.out. */
    private static String runMain(final Path classes, final String... args) throws Exception {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
            JavaApiDocExampleTest.class.getClassLoader())) {
            final Method main = loader.loadClass("ApiExample").getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(original);
        }
        final String printed = captured.toString(StandardCharsets.UTF_8);
        original.print(printed);
        return printed;
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
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
        assertTrue(b.limit() >= PCAP_HEADER_LENGTH, pcap + " is shorter than a pcap file header");
        assertEquals(PCAP_MAGIC_MICROS, b.getInt(0), "magic of " + pcap + " (the sample is a little-endian µs pcap)");
        long records = 0;
        int at = PCAP_HEADER_LENGTH;
        while (at < b.limit()) {
            assertTrue(at + PCAP_RECORD_HEADER_LENGTH <= b.limit(), "record header cut short at byte " + at);
            final int caplen = b.getInt(at + PCAP_CAPLEN_OFFSET);
            at += PCAP_RECORD_HEADER_LENGTH + caplen;
            assertTrue(caplen >= 0 && at <= b.limit(), "record of " + caplen + " bytes overruns the file");
            records++;
        }
        return records;
    }
}
