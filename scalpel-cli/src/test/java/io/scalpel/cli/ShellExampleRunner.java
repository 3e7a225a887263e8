package io.scalpel.cli;

import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a {@link ShellExample} as a reader would, from the root of a checkout that was built: in a
 * fresh directory holding a copy of the checkout's {@code testdata/} (without indexes or outputs
 * of earlier runs), its {@code bin/scalpel}, its {@code scalpel-cli/target/scalpel.jar}, and the
 * files the page asks the reader to save (its Java examples). {@code scalpel} on the PATH stands
 * for {@code java -jar scalpel-cli/target/scalpel.jar}, as the pages say; {@code java} and
 * {@code javac} are those of the JDK running the test. The commands run in one bash, one after the
 * other, with times in UTC, the C locale and {@code bin/scalpel}'s archive cache in the directory.
 */
final class ShellExampleRunner {
    /** Programs an example may use that a machine may not have. */
    static final List<String> OPTIONAL_PROGRAMS = List.of(ExternalTools.TCPDUMP, ExternalTools.TSHARK, "capinfos", "python3", "zstd",
        "wireshark", "zeek-cut");

    private static final long TIMEOUT_MINUTES = 10;
    /** The shaded jar, relative to the checkout. */
    private static final String JAR = "scalpel-cli/target/scalpel.jar";

    private final Path checkout;

    /** @param checkout the project's root: {@code testdata/}, {@code bin/scalpel} and the built jar are taken from it */
    ShellExampleRunner(final Path checkout) {
        this.checkout = checkout;
    }

    /** The {@link #OPTIONAL_PROGRAMS} the example runs, and {@link ExternalTools#LIBPCAP} when it filters with --bpf. */
    static List<String> optionalProgramsUsed(final ShellExample example) {
        final List<String> used = new ArrayList<>(OPTIONAL_PROGRAMS.stream()
            .filter(p -> example.runnable().stream().anyMatch(c -> c.uses(p))).toList());
        if (example.runnable().stream().anyMatch(c -> c.uses("--bpf"))) {
            used.add(ExternalTools.LIBPCAP);
        }
        return used;
    }

    /**
     * Runs every command of {@code example} (but the build's) in {@code dir}, with {@code files}
     * (name to content) saved in its root first. Returns what did not go as the page shows: empty
     * when every command exited as it may and printed what the page shows.
     */
    List<String> run(final ShellExample example, final Map<String, String> files, final Path dir)
        throws IOException, InterruptedException {
        final Path root = Files.createDirectories(dir.resolve("root"));
        final Path results = Files.createDirectories(dir.resolve("results"));
        copyCheckout(root);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(root.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
        }
        final Path programs = Files.createDirectories(dir.resolve("programs"));
        executable(programs.resolve("scalpel"), "#!/bin/sh\nexec java -jar '" + root.resolve(JAR) + "' \"$@\"\n");

        final List<ShellExample.Command> commands = example.runnable();
        final StringBuilder script = new StringBuilder("cd '" + root + "' || exit 99\n");
        for (int i = 0; i < commands.size(); i++) {
            script.append("{ ").append(commands.get(i).text()).append("\n} >'").append(results.resolve(i + ".out"))
                .append("' 2>&1 </dev/null; __status=$?; echo $__status >'").append(results.resolve(i + ".status"))
                .append("'; (exit $__status)\n");
        }
        final Path scriptFile = Files.writeString(dir.resolve("example.sh"), script.toString(), StandardCharsets.UTF_8);

        final Path log = dir.resolve("bash.log");
        final ProcessBuilder pb = new ProcessBuilder("bash", scriptFile.toString()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().clear();
        pb.environment().putAll(environment(programs, dir.resolve("cache")));
        final Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return List.of(example.where() + ": did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
        } finally {
            Files.deleteIfExists(root.resolve(JAR)); // so that removing the directory meets no link to the checkout
        }

        final List<String> failures = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            final ShellExample.Command c = commands.get(i);
            final String where = example.page() + ":" + c.line() + " `" + c.text() + "`";
            final Path status = results.resolve(i + ".status");
            if (!Files.exists(status)) {
                failures.add(where + ": not run (the example stopped before it): " + Files.readString(log));
                break;
            }
            final int exit = Integer.parseInt(Files.readString(status).strip());
            final String printed = Files.readString(results.resolve(i + ".out"), StandardCharsets.UTF_8);
            final List<String> wrong = new ArrayList<>();
            if (exit != 0 && !example.statusShownAfter(i)) {
                wrong.add("exit status " + exit + " (only a command followed by `$ echo $?` may fail)");
            }
            final String mismatch = c.output() == null ? null : ShellExample.mismatch(c, printed);
            if (mismatch != null) {
                wrong.add("not the output shown");
            }
            if (!wrong.isEmpty()) {
                failures.add(where + ": " + String.join(", ", wrong) + "\n"
                    + (mismatch != null ? mismatch : "printed:\n" + printed));
            }
        }
        return failures;
    }

    /** testdata/ without indexes and outputs of earlier runs, bin/scalpel, and the jar (linked). */
    private void copyCheckout(final Path root) throws IOException {
        final Path testdata = checkout.resolve("testdata");
        try (Stream<Path> files = Files.walk(testdata)) {
            for (Path from : (Iterable<Path>) files.filter(f -> !generated(testdata.relativize(f)))::iterator) {
                final Path to = root.resolve("testdata").resolve(testdata.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        final Path launcher = checkout.resolve("bin/scalpel");
        if (Files.exists(launcher)) {
            Files.copy(launcher, Files.createDirectories(root.resolve("bin")).resolve("scalpel"), StandardCopyOption.COPY_ATTRIBUTES);
        }
        final Path jar = checkout.resolve(JAR);
        if (Files.exists(jar)) {
            Files.createSymbolicLink(Files.createDirectories(root.resolve(JAR).getParent()).resolve("scalpel.jar"), jar);
        }
    }

    /** What runs leave in testdata/ (git ignores them): indexes, quickstart.sh's out/, temporary files. */
    private static boolean generated(final Path relative) {
        for (Path part : relative) {
            final String name = part.toString();
            if (name.endsWith(".scalpel") || name.contains(".scalpel.tmp-") || name.startsWith(".") || relative.startsWith("out")) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> environment(final Path programs, final Path cache) {
        final Map<String, String> env = new HashMap<>(System.getenv());
        for (String name : List.of("JAVA", "SCALPEL_JAVA_OPTS", "SCALPEL_JAR", "SCALPEL_DEBUG", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS", "CLASSPATH")) {
            env.remove(name);
        }
        final String javaHome = System.getProperty("java.home");
        env.put("JAVA_HOME", javaHome);
        env.put("PATH", programs + ":" + Path.of(javaHome, "bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("XDG_CACHE_HOME", cache.toString());
        env.put("TZ", "UTC");
        env.put("LC_ALL", "C");
        env.put("CI", "true");
        return env;
    }

    private static void executable(final Path file, final String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

}
