package io.scalpel.follow;

/**
 * Delays from a record's arrival to its extract, counted in buckets whose width grows with the
 * delay (1 ms up to 1 s, 10 ms up to 10 s, 100 ms up to 100 s, 1 s beyond, up to an hour), so a
 * long run's quantiles cost a few KiB, never memory per record. A quantile is given as its
 * bucket's upper end.
 */
final class DelayHistogram {
    private static final int PER_DECADE = 900;
    private static final int DECADES = 3;
    private static final long LAST_SECONDS = 3600;
    private final long[] counts = new long[1000 + PER_DECADE * DECADES + (int) LAST_SECONDS];
    private long total;

    /** Counts one delay. */
    void record(final long nanos) {
        counts[bucket(Math.max(0, nanos) / 1_000_000)]++;
        total++;
    }

    long count() {
        return total;
    }

    void clear() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
    }

    /** The {@code q} quantile, ms (the upper end of its bucket); null without delays. */
    Long quantileMillis(final double q) {
        if (total == 0) {
            return null;
        }
        final long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int b = 0; b < counts.length; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return upperMillis(b);
            }
        }
        return upperMillis(counts.length - 1);
    }

    /** 1 ms buckets below 1 s, then 10 ms below 10 s, 100 ms below 100 s, 1 s below 1000 s, then one. */
    static int bucket(final long ms) {
        if (ms < 1000) {
            return (int) ms;
        }
        long width = 10;
        int base = 1000;
        long from = 1000;
        for (int d = 0; d < DECADES; d++) {
            if (ms < from * 10) {
                return base + (int) ((ms - from) / width);
            }
            base += PER_DECADE;
            from *= 10;
            width *= 10;
        }
        return (int) Math.min(base + (ms - from) / 1000, base + LAST_SECONDS - 1);
    }

    /** The upper end of bucket {@code b}, ms. */
    static long upperMillis(final int b) {
        if (b < 1000) {
            return b + 1;
        }
        long width = 10;
        int base = 1000;
        long from = 1000;
        for (int d = 0; d < DECADES; d++) {
            if (b < base + PER_DECADE) {
                return from + (b - base + 1) * width;
            }
            base += PER_DECADE;
            from *= 10;
            width *= 10;
        }
        return from + (b - base + 1) * 1000L;
    }
}
