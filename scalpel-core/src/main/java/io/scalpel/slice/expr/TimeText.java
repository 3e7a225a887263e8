package io.scalpel.slice.expr;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as nanoseconds since 1970, from the text of {@code --from}, {@code --to} and a
 * query's {@code after}/{@code before}: ISO-8601 (UTC unless an offset is given, e.g.
 * {@code 2024-05-01T12:00:00Z}), epoch seconds with an optional fraction ({@code 1714564800.5}),
 * or a time before now ({@code 15m ago}; units s, m, h, d).
 */
public final class TimeText {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final Pattern EPOCH = Pattern.compile("\\d+(\\.\\d{1,9})?");
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*([smhd])\\s+ago");
    /** The forms, for messages. */
    public static final String FORMS = "ISO-8601 (2024-05-01T12:00:00Z), epoch seconds (1714564800.5) or N{s,m,h,d} ago (15m ago)";

    private TimeText() {
    }

    /** Whether {@code text} is a relative time, {@code N{s,m,h,d} ago}. */
    public static boolean isRelative(final String text) {
        return AGO.matcher(text.trim()).matches();
    }

    /**
     * The time {@code text} names, relative times counted back from {@code nowNanos}.
     *
     * @throws IllegalArgumentException saying which forms are understood, or that the time is out of range
     */
    public static long parse(final String text, final long nowNanos) {
        final String t = text.trim();
        final Matcher ago = AGO.matcher(t);
        if (ago.matches()) {
            final long seconds = Long.parseLong(ago.group(1)) * switch (ago.group(2)) {
                case "s" -> 1L;
                case "m" -> 60L;
                case "h" -> 3_600L;
                default -> 86_400L;
            };
            return nowNanos - seconds * NANOS_PER_SECOND;
        }
        final Instant i;
        try {
            if (EPOCH.matcher(t).matches()) {
                final BigDecimal nanos = new BigDecimal(t).movePointRight(9);
                if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    throw outOfRange(text);
                }
                return nanos.longValueExact();
            } else if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:\\d\\d$")) {
                i = OffsetDateTime.parse(t).toInstant();
            } else {
                i = LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time: give " + FORMS);
        }
        try {
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), NANOS_PER_SECOND), i.getNano());
        } catch (ArithmeticException e) {
            throw outOfRange(text);
        }
    }

    private static IllegalArgumentException outOfRange(final String text) {
        return new IllegalArgumentException("'" + text + "' is out of range: times are counted in nanoseconds since 1970"
            + " in 64 bits, from " + Instant.ofEpochSecond(0, Long.MIN_VALUE) + " to " + Instant.ofEpochSecond(0, Long.MAX_VALUE));
    }
}
