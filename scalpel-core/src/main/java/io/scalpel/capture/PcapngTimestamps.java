package io.scalpel.capture;

import java.math.BigInteger;

/**
 * pcapng timestamps in nanoseconds: a count of {@code if_tsresol} units (powers of 10 and of 2,
 * RFC section 4.2), plus the interface's {@code if_tsoffset} in seconds, saturated at what a long
 * holds, and the words that say so when a timestamp is beyond it.
 */
final class PcapngTimestamps {
    /** Beyond 2^-33 s (0.12 ns) a fraction's low bits are dropped first, so that fraction * 10^9 fits in a long. */
    private static final int FRACTION_BITS_LIMIT = 33;
    /** Whole seconds that nanoseconds in a long hold, either side of 1970. */
    private static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L;
    private static final int EXPONENT_MASK = 0x7F;
    private static final int POWER_OF_TWO = 0x80;
    private static final long[] POW10 = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    };

    private PcapngTimestamps() {
    }

    /** Whether an if_tsresol value is finer than one nanosecond (10^-10 and below, 2^-30 and below). */
    static boolean finerThanNanoseconds(final int tsresol) {
        final int exponent = tsresol & EXPONENT_MASK;
        return (tsresol & POWER_OF_TWO) == 0 ? exponent > 9 : exponent >= 30;
    }

    /** Whether an if_tsresol value is one this reader converts: up to 10^-18 or 2^-62. */
    static boolean inRange(final int tsresol) {
        final int exponent = tsresol & EXPONENT_MASK;
        return (tsresol & POWER_OF_TWO) == 0 ? exponent <= 18 : exponent <= 62;
    }

    /**
     * Converts a timestamp in if_tsresol units (an unsigned count) to nanoseconds (powers of 10 and
     * of 2); one beyond what a long holds is {@link Long#MAX_VALUE}.
     */
    static long toNanos(final long units, final int tsresol) {
        final int exponent = tsresol & EXPONENT_MASK;
        if ((tsresol & POWER_OF_TWO) == 0) {
            if (exponent <= 9) {
                final long scale = POW10[9 - exponent];
                return Long.compareUnsigned(units, Long.MAX_VALUE / scale) > 0 ? Long.MAX_VALUE : units * scale;
            }
            return Long.divideUnsigned(units, POW10[exponent - 9]);
        }
        // units / 2^exponent seconds: whole seconds, then the fraction scaled to nanoseconds. Beyond
        // 2^-33 s (0.12 ns) the low bits are dropped first so that fraction * 10^9 fits in a long.
        final long seconds = units >>> exponent;
        if (Long.compareUnsigned(seconds, MAX_SECONDS) > 0) {
            return Long.MAX_VALUE;
        }
        long fraction = units & ((1L << exponent) - 1);
        int bits = exponent;
        if (bits > FRACTION_BITS_LIMIT) {
            fraction >>>= bits - FRACTION_BITS_LIMIT;
            bits = FRACTION_BITS_LIMIT;
        }
        final long fractionNanos = (fraction * 1_000_000_000L) >>> bits;
        final long nanos = seconds * 1_000_000_000L + fractionNanos;
        return nanos < 0 ? Long.MAX_VALUE : nanos; // the last second that fits may not fit whole
    }

    /** Whether {@code seconds} (an if_tsoffset) are beyond what nanoseconds in a long hold. */
    static boolean beyondNanos(final long seconds) {
        return Math.abs(seconds) > MAX_SECONDS;
    }

    /** {@code seconds} in nanoseconds, or the long nearest to that. */
    static long saturatedNanos(final long seconds) {
        if (beyondNanos(seconds)) {
            return seconds > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return seconds * 1_000_000_000L;
    }

    /**
     * The timestamp in ns of {@code units} of if_tsresol {@code tsresol}, {@code offsetNanos}
     * added, or the long nearest to it. An offset beyond what a long holds ({@link #saturatedNanos})
     * puts every timestamp at that end.
     */
    static long timestamp(final long units, final int tsresol, final long offsetNanos) {
        if (offsetNanos == Long.MAX_VALUE || offsetNanos == Long.MIN_VALUE) {
            return offsetNanos;
        }
        final long nanos = toNanos(units, tsresol);
        final long r = nanos + offsetNanos;
        if (((nanos ^ r) & (offsetNanos ^ r)) < 0) {
            return offsetNanos > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    /** Whether {@code units} of if_tsresol {@code tsresol}, {@code offsetNanos} added, are a time that nanoseconds in a long hold. */
    static boolean fits(final long units, final int tsresol, final long offsetNanos) {
        if (offsetNanos == Long.MAX_VALUE || offsetNanos == Long.MIN_VALUE) {
            return false;
        }
        final int exponent = tsresol & EXPONENT_MASK;
        final BigInteger perSecond = (tsresol & POWER_OF_TWO) == 0 ? BigInteger.TEN.pow(exponent) : BigInteger.TWO.pow(exponent);
        final BigInteger ns = new BigInteger(Long.toUnsignedString(units)).multiply(BigInteger.valueOf(1_000_000_000L))
            .divide(perSecond).add(BigInteger.valueOf(offsetNanos));
        return ns.bitLength() < Long.SIZE;
    }

    /** The last (or first) instant 64-bit nanoseconds since 1970 hold. */
    static String limitText(final boolean last) {
        return java.time.Instant.EPOCH.plusNanos(last ? Long.MAX_VALUE : Long.MIN_VALUE).toString();
    }

    /** A unit of if_tsresol, as text: 10^-6, 2^-20. */
    static String unitText(final int tsresol) {
        return ((tsresol & POWER_OF_TWO) == 0 ? "10^-" : "2^-") + (tsresol & EXPONENT_MASK);
    }
}
