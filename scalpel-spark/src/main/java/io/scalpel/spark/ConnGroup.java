package io.scalpel.spark;

import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The conn rows of one capture in a task, read by the core's conn.log reader (from their Zeek TSV,
 * {@link ConnTsv}): the records the join selects by, and a line for each row the reader refused,
 * naming its uid as the DataFrame has it.
 */
final class ConnGroup {
    private final List<ConnRecord> records = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();

    private ConnGroup() {
    }

    /** Reads {@code rows}, whose Zeek columns {@code names} start at column 1. */
    static ConnGroup read(final List<Row> rows, final List<String> names) throws IOException {
        final ConnGroup g = new ConnGroup();
        final byte[] tsv = ConnTsv.of(rows, names, 1);
        final int uid = names.indexOf("uid") + 1;
        try (ConnLogReader log = ConnLogReader.open(new ByteArrayInputStream(tsv), "conn DataFrame", (source, line, message) -> {
            final long i = line - ConnTsv.HEADER_LINES - 1;
            final Object id = i >= 0 && i < rows.size() ? rows.get((int) i).get(uid) : null;
            g.refused.add("conn row of uid " + id + ": " + message + " (skipped)");
        })) {
            for (ConnRecord r = log.next(); r != null; r = log.next()) {
                g.records.add(r);
            }
            if (log.vlanKeyed()) {
                g.records.replaceAll(r -> r.withVlanKeyed(true));
            }
        }
        return g;
    }

    /** The rows the reader took, in the task's order. */
    List<ConnRecord> records() {
        return records;
    }

    /** One line per row it refused. */
    List<String> refused() {
        return refused;
    }
}
