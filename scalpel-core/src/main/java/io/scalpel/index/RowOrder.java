package io.scalpel.index;

/**
 * The numbers 0 to n-1 of rows held in primitive columns, in the order a comparison of two row
 * numbers gives: a stable merge sort of ints, no boxing (a chunk's flows by hash, a listing's flow
 * rows by key and chunk, its connections by time).
 */
public final class RowOrder {
    /** Compares rows {@code a} and {@code b} (negative: {@code a} first). */
    @FunctionalInterface
    public interface Comparison {
        int compare(int a, int b);
    }

    private RowOrder() {
    }

    /** Rows 0 to {@code n} - 1 in {@code by} order, rows that compare equal in their numbers' order. */
    public static int[] of(final int n, final Comparison by) {
        int[] order = new int[n];
        int[] other = new int[n];
        for (int e = 0; e < n; e++) {
            order[e] = e;
        }
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                final int mid = Math.min(lo + width, n);
                final int hi = Math.min(lo + 2 * width, n);
                int i = lo;
                int j = mid;
                for (int k = lo; k < hi; k++) {
                    // stable: the left run's row first when they compare equal
                    other[k] = j >= hi || i < mid && by.compare(order[i], order[j]) <= 0 ? order[i++] : order[j++];
                }
            }
            final int[] t = order;
            order = other;
            other = t;
        }
        return order;
    }
}
