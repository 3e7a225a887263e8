package io.scalpel.cli;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * A point in time as nanoseconds since 1970: ISO-8601 (UTC unless an offset is given, e.g.
 * {@code 2024-05-01T12:00:00Z}) or epoch seconds with an optional fraction ({@code 1714564800.5}).
 */
final class TimeConverter implements CommandLine.ITypeConverter<Long> {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @Override
    public Long convert(final String text) {
        final String t = text.trim();
        final Instant i;
        try {
            if (t.matches("\\d+(\\.\\d{1,9})?")) {
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
            throw new CommandLine.TypeConversionException("'" + text + "' is neither ISO-8601 (2024-05-01T12:00:00Z) nor epoch"
                + " seconds (1714564800.5)");
        }
        try {
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), NANOS_PER_SECOND), i.getNano());
        } catch (ArithmeticException e) {
            throw outOfRange(text);
        }
    }

    private static CommandLine.TypeConversionException outOfRange(final String text) {
        return new CommandLine.TypeConversionException("'" + text + "' is out of range: times are counted in nanoseconds since 1970"
            + " in 64 bits, from " + Instant.ofEpochSecond(0, Long.MIN_VALUE) + " to " + Instant.ofEpochSecond(0, Long.MAX_VALUE));
    }
}
