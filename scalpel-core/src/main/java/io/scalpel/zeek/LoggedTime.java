package io.scalpel.zeek;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code ts} value in any of the forms logs carry it, as nanoseconds since the epoch and how
 * coarse it is: the true time lies in {@code [nanos, nanos + uncertaintyNanos)}.
 *
 * <ul>
 *   <li>epoch seconds ({@code 1421041299.123456}, Zeek's TSV and JSON {@code TS_EPOCH}; exactly, to
 *       the nanosecond, never through a double); a whole number of seconds is as coarse as a second;</li>
 *   <li>epoch milliseconds ({@code 1421041299123}, JSON {@code TS_MILLIS}), microseconds or
 *       nanoseconds, told apart from seconds by their size: a number from 10<sup>11</sup> on is
 *       milliseconds (10<sup>11</sup> seconds is the year 5138), from 10<sup>14</sup> on
 *       microseconds, from 10<sup>17</sup> on nanoseconds;</li>
 *   <li>ISO 8601 with or without a fraction and with {@code Z}, {@code +00:00}, {@code +0000},
 *       {@code +00} or no offset (UTC): {@code 2015-01-12T05:41:39.123456Z} (JSON {@code TS_ISO8601}),
 *       {@code 2015-01-12T05:41:39+0000} ({@code zeek-cut -d}, whole seconds); a space may stand for
 *       the {@code T} ({@code 2015-01-12 05:41:39.123456}, UTC). A fraction of fewer than six digits
 *       is as coarse as its last digit;</li>
 *   <li>masked ({@code XXXXXXXXXX.XXXXXX}, Zeek's test baselines): no time, {@link ConnRecord#NO_TIMESTAMP}.</li>
 * </ul>
 *
 * @param nanos            nanoseconds since the epoch, or {@link ConnRecord#NO_TIMESTAMP}
 * @param uncertaintyNanos 0 when the value is as fine as Zeek's microseconds; else the width of
 *                         the interval the true time lies in (10<sup>9</sup> for whole seconds)
 */
record LoggedTime(long nanos, long uncertaintyNanos) {
    static final LoggedTime NONE = new LoggedTime(ConnRecord.NO_TIMESTAMP, 0);

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** A Zeek time is printed to the microsecond: a finer fraction adds nothing to widen. */
    private static final int EXACT_FRACTION_DIGITS = 6;
    private static final int MAX_FRACTION_DIGITS = 9;
    private static final long MILLIS_FROM = 100_000_000_000L;
    private static final long MICROS_FROM = 100_000_000_000_000L;
    private static final long NANOS_FROM = 100_000_000_000_000_000L;
    private static final int MAX_LONG_DIGITS = 18;
    /** Longest millisecond (or finer) number read: 19 integer digits, a point and nine decimals, with room. */
    private static final int MAX_NUMBER_CHARS = 40;
    private static final Pattern PLAIN_DECIMAL = Pattern.compile("\\d+(\\.\\d*)?");
    private static final Pattern DATE_TIME = Pattern.compile(
        "(\\d{4})-(\\d{2})-(\\d{2})[T ](\\d{2}):(\\d{2}):(\\d{2})(?:[.,](\\d{1,9})\\d*)?"
            + "(Z|z|[+-]\\d{2}(?::?\\d{2})?)?");
    private static final String FORMS = "epoch seconds like 1700000007.932964, epoch milliseconds like 1700000007932,"
        + " or ISO 8601 like 2023-11-14T22:13:27.932964Z";

    /**
     * Parses {@code text}; null, unset and masked values give {@link #NONE}.
     *
     * @throws MalformedLineException naming {@code field} when the text is none of the forms, or
     *                                lies outside 1970 .. 2262 (nanoseconds in 64 bits)
     */
    static LoggedTime parse(final ConnField field, final String text) throws MalformedLineException {
        if (text == null || isMasked(text)) {
            return NONE;
        }
        if (!text.isEmpty() && isDigit(text.charAt(0)) && text.indexOf('-') < 0 && text.indexOf(':') < 0) {
            return number(field, text);
        }
        final Matcher m = DATE_TIME.matcher(text);
        if (!m.matches()) {
            throw notATime(field, text);
        }
        return dateTime(field, text, m);
    }

    /** True when the value is coarser than the microseconds Zeek logs. */
    boolean coarse() {
        return uncertaintyNanos > 0;
    }

    private static LoggedTime number(final ConnField field, final String text) throws MalformedLineException {
        int intDigits = 0;
        while (intDigits < text.length() && isDigit(text.charAt(intDigits))) {
            intDigits++;
        }
        final boolean whole = intDigits == text.length();
        final long integer = intDigits <= MAX_LONG_DIGITS ? Long.parseLong(text.substring(0, intDigits)) : Long.MAX_VALUE;
        if (integer < MILLIS_FROM) {
            final long nanos = ConnRow.decimalNanos(text);
            if (nanos < 0) {
                throw PLAIN_DECIMAL.matcher(text).matches() ? outOfRange(field, text) : notATime(field, text);
            }
            return new LoggedTime(nanos, whole ? NANOS_PER_SECOND : 0);
        }
        if (intDigits > MAX_LONG_DIGITS + 1) {
            throw outOfRange(field, text);
        }
        if (text.length() > MAX_NUMBER_CHARS || text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
            throw notATime(field, text); // milliseconds and finer are integers, or plain decimals
        }
        final int toNanos = integer < MICROS_FROM ? 6 : integer < NANOS_FROM ? 3 : 0;
        try {
            final long nanos = new BigDecimal(text).movePointRight(toNanos).setScale(0, RoundingMode.DOWN).longValueExact();
            return new LoggedTime(nanos, whole && toNanos == 6 ? NANOS_PER_MILLI : 0);
        } catch (NumberFormatException e) {
            throw notATime(field, text);
        } catch (ArithmeticException e) {
            throw outOfRange(field, text);
        }
    }

    private static LoggedTime dateTime(final ConnField field, final String text, final Matcher m) throws MalformedLineException {
        final long seconds;
        try {
            final LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                Integer.parseInt(m.group(6)));
            seconds = local.toEpochSecond(offset(m.group(8)));
        } catch (DateTimeException e) {
            throw new MalformedLineException(field.key + ": " + SafeText.quote(text) + " is not a valid date and time");
        }
        final String fraction = m.group(7) == null ? "" : m.group(7);
        long fractionNanos = fraction.isEmpty() ? 0 : Long.parseLong(fraction);
        for (int i = fraction.length(); i < MAX_FRACTION_DIGITS; i++) {
            fractionNanos *= 10;
        }
        if (seconds < 0 || seconds > (Long.MAX_VALUE - fractionNanos) / NANOS_PER_SECOND) {
            throw outOfRange(field, text);
        }
        long uncertainty = 0;
        if (fraction.length() < EXACT_FRACTION_DIGITS) {
            uncertainty = NANOS_PER_SECOND;
            for (int i = 0; i < fraction.length(); i++) {
                uncertainty /= 10;
            }
        }
        return new LoggedTime(seconds * NANOS_PER_SECOND + fractionNanos, uncertainty);
    }

    /** {@code Z}, {@code +HH}, {@code +HHMM} or {@code +HH:MM}; none is UTC. */
    private static ZoneOffset offset(final String text) {
        if (text == null || text.equalsIgnoreCase("Z")) {
            return ZoneOffset.UTC;
        }
        final String digits = text.replace(":", "");
        final int sign = digits.charAt(0) == '-' ? -1 : 1;
        final int hours = Integer.parseInt(digits.substring(1, 3));
        final int minutes = digits.length() > 3 ? Integer.parseInt(digits.substring(3, 5)) : 0;
        return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
    }

    private static MalformedLineException notATime(final ConnField field, final String text) {
        return new MalformedLineException(field.key + ": " + SafeText.quote(text) + " is not a time (" + FORMS + ")");
    }

    private static MalformedLineException outOfRange(final ConnField field, final String text) {
        return new MalformedLineException(field.key + ": " + SafeText.quote(text)
            + " is outside 1970-01-01T00:00:00Z .. 2262-04-11T23:47:16Z");
    }

    private static boolean isMasked(final String text) {
        boolean x = false;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == 'X') {
                x = true;
            } else if (c != '.') {
                return false;
            }
        }
        return x;
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }
}
