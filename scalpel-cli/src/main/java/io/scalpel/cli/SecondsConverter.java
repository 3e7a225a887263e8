package io.scalpel.cli;

import java.math.BigDecimal;
import picocli.CommandLine;

/** A duration in seconds (a decimal number, e.g. {@code 5} or {@code 0.25}) as nanoseconds; never negative. */
final class SecondsConverter implements CommandLine.ITypeConverter<Long> {
    private static final int NANOS_DIGITS = 9;
    /** Longer than any capture: a day of seconds times a thousand. */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(86_400_000L);

    @Override
    public Long convert(final String value) {
        final BigDecimal seconds;
        try {
            seconds = new BigDecimal(value.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a number of seconds (e.g. 5 or 0.5)");
        }
        if (seconds.signum() < 0 || seconds.compareTo(MAX_SECONDS) > 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not between 0 and " + MAX_SECONDS.toPlainString()
                + " seconds");
        }
        return seconds.movePointRight(NANOS_DIGITS).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }
}
