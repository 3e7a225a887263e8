package io.scalpel.spark;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.Captures;
import io.scalpel.api.Failure;
import io.scalpel.slice.Query;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.SameKeyRows;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The join's packets, read on the executor: for each capture of the task, its conn rows become the
 * core's queries as {@code scalpel slice} makes them (a TCP row bounded by the next row of its key,
 * VLAN-aware as the options say, every IP layer of a tunnelled frame), are selected through the
 * capture's index, and each selected frame is one row, copied out of the capture connection by
 * connection, so a task holds one connection's packets at a time. A capture that cannot be opened
 * or read, and a conn row the reader refuses, is a row with its error (see {@link #SCHEMA}).
 */
final class PacketTask implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;

    /** A packet per row; a failure is a row with {@code error} set and nothing else but {@code capture} (and the uid when known). */
    static final StructType SCHEMA = new StructType()
        .add("capture", DataTypes.StringType, true)
        .add("uid", DataTypes.StringType, true)
        .add("ts", DataTypes.LongType, true)
        .add("caplen", DataTypes.IntegerType, true)
        .add("linktype", DataTypes.IntegerType, true)
        .add("bytes", DataTypes.BinaryType, true)
        .add("error", DataTypes.StringType, true);

    private final SparkOptions options;
    private final List<String> names;

    PacketTask(final SparkOptions options, final List<String> names) {
        this.options = options;
        this.names = List.copyOf(names);
    }

    @Override
    public Iterator<Row> call(final Iterator<Row> rows) {
        final Packets packets = new Packets(new CaptureGroups(rows));
        final TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) t -> packets.closeCapture());
        }
        return packets;
    }

    /** The rows of the task's captures, one connection's packets read at a time. */
    private final class Packets implements Iterator<Row> {
        private final CaptureGroups groups;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private String capture;
        private Captures open;
        private CaptureSet.Selection selection;
        private List<ConnRecord> records;
        private int query;

        Packets(final CaptureGroups groups) {
            this.groups = groups;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty()) {
                if (selection != null && query < selection.size()) {
                    readQuery();
                } else if (groups.hasNext()) {
                    closeCapture();
                    openCapture(groups.next());
                } else {
                    closeCapture();
                    return false;
                }
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void openCapture(final CaptureGroups.Group group) {
            capture = group.capture();
            try {
                final ConnGroup conns = ConnGroup.read(group.rows(), names);
                for (String refused : conns.refused()) {
                    ready.add(failure(null, refused));
                }
                records = conns.records();
                final Path path = CapturePaths.of(capture);
                open = Captures.open(path, options.joinOptions(path));
                final SameKeyRows next = SameKeyRows.of(records, records.stream().anyMatch(options.vlanKey()::aware));
                final List<Query> queries = new ArrayList<>(records.size());
                for (ConnRecord r : records) {
                    queries.add(open.query(r, next.nextStart(r)));
                }
                selection = open.selectQueries(queries);
                query = 0;
            } catch (Exception | InternalError e) {
                ready.add(failure(null, Failure.message(e)));
                closeCapture();
            }
        }

        /** Copies the frames of the next query, member by member. */
        private void readQuery() {
            final int q = query++;
            final String uid = records.get(q).uid();
            try {
                for (CaptureSet.MemberSelection m : selection.members()) {
                    final String file = m.capture().capture().toString();
                    m.capture().visit(m.offsets()[q], (frame, decoded) -> {
                        final byte[] bytes = new byte[frame.capturedLength()];
                        frame.buffer().get(frame.dataOffset(), bytes);
                        ready.add(RowFactory.create(file, uid, frame.timestampNanos(), frame.capturedLength(), frame.linkType(), bytes,
                            null));
                    });
                }
            } catch (Exception | InternalError e) {
                ready.add(failure(uid, Failure.message(e)));
                closeCapture();
            }
        }

        private Row failure(final String uid, final String message) {
            return RowFactory.create(capture, uid, null, null, null, null, message);
        }

        void closeCapture() {
            selection = null;
            records = null;
            if (open != null) {
                try {
                    open.close();
                } catch (IOException e) {
                    ready.add(failure(null, Failure.message(e)));
                }
                open = null;
            }
        }
    }
}
