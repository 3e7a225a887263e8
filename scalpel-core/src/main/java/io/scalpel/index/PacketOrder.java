package io.scalpel.index;

/**
 * The order in which a batch of packet rows is written to {@code packets.parquet} (format
 * version 3; groups of 1 024 flows since version 6): by {@code chunk}, then by flow group
 * ({@code flow >> }{@link #GROUP_SHIFT}: 1 024 flow numbers of the chunk, -1 for rows without a
 * flow), then capture order.
 *
 * <p>The rows of one flow row are thus within the rows of its group, which in a chunk of
 * 262 144 rows is a few pages, so the page index on {@code chunk}
 * and {@code flow} narrows a lookup to those pages however long the flow lasts. Grouping
 * flows rather than sorting by flow keeps the delta-encoded {@code ts} and {@code offset}
 * columns small: within a group they still increase in small steps (capture order), where a
 * sort by flow would make them jump back at every flow.
 *
 * <p>Two stable counting sorts: linear in the batch.
 */
final class PacketOrder {
    /** log2 of the flow numbers of a chunk that share a group. */
    static final int GROUP_SHIFT = 10;

    private PacketOrder() {
    }

    /** The rows {@code 0 .. batch.size-1} of {@code batch} in write order. */
    static int[] of(final PacketChunk batch) {
        final int n = batch.size;
        final int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        if (n < 2) {
            return rows;
        }
        final int[] group = new int[n];
        for (int i = 0; i < n; i++) {
            group[i] = batch.flow[i] >> GROUP_SHIFT; // -1 stays -1: rows without a flow first
        }
        return countingSort(countingSort(rows, group, n), batch.chunk, n);
    }

    /** {@code rows} stably sorted by {@code key[row]}. */
    private static int[] countingSort(final int[] rows, final int[] key, final int n) {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            final int k = key[rows[i]];
            min = Math.min(min, k);
            max = Math.max(max, k);
        }
        if (min == max) {
            return rows;
        }
        final long span = (long) max - min + 1;
        if (span > 4L * n + 1024) {
            // Sparse keys (not from the builder, whose flow and chunk numbers are dense): a comparison sort.
            final long[] packed = new long[n];
            for (int i = 0; i < n; i++) {
                packed[i] = ((long) key[rows[i]] - min) << 32 | i;
            }
            java.util.Arrays.sort(packed);
            final int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = rows[(int) packed[i]];
            }
            return out;
        }
        final int[] start = new int[(int) span + 1];
        for (int i = 0; i < n; i++) {
            start[key[rows[i]] - min + 1]++;
        }
        for (int k = 1; k < start.length; k++) {
            start[k] += start[k - 1];
        }
        final int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[start[key[rows[i]] - min]++] = rows[i];
        }
        return out;
    }
}
