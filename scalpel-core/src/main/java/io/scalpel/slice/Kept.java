package io.scalpel.slice;

import io.scalpel.decode.DatagramId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The frames one query keeps ({@link Confirmation}), and the later fragments of tunnelled
 * datagrams that wait for their datagram's first fragment to be confirmed.
 */
final class Kept {
    private final long[] offsets;
    private int n;
    private Map<DatagramId, long[]> waiting;
    private Set<DatagramId> confirmed;

    Kept(final int capacity) {
        this.offsets = new long[capacity];
    }

    void add(final long offset) {
        offsets[n++] = offset;
    }

    /** True when {@code offset} is the frame kept last (a tunnelled frame has an index row per IP layer). */
    boolean isLast(final long offset) {
        return n > 0 && offsets[n - 1] == offset;
    }

    void waitForDatagram(final DatagramId datagram, final long offset) {
        if (waiting == null) {
            waiting = new HashMap<>();
        }
        waiting.merge(datagram, new long[] {offset}, Kept::concat);
    }

    void datagramConfirmed(final DatagramId datagram) {
        if (confirmed == null) {
            confirmed = new HashSet<>();
        }
        confirmed.add(datagram);
    }

    /** The kept frames and the confirmed datagrams' waiting fragments, sorted, each once. */
    long[] result() {
        if (waiting != null && confirmed != null) {
            for (Map.Entry<DatagramId, long[]> e : waiting.entrySet()) {
                if (confirmed.contains(e.getKey())) {
                    for (long offset : e.getValue()) {
                        offsets[n++] = offset;
                    }
                }
            }
        }
        // Sorted, and each frame once: a tunnelled frame has a row per IP layer, and several of
        // them can lead to the same query.
        Arrays.sort(offsets, 0, n);
        int w = 0;
        for (int i = 0; i < n; i++) {
            if (w == 0 || offsets[i] != offsets[w - 1]) {
                offsets[w++] = offsets[i];
            }
        }
        return Arrays.copyOf(offsets, w);
    }

    private static long[] concat(final long[] a, final long[] b) {
        final long[] m = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, m, a.length, b.length);
        return m;
    }
}
