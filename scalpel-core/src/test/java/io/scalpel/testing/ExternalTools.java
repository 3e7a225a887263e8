package io.scalpel.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * External programs that tests use as independent oracles (tcpdump, tshark, the native libpcap
 * behind pcap4j). A missing tool skips the test with a loud message, except on CI
 * ({@code CI=true}), where it fails: CI must run these checks.
 */
public final class ExternalTools {
    public static final String TCPDUMP = "tcpdump";
    public static final String TSHARK = "tshark";
    /** The native libpcap shared library (Debian package libpcap0.8). */
    public static final String LIBPCAP = "libpcap";

    private static final String PCAP4J_LIBRARY_PROPERTY = "org.pcap4j.core.pcapLibName";
    private static final long RUN_TIMEOUT_SECONDS = 120;

    private ExternalTools() {
    }

    /** Skips the calling test (fails it on CI) unless {@code tool} is installed. */
    public static void require(final String tool) {
        TestTags.require(TestTags.EXTERNAL, "uses " + tool);
        if (isAvailable(tool)) {
            if (LIBPCAP.equals(tool)) {
                configurePcap4j();
            }
            return;
        }
        final String install = "install with apt-get install -y " + debianPackage(tool);
        if (isCi()) {
            throw new AssertionError(tool + " not installed, but CI=true requires the " + purpose(tool) + "; " + install);
        }
        final String message = tool + " not installed: skipping " + purpose(tool) + "; " + install;
        System.err.println("WARNING: " + message);
        Assumptions.abort(message);
    }

    public static boolean isAvailable(final String tool) {
        return LIBPCAP.equals(tool) ? libpcapAvailable() : executable(tool).isPresent();
    }

    public static boolean libpcapAvailable() {
        return libpcapPath().isPresent();
    }

    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The native libpcap: the pcap4j property if set, else the usual library directories. */
    public static Optional<Path> libpcapPath() {
        final String configured = System.getProperty(PCAP4J_LIBRARY_PROPERTY);
        if (configured != null && Files.isRegularFile(Paths.get(configured))) {
            return Optional.of(Paths.get(configured));
        }
        final List<Path> directories = new ArrayList<>(List.of(Paths.get("/usr/lib"), Paths.get("/usr/lib64"),
            Paths.get("/lib"), Paths.get("/lib64"), Paths.get("/usr/local/lib"), Paths.get("/opt/homebrew/lib")));
        for (final Path base : List.of(Paths.get("/usr/lib"), Paths.get("/lib"))) {
            if (Files.isDirectory(base)) {
                try (Stream<Path> children = Files.list(base)) {
                    children.filter(p -> p.getFileName().toString().endsWith("-linux-gnu")).sorted()
                        .forEach(directories::add);
                } catch (IOException e) {
                    // an unreadable directory holds no library we could use
                }
            }
        }
        for (final Path directory : directories) {
            for (final String name : List.of("libpcap.so", "libpcap.so.1", "libpcap.so.0.8", "libpcap.dylib",
                "libpcap.A.dylib")) {
                final Path candidate = directory.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Points pcap4j (JNA) at the library found, since Debian ships no unversioned libpcap.so without -dev. */
    private static void configurePcap4j() {
        if (System.getProperty(PCAP4J_LIBRARY_PROPERTY) == null) {
            libpcapPath().ifPresent(p -> System.setProperty(PCAP4J_LIBRARY_PROPERTY, p.toString()));
        }
    }

    public static Optional<Path> executable(final String tool) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (final String directory : path.split(java.io.File.pathSeparator)) {
            final Path candidate = Paths.get(directory, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Runs a command, returns its standard output; fails with its standard error on a non-zero exit. */
    public static String run(final List<String> command) throws IOException, InterruptedException {
        TestTags.require(TestTags.EXTERNAL, "runs " + command.get(0));
        final Path stdout = Files.createTempFile("external-tool", ".out");
        final Path stderr = Files.createTempFile("external-tool", ".err");
        try {
            final Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile()).start();
            if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + RUN_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": "
                    + Files.readString(stderr, StandardCharsets.UTF_8).trim());
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static String purpose(final String tool) {
        switch (tool) {
            case TCPDUMP: return "libpcap cross-check";
            case TSHARK: return "Wireshark cross-check";
            case LIBPCAP: return "pcap4j/libpcap cross-check";
            default: return "checks that need " + tool;
        }
    }

    private static String debianPackage(final String tool) {
        switch (tool.toLowerCase(Locale.ROOT)) {
            case LIBPCAP: return "libpcap0.8";
            default: return tool;
        }
    }
}
