package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The histogram's quantiles against the exact quantiles of the same delays, sorted here. */
class DelayHistogramTest {
    @Test
    void shouldGiveQuantilesWithinTheirBucketOfTheExactOnes() {
        final Random rng = new Random(7);
        final long[] ms = new long[20_000];
        final DelayHistogram h = new DelayHistogram();
        for (int i = 0; i < ms.length; i++) {
            ms[i] = (long) Math.exp(rng.nextDouble() * Math.log(2_000_000)); // 1 ms to 2000 s
            h.record(ms[i] * 1_000_000 + 123_456);
        }
        Arrays.sort(ms);
        for (double q : new double[] {0.01, 0.5, 0.9, 0.99, 1.0}) {
            final long exact = ms[(int) Math.ceil(q * ms.length) - 1];
            final long got = h.quantileMillis(q);
            // The bucket's upper end: above the exact value by at most the bucket's width.
            final long width = exact < 1_000 ? 1 : exact < 10_000 ? 10 : exact < 100_000 ? 100 : 1_000;
            assertTrue(got > exact && got <= exact + width,
                "q " + q + ": exact " + exact + " ms, histogram " + got + " ms");
        }
        assertEquals(ms.length, h.count());
    }

    @Test
    void shouldCountEachMillisecondBelowASecondExactly() {
        final DelayHistogram h = new DelayHistogram();
        h.record(0);
        h.record(999_999_999L);
        assertEquals(1, h.quantileMillis(0.5));
        assertEquals(1000, h.quantileMillis(1.0));
        h.clear();
        assertNull(h.quantileMillis(0.5));
    }

    @Test
    void shouldKeepDelaysBeyondTheLastBucketInIt() {
        final DelayHistogram h = new DelayHistogram();
        h.record(10_000L * 1_000_000_000L); // ten thousand seconds
        assertEquals(DelayHistogram.upperMillis(DelayHistogram.bucket(Long.MAX_VALUE / 1_000_000)), h.quantileMillis(1.0));
    }
}
