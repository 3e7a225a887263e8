package io.scalpel.spark;

import static org.apache.spark.sql.functions.lit;

import io.scalpel.api.Scalpel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The main class spark-submit runs (docs/spark.md):
 *
 * <pre>
 * index   [--index-root DIR] [--rebuild] [--writer-threads 0|1|2] [--sets] PATH...
 * extract --conn LOG... --capture PATH --split-dir DIR [--conn-format tsv|json|parquet]
 *         [--index-root DIR] [--format pcap|pcapng] [--vlan-aware | --vlan-blind] [--partitions N]
 * </pre>
 *
 * Prints the report, one JSON object per capture, on stdout, and on stderr how many captures it
 * did and how long the work took (the session's start and stop left out). Exit 0 when every capture went well,
 * 3 when one failed (its row says why; the others were done) or Spark could not read a log, 2 for a
 * usage error (one line on stderr).
 */
public final class ScalpelSparkMain {
    /** Every capture indexed or sliced. */
    public static final int OK = 0;
    /** The command line cannot be run. */
    public static final int USAGE = 2;
    /** A capture failed; the report's row for it says why. */
    public static final int BAD_INPUT = 3;

    private ScalpelSparkMain() {
    }

    /**
     * Runs the command line in a session of its own, stopped at the end; exits with its code.
     *
     * @param args the command line
     */
    public static void main(final String[] args) {
        final SparkSession spark = SparkSession.builder().appName("scalpel-spark " + String.join(" ", args)).getOrCreate();
        final int code;
        try {
            code = run(spark, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        } finally {
            spark.stop();
        }
        System.exit(code);
    }

    /**
     * Runs the command line in {@code spark}.
     *
     * @param spark the session
     * @param out receives the report
     * @param err receives a usage error
     * @param args the command line
     * @return the exit code
     */
    public static int run(final SparkSession spark, final PrintWriter out, final PrintWriter err, final String... args) {
        try {
            final long start = System.nanoTime();
            final Dataset<Row> report = command(spark, args);
            final double seconds = (System.nanoTime() - start) / 1e9;
            final List<Row> rows = report.collectAsList();
            final long failed = rows.stream().filter(r -> r.getAs("error") != null).count();
            for (String line : report.toJSON().collectAsList()) {
                out.println(line);
            }
            out.flush();
            err.printf(java.util.Locale.ROOT, "scalpel-spark: %s: %d %s, %d failed, in %.1f s%n", args[0], rows.size(),
                args[0].equals("index") ? "captures" : "capture tasks", failed, seconds);
            err.flush();
            return failed == 0 ? OK : BAD_INPUT;
        } catch (IllegalArgumentException e) {
            err.println("scalpel-spark: " + e.getMessage());
            err.flush();
            return USAGE;
        } catch (Exception e) {
            // Spark's own refusals (a log that does not exist, a Parquet file it cannot read): one line
            err.println("scalpel-spark: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.getClass().getName()));
            err.flush();
            return BAD_INPUT;
        }
    }

    private static Dataset<Row> command(final SparkSession spark, final String... args) {
        if (args.length == 0 || !(args[0].equals("index") || args[0].equals("extract"))) {
            throw new IllegalArgumentException("a command is required: index or extract");
        }
        SparkOptions options = SparkOptions.defaults();
        final List<String> paths = new ArrayList<>();
        final List<String> conn = new ArrayList<>();
        String capture = null;
        String splitDir = null;
        String connFormat = "tsv";
        boolean sets = false;
        for (int i = 1; i < args.length; i++) {
            final String a = args[i];
            switch (a) {
                case "--index-root" -> options = options.withIndexRoot(value(args, ++i, a));
                case "--rebuild" -> options = options.withRebuild(true);
                case "--writer-threads" -> options = options.withWriterThreads(writerThreads(number(value(args, ++i, a), a)));
                case "--sets" -> sets = true;
                case "--conn" -> conn.add(value(args, ++i, a));
                case "--conn-format" -> connFormat = value(args, ++i, a);
                case "--capture" -> capture = value(args, ++i, a);
                case "--split-dir" -> splitDir = value(args, ++i, a);
                case "--format" -> options = options.withFormat(value(args, ++i, a));
                case "--vlan-aware" -> options = options.withVlanKey(Scalpel.VlanKey.AWARE);
                case "--vlan-blind" -> options = options.withVlanKey(Scalpel.VlanKey.BLIND);
                case "--partitions" -> options = options.withPartitions(number(value(args, ++i, a), a));
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + a);
                    }
                    paths.add(a);
                }
            }
        }
        if (args[0].equals("index")) {
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("index: a capture, or a directory of captures, is required");
            }
            return sets ? ScalpelSpark.indexSets(spark, paths, options) : ScalpelSpark.index(spark, paths, options);
        }
        if (conn.isEmpty() || capture == null || splitDir == null || !paths.isEmpty()) {
            throw new IllegalArgumentException("extract: --conn, --capture and --split-dir are required, and nothing else");
        }
        return ScalpelSpark.extracts(read(spark, connFormat, conn).withColumn(options.captureColumn(), lit(capture)), splitDir, options);
    }

    private static Dataset<Row> read(final SparkSession spark, final String format, final List<String> logs) {
        final String[] files = logs.toArray(new String[0]);
        return switch (format) {
            case "tsv" -> ScalpelSpark.readZeekTsv(spark, files);
            case "json" -> spark.read().json(files);
            case "parquet" -> spark.read().parquet(files);
            default -> throw new IllegalArgumentException("--conn-format must be tsv, json or parquet, not '" + format + "'");
        };
    }

    private static String value(final String[] args, final int i, final String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int writerThreads(final int n) {
        if (n < 0 || n > 2) {
            throw new IllegalArgumentException("--writer-threads must be 0, 1 or 2, not " + n);
        }
        return n;
    }

    private static int number(final String text, final String option) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, not '" + text + "'");
        }
    }
}
