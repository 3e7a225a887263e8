package io.scalpel.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scalpel on Apache Spark: many captures indexed at once on the executors, and Zeek conn DataFrames
 * joined with their packets, through the core's own code (the index files, the queries, the
 * extracts are the CLI's). The executors read the captures where the driver names them: local
 * paths or {@code file:} URIs of a filesystem they all share (docs/spark.md).
 *
 * <pre>{@code
 * Dataset<Row> report = ScalpelSpark.index(spark, List.of("/data/pcap"), SparkOptions.defaults());
 * Dataset<Row> conn = ScalpelSpark.readZeekTsv(spark, "/data/zeek/conn.log").withColumn("capture", lit("/data/pcap/trace.pcap"));
 * Dataset<Row> packets = ScalpelSpark.packets(conn, SparkOptions.defaults());      // uid, ts, caplen, linktype, bytes
 * Dataset<Row> written = ScalpelSpark.extracts(conn, "/data/out", SparkOptions.defaults()); // UID.pcap files
 * }</pre>
 */
public final class ScalpelSpark {
    private ScalpelSpark() {
    }

    /**
     * Brings the index of each capture up to date, one capture per task, as {@code scalpel index
     * CAPTURE} does: built when missing, extended when the capture grew, rebuilt when stale (or
     * always, with {@link SparkOptions#rebuild()}), left as it is when fresh. Runs at once.
     *
     * @param spark the session
     * @param paths capture files, and directories standing for their capture files
     * @param options where the indexes go, whether to rebuild
     * @return one row per capture: capture, index, mode (built, rebuilt, extended, unchanged, failed),
     *         packets, flows, capture_bytes, records_scanned, seconds, error (null unless failed)
     * @throws IllegalArgumentException when a path is a URI of a scheme other than {@code file:}
     */
    public static Dataset<Row> index(final SparkSession spark, final List<String> paths, final SparkOptions options) {
        return runIndex(spark, CapturePaths.captures(paths), new IndexTask(resolved(options), false));
    }

    /**
     * Brings the index of each capture set (a directory of rotated captures, {@code DIR/.scalpel})
     * up to date, one set per task, as {@code scalpel index DIR} does. Runs at once.
     *
     * @param spark the session
     * @param directories capture set directories
     * @param options where the set indexes go, whether to rebuild
     * @return one row per member, as {@link #index}; a set that fails is one row naming the directory
     * @throws IllegalArgumentException when a path is a URI of a scheme other than {@code file:}
     */
    public static Dataset<Row> indexSets(final SparkSession spark, final List<String> directories, final SparkOptions options) {
        final List<String> dirs = new ArrayList<>();
        for (String d : directories) {
            dirs.add(CapturePaths.of(d).toString());
        }
        return runIndex(spark, dirs, new IndexTask(resolved(options), true));
    }

    private static Dataset<Row> runIndex(final SparkSession spark, final List<String> paths, final IndexTask task) {
        if (paths.isEmpty()) {
            return spark.createDataFrame(List.of(), IndexTask.SCHEMA);
        }
        final JavaRDD<Row> rows = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(paths, paths.size()).flatMap(task);
        return spark.createDataFrame(rows.collect(), IndexTask.SCHEMA);
    }

    /**
     * The packets of each conn row, read on the executors from the capture its row names (column
     * {@link SparkOptions#captureColumn()}), joined as {@code scalpel slice} joins them. The rows of
     * one flow go to one task. Lazy, as any Dataset: it is read when an action asks for it. The
     * indexes must exist ({@link #index}).
     *
     * @param conn conn rows with Zeek's column names (a conn.log read by Spark, or any DataFrame)
     *             and a column naming each row's capture file or capture set directory
     * @param given how rows are joined, which column names the capture, how many tasks
     * @return one row per packet of each conn row: capture (the file read), uid, ts (ns since the
     *         epoch), caplen, linktype, bytes, error (null); a capture or row that failed is a row
     *         with capture, its error, and its uid when it is a row's
     * @throws IllegalArgumentException when {@code conn} lacks the columns the join needs
     */
    public static Dataset<Row> packets(final Dataset<Row> conn, final SparkOptions given) {
        final SparkOptions options = resolved(given);
        final Map<String, Column> found = ConnColumns.find(conn);
        final JavaRDD<Row> rows = partitioned(conn, options, found).toJavaRDD()
            .mapPartitions(new PacketTask(options, new ArrayList<>(found.keySet())));
        return conn.sparkSession().createDataFrame(rows, PacketTask.SCHEMA);
    }

