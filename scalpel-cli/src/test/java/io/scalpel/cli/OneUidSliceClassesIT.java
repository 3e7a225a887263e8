package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a one-uid slice of a plain pcap and a plain conn.log loads, as the JVM tells it
 * ({@code -Xlog:class+load}), run as a process on the shaded jar that {@code package} made: no
 * Arrow, no pcap4j, no decompressor of a log, only the invoked subcommand's picocli model, and no
 * JSON library at all: no class of {@code com.fasterxml} (the index manifest, JSON on disk, is read
 * by the index's own parser, {@code ManifestText}), none of parquet-java's shaded copy of Jackson
 * (which its footer metadata made when first read: {@link ParquetJsonDeferral}), and none of the project's classes that use
 * Jackson, which the jar itself says (read from their class files). A slice with {@code --json} is
 * the control that the check sees a JSON user, and Jackson, when there is one. Through the launcher
 * ({@code bin/scalpel}), whose first run made its class-data archive, the same slice reads no class
 * from the jar: picocli's and slf4j's included, whose class files the build rewrote for the
 * archive ({@link ClassFileUpgrade}). picocli's annotations are each a proxy class made at run time,
 * which no archive of Java 17 holds: the slice is given its root command when made, so no proxy of
 * {@code @Spec} or {@code @ParentCommand} is made; {@code --version} alone builds no subcommand's model.
 */
@Tag("e2e")
class OneUidSliceClassesIT {
    private static final Path ROOT = Path.of(System.getProperty("scalpel.root.dir", "..")).toAbsolutePath().normalize();
    private static final Path TESTDATA = ROOT.resolve("testdata");
    private static final Path JAR = ROOT.resolve("scalpel-cli/target/scalpel.jar");
    private static final Path LAUNCHER = ROOT.resolve("bin/scalpel");
    /** A TCP connection of the sample. */
    private static final String UID = "CxCyMyCzZWAcuvnZCU";
    private static final long TIMEOUT_MINUTES = 5;
    private static final String JACKSON = "com/fasterxml/jackson/";
    private static final String JACKSON_ANNOTATIONS = JACKSON + "annotation/";

    /** The project's classes in the jar whose class files name a Jackson class. */
    private static Set<String> jacksonUsers;

    @TempDir
    Path dir;

    @BeforeAll
    static void readTheJar() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: run the integration tests after package (mvn verify)");
        jacksonUsers = new TreeSet<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                final JarEntry entry = e.nextElement();
                if (entry.getName().startsWith("io/scalpel/") && entry.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        if (usesJackson(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))) {
                            jacksonUsers.add(entry.getName().replace('/', '.').replaceAll("\\.class$", ""));
                        }
                    }
                }
            }
        }
        assertTrue(jacksonUsers.contains("io.scalpel.cli.Json") && jacksonUsers.contains("io.scalpel.zeek.JsonLinesParser"),
            "the jar's Jackson users are found: " + jacksonUsers);
    }

    @Test
    void shouldLoadNeitherArrowNorPcap4jNorADecompressorNorAnotherCommandForOneUid() throws Exception {
        final Set<String> loaded = slice("--uid", UID, "-w", dir.resolve("o.pcap").toString());

        assertEquals(List.of(), matching(loaded, "org.apache.arrow."), "Arrow");
        assertEquals(List.of(), matching(loaded, "org.pcap4j."), "pcap4j (--bpf only)");
        assertEquals(List.of(), matching(loaded, "com.github.luben.zstd.ZstdInputStream", "java.util.zip.GZIPInputStream"),
            "a log's decompressor, for a plain log");
        assertEquals(List.of(), matching(loaded, "io.scalpel.cli.IndexCommand"), "the model of a command not invoked");
        assertEquals(List.of(), jacksonUsersLoaded(loaded), "the project's classes that use Jackson");
        assertEquals(List.of(), matching(loaded, "com.fasterxml."), "Jackson, which reading the index manifest does not need");
        assertEquals(List.of(), matching(loaded, "shaded.parquet.com.fasterxml."),
            "parquet-java's Jackson, which reading an index part's footer does not need (ParquetJsonDeferral)");
    }

    @Test
    void shouldReadNoClassFromTheJarThroughTheLaunchersArchive() throws Exception {
        final Path pcap = Files.copy(TESTDATA.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        run(null, "index", pcap.toString());
        launcher(null, "--version"); // makes the archive, once
        final Path classes = dir.resolve("launcher-classes.txt");

        launcher(classes, "slice", pcap.toString(), "--conn", TESTDATA.resolve("sample-conn.log").toString(), "--uid", UID,
            "-w", dir.resolve("o.pcap").toString());

        final List<String> lines = Files.readAllLines(classes, StandardCharsets.UTF_8);
        assertTrue(lines.stream().anyMatch(l -> l.contains("picocli.CommandLine source: shared objects file")),
            "picocli from the archive: " + lines.stream().filter(l -> l.contains("picocli.CommandLine ")).toList());
        assertEquals(List.of(), lines.stream().filter(l -> l.contains("source: file:") || l.contains("source: jar:")).toList(),
            "classes read from the jar");
    }

    @Test
    void shouldMakeNoAnnotationProxyForAnInjectionTheSliceDoesNotAsk() throws Exception {
        final Path pcap = Files.copy(TESTDATA.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        run(null, "index", pcap.toString());
        // each annotation type picocli reads is a proxy class made at run time; the JDK writes them out when asked
        final Path proxies = Files.createDirectories(dir.resolve("proxies"));
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djdk.proxy.ProxyGenerator.saveGeneratedFiles=true", "-jar", JAR.toString(), "slice", pcap.toString(),
            "--conn", TESTDATA.resolve("sample-conn.log").toString(), "--uid", UID, "-w", dir.resolve("o.pcap").toString()));
        final Process p = new ProcessBuilder(command).directory(proxies.toFile()).redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES), "the command ended");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("out.txt")));

        final List<String> made = new ArrayList<>();
        try (var files = Files.walk(proxies)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                made.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertTrue(made.stream().anyMatch(c -> c.contains("picocli/CommandLine$Option")), "the proxies of picocli's annotations are seen");
        for (String injection : List.of("picocli/CommandLine$Spec", "picocli/CommandLine$ParentCommand")) {
            assertTrue(made.stream().noneMatch(c -> c.contains(injection)), injection + ": the slice is given what it needs when made");
        }
    }

    @Test
    void shouldBuildNoSubcommandsModelForTheVersion() throws Exception {
        final Path classes = dir.resolve("classes.txt");
        run(classes, "--version");
        assertTrue(Files.readString(dir.resolve("out.txt")).startsWith("scalpel "), "the version is printed");
        final List<String> commands = Files.readAllLines(classes, StandardCharsets.UTF_8).stream()
            .filter(l -> l.matches(".*\\] io\\.scalpel\\.(cli|serve|follow)\\.\\w*Command .*")).toList();
        assertEquals(1, commands.size(), () -> "the root command alone: " + commands);
        assertTrue(commands.get(0).contains("io.scalpel.cli.ScalpelCommand "), commands::toString);
    }

    @Test
    void shouldSeeTheJsonUserOfASliceWithJson() throws Exception {
        final Set<String> loaded = slice("--uid", UID, "-w", dir.resolve("o.pcap").toString(), "--json");

        assertEquals(List.of("io.scalpel.cli.Json"), jacksonUsersLoaded(loaded));
        assertTrue(!matching(loaded, "com.fasterxml.jackson.databind.ObjectMapper").isEmpty());
    }

    /**
     * Whether a class file names a Jackson class other than an annotation: annotations (such as a
     * manifest record's {@code @JsonIgnore}) are read only by a mapper that is there anyway.
     */
    private static boolean usesJackson(final String classFile) {
        for (int at = classFile.indexOf(JACKSON); at >= 0; at = classFile.indexOf(JACKSON, at + 1)) {
            if (!classFile.startsWith(JACKSON_ANNOTATIONS, at)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> jacksonUsersLoaded(final Set<String> loaded) {
        return loaded.stream().filter(jacksonUsers::contains).collect(Collectors.toList());
    }

    private static List<String> matching(final Set<String> loaded, final String... prefixes) {
        final List<String> m = new ArrayList<>();
        for (String c : loaded) {
            for (String p : prefixes) {
                if (c.startsWith(p)) {
                    m.add(c);
                }
            }
        }
        return m;
    }

    /** Slices the sample (its index made first by another process) and returns the classes the slice's JVM loaded. */
    private Set<String> slice(final String... options) throws IOException, InterruptedException {
        final Path pcap = Files.copy(TESTDATA.resolve("sample.pcap"), dir.resolve("sample.pcap"));
        final Path log = Files.copy(TESTDATA.resolve("sample-conn.log"), dir.resolve("sample-conn.log"));
        run(null, "index", pcap.toString());
        final Path classes = dir.resolve("classes.txt");
        final List<String> args = new ArrayList<>(List.of("slice", pcap.toString(), "--conn", log.toString()));
        args.addAll(List.of(options));
        run(classes, args.toArray(String[]::new));
        final Set<String> loaded = new LinkedHashSet<>();
        for (String line : Files.readAllLines(classes, StandardCharsets.UTF_8)) {
            final int at = line.indexOf("] ");
            final int end = line.indexOf(' ', at + 2);
            if (at >= 0 && end > at) {
                loaded.add(line.substring(at + 2, end));
            }
        }
        assertTrue(loaded.contains("io.scalpel.cli.SliceCommand"), "the class log was read: " + loaded.size() + " classes");
        return loaded;
    }

    /** Runs {@code bin/scalpel ARGS...} on the jar, this JVM's Java, its archive in the test's directory. */
    private void launcher(final Path classLog, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.environment().put("SCALPEL_JAR", JAR.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JAVA");
        if (classLog != null) {
            pb.environment().put("SCALPEL_JAVA_OPTS", "-Xlog:class+load:file=" + classLog);
        } else {
            pb.environment().remove("SCALPEL_JAVA_OPTS");
        }
        final Process p = pb.start();
        assertTrue(p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES), "the launcher ended");
        assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + Files.readString(dir.resolve("out.txt")));
    }

    private void run(final Path classLog, final String... args) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m"));
        if (classLog != null) {
            command.add("-Xlog:class+load:file=" + classLog);
        }
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile())
            .start();
        assertTrue(p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES), "the command ended");
        assertEquals(0, p.exitValue(), String.join(" ", args) + ": " + Files.readString(dir.resolve("out.txt")));
    }
}
