package io.scalpel.zeek;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.io.api.Binary;

/**
 * A Parquet value as Zeek would log it in TSV, so that it goes through the same {@link ConnRow}
 * checks as a TSV row: a TIMESTAMP, TIME, INT96 or INTERVAL as decimal seconds with nine digits
 * (a millisecond TIMESTAMP as ISO 8601 with three decimals, as coarse as a millisecond), a DOUBLE
 * by its shortest decimal form, an integer and a string as they are. A value out of the range of
 * 64-bit nanoseconds, or an INTERVAL with months, fails the row ({@link MalformedLineException}).
 */
final class ParquetValueText {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_DAY = 86_400L * NANOS_PER_SECOND;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final DateTimeFormatter MILLIS_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(ZoneOffset.UTC);
    /** Julian day number of 1970-01-01, for INT96 timestamps. */
    private static final long JULIAN_EPOCH_DAY = 2_440_588L;
    private static final int INT96_BYTES = 12;
    private static final int INT96_JULIAN_DAY = 8;
    private static final int INTERVAL_DAYS = 4;
    private static final int INTERVAL_MILLIS = 8;

    private ParquetValueText() {
    }

    /** The current value of {@code c}'s reader as Zeek would log it in TSV. */
    static String of(final ParquetColumn c) throws MalformedLineException {
        final ColumnReader r = c.reader;
        final boolean int32 = c.int32();
        switch (c.encoding) {
            case STRING:
                return r.getBinary().toStringUsingUTF8();
            case INTEGER:
                if (c.field == ConnField.DURATION) {
                    return nanosText(r.getLong());
                }
                return int32 ? Integer.toString(r.getInteger()) : Long.toString(r.getLong());
            case FLOATING:
                final double v = c.float32() ? r.getFloat() : r.getDouble();
                return Double.isFinite(v) ? BigDecimal.valueOf(v).toPlainString() : Double.toString(v);
            case TIMESTAMP:
                final long count = int32 ? r.getInteger() : r.getLong();
                if (c.millis() && count >= 0) {
                    return MILLIS_TEXT.format(Instant.ofEpochMilli(count)); // three decimals: as coarse as a millisecond
                }
                return nanosText(scaled(c, count));
            case TIME:
                return nanosText(scaled(c, int32 ? r.getInteger() : r.getLong()));
            case INT96:
                final ByteBuffer b96 = r.getBinary().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                if (b96.remaining() != INT96_BYTES) {
                    throw new MalformedLineException(c.field.key + ": INT96 of " + b96.remaining() + " bytes");
                }
                final long nanosOfDay = b96.getLong(b96.position());
                final long julianDay = Integer.toUnsignedLong(b96.getInt(b96.position() + INT96_JULIAN_DAY));
                try {
                    return nanosText(Math.addExact(Math.multiplyExact(julianDay - JULIAN_EPOCH_DAY, NANOS_PER_DAY), nanosOfDay));
                } catch (ArithmeticException e) {
                    throw outOfRange(c);
                }
            case INTERVAL:
                final Binary interval = r.getBinary();
                final ByteBuffer b = interval.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                final int p = b.position();
                final long months = Integer.toUnsignedLong(b.getInt(p));
                final long days = Integer.toUnsignedLong(b.getInt(p + INTERVAL_DAYS));
                final long millis = Integer.toUnsignedLong(b.getInt(p + INTERVAL_MILLIS));
                if (months != 0) {
                    throw new MalformedLineException(c.field.key + ": an INTERVAL of " + months
                        + " months has no fixed length in seconds");
                }
                return nanosText(days * NANOS_PER_DAY + millis * NANOS_PER_MILLI);
            default:
                throw new IllegalStateException(c.encoding.description);
        }
    }

    private static long scaled(final ParquetColumn c, final long count) throws MalformedLineException {
        try {
            return Math.multiplyExact(count, c.unitNanos);
        } catch (ArithmeticException e) {
            throw outOfRange(c);
        }
    }

    private static MalformedLineException outOfRange(final ParquetColumn c) {
        return new MalformedLineException(c.field.key + ": value out of the range of nanoseconds in 64 bits");
    }

    /** Nanoseconds as decimal seconds with nine fraction digits; a negative value keeps its sign (and fails the row's checks). */
    static String nanosText(final long nanos) {
        if (nanos < 0) {
            return nanos == Long.MIN_VALUE ? "-9223372036.854775808" : "-" + nanosText(-nanos);
        }
        final String fraction = Long.toString(nanos % NANOS_PER_SECOND);
        return nanos / NANOS_PER_SECOND + "." + "000000000".substring(fraction.length()) + fraction;
    }
}
