package io.scalpel.spark;

import io.scalpel.api.Captures;
import io.scalpel.api.Failure;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceOutcome;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The join's per-uid extracts, written on the executor by the CLI's own slice: for each capture of
 * the task, its conn rows are written as a conn.log in the executor's temporary directory and
 * sliced with {@link Slices#run} as {@code scalpel slice CAPTURE --conn LOG --all --split-dir DIR}
 * does, so each {@code UID.pcap} is byte for byte the CLI's, committed atomically (the files of a
 * batch of rows together). One report row per capture and task; a capture that fails is a row with
 * its error, and the others go on.
 */
final class ExtractTask implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private static final double NANOS_PER_SECOND = 1e9;

    /** One row per capture a task sliced. */
    static final StructType SCHEMA = new StructType()
        .add("capture", DataTypes.StringType, true)
        .add("rows", DataTypes.LongType, false)
        .add("uids_matched", DataTypes.IntegerType, true)
        .add("files", DataTypes.IntegerType, true)
        .add("packets", DataTypes.LongType, true)
        .add("seconds", DataTypes.DoubleType, false)
        .add("warnings", DataTypes.createArrayType(DataTypes.StringType), false)
        .add("error", DataTypes.StringType, true);

    private final SparkOptions options;
    private final List<String> names;
    private final String splitDir;

    ExtractTask(final SparkOptions options, final List<String> names, final String splitDir) {
        this.options = options;
        this.names = List.copyOf(names);
        this.splitDir = splitDir;
    }

    @Override
    public Iterator<Row> call(final Iterator<Row> rows) {
        final List<Row> report = new ArrayList<>();
        final CaptureGroups groups = new CaptureGroups(rows);
        while (groups.hasNext()) {
            report.add(slice(groups.next()));
        }
        return report.iterator();
    }

    private Row slice(final CaptureGroups.Group group) {
        final long start = System.nanoTime();
        final List<String> warnings = new ArrayList<>();
        Path log = null;
        try {
            log = Files.createTempFile("scalpel-conn-", ".log");
            Files.write(log, ConnTsv.of(group.rows(), names, 1));
            final Path path = CapturePaths.of(group.capture());
            final SliceRequest request = SliceRequest.builder().conn(log.toString()).all(true).splitDir(CapturePaths.of(splitDir))
                .format(options.format()).build();
            final SliceOutcome outcome;
            try (Captures captures = Captures.open(path, options.joinOptions(path))) {
                outcome = Slices.run(captures, request, new SliceListener() {
                    @Override
                    public void warning(final String message) {
                        warnings.add(message);
                    }

                    @Override
                    public void note(final String message) {
                        // what the CLI says on stderr about the rows without packets: the report counts them
                    }
                });
            }
            return RowFactory.create(group.capture(), (long) group.rows().size(), outcome.matched(), outcome.captureFiles().size(),
                outcome.packets(), seconds(start), warnings.toArray(new String[0]), null);
        } catch (Exception | InternalError e) {
            return RowFactory.create(group.capture(), (long) group.rows().size(), null, null, null, seconds(start),
                warnings.toArray(new String[0]), Failure.message(e));
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (java.io.IOException e) {
                    // a temporary file left behind; the report does not depend on it
                }
            }
        }
    }

    private static double seconds(final long start) {
        return (System.nanoTime() - start) / NANOS_PER_SECOND;
    }
}
