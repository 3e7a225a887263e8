package io.scalpel.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * A task's conn rows, sorted by capture, taken one capture at a time: each group is every row of
 * the task sliced against one capture file or capture set (column 0 of the prepared rows).
 */
final class CaptureGroups implements Iterator<CaptureGroups.Group> {
    /** The rows of one capture. */
    record Group(String capture, List<Row> rows) {
    }

    private final Iterator<Row> rows;
    private Row next;

    CaptureGroups(final Iterator<Row> rows) {
        this.rows = rows;
        this.next = rows.hasNext() ? rows.next() : null;
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public Group next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        final String capture = next.getString(0);
        final List<Row> group = new ArrayList<>();
        while (next != null && java.util.Objects.equals(capture, next.getString(0))) {
            group.add(next);
            next = rows.hasNext() ? rows.next() : null;
        }
        return new Group(capture, group);
    }
}
