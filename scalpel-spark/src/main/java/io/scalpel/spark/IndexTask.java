package io.scalpel.spark;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.CaptureSetIndexReport;
import io.scalpel.api.Failure;
import io.scalpel.api.IndexReport;
import io.scalpel.api.Progress;
import io.scalpel.api.Scalpel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One capture's index brought up to date on an executor, as {@code scalpel index CAPTURE} does it
 * ({@link Scalpel#index}, on {@link SparkOptions#writerThreads()} writer threads: built when missing, extended when grown, rebuilt when stale, left as it is
 * when fresh), or a capture set's ({@link CaptureSet#index}, member by member in one task). Each
 * capture is one row of the report; a capture that fails is a row with its error, and the others go on.
 */
final class IndexTask implements FlatMapFunction<String, Row> {
    private static final long serialVersionUID = 1L;
    private static final double NANOS_PER_SECOND = 1e9;

    /** The report's columns: one row per capture. */
    static final StructType SCHEMA = new StructType()
        .add("capture", DataTypes.StringType, false)
        .add("index", DataTypes.StringType, true)
        .add("mode", DataTypes.StringType, false)
        .add("packets", DataTypes.LongType, true)
        .add("flows", DataTypes.LongType, true)
        .add("capture_bytes", DataTypes.LongType, true)
        .add("records_scanned", DataTypes.LongType, true)
        .add("seconds", DataTypes.DoubleType, false)
        .add("error", DataTypes.StringType, true);

    /** The mode of a capture whose index could not be brought up to date. */
    static final String FAILED = "failed";

    private final SparkOptions options;
    private final boolean sets;

    /** Indexes capture files, or (with {@code sets}) capture set directories. */
    IndexTask(final SparkOptions options, final boolean sets) {
        this.options = options;
        this.sets = sets;
    }

    @Override
    public java.util.Iterator<Row> call(final String capture) {
        final Path path = Path.of(capture);
        final long start = System.nanoTime();
        final List<Row> rows = new ArrayList<>();
        try {
            if (sets) {
                final CaptureSetIndexReport r = CaptureSet.index(path, options.indexOf(path), Progress.NONE, options.indexOptions());
                for (CaptureSetIndexReport.Member m : r.members()) {
                    rows.add(row(m.report(), m.report().elapsedNanos()));
                }
            } else {
                rows.add(row(Scalpel.index(path, options.indexOf(path), Progress.NONE, options.indexOptions()), System.nanoTime() - start));
            }
        } catch (Exception | InternalError e) {
            rows.add(RowFactory.create(capture, null, FAILED, null, null, null, null, (System.nanoTime() - start) / NANOS_PER_SECOND,
                Failure.message(e)));
        }
        return rows.iterator();
    }

    private static Row row(final IndexReport r, final long nanos) {
        return RowFactory.create(r.capture().toString(), r.indexDirectory().toString(), r.mode().name().toLowerCase(Locale.ROOT),
            r.packets(), r.flows(), r.captureBytes(), r.recordsScanned(), nanos / NANOS_PER_SECOND, null);
    }
}
