package io.scalpel.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The indexing of a set of captures run several times in one session, every index rebuilt each
 * time: the first round pays for a fresh executor JVM (its JIT compiling the scan and Spark's code,
 * its classes loading), the next ones run on an executor that has done it already, as a
 * long-lived executor of a cluster does. Prints one line a round with its seconds. Not a unit test:
 * run by hand (docs/spark.md), {@code SparkIndexRounds --rounds N --index-root DIR PATH...}.
 */
public final class SparkIndexRounds {
    private SparkIndexRounds() {
    }

    public static void main(final String[] args) {
        SparkOptions options = SparkOptions.defaults().withRebuild(true);
        int rounds = 3;
        final List<String> paths = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--index-root" -> options = options.withIndexRoot(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> paths.add(args[i]);
            }
        }
        final SparkSession spark = SparkSession.builder().appName("scalpel-spark index rounds").getOrCreate();
        try {
            for (int round = 1; round <= rounds; round++) {
                final long start = System.nanoTime();
                final List<Row> rows = ScalpelSpark.index(spark, paths, options).collectAsList();
                final double seconds = (System.nanoTime() - start) / 1e9;
                final long failed = rows.stream().filter(r -> r.getAs("error") != null).count();
                final double tasks = rows.stream().mapToDouble(r -> r.<Double>getAs("seconds")).sum();
                System.out.printf(Locale.ROOT, "round %d: %d captures, %d failed, in %.2f s (tasks' seconds summed %.2f s)%n",
                    round, rows.size(), failed, seconds, tasks);
            }
        } finally {
            spark.stop();
        }
    }
}
