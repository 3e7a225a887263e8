package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.PcapFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/scalpel}, run as a process on the shaded jar that {@code package} made: it runs
 * commands, makes its class-data archive once per jar and Java and makes it again when the jar
 * changes, runs the command's classes from that archive, never fails a command over the archive
 * (a cache it cannot write, an archive the JVM cannot use), keeps the JVM's output off stdout,
 * starts every command on the quick JIT tier with the serial collector (an index build without its
 * own JIT directive), takes zstd-jni's native library out of the jar once into its cache, and says
 * when it has no jar or no java.
 * Slices are checked against the sample's generator truth (testdata/sample.truth.tsv).
 */
@Tag("e2e")
class LauncherIT {
    private static final Path ROOT = Path.of(System.getProperty("scalpel.root.dir", "..")).toAbsolutePath().normalize();
    private static final Path LAUNCHER = ROOT.resolve("bin/scalpel");
    private static final Path TESTDATA = ROOT.resolve("testdata");
    private static final Path JAR = ROOT.resolve("scalpel-cli/target/scalpel.jar");
    /** A TCP connection of the sample, with a handshake, data and a close. */
    private static final String UID = "CxCyMyCzZWAcuvnZCU";
    /** A JDK new enough for an AOT cache, where this machine has one. */
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final long TIMEOUT_MINUTES = 10;

    /** A cache shared by the tests that do not depend on making the archive themselves. */
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldPrintTheVersionWithTheJavaItRunsOn() throws Exception {
        final Run r = run(env(sharedCache()), "--version");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(List.of("scalpel " + versionOfJar(), "Java " + System.getProperty("java.version")), r.out().lines().toList());
        assertEquals("", r.stderr());
    }

    @Test
    void shouldSliceTheSampleToStdoutWithTheCommandsClassesFromItsArchive() throws Exception {
        final Path classes = dir.resolve("classes.txt");
        final Map<String, String> env = env(sharedCache());
        env.put("SCALPEL_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
        final Run r = run(env, "slice", sample().toString(), "--conn", TESTDATA.resolve("sample-conn.log").toString(), "--uid", UID,
            "-w", "-");
        assertEquals(0, r.exit(), r.stderr());
        assertSliceOfTheSample(r);
        assertTrue(loadedFromArchive(classes, "io.scalpel.cli.SliceCommand"), "SliceCommand from the archive: " + classes);
        assertTrue(loadedFromArchive(classes, "io.scalpel.index.IndexBuilder"), "IndexBuilder from the archive: " + classes);
    }

    /**
     * A one-uid slice of a log large enough to be searched on two threads loads none of scalpel's
     * classes from the jar: the archive was made with such a search (a class out of the jar, the
     * first of a run, costs that run the reading of the jar's directory of 16 000 entries, on the
     * search's thread).
     */
    @Test
    void shouldSearchALargeLogWithTheSearchsClassesFromTheArchive() throws Exception {
        final Path classes = dir.resolve("classes-large.txt");
        final List<String> lines = Files.readAllLines(TESTDATA.resolve("sample-conn.log"));
        final List<String> head = lines.stream().takeWhile(l -> l.startsWith("#")).toList();
        final List<String> rows = lines.stream().filter(l -> !l.startsWith("#")).toList();
        final Path log = dir.resolve("large-conn.log");
        try (java.io.BufferedWriter w = Files.newBufferedWriter(log)) {
            for (String h : head) {
                w.write(h + "\n");
            }
            for (long written = 0; written < 20L << 20; ) { // more than the 16 MiB from which a log is searched on several threads
                for (String row : rows) {
                    w.write(row + "\n");
                    written += row.length() + 1;
                }
            }
        }
        final Map<String, String> env = env(sharedCache());
        env.put("SCALPEL_JAVA_OPTS", "-Dscalpel.log.search.threads=2 -Xlog:class+load=info:file=" + classes);
        final Run r = run(env, "slice", sample().toString(), "--conn", log.toString(), "--uid", UID, "-w", "-");
        assertEquals(0, r.exit(), r.stderr());
        assertSliceOfTheSample(r);
        assertTrue(loadedFromArchive(classes, "io.scalpel.zeek.MappedLog"), "the search's mapped log from the archive: " + classes);
        try (Stream<String> loaded = Files.lines(classes)) {
            assertEquals(List.of(), loaded.filter(l -> l.contains(" io.scalpel.") && l.contains("source: file:")).toList(),
                "scalpel's classes loaded from the jar");
        }
    }

    @Test
    void shouldTakeZstdsNativeLibraryOutOfTheJarOnceIntoTheCache() throws Exception {
        Assumptions.assumeTrue(onPath("unzip"), "no unzip on the PATH: the launcher leaves zstd-jni to copy its library out itself");
        Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
            "the check reads the jar's linux/amd64 library");
        final Path cache = dir.resolve("cache");
        final Path classes = dir.resolve("classes.txt");
        final Map<String, String> env = env(cache);
        env.put("SCALPEL_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
        final Run r = sliceToStdout(env);
        assertEquals(0, r.exit(), r.stderr());
        assertSliceOfTheSample(r);
        final List<Path> libraries = zstdLibraries(cache.resolve("scalpel"));
        assertEquals(1, libraries.size(), () -> "one library in the cache: " + libraries);
        assertArrayEquals(jarEntry("linux/amd64/libzstd-jni-"), Files.readAllBytes(libraries.get(0)), "the jar's own library");
        assertFalse(loaded(classes, "java.io.DeleteOnExitHook"), "no temporary copy of the library made by zstd-jni");

        final FileTime made = Files.getLastModifiedTime(libraries.get(0));
        final Run again = sliceToStdout(env);
        assertEquals(0, again.exit(), again.stderr());
        assertSliceOfTheSample(again);
        assertEquals(libraries, zstdLibraries(cache.resolve("scalpel")));
        assertEquals(made, Files.getLastModifiedTime(libraries.get(0)), "taken out once");

        // the control: without a cache, zstd-jni copies the library out itself, which the class log shows
        final Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        final Map<String, String> noCache = env(file);
        noCache.put("SCALPEL_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
        final Run without = sliceToStdout(noCache);
        assertEquals(0, without.exit(), without.stderr());
        assertSliceOfTheSample(without);
        assertTrue(loaded(classes, "java.io.DeleteOnExitHook"), "zstd-jni's temporary copy, seen in the class log");
    }

    private static boolean onPath(final String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private static List<Path> zstdLibraries(final Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".zstd-jni.so")).sorted().toList();
        }
    }

