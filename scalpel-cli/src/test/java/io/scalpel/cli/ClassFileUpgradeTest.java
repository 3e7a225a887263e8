package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@link ClassFileUpgrade} on a copy of picocli's own jar (Java 5 class files): the same entries in
 * the same order, every byte that is not a class file's unchanged, every class file of version 50,
 * and the JVM's own verifier, as it logs it ({@code -Xlog:verification}), checks the rewritten
 * classes by their frames without falling back to type inference, where it checks picocli's own by
 * inference: what a class-data archive needs to hold them.
 */
class ClassFileUpgradeTest {
    @TempDir
    Path dir;

    @Test
    void shouldRewriteJava5ClassFilesWithFramesTheVerifierAccepts() throws Exception {
        final Path original = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final Path jar = Files.copy(original, dir.resolve("picocli.jar"));

        final int rewritten = ClassFileUpgrade.upgrade(jar);

        final Map<String, byte[]> before = entries(original);
        final Map<String, byte[]> after = entries(jar);
        assertEquals(new ArrayList<>(before.keySet()), new ArrayList<>(after.keySet()), "the same entries, in order");
        int older = 0;
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            final byte[] now = after.get(e.getKey());
            if (ClassFileUpgrade.version(e.getValue()) > 0 && ClassFileUpgrade.version(e.getValue()) < ClassFileUpgrade.JAVA_6) {
                older++;
                assertEquals(ClassFileUpgrade.JAVA_6, ClassFileUpgrade.version(now), e.getKey());
            } else {
                assertArrayEquals(e.getValue(), now, e.getKey() + " unchanged");
            }
        }
        assertTrue(older > 100, "picocli's class files are Java 5's: " + older);
        assertEquals(older, rewritten);

        final String originalLog = verification(original);
        final String upgradedLog = verification(jar);
        assertTrue(originalLog.contains("Verifying class picocli.CommandLine with old format"), "the control: inference");
        assertTrue(upgradedLog.contains("Verifying class picocli.CommandLine with new format"), upgradedLog);
        assertEquals(List.of(), upgradedLog.lines().filter(l -> l.contains("Fail over")).toList(), "no class falls back to inference");
    }

    /** The JVM's verification log of picocli's completion script generator run from {@code jar} (most of picocli loads). */
    private String verification(final Path jar) throws IOException, InterruptedException {
        final Path out = dir.resolve("verification-" + jar.getFileName() + ".txt");
        final Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xshare:off", "-Xlog:verification=info", "-cp", jar.toString(), "picocli.AutoComplete", "--help")
            .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the child JVM ended");
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static Map<String, byte[]> entries(final Path jar) throws IOException {
        final Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                final ZipEntry entry = e.nextElement();
                try (InputStream in = z.getInputStream(entry)) {
                    m.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return m;
    }
}
