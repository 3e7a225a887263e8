package io.scalpel.zeek;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A Zeek conn.log (or tunnel.log) converted to Parquet, read one row at a time: only the columns
 * the join uses are read, one row group at a time, so the heap holds one row group's worth of
 * those columns whatever the file's size.
 *
 * <p>Columns are found by their Zeek name as converters write it: {@code id.orig_h} (a top-level
 * column with a dot, or {@code orig_h} in an {@code id} group), {@code id_orig_h} or {@code orig_h}
 * ({@link ConnField#byColumnName}). Values are turned into Zeek's text form and go through the
 * same checks as a TSV row:
 * <ul>
 *   <li>{@code ts}: TIMESTAMP (millis, micros, nanos; a millisecond ts is as coarse as a
 *       millisecond, {@link ConnRecord#tsUncertaintyNanos()}), INT96, DOUBLE epoch seconds, or a string;
 *   <li>{@code duration}: DOUBLE seconds, INT64 nanoseconds (or TIME with its unit), INTERVAL, or a string;
 *   <li>ports, {@code vlan}, {@code inner_vlan}, packet counts, {@code ip_proto}: INT32, INT64 or a string;
 *   <li>addresses, {@code uid}, {@code proto}, {@code community_id}: strings.
 * </ul>
 * A null is an unset field. {@code tunnel_parents} is not read. The "line" of a row in
 * messages and in {@link ConnRecord#line()} is its 1-based row number in the file.
 */
final class ParquetConnLog implements ConnLogReader.RowSource {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_DAY = 86_400L * NANOS_PER_SECOND;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final DateTimeFormatter MILLIS_TEXT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(ZoneOffset.UTC);
    /** Julian day number of 1970-01-01, for INT96 timestamps. */
    private static final long JULIAN_EPOCH_DAY = 2_440_588L;
    private static final int INT96_BYTES = 12;
    private static final int INTERVAL_BYTES = 12;
    /** Longest text of parquet-java's own message kept in ours. */
    private static final int MAX_CAUSE_CHARS = 200;

    /** How a column's values are stored. */
    private enum Encoding {
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

    /** One column the join uses. */
    private static final class Column {
        final ConnField field;
        final String name;
        final ColumnDescriptor descriptor;
        final Encoding encoding;
        /** Nanoseconds per unit of a TIMESTAMP or TIME; 1 for an INT64 duration. */
        final long unitNanos;
        ColumnReader reader;

        Column(final ConnField field, final String name, final ColumnDescriptor descriptor, final Encoding encoding,
               final long unitNanos) {
            this.field = field;
            this.name = name;
            this.descriptor = descriptor;
            this.encoding = encoding;
            this.unitNanos = unitNanos;
        }
    }

    private final String source;
    private final ConnLogListener listener;
    private final ParquetFileReader reader;
    private final MessageType projection;
    private final String createdBy;
    private final Column[] columns;
    private final ConnRow row = new ConnRow();
    /** The schema has a column of Zeek's VLAN-aware connection key. */
    private final boolean vlanKeyed;
    private long leftInGroup;
    private long rowNumber;
    private long malformed;

    private ParquetConnLog(final String source, final ConnLogListener listener, final ParquetFileReader reader,
                           final MessageType projection, final Column[] columns) {
        this.source = source;
        this.listener = listener;
        this.reader = reader;
        this.projection = projection;
        this.createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
        this.columns = columns;
        boolean keyed = false;
        for (Column c : columns) {
            keyed |= c.field.vlanKey;
        }
        this.vlanKeyed = keyed;
        row.vlanKeyed(vlanKeyed);
    }

    /**
     * Opens a Parquet log and checks that it has the columns {@code kind} requires, of types it
     * can read.
     *
     * @throws ConnLogFormatException when the file is not readable Parquet, or a required column is
     *                                missing or of the wrong type
     */
    static ParquetConnLog open(final Path path, final String source, final ZeekLogKind kind, final ConnLogListener listener)
        throws IOException {
        ParquetFooterCheck.check(path, source); // before parquet-java allocates what the footer declares
        final ParquetFileReader reader;
        try {
            reader = ParquetFileReader.open(new LocalInputFile(path) {
                    @Override
                    public String toString() {
                        return source; // parquet-java names the file by this in its messages
                    }
                },
                HadoopFreeReadOptions.filtered(FilterCompat.NOOP, ParquetLogCodecs.INSTANCE));
        } catch (IOException | RuntimeException | NoClassDefFoundError e) {
            throw new ConnLogFormatException(source, 0, "unreadable Parquet file ("
                + SafeText.escape(String.valueOf(e.getMessage()), MAX_CAUSE_CHARS) + ")", e);
        }
        try {
            checkChunks(reader, path, source);
            final MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            final List<Column> found = new ArrayList<>();
            boolean communityId = false;
            for (ConnField f : ConnField.ALL) {
                if (f == ConnField.TUNNEL_PARENTS) {
                    continue;
                }
                final Column c = column(schema, f, source);
                if (c != null) {
                    found.add(c);
                    communityId |= f == ConnField.COMMUNITY_ID;
                }
            }
            for (ConnField f : ConnField.ALL) {
                if (kind.requires(f) && !(f.fiveTuple && communityId) && found.stream().noneMatch(c -> c.field == f)) {
                    final List<String> others = f.columnNames().subList(1, f.columnNames().size());
                    throw new ConnLogFormatException(source, 0, "Parquet file has no " + f.key + " column"
                        + (others.isEmpty() ? "" : " (nor " + String.join(" or ", others) + ")") + "; is this a "
                        + kind.logName + "?");
                }
            }
            MessageType projection = null;
            for (Column c : found) {
                final MessageType one = new MessageType(schema.getName(), path(schema, c.descriptor.getPath()));
                projection = projection == null ? one : projection.union(one);
            }
            reader.setRequestedSchema(projection);
            return new ParquetConnLog(source, listener, reader, projection, found.toArray(new Column[0]));
        } catch (IOException | RuntimeException e) {
            try {
                reader.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public <T> T next(final ConnLogReader.RowConverter<T> converter, final Predicate<ConnRow> rowFilter) throws IOException {
        while (true) {
            if (!advance()) {
                return null;
            }
            row.clear();
            MalformedLineException bad = null;
            for (Column c : columns) {
                try {
                    if (c.reader.getCurrentDefinitionLevel() == c.descriptor.getMaxDefinitionLevel()) {
                        row.set(c.field, text(c));
                    }
                } catch (MalformedLineException e) {
                    bad = bad == null ? e : bad;
                } catch (RuntimeException | NoClassDefFoundError e) {
                    throw unreadable(e);
                }
                try {
                    c.reader.consume(); // may read (and decompress) the next page
                } catch (RuntimeException | NoClassDefFoundError e) {
                    throw unreadable(e);
                }
            }
            if (rowFilter != null && !rowFilter.test(row)) {
                continue;
            }
            try {
                if (bad != null) {
                    throw bad;
                }
                return converter.convert(row, rowNumber);
            } catch (MalformedLineException e) {
                malformed++;
                listener.malformedLine(source, rowNumber, e.getMessage());
            }
        }
    }

    @Override
    public long malformedLines() {
        return malformed;
    }

    @Override
    public boolean vlanKeyed() {
        return vlanKeyed;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** Moves to the next row, reading the next row group when this one is used up; false at the end. */
    private boolean advance() throws IOException {
        while (leftInGroup == 0) {
            final PageReadStore pages;
            try {
                pages = reader.readNextRowGroup();
            } catch (IOException | RuntimeException | NoClassDefFoundError e) {
                // (parquet-java names the file in some messages with Hadoop's Path, which is not shipped)
                throw unreadable(e);
            } catch (OutOfMemoryError e) {
                // parquet-java allocates, for the last column chunk of a row group, whatever a page
                // header declares beyond the chunk before reading it (its workaround for files of old
                // writers): a damaged header can ask for gigabytes. That one allocation fails whole.
                throw unreadable(new IOException("a page header declares more bytes than the file holds"));
            }
            if (pages == null) {
                return false;
            }
            try {
                final ColumnReadStoreImpl store = new ColumnReadStoreImpl(ParquetPageLimits.of(pages), new NoConverter(projection),
                    projection, createdBy);
                for (Column c : columns) {
                    c.reader = store.getColumnReader(c.descriptor); // reads the first page
                }
            } catch (RuntimeException | NoClassDefFoundError e) {
                throw unreadable(e);
            }
            leftInGroup = pages.getRowCount();
        }
        leftInGroup--;
        rowNumber++;
        return true;
    }

    private ConnLogFormatException unreadable(final Throwable e) {
        return new ConnLogFormatException(source, 0, "row " + (rowNumber + 1) + ": unreadable Parquet data ("
            + SafeText.escape(String.valueOf(e.getMessage()), MAX_CAUSE_CHARS) + ")", e);
    }

    /**
     * Every column chunk the footer places must lie in the file: parquet-java allocates a chunk's
     * declared size before it reads it.
     */
    private static void checkChunks(final ParquetFileReader reader, final Path path, final String source) throws IOException {
        final long size = java.nio.file.Files.size(path);
        final List<org.apache.parquet.hadoop.metadata.BlockMetaData> blocks = reader.getFooter().getBlocks();
        for (int b = 0; b < blocks.size(); b++) {
            for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData c : blocks.get(b).getColumns()) {
                final long from = c.getStartingPos();
                final long length = c.getTotalSize();
                if (from < 0 || length < 0 || from > size || length > size - from) {
                    throw new ConnLogFormatException(source, 0, "unreadable Parquet file (row group " + b + ": column "
                        + SafeText.escape(c.getPath().toDotString(), MAX_CAUSE_CHARS) + " lies at bytes " + from + " to "
                        + (from + length) + ", the file has " + size + ")");
                }
            }
        }
    }

    /** The column of {@code f}, or null when the file has none; refuses one of a type {@code f} cannot have. */
    private static Column column(final MessageType schema, final ConnField f, final String source) throws ConnLogFormatException {
        for (ColumnDescriptor d : schema.getColumns()) {
            final String name = String.join(".", d.getPath());
            if (ConnField.byColumnName(name) != f) {
                continue;
            }
            final PrimitiveType type = d.getPrimitiveType();
            final Encoding encoding = encoding(type);
            if (d.getMaxRepetitionLevel() > 0 || !accepts(f, encoding, type)) {
                throw new ConnLogFormatException(source, 0, "Parquet column " + name + " is " + describe(d, encoding)
                    + "; " + f.key + " must be " + expected(f));
            }
            return new Column(f, name, d, encoding, unitNanos(type));
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
            case ORIG_P:
            case RESP_P:
            case ORIG_PKTS:
            case RESP_PKTS:
            case VLAN:
            case INNER_VLAN:
            case CTX_VLAN:
            case CTX_INNER_VLAN:
            case IP_PROTO:
                return e == Encoding.INTEGER || e == Encoding.STRING;
            default:
                return e == Encoding.STRING;
        }
    }

    private static String expected(final ConnField f) {
        switch (f) {
            case TS:
                return "a TIMESTAMP (millis, micros or nanos), INT96, DOUBLE epoch seconds or a string";
            case DURATION:
                return "DOUBLE seconds, INT64 nanoseconds, a TIME, an INTERVAL or a string";
            case ORIG_P:
            case RESP_P:
            case ORIG_PKTS:
            case RESP_PKTS:
            case VLAN:
            case INNER_VLAN:
            case CTX_VLAN:
            case CTX_INNER_VLAN:
            case IP_PROTO:
                return "INT32, INT64 or a string";
            default:
                return "a string (BINARY)";
        }
    }

    private static String describe(final ColumnDescriptor d, final Encoding e) {
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
                return 1_000L;
            default:
                return 1;
        }
    }

    /** The type of {@code path} in {@code schema}, with each enclosing group cut down to that path. */
    private static Type path(final MessageType schema, final String[] path) {
        Type t = schema.getType(path);
        for (int depth = path.length - 1; depth > 0; depth--) {
            final String[] parent = java.util.Arrays.copyOf(path, depth);
            final GroupType group = schema.getType(parent).asGroupType();
            t = group.withNewFields(t);
        }
        return t;
    }

    /** The current value of a column as Zeek would log it in TSV. */
    private static String text(final Column c) throws MalformedLineException {
        final ColumnReader r = c.reader;
        final boolean int32 = c.descriptor.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT32;
        switch (c.encoding) {
            case STRING:
                return r.getBinary().toStringUsingUTF8();
            case INTEGER:
                if (c.field == ConnField.DURATION) {
                    return nanosText(c, r.getLong());
                }
                return int32 ? Integer.toString(r.getInteger()) : Long.toString(r.getLong());
            case FLOATING:
                final double v = c.descriptor.getPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.FLOAT
                    ? r.getFloat() : r.getDouble();
                return Double.isFinite(v) ? BigDecimal.valueOf(v).toPlainString() : Double.toString(v);
            case TIMESTAMP:
                final long count = int32 ? r.getInteger() : r.getLong();
                if (c.unitNanos == NANOS_PER_MILLI && count >= 0) {
                    return MILLIS_TEXT.format(Instant.ofEpochMilli(count)); // three decimals: as coarse as a millisecond
                }
                return nanosText(c, scaled(c, count));
            case TIME:
                return nanosText(c, scaled(c, int32 ? r.getInteger() : r.getLong()));
            case INT96:
                final ByteBuffer b96 = r.getBinary().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                if (b96.remaining() != INT96_BYTES) {
                    throw new MalformedLineException(c.field.key + ": INT96 of " + b96.remaining() + " bytes");
                }
                final long nanosOfDay = b96.getLong(b96.position());
                final long julianDay = Integer.toUnsignedLong(b96.getInt(b96.position() + 8));
                try {
                    return nanosText(c, Math.addExact(Math.multiplyExact(julianDay - JULIAN_EPOCH_DAY, NANOS_PER_DAY), nanosOfDay));
                } catch (ArithmeticException e) {
                    throw outOfRange(c);
                }
            case INTERVAL:
                final Binary interval = r.getBinary();
                final ByteBuffer b = interval.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                final int p = b.position();
                final long months = Integer.toUnsignedLong(b.getInt(p));
                final long days = Integer.toUnsignedLong(b.getInt(p + 4));
                final long millis = Integer.toUnsignedLong(b.getInt(p + 8));
                if (months != 0) {
                    throw new MalformedLineException(c.field.key + ": an INTERVAL of " + months
                        + " months has no fixed length in seconds");
                }
                return nanosText(c, days * NANOS_PER_DAY + millis * 1_000_000L);
            default:
                throw new IllegalStateException(c.encoding.description);
        }
    }

    private static long scaled(final Column c, final long count) throws MalformedLineException {
        try {
            return Math.multiplyExact(count, c.unitNanos);
        } catch (ArithmeticException e) {
            throw outOfRange(c);
        }
    }

    private static MalformedLineException outOfRange(final Column c) {
        return new MalformedLineException(c.field.key + ": value out of the range of nanoseconds in 64 bits");
    }

    /** Nanoseconds as decimal seconds with nine fraction digits; a negative value keeps its sign (and fails the row's checks). */
    private static String nanosText(final Column c, final long nanos) {
        if (nanos < 0) {
            return nanos == Long.MIN_VALUE ? "-9223372036.854775808" : "-" + nanosText(c, -nanos);
        }
        final String fraction = Long.toString(nanos % NANOS_PER_SECOND);
        return nanos / NANOS_PER_SECOND + "." + "000000000".substring(fraction.length()) + fraction;
    }

    /** Converters are never called: values are read from the column readers. Mirrors the projection's nesting. */
    private static final class NoConverter extends GroupConverter {
        private final Converter[] children;

        NoConverter(final GroupType type) {
            children = new Converter[type.getFieldCount()];
            for (int i = 0; i < children.length; i++) {
                final Type t = type.getType(i);
                children[i] = t.isPrimitive() ? new PrimitiveConverter() { } : new NoConverter(t.asGroupType());
            }
        }

        @Override
        public Converter getConverter(final int fieldIndex) {
            return children[fieldIndex];
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    }
}