    /**
     * Writes the packets of each conn row to {@code splitDir/UID.pcap} (or {@code .pcapng}) on the
     * executors, byte for byte as {@code scalpel slice CAPTURE --conn LOG --all --split-dir DIR}
     * writes them, each file atomically. Runs at once. The indexes must exist ({@link #index}); each
     * uid should be in one row (Zeek's are), as a file is named by it.
     *
     * @param conn conn rows with Zeek's column names and a column naming each row's capture
     * @param splitDir the directory of the extracts, which every executor sees
     * @param given how rows are joined, which column names the capture, how many tasks, the format
     * @return one row per capture and task: capture, rows, uids_matched, files, packets, seconds,
     *         warnings, error (null unless that capture failed)
     * @throws IllegalArgumentException when {@code conn} lacks the columns the join needs, or
     *                                  {@code splitDir} is a URI of a scheme other than {@code file:}
     */
    public static Dataset<Row> extracts(final Dataset<Row> conn, final String splitDir, final SparkOptions given) {
        final SparkOptions options = resolved(given);
        final String dir = CapturePaths.of(splitDir).toString();
        final Map<String, Column> found = ConnColumns.find(conn);
        final JavaRDD<Row> rows = partitioned(conn, options, found).toJavaRDD()
            .mapPartitions(new ExtractTask(options, new ArrayList<>(found.keySet()), dir));
        return conn.sparkSession().createDataFrame(rows.collect(), ExtractTask.SCHEMA);
    }

    /** The options with their index root as an absolute path, as the driver sees it (executors may run elsewhere). */
    private static SparkOptions resolved(final SparkOptions options) {
        return options.indexRoot() == null ? options : options.withIndexRoot(CapturePaths.of(options.indexRoot()).toString());
    }

    /** The rows spread over the tasks by flow, sorted by capture in each. */
    private static Dataset<Row> partitioned(final Dataset<Row> conn, final SparkOptions options, final Map<String, Column> found) {
        final Dataset<Row> prepared = ConnColumns.prepare(conn, options.captureColumn(), found);
        final int n = options.partitions() > 0 ? options.partitions() : conn.sparkSession().sparkContext().defaultParallelism();
        return prepared.repartition(n, prepared.col(ConnColumns.CAPTURE), prepared.col(ConnColumns.KEY))
            .sortWithinPartitions(ConnColumns.CAPTURE);
    }

    /**
     * Reads Zeek TSV conn.logs (plain or gzip'd) as a DataFrame of strings named by their
     * {@code #fields} header, Zeek's {@code -} and {@code (empty)} kept as they are. The logs are
     * read by Spark on the executors; their headers by the driver, which must see the files too.
     * JSON logs and Parquet need no help: {@code spark.read().json(path)}, {@code spark.read().parquet(path)}.
     *
     * @param spark the session
     * @param paths conn.log files, all with the same {@code #fields}
     * @return one row per conn.log line
     * @throws IllegalArgumentException when a log has no {@code #fields} header, or another than the first's
     * @throws UncheckedIOException when a log cannot be read
     */
    public static Dataset<Row> readZeekTsv(final SparkSession spark, final String... paths) {
        List<String> fields = null;
        final List<String> locals = new ArrayList<>();
        for (String p : paths) {
            final Path path = CapturePaths.of(p);
            final List<String> f = fields(path);
            if (fields != null && !fields.equals(f)) {
                throw new IllegalArgumentException(path + ": its #fields differ from those of " + locals.get(0));
            }
            fields = f;
            locals.add(path.toString());
        }
        if (fields == null) {
            throw new IllegalArgumentException("no conn.log to read");
        }
        StructType schema = new StructType();
        for (String f : fields) {
            schema = schema.add(f, DataTypes.StringType, true);
        }
        return spark.read().schema(schema).option("sep", "\t").option("comment", "#").option("quote", "\u0000")
            .option("header", "false").option("mode", "PERMISSIVE").csv(locals.toArray(new String[0]));
    }

    /** The names of a Zeek TSV log's {@code #fields} line. */
    private static List<String> fields(final Path log) {
        try (InputStream raw = Files.newInputStream(log);
             BufferedReader in = new BufferedReader(new InputStreamReader(log.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw,
                 StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null && line.startsWith("#"); line = in.readLine()) {
                if (line.startsWith("#fields\t")) {
                    return List.of(line.substring("#fields\t".length()).split("\t", -1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(log + ": cannot be read: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(log + ": no #fields header before its first row; is this a Zeek TSV conn.log?");
    }
}
