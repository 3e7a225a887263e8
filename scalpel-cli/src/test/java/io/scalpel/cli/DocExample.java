package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A Java example of the docs, as the doc-example tests use it: the one ```java block that starts
 * with {@code // Example: CLASS.java}, compiled against the test class path and its
 * {@code main} run in this JVM.
 */
final class DocExample {
    private DocExample() {
    }

    /** {@code docs/NAME} of the project (found beside the testdata directory surefire names). */
    static Path doc(final String name) {
        final String testdata = System.getProperty("scalpel.testdata.dir", "../testdata");
        return Path.of(testdata).toAbsolutePath().normalize().getParent().resolve("docs").resolve(name);
    }

    /** The source of class {@code className} in {@code doc}: its one java block with the example marker. */
    static String source(final Path doc, final String className) throws IOException {
        final String marker = "// Example: " + className + ".java";
        final Pattern block = Pattern.compile("```java\\n(" + Pattern.quote(marker) + "\\n.*?)```", Pattern.DOTALL);
        assertTrue(Files.isRegularFile(doc), doc + " is missing");
        final Matcher m = block.matcher(Files.readString(doc, StandardCharsets.UTF_8).replace("\r\n", "\n"));
        assertTrue(m.find(), doc + " has no ```java block starting with '" + marker + "'");
        final String source = m.group(1);
        assertTrue(!m.find(), doc + " has more than one ```java block starting with '" + marker + "'");
        return source;
    }

    /** Compiles {@code source} as {@code className} under {@code work}; returns the classes directory. */
    static Path compile(final Path work, final Path doc, final String className, final String source) throws IOException {
        final Path src = Files.createDirectories(work.resolve("src"));
        final Path classes = Files.createDirectories(work.resolve("classes"));
        final Path file = Files.writeString(src.resolve(className + ".java"), source, StandardCharsets.UTF_8);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler: the tests need a JDK, not a JRE");
        final StringWriter diagnostics = new StringWriter();
        final boolean ok = javac.getTask(diagnostics, null, null,
            List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-Xlint:none"),
            null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file.toFile()))
            .call();
        assertTrue(ok, "the example in " + doc + " does not compile:\n" + diagnostics);
        return classes;
    }

    /** Runs {@code className.main(args)} from {@code classes} in this JVM; returns what it printed on System.out. */
    static String run(final Path classes, final String className, final String... args) throws Exception {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, DocExample.class.getClassLoader())) {
            final Method main = loader.loadClass(className).getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
