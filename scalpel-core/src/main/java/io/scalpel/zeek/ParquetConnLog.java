package io.scalpel.zeek;

import io.scalpel.index.ColumnReaders;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.parquet.HadoopFreeReadOptions;
import org.apache.parquet.column.ColumnReadStore;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * A Zeek conn.log (or tunnel.log) converted to Parquet, read one row at a time: only the columns
 * the join uses are read, one row group at a time, so the heap holds one row group's worth of
 * those columns whatever the file's size.
 *
 * <p>Columns are found by their Zeek name as converters write it: {@code id.orig_h} (a top-level
 * column with a dot, or {@code orig_h} in an {@code id} group), {@code id_orig_h} or {@code orig_h}
 * ({@link ConnField#byColumnName}; {@link ParquetColumn}). Values are turned into Zeek's text form
 * ({@link ParquetValueText}) and go through the same checks as a TSV row:
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
    /** Longest text of parquet-java's own message kept in ours. */
    private static final int MAX_CAUSE_CHARS = 200;

    private final String source;
    private final ConnLogListener listener;
    private final ParquetFileReader reader;
    private final MessageType projection;
    private final String createdBy;
    private final ParquetColumn[] columns;
    private final ConnRow row = new ConnRow();
    /** The schema has a column of Zeek's VLAN-aware connection key. */
    private final boolean vlanKeyed;
    private long leftInGroup;
    private long rowNumber;
    private long malformed;

    private ParquetConnLog(final String source, final ConnLogListener listener, final ParquetFileReader reader,
                           final MessageType projection, final ParquetColumn[] columns) {
        this.source = source;
        this.listener = listener;
        this.reader = reader;
        this.projection = projection;
        this.createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
        this.columns = columns;
        boolean keyed = false;
        for (ParquetColumn c : columns) {
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
            final List<ParquetColumn> found = new ArrayList<>();
            boolean communityId = false;
            for (ConnField f : ConnField.ALL) {
                if (f == ConnField.TUNNEL_PARENTS) {
                    continue;
                }
                final ParquetColumn c = ParquetColumn.find(schema, f, source);
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
            for (ParquetColumn c : found) {
                final MessageType one = new MessageType(schema.getName(), path(schema, c.descriptor.getPath()));
                projection = projection == null ? one : projection.union(one);
            }
            reader.setRequestedSchema(projection);
            return new ParquetConnLog(source, listener, reader, projection, found.toArray(new ParquetColumn[0]));
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
            for (ParquetColumn c : columns) {
                try {
                    if (c.reader.getCurrentDefinitionLevel() == c.descriptor.getMaxDefinitionLevel()) {
                        row.set(c.field, ParquetValueText.of(c));
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
                final long line = rowNumber;
                return converter.convert(row, () -> line);
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
    public boolean mayStopHere() {
        return false; // a corrupt page after the rows read is found only by reading on
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /**
     * Moves to the next row, reading the next row group when this one is used up; false at the end.
     * A thread interrupted stops here, at its next row: parquet-java's file reads go on regardless.
     */
    private boolean advance() throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while reading the log");
        }
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
                final ColumnReadStore store = ColumnReaders.of(ParquetPageLimits.of(pages), projection, createdBy);
                for (ParquetColumn c : columns) {
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
}
