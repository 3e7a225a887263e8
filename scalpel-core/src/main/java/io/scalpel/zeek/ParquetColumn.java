package io.scalpel.zeek;

import java.util.EnumSet;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * One column of a Parquet log that the join uses: the field it holds, found in the footer's
 * schema by its Zeek name as converters write it ({@link ConnField#byColumnName}: {@code id.orig_h}
 * as a top-level column with a dot or {@code orig_h} in an {@code id} group, {@code id_orig_h},
 * {@code orig_h}), how its values are stored ({@link Encoding}), checked against what the field
 * may be ({@link #find}), and the reader of its values in the current row group.
 */
final class ParquetColumn {
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long NANOS_PER_MICRO = 1_000L;
    private static final int INTERVAL_BYTES = 12;
    /** The fields whose column may hold integers (INT32 or INT64), or strings. */
    private static final Set<ConnField> INTEGER_FIELDS = EnumSet.of(ConnField.ORIG_P, ConnField.RESP_P, ConnField.ORIG_PKTS,
        ConnField.RESP_PKTS, ConnField.VLAN, ConnField.INNER_VLAN, ConnField.CTX_VLAN, ConnField.CTX_INNER_VLAN, ConnField.IP_PROTO);

    /** How a column's values are stored. */
    enum Encoding {
        STRING("a string"),
        INTEGER("an integer"),
        FLOATING("a floating-point number"),
        TIMESTAMP("a TIMESTAMP"),
        INT96("an INT96 timestamp"),
        /** INT64 or INT32 counting a unit (TIME): a duration. */
        TIME("a TIME"),
        INTERVAL("an INTERVAL"),
        OTHER("of another type");

        final String description;

        Encoding(final String description) {
            this.description = description;
        }
    }

    final ConnField field;
    final String name;
    final ColumnDescriptor descriptor;
    final Encoding encoding;
    /** Nanoseconds per unit of a TIMESTAMP or TIME; 1 for an INT64 duration. */
    final long unitNanos;
    /** The column's values in the current row group. */
    ColumnReader reader;

    private ParquetColumn(final ConnField field, final String name, final ColumnDescriptor descriptor, final Encoding encoding,
                          final long unitNanos) {
        this.field = field;
        this.name = name;
        this.descriptor = descriptor;
        this.encoding = encoding;
        this.unitNanos = unitNanos;
    }

    /** Whether the values are INT32 (rather than INT64) where either may be. */
    boolean int32() {
        return descriptor.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT32;
    }

    /** Whether the values are FLOAT (rather than DOUBLE). */
    boolean float32() {
        return descriptor.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.FLOAT;
    }

    /** Whether the TIMESTAMP or TIME counts milliseconds. */
    boolean millis() {
        return unitNanos == NANOS_PER_MILLI;
    }

    /**
     * The column of {@code f} in {@code schema}, or null when the file has none.
     *
     * @throws ConnLogFormatException when the column is repeated, or of a type {@code f} cannot have
     */
    static ParquetColumn find(final MessageType schema, final ConnField f, final String source) throws ConnLogFormatException {
        for (ColumnDescriptor d : schema.getColumns()) {
            final String name = String.join(".", d.getPath());
            if (ConnField.byColumnName(name) != f) {
                continue;
            }
            final PrimitiveType type = d.getPrimitiveType();
            final Encoding encoding = encoding(type);
            if (d.getMaxRepetitionLevel() > 0 || !accepts(f, encoding, type)) {
                throw new ConnLogFormatException(source, 0, "Parquet column " + name + " is " + describe(d)
                    + "; " + f.key + " must be " + expected(f));
            }
            return new ParquetColumn(f, name, d, encoding, unitNanos(type));
        }
        return null;
    }

    private static Encoding encoding(final PrimitiveType type) {
        final LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        switch (type.getPrimitiveTypeName()) {
            case BINARY:
                return logical == null || logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                    || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation ? Encoding.STRING : Encoding.OTHER;
            case FIXED_LEN_BYTE_ARRAY:
                return logical instanceof LogicalTypeAnnotation.IntervalLogicalTypeAnnotation
                    && type.getTypeLength() == INTERVAL_BYTES ? Encoding.INTERVAL : Encoding.OTHER;
            case INT32:
            case INT64:
                if (logical == null || logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation) {
                    return Encoding.INTEGER;
                }
                if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
                    return Encoding.TIMESTAMP;
                }
                return logical instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation ? Encoding.TIME : Encoding.OTHER;
            case DOUBLE:
            case FLOAT:
                return Encoding.FLOATING;
            case INT96:
                return Encoding.INT96;
            default:
                return Encoding.OTHER;
        }
    }

    private static boolean accepts(final ConnField f, final Encoding e, final PrimitiveType type) {
        switch (f) {
            case TS:
                return e == Encoding.TIMESTAMP || e == Encoding.INT96 || e == Encoding.FLOATING || e == Encoding.STRING;
            case DURATION:
                return e == Encoding.FLOATING || e == Encoding.TIME || e == Encoding.INTERVAL || e == Encoding.STRING
                    || (e == Encoding.INTEGER && type.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT64);
            default:
                return e == Encoding.STRING || (e == Encoding.INTEGER && INTEGER_FIELDS.contains(f));
        }
    }

    private static String expected(final ConnField f) {
        switch (f) {
            case TS:
                return "a TIMESTAMP (millis, micros or nanos), INT96, DOUBLE epoch seconds or a string";
            case DURATION:
                return "DOUBLE seconds, INT64 nanoseconds, a TIME, an INTERVAL or a string";
            default:
                return INTEGER_FIELDS.contains(f) ? "INT32, INT64 or a string" : "a string (BINARY)";
        }
    }

    private static String describe(final ColumnDescriptor d) {
        final PrimitiveType type = d.getPrimitiveType();
        final LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        return (d.getMaxRepetitionLevel() > 0 ? "a repeated " : "") + type.getPrimitiveTypeName()
            + (logical != null ? " (" + logical + ")" : "");
    }

    private static long unitNanos(final PrimitiveType type) {
        final LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        final LogicalTypeAnnotation.TimeUnit unit;
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t) {
            unit = t.getUnit();
        } else if (logical instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation t) {
            unit = t.getUnit();
        } else {
            return 1;
        }
        switch (unit) {
            case MILLIS:
                return NANOS_PER_MILLI;
            case MICROS:
                return NANOS_PER_MICRO;
            default:
                return 1;
        }
    }
}
