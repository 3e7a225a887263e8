package io.scalpel.cli;

import io.scalpel.api.SliceRequest;
import picocli.CommandLine;

/**
 * A point in time as nanoseconds since 1970: ISO-8601 (UTC unless an offset is given, e.g.
 * {@code 2024-05-01T12:00:00Z}), epoch seconds with an optional fraction ({@code 1714564800.5}),
 * or a time before now ({@code 15m ago}), as {@link SliceRequest#time} reads them.
 */
final class TimeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(final String text) {
        try {
            return SliceRequest.time(text, SliceRequest.currentNanos());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