    private static boolean loaded(final Path classLog, final String className) throws IOException {
        return Files.readAllLines(classLog).stream().anyMatch(l -> l.contains("] " + className + " "));
    }

    /** The bytes of the jar's entry whose name starts with {@code prefix}. */
    private static byte[] jarEntry(final String prefix) throws IOException {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            final java.util.jar.JarEntry e = jar.stream().filter(j -> j.getName().startsWith(prefix)).findFirst().orElseThrow();
            try (var in = jar.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }

    @Test
    void shouldRunWithoutAnArchiveWhenTheCacheCannotBeCreated() throws Exception {
        final Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        final Run r = sliceToStdout(env(file));
        assertEquals(0, r.exit(), r.stderr());
        assertSliceOfTheSample(r);
        assertFalse(Files.isDirectory(file.resolve("scalpel")));
    }

    @Test
    void shouldRunWhenTheCacheDirectoryIsReadOnly() throws Exception {
        final Path cache = Files.createDirectories(dir.resolve("cache/scalpel"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            final Run r = sliceToStdout(env(cache.getParent()));
            assertEquals(0, r.exit(), r.stderr());
            assertSliceOfTheSample(r);
            if (!Files.isWritable(cache)) {
                assertEquals(List.of(), archives(cache), "nothing written to a read-only cache");
            }
        } finally {
            Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void shouldRunWhenTheArchiveCannotBeUsed() throws Exception {
        // an archive of the jar as it was, found under the name of the jar as it is: the JVM refuses it
        final Path jar = dir.resolve("scalpel.jar");
        final Path cache = dir.resolve("cache");
        final Map<String, String> env = withArchiveOfOwnJar(jar, cache);
        final Path made = archives(cache.resolve("scalpel")).get(0);
        final String stamp = Files.size(jar) + "-" + Files.getLastModifiedTime(jar).to(TimeUnit.SECONDS);
        assertTrue(made.getFileName().toString().contains("-" + stamp + "."), made + " is keyed by the jar's size and time");
        final FileTime later = FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000);
        Files.setLastModifiedTime(jar, later);
        final Path stale = made.resolveSibling(made.getFileName().toString()
            .replace("-" + stamp + ".", "-" + Files.size(jar) + "-" + later.to(TimeUnit.SECONDS) + "."));
        Files.move(made, stale);
        final byte[] refused = Files.readAllBytes(stale);

        final Run r = sliceToStdout(env);
        assertEquals(0, r.exit(), r.stderr());
        assertSliceOfTheSample(r);
        assertEquals(List.of(stale), archives(cache.resolve("scalpel")));
        assertArrayEquals(refused, Files.readAllBytes(stale), "an archive there is kept as it is");
    }

    @Test
    void shouldRunWithoutAnArchiveWhenItCannotBeMadeAndNotTryAgainForThatJar() throws Exception {
        // a java that refuses to record an archive, and notes how it was run
        final Path calls = dir.resolve("calls.txt");
        final Path java = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$*\" >> '" + calls + "'\n"
            + "case \"$*\" in *ArchiveClassesAtExit*|*AOTMode=record*) exit 1 ;; esac\n"
            + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path cache = dir.resolve("cache");
        final Map<String, String> env = env(cache);
        env.put("JAVA", java.toString());
        for (int i = 0; i < 2; i++) {
            final Run r = sliceToStdout(env);
            assertEquals(0, r.exit(), r.stderr());
            assertSliceOfTheSample(r);
        }
        assertEquals(List.of(), archives(cache.resolve("scalpel")));
        final List<String> runs = Files.readAllLines(calls);
        assertEquals(1, runs.stream().filter(l -> l.contains("ArchiveClassesAtExit") || l.contains("AOTMode=record")).count(),
            "one attempt to make the archive: " + runs);
        assertEquals(2, runs.stream().filter(l -> l.contains(" slice ") && l.endsWith(" -w -")).count(), "two slices: " + runs);
    }

    @Test
    void shouldLeaveNothingBehindWhenStoppedWhileMakingTheArchive() throws Exception {
        final Path cache = dir.resolve("cache");
        final ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "--version").redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().clear();
        pb.environment().putAll(env(cache));
        final Process p = pb.start();
        // wait for the archive to be in the making, then stop the launcher (SIGTERM)
        boolean making = false;
        while (!making && p.isAlive()) {
            making = Files.isDirectory(cache.resolve("scalpel")) && !inTheMaking(cache.resolve("scalpel")).isEmpty();
            if (!making) {
                Thread.sleep(20);
            }
        }
        assertTrue(making, "the launcher ended before it started making the archive: " + Files.readString(dir.resolve("out.txt")));
        p.destroy();
        assertTrue(p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES));
        assertEquals(130, p.exitValue(), Files.readString(dir.resolve("out.txt")));
        assertEquals(List.of(), inTheMaking(cache.resolve("scalpel")), "work directories left");
        try (Stream<Path> files = Files.list(cache.resolve("scalpel"))) {
            assertEquals(List.of(), files.toList(), "no archive and no mark of a failure: the next run makes it");
        }
    }

    private static List<Path> inTheMaking(final Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".making.")).toList();
        }
    }

    /**
     * A launcher killed while it made the archive (SIGKILL: no trap runs) leaves its work directory,
     * 17 MiB of log among it: the next one that makes an archive removes it, and only it (a work
     * directory whose process still runs is another launcher's).
     */
    @Test
    void shouldRemoveTheWorkDirectoryOfAKilledLauncherWhenItMakesTheNextArchive() throws Exception {
        final Path cache = dir.resolve("cache");
        final Path killed = Files.createDirectories(cache.resolve("scalpel").resolve(".making.2147483646")); // no such process
        Files.writeString(killed.resolve("conn.log"), "the rows of a log being repeated");
        final Path running = Files.createDirectories(cache.resolve("scalpel").resolve(".making." + ProcessHandle.current().pid()));

        final Run r = run(env(cache), "--version");

        assertEquals(0, r.exit(), r.stderr());
        assertFalse(Files.exists(killed), "the killed launcher's work directory is removed");
        assertTrue(Files.isDirectory(running), "a running process's work directory is left alone");
        assertEquals(1, archives(cache.resolve("scalpel")).size(), "the archive is made");
    }

    @Test
    void shouldMakeTheArchiveAgainWhenTheJarChanges() throws Exception {
        final Path jar = dir.resolve("scalpel.jar");
        final Path cache = dir.resolve("cache");
        final Map<String, String> env = withArchiveOfOwnJar(jar, cache);
        final List<Path> first = archives(cache.resolve("scalpel"));
        assertEquals(1, first.size(), "archives after the first run: " + first);
        assertEquals(0, run(env, "--version").exit());
        assertEquals(first, archives(cache.resolve("scalpel")), "the archive is made once");

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        final Path classes = dir.resolve("classes.txt");
        env.put("SCALPEL_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
        final Run r = run(env, "slice", sample().toString(), "--conn", TESTDATA.resolve("sample-conn.log").toString(), "--uid", UID,
            "-w", "-");
        assertEquals(0, r.exit(), r.stderr());
        assertSliceOfTheSample(r);
        final List<Path> second = archives(cache.resolve("scalpel"));
        assertEquals(1, second.size(), "archives after the jar changed: " + second);
        assertNotEquals(first, second, "a new archive for the changed jar, the old one removed");
        assertTrue(loadedFromArchive(classes, "io.scalpel.cli.SliceCommand"), "SliceCommand from the new archive");
    }

    @Test
    void shouldUseAnAotCacheOnJava25() throws Exception {
        if (!Files.isExecutable(JDK_25.resolve("bin/java"))) {
            System.err.println("WARNING: skipping the AOT cache test: no JDK 25 at " + JDK_25);
            Assumptions.abort("no JDK 25 at " + JDK_25);
        }
        final Path cache = dir.resolve("cache");
        final Map<String, String> env = env(cache);
        env.put("JAVA_HOME", JDK_25.toString());
        final Path classes = dir.resolve("classes.txt");
        env.put("SCALPEL_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes);
        final Run r = sliceToStdout(env);
        assertEquals(0, r.exit(), r.stderr());
        assertSliceOfTheSample(r);
        final List<Path> made = archives(cache.resolve("scalpel"));
        assertEquals(1, made.size(), "archives: " + made);
        assertTrue(made.get(0).toString().endsWith(".aot"), made.get(0) + " is an AOT cache");
        assertTrue(loadedFromArchive(classes, "io.scalpel.cli.SliceCommand"), "SliceCommand from the AOT cache");
    }

    @Test
    void shouldStartEveryCommandButALargeIndexOnTheQuickTierWithTheSerialCollector() throws Exception {
        final Map<String, String> env = env(sharedCache());
        env.put("SCALPEL_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        final String slice = run(env, "slice", "--help").out().lines().findFirst().orElseThrow();
        assertTrue(slice.contains("-XX:TieredStopAtLevel=1") && slice.contains("-XX:+UseSerialGC"), slice);
        assertTrue(slice.contains("-XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,io.scalpel.zeek.LineSieve::*,"),
            "the log search's loops compiled sooner, silently: " + slice);
        // the pattern's * is never matched against the names of the files where the command runs
        final Path here = Files.createDirectories(dir.resolve("here"));
        Files.createFile(here.resolve("-XX:CompileCommand=CompileThresholdScaling,io.scalpel.zeek.LineSieve::x,0.02"));
        final String there = runIn(here, env, "slice", "--help").out().lines().findFirst().orElseThrow();
        assertTrue(there.contains("LineSieve::*,") && !there.contains("LineSieve::x"), "the option as written: " + there);
        final String index = run(env, "index", "--help").out().lines().findFirst().orElseThrow();
        assertTrue(index.contains("-XX:TieredStopAtLevel=1") && index.contains("-XX:+UseSerialGC"), index);
        // an index of 3 GiB or more of captures keeps C2 (a sparse file: its length is what counts)
        final Path big = dir.resolve("big.pcap");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        final String large = run(env, "index", "--help", big.toString()).out().lines().findFirst().orElseThrow();
        assertTrue(!large.contains("-XX:TieredStopAtLevel=1") && large.contains("-XX:+UseSerialGC"), large);
        final Path small = dir.resolve("small.pcap");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(small.toFile(), "rw")) {
            f.setLength((3L << 30) - (1L << 20));
        }
        final String below = run(env, "index", "--help", small.toString()).out().lines().findFirst().orElseThrow();
        assertTrue(below.contains("-XX:TieredStopAtLevel=1"), below);

        // a server is not short: C2, and G1
        final String serve = run(env, "serve", "--help").out().lines().findFirst().orElseThrow();
        assertTrue(!serve.contains("-XX:TieredStopAtLevel=1") && serve.contains("-XX:+UseG1GC")
            && !serve.contains("-XX:+UseSerialGC"), serve);

        env.put("SCALPEL_JAVA_OPTS", "-XX:+PrintCommandLineFlags -XX:+UseParallelGC");
        final Run chosen = run(env, "slice", "--help");
        assertEquals(0, chosen.exit(), chosen.stderr());
        final String flags = chosen.out().lines().findFirst().orElseThrow();
        assertTrue(flags.contains("-XX:+UseParallelGC") && !flags.contains("-XX:+UseSerialGC"), "the user's collector: " + flags);
        env.put("SCALPEL_JAVA_OPTS", "-XX:+PrintCommandLineFlags -XX:+UseParallelGC");
        final String served = run(env, "serve", "--help").out().lines().findFirst().orElseThrow();
        assertTrue(served.contains("-XX:+UseParallelGC") && !served.contains("-XX:+UseG1GC"), "the user's collector: " + served);
    }

    @Test
    void shouldSayWhenThereIsNoJarOrNoJava() throws Exception {
        final Map<String, String> noJar = env(dir.resolve("cache"));
        noJar.put("SCALPEL_JAR", dir.resolve("missing.jar").toString());
        final Run r = run(noJar, "--version");
        assertEquals(127, r.exit());
        assertEquals(List.of("scalpel: " + dir.resolve("missing.jar") + " not found: build it first (./mvnw -B -q package"
            + " -DskipTests in " + ROOT + ")"), r.stderr().lines().toList());

        final Map<String, String> noJava = env(dir.resolve("cache"));
        noJava.put("JAVA", dir.resolve("no-such-java").toString());
        final Run j = run(noJava, "--version");
        assertEquals(127, j.exit());
        assertEquals(List.of("scalpel: no java found at " + dir.resolve("no-such-java") + ": install a JDK 17 or newer, or set"
            + " JAVA_HOME or JAVA"), j.stderr().lines().toList());
    }

    @Test
    void shouldReadTheJavaVersionFromTheRuntimesReleaseFile() throws Exception {
        // a runtime the launcher refuses by the version its release file gives, the runtime's or else the platform's
        final Map<String, String> versions = new java.util.LinkedHashMap<>();
        versions.put("IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"16\"\nJAVA_RUNTIME_VERSION=\"16.0.2+7-x\"\n", "16.0.2+7-x");
        versions.put("JAVA_VERSION=\"11.0.2\"", "11.0.2"); // no line feed after the last line
        int n = 0;
        for (Map.Entry<String, String> v : versions.entrySet()) {
            final Path home = Files.createDirectories(dir.resolve("jdk" + n++).resolve("bin")).getParent();
            Files.writeString(home.resolve("release"), v.getKey());
            final Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\necho started >&2\nexit 0\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
            final Map<String, String> env = env(dir.resolve("cache"));
            env.put("JAVA_HOME", home.toString());
            final Run r = run(env, "--version");
            assertEquals(127, r.exit(), r.stderr());
            assertEquals(List.of("scalpel: " + java + " is Java " + v.getValue() + "; scalpel needs Java 17 or newer: set JAVA_HOME"
                + " or JAVA"), r.stderr().lines().toList());
        }
    }

    /** The cache of {@link #shared}, with the archive for this jar and Java made. */
    private static synchronized Path sharedCache() throws IOException, InterruptedException {
        final Path cache = shared.resolve("cache");
        if (!Files.isDirectory(cache.resolve("scalpel")) || archives(cache.resolve("scalpel")).isEmpty()) {
            final Run r = run(env(cache), "--version");
            assertEquals(0, r.exit(), r.stderr());
            assertEquals(1, archives(cache.resolve("scalpel")).size(), "the archive made on the first run");
        }
        return cache;
    }

    /** The environment of a copy of the jar at {@code jar} with its own cache, after a first run made its archive. */
    private static Map<String, String> withArchiveOfOwnJar(final Path jar, final Path cache) throws IOException, InterruptedException {
        Files.copy(JAR, jar);
        final Map<String, String> env = env(cache);
        env.put("SCALPEL_JAR", jar.toString());
        final Run r = run(env, "--version");
        assertEquals(0, r.exit(), r.stderr());
        return env;
    }

    private Run sliceToStdout(final Map<String, String> env) throws IOException, InterruptedException {
        return run(env, "slice", sample().toString(), "--conn", TESTDATA.resolve("sample-conn.log").toString(), "--uid", UID, "-w", "-");
    }

    /** A copy of the sample capture (a slice writes its index beside it). */
    private Path sample() throws IOException {
        final Path copy = dir.resolve("sample.pcap");
        if (!Files.exists(copy)) {
            Files.copy(TESTDATA.resolve("sample.pcap"), copy);
        }
        return copy;
    }

    /**
     * The slice on stdout holds exactly the sample's records of {@link #UID} by the generator's
     * truth, and stderr only scalpel's own lines: no JVM or archive diagnostics.
     */
    private static void assertSliceOfTheSample(final Run r) throws IOException {
        final PcapFile sample = PcapFile.read(TESTDATA.resolve("sample.pcap"));
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (String line : Files.readAllLines(TESTDATA.resolve("sample.truth.tsv"))) {
            final String[] v = line.split("\t");
            if (List.of(v[v.length - 1].split(",")).contains(UID)) {
                final long offset = Long.parseLong(v[1]);
                final PcapFile.Record rec = sample.records.stream().filter(x -> x.offset() == offset).findFirst().orElseThrow();
                expected.write(sample.recordBytes(rec));
            }
        }
        final PcapFile slice = PcapFile.parse(r.stdout());
        final ByteArrayOutputStream actual = new ByteArrayOutputStream();
        for (PcapFile.Record rec : slice.records) {
            actual.write(slice.recordBytes(rec));
        }
        assertTrue(expected.size() > 0);
        assertArrayEquals(expected.toByteArray(), actual.toByteArray(), "the records of " + UID + " on stdout");
        assertEquals(slice.bytes.length, PcapFile.FILE_HEADER_LENGTH + actual.size(), "nothing but the pcap on stdout");
        for (String line : r.stderr().lines().toList()) {
            assertTrue(line.startsWith("scalpel: "), "a line on stderr not from scalpel: " + line);
        }
    }

    private static boolean loadedFromArchive(final Path classLog, final String className) throws IOException {
        try (Stream<String> lines = Files.lines(classLog)) {
            return lines.anyMatch(l -> l.contains(" " + className + " source: shared objects file"));
        }
    }

    /** The archives in a cache directory (not the files of one being made). */
    private static List<Path> archives(final Path cache) throws IOException {
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa") || p.getFileName().toString().endsWith(".aot"))
                .sorted().toList();
        }
    }

    /** The environment of a run: this JVM's Java, the given cache home, nothing else of the launcher's. */
    private static Map<String, String> env(final Path cacheHome) {
        final Map<String, String> env = new HashMap<>(System.getenv());
        for (String name : List.of("JAVA", "SCALPEL_JAVA_OPTS", "SCALPEL_JAR", "SCALPEL_DEBUG", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            env.remove(name);
        }
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("XDG_CACHE_HOME", cacheHome.toString());
        return env;
    }

    private static Run run(final Map<String, String> env, final String... args) throws IOException, InterruptedException {
        return runIn(null, env, args);
    }

    /** {@link #run} in the working directory {@code workDir} (null: this process's). */
    private static Run runIn(final Path workDir, final Map<String, String> env, final String... args) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is executable");
        assertTrue(Files.isRegularFile(JAR), JAR + " is built (the integration tests run after package)");
        final List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        final Path out = Files.createTempFile("launcher", ".out");
        final Path err = Files.createTempFile("launcher", ".err");
        try {
            final ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            pb.environment().clear();
            pb.environment().putAll(env);
            final Process p = pb.start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
            return new Run(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String versionOfJar() throws IOException {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
    }
}
