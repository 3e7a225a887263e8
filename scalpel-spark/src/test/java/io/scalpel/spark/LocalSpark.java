package io.scalpel.spark;

import io.scalpel.cli.ScalpelCommand;
import io.scalpel.testing.TestTags;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: a local[2] session with its UI off and its driver on the loopback address (one
 * per test class: it takes seconds to start), and the CLI run in-process, the oracle the Spark
 * indexes and extracts are compared with.
 */
final class LocalSpark {
    private LocalSpark() {
    }

    /** A local[2] session; the test (class) running must be tagged e2e: a Spark engine starts. */
    static SparkSession start() {
        TestTags.require(TestTags.E2E, "starts a Spark session");
        return SparkSession.builder().master("local[2]").appName("scalpel-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    }

    /** What a CLI run said and its exit code. */
    record Cli(int exit, String out, String err) {
    }

    /** Runs {@code scalpel ARGS} in this JVM. */
    static Cli cli(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = ScalpelCommand.run(new ScalpelCommand(), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(exit, out.toString(), err.toString());
    }

    /** Every regular file under {@code dir} (hidden ones too) by its path relative to it, with its bytes. */
    static Map<String, byte[]> files(final Path dir) {
        final Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
