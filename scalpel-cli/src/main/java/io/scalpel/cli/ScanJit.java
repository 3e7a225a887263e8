package io.scalpel.cli;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.ObjectName;

/**
 * Keeps the JIT at its quick tier (C1) for an index scan: a compiler directive, added through the
 * JVM's DiagnosticCommand MBean (what {@code jcmd PID Compiler.directives_add} does), excludes
 * every method from C2.
 *
 * <p>Why: most of a scan's hot code is the Parquet write path, whose methods C2 inlines into
 * compile units of several kilobytes of bytecode. On this project's 2-core reference machine C2
 * spent about 9 s of compiler-thread time on a 1 GiB scan, competing with the scan's two threads for
 * the cores, and the C2 code it produced did not repay that even at 10 GiB (docs/performance.md has
 * the measurements). The directive goes in on a daemon thread, beside the scan, because starting
 * the platform MBean server takes a few hundred milliseconds; captures below {@link #MIN_BYTES}
 * are scanned before C2 would matter, so they go without it.
 *
 * <p>Best effort: a JVM without the {@code jdk.management} module, or one that refuses the
 * directive, simply keeps its default tiers. {@code SCALPEL_JIT=default} turns this off.
 */
final class ScanJit {
    /** Captures smaller than this are scanned with the JVM's default tiers. */
    static final long MIN_BYTES = 64L << 20;
    private static final String DIRECTIVE = "[{ match: \"*.*\", c2: { Exclude: true } }]";
    private static volatile boolean requested;

    private ScanJit() {
    }

    /**
     * Asks for quick compiles if any of {@code captures} is large enough for it to pay (once per
     * JVM); returns the thread adding the directive, or null when none was started.
     */
    static Thread forScanOf(final List<Path> captures) {
        if (requested || "default".equals(System.getenv("SCALPEL_JIT"))) {
            return null;
        }
        long largest = 0;
        for (Path p : captures) {
            try {
                largest = Math.max(largest, Files.isDirectory(p) ? MIN_BYTES : Files.size(p));
            } catch (java.io.IOException e) {
                // a capture that cannot be read fails later, with its own message
            }
        }
        if (largest < MIN_BYTES) {
            return null;
        }
        requested = true;
        final Thread t = new Thread(ScanJit::addDirective, "scalpel-jit-directive");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void addDirective() {
        Path file = null;
        try {
            file = Files.createTempFile("scalpel-jit", ".json");
            Files.write(file, DIRECTIVE.getBytes(StandardCharsets.US_ASCII));
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "compilerDirectivesAdd", new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
        } catch (Exception | LinkageError e) {
            // best effort: the scan runs with the default tiers
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (java.io.IOException e) {
                    file.toFile().deleteOnExit();
                }
            }
        }
    }
}
