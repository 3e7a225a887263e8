package io.scalpel.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The join at scale, judged against the truth of {@code SyntheticCapture --shape traffic}: each of
 * its conn.logs ({@code X.conn.log} beside {@code X.pcap}) logs every connection with the exact
 * number of frames it sent ({@code orig_pkts + resp_pkts}) and its first frame's time ({@code ts}).
 * Joins every row of the logs given with its packets ({@link ScalpelSpark#packets}) and counts the
 * rows whose packets are not that many, or whose first packet is not at ts. Not a unit test: run
 * by hand (docs/spark.md), {@code SparkJoinCheck [--index-root DIR] [--partitions N] LOG...}.
 */
public final class SparkJoinCheck {
    private static final long NANOS_PER_MICRO = 1000;

    private SparkJoinCheck() {
    }

    public static void main(final String[] args) {
        SparkOptions options = SparkOptions.defaults();
        final List<String> logs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--index-root" -> options = options.withIndexRoot(args[++i]);
                case "--partitions" -> options = options.withPartitions(Integer.parseInt(args[++i]));
                default -> logs.add(args[i]);
            }
        }
        final SparkSession spark = SparkSession.builder().appName("scalpel-spark join check").getOrCreate();
        try {
            // integer arithmetic only: a time in ns is beyond a double's exact integers
            final long start = System.nanoTime();
            final Dataset<Row> conn = ScalpelSpark.readZeekTsv(spark, logs.toArray(new String[0]))
                .withColumn("capture", regexp_replace(regexp_replace(input_file_name(), "^file:(//)?", ""), "\\.conn\\.log$", ".pcap"));
            final Dataset<Row> packets = ScalpelSpark.packets(conn, options);
            final Dataset<Row> joined = packets.groupBy("capture", "uid").agg(
                sum(when(col("error").isNull(), 1).otherwise(0)).as("joined"),
                sum(when(col("error").isNotNull(), 1).otherwise(0)).as("errors"),
                sum(col("caplen")).as("bytes"),
                min(col("ts")).as("first_ts"));
            final Dataset<Row> truth = conn.select(col("capture"), col("uid"),
                col("orig_pkts").cast("long").plus(col("resp_pkts").cast("long")).as("expected"),
                col("ts").cast("decimal(20,6)").multiply(lit(1_000_000)).cast("long").as("ts_micros"));
            final Column mismatch = coalesce(col("joined"), lit(0L)).notEqual(coalesce(col("expected"), lit(-1L)))
                .or(coalesce(col("errors"), lit(0L)).gt(0))
                .or(col("expected").gt(0).and(coalesce(expr("first_ts div " + NANOS_PER_MICRO), lit(-1L)).notEqual(col("ts_micros"))));
            final Dataset<Row> both = truth.join(joined, scala.jdk.javaapi.CollectionConverters.asScala(List.of("capture", "uid")).toSeq(),
                "full_outer").withColumn("mismatch", mismatch).cache();
            final Row s = both.agg(count(col("expected")).as("rows"), sum(col("expected")).as("expected_packets"),
                sum(col("joined")).as("joined_packets"), sum(col("bytes")).as("joined_bytes"), sum(col("errors")).as("errors"),
                sum(when(col("mismatch"), 1).otherwise(0)).as("mismatches")).first();
            final double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("rows %d, packets expected %d, joined %d (%d captured bytes), errors %d, mismatches %d, %.1f s%n",
                s.getLong(0), s.getLong(1), s.getLong(2), s.getLong(3), s.getLong(4), s.getLong(5), seconds);
            for (Row r : both.where(col("mismatch")).limit(10).collectAsList()) {
                System.out.println("mismatch: " + r);
            }
        } finally {
            spark.stop();
        }
    }
}
