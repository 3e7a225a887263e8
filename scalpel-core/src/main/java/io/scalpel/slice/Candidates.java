package io.scalpel.slice;

import io.scalpel.index.PacketIndex;
import java.util.Arrays;

/**
 * The index rows found for one query ({@link IndexJoin}): each row's timestamp, record offset
 * and datagram time, in the order the index gave them, for {@link Confirmation}
 * to read back from the capture.
 */
final class Candidates {
    long[] ts = new long[16];
    long[] offset = new long[16];
    long[] dgramTs = new long[16];
    int size;

    void add(final long t, final long o, final long d) {
        if (size == ts.length) {
            final int n = size * 2;
            ts = Arrays.copyOf(ts, n);
            offset = Arrays.copyOf(offset, n);
            dgramTs = Arrays.copyOf(dgramTs, n);
        }
        ts[size] = t;
        offset[size] = o;
        dgramTs[size] = d;
        size++;
    }

    /** The time a row is joined on: its datagram's time for a fragment, else its own. */
    long joinTs(final int i) {
        return dgramTs[i] == PacketIndex.NO_DGRAM_TS ? ts[i] : dgramTs[i];
    }

    /** The row numbers in capture order (by record offset; the index groups a chunk's rows by flow). */
    int[] inCaptureOrder() {
        final Integer[] boxed = new Integer[size];
        for (int i = 0; i < size; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (a, b) -> offset[a] != offset[b] ? Long.compare(offset[a], offset[b]) : Integer.compare(a, b));
        final int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = boxed[i];
        }
        return order;
    }
}
