package io.scalpel.zeek;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * An external sort of fixed-width records of longs, in memory bounded by one run: records are
 * gathered in a primitive array of {@code runRecords}, each full run is sorted and written to a
 * temporary file, and {@link #sorted()} merges the runs. Records compare by their longs in order
 * (signed). For the passes over a conn.log of any length that need its rows in another order than
 * the log's.
 *
 * <p>Not thread-safe. {@link #close()} deletes the run files.
 */
final class LongRecordSort implements Closeable {
    /** Records per run unless told otherwise: 1 Mi records of 3 longs is 24 MiB. */
    static final int DEFAULT_RUN_RECORDS = 1 << 20;
    private static final int IO_BUFFER = 1 << 16;

    private final int width;
    private final int runRecords;
    private final Path directory;
    private final long[] run;
    private int count;
    private final List<Path> runs = new ArrayList<>();
    private final List<Integer> runSizes = new ArrayList<>();
    private long total;

    /**
     * @param width      longs per record
     * @param runRecords records held in memory before a run is written
     * @param directory  where the run files go
     */
    LongRecordSort(final int width, final int runRecords, final Path directory) {
        if (width < 1 || runRecords < 2) {
            throw new IllegalArgumentException("width " + width + ", run of " + runRecords);
        }
        this.width = width;
        this.runRecords = runRecords;
        this.directory = directory;
        this.run = new long[width * runRecords];
    }

    /** Adds a record of {@code width} longs. */
    void add(final long... record) throws IOException {
        if (count == runRecords) {
            spill();
        }
        System.arraycopy(record, 0, run, count * width, width);
        count++;
        total++;
    }

    /** Records added. */
    long size() {
        return total;
    }

    /** The records in order; call once, after the last {@link #add}. */
    Cursor sorted() throws IOException {
        if (runs.isEmpty()) {
            sortRun();
            return new MemoryCursor();
        }
        if (count > 0) {
            spill();
        }
        return new MergeCursor();
    }

    /** Reads records in order into a caller's array of {@code width} longs. */
    interface Cursor extends Closeable {
        /** Fills {@code record} with the next record; false at the end. */
        boolean next(long[] record) throws IOException;
    }

    private void spill() throws IOException {
        sortRun();
        final Path file = Files.createTempFile(directory, "scalpel-sort-", ".run");
        runs.add(file);
        runSizes.add(count);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), IO_BUFFER))) {
            for (int i = 0; i < count * width; i++) {
                out.writeLong(run[i]);
            }
        }
        count = 0;
    }

    /** Sorts the records in memory: a merge sort of record numbers, then the records moved into place. */
    private void sortRun() {
        final int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        final int[] scratch = new int[count];
        mergeSort(order, scratch, 0, count);
        final long[] copy = java.util.Arrays.copyOf(run, count * width);
        for (int i = 0; i < count; i++) {
            System.arraycopy(copy, order[i] * width, run, i * width, width);
        }
    }

    private void mergeSort(final int[] a, final int[] scratch, final int from, final int to) {
        if (to - from < 2) {
            return;
        }
        final int mid = (from + to) >>> 1;
        mergeSort(a, scratch, from, mid);
        mergeSort(a, scratch, mid, to);
        if (compare(run, a[mid - 1] * width, run, a[mid] * width) <= 0) {
            return;
        }
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            scratch[k++] = compare(run, a[i] * width, run, a[j] * width) <= 0 ? a[i++] : a[j++];
        }
        while (i < mid) {
            scratch[k++] = a[i++];
        }
        while (j < to) {
            scratch[k++] = a[j++];
        }
        System.arraycopy(scratch, from, a, from, to - from);
    }

    private int compare(final long[] a, final int at, final long[] b, final int bt) {
        for (int f = 0; f < width; f++) {
            final int c = Long.compare(a[at + f], b[bt + f]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Path p : runs) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        runs.clear();
        if (first != null) {
            throw first;
        }
    }

    private final class MemoryCursor implements Cursor {
        private int at;

        @Override
        public boolean next(final long[] record) {
            if (at == count) {
                return false;
            }
            System.arraycopy(run, at * width, record, 0, width);
            at++;
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** A k-way merge of the run files. */
    private final class MergeCursor implements Cursor {
        private final PriorityQueue<RunReader> heads = new PriorityQueue<>((x, y) -> compare(x.record, 0, y.record, 0));
        private final List<RunReader> open = new ArrayList<>();

        MergeCursor() throws IOException {
            for (int i = 0; i < runs.size(); i++) {
                final RunReader r = new RunReader(runs.get(i), runSizes.get(i));
                open.add(r);
                if (r.advance()) {
                    heads.add(r);
                }
            }
        }

        @Override
        public boolean next(final long[] record) throws IOException {
            final RunReader r = heads.poll();
            if (r == null) {
                return false;
            }
            System.arraycopy(r.record, 0, record, 0, width);
            if (r.advance()) {
                heads.add(r);
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            for (RunReader r : open) {
                r.in.close();
            }
        }
    }

    private final class RunReader {
        final DataInputStream in;
        final long[] record = new long[width];
        private int left;

        RunReader(final Path file, final int records) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), IO_BUFFER));
            this.left = records;
        }

        boolean advance() throws IOException {
            if (left == 0) {
                return false;
            }
            left--;
            for (int f = 0; f < width; f++) {
                record[f] = in.readLong();
            }
            return true;
        }
    }
}
