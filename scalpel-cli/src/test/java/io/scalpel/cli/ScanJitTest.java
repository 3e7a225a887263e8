package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index scan's JIT directive, read back from the JVM with {@code Compiler.directives_print}
 * in a child JVM (the directive is process-wide): a large capture gets C2 excluded, a small one
 * and {@code SCALPEL_JIT=default} keep the default tiers.
 */
@Tag("e2e")
class ScanJitTest {
    @TempDir
    Path dir;

    @Test
    void shouldExcludeC2ForTheScanOfALargeCaptureOnly() throws Exception {
        final Path large = sparse("large.pcap", ScanJit.MIN_BYTES);
        final Path small = sparse("small.pcap", ScanJit.MIN_BYTES - 1);

        assertTrue(c2Excluded(probe(large, Map.of())), "a capture of 64 MiB is scanned at C1");
        assertFalse(c2Excluded(probe(small, Map.of())), "a smaller one keeps the default tiers");
        assertFalse(c2Excluded(probe(large, Map.of("SCALPEL_JIT", "default"))), "SCALPEL_JIT=default turns it off");
    }

    /** Whether the directives printed hold one matching every method whose c2 part excludes it. */
    private static boolean c2Excluded(final String printed) {
        for (String directive : printed.split("Directive:")) {
            final int c2 = directive.indexOf("c2 directives:");
            if (directive.contains("matching: *.*") && c2 >= 0 && directive.substring(c2).contains("Exclude:true")) {
                return true;
            }
        }
        return false;
    }

    private Path sparse(final String name, final long length) throws Exception {
        final Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(length);
        }
        return p;
    }

    /** Runs {@link Probe} on {@code capture} in a child JVM; returns what it printed. */
    private String probe(final Path capture, final Map<String, String> env) throws Exception {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), Probe.class.getName(), capture.toString()));
        final Path out = dir.resolve("probe.out");
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().remove("SCALPEL_JIT");
        pb.environment().putAll(env);
        final Process p = pb.start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "probe still running");
        final String printed = Files.readString(out);
        assertEquals(0, p.exitValue(), printed);
        return printed;
    }

    /** Child JVM: asks for the scan's JIT policy, waits for it, prints the JVM's compiler directives. */
    public static final class Probe {
        public static void main(final String[] args) throws Exception {
            final Thread t = ScanJit.forScanOf(List.of(Path.of(args[0])));
            if (t != null) {
                t.join();
            }
            System.out.println(ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "compilerDirectivesPrint", new Object[] {new String[0]}, new String[] {String[].class.getName()}));
        }
    }
}
