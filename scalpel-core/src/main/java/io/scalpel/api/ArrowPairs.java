package io.scalpel.api;

import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * conn.log rows paired with their packets, as Arrow record batches: one row per packet of a conn
 * row, holding the row's columns and the packet's timestamp, lengths, link type and bytes. Rows
 * come conn row by conn row (in the order given), each row's packets in capture order; a frame
 * that belongs to two rows appears once with each.
 *
 * <p>The batches are filled in one {@link VectorSchemaRoot} that is reused: a batch holds at most
 * {@code maxRows} rows and, beyond its first frame, at most {@code maxFrameBytes} bytes of frames,
 * so the memory in use does not grow with the capture or the selection. A consumer that keeps a
 * batch must copy it (for example with {@code VectorSchemaRoot.slice} and a transfer) before it
 * returns.
 *
 * <p>Columns ({@link #schema()}), named as in Zeek's conn.log where they come from it:
 * {@value #UID}, {@value #TS} (timestamp ns UTC; null when the row has none), {@value #ORIG_H},
 * {@value #ORIG_P}, {@value #RESP_H}, {@value #RESP_P} (null for a row without a 5-tuple),
 * {@value #PROTO}, {@value #DURATION} (duration ns), {@value #COMMUNITY_ID} (null when not logged),
 * then per packet {@value #PACKET_TS} (timestamp ns UTC; null for a pcapng simple packet block,
 * which has none), {@value #CAPLEN}, {@value #WIRELEN} (the original length), {@value #LINKTYPE}
 * (LINKTYPE_* of the frame's interface), {@value #RECORD_OFFSET} (byte offset of the frame's record
 * in the capture, as in the index's {@code offset} column) and {@value #FRAME} (the captured
 * bytes, from the link-layer header on).
 */
public final class ArrowPairs {
    /** The column of the conn row's uid. */
    public static final String UID = "uid";
    /** The column of the conn row's start, ns UTC. */
    public static final String TS = "ts";
    /** The column of the originator's address. */
    public static final String ORIG_H = "id.orig_h";
    /** The column of the originator's port. */
    public static final String ORIG_P = "id.orig_p";
    /** The column of the responder's address. */
    public static final String RESP_H = "id.resp_h";
    /** The column of the responder's port. */
    public static final String RESP_P = "id.resp_p";
    /** The column of the conn row's transport protocol. */
    public static final String PROTO = "proto";
    /** The column of the conn row's duration, ns. */
    public static final String DURATION = "duration";
    /** The column of the conn row's Community ID. */
    public static final String COMMUNITY_ID = "community_id";
    /** The column of the packet's timestamp, ns UTC. */
    public static final String PACKET_TS = "packet_ts";
    /** The column of the packet's captured length. */
    public static final String CAPLEN = "caplen";
    /** The column of the packet's original length. */
    public static final String WIRELEN = "wirelen";
    /** The column of the packet's link type. */
    public static final String LINKTYPE = "linktype";
    /** The column of the byte offset of the packet's record in the capture. */
    public static final String RECORD_OFFSET = "record_offset";
    /** The column of the packet's captured bytes. */
    public static final String FRAME = "frame";

    /** Default bound on the rows of one batch. */
    public static final int DEFAULT_MAX_ROWS = 4096;
    /** Default bound on the frame bytes of one batch (a batch always takes at least one frame). */
    public static final long DEFAULT_MAX_FRAME_BYTES = 8L << 20;
    /** Direct memory the file writer of {@link #write} may allocate: a full batch and its offsets, twice over. */
    static final long FILE_WRITER_MEMORY = 64L << 20;

    private static final String UTC = "UTC";

    /** Receives each filled batch; the root is refilled after it returns. */
    @FunctionalInterface
    public interface BatchConsumer {
        /**
         * Receives one filled batch.
         *
         * @param batch the batch's rows, valid until this call returns
         * @throws IOException to stop the stream
         */
        void batch(VectorSchemaRoot batch) throws IOException;
    }

    private ArrowPairs() {
    }

    /**
     * The schema of every batch.
     *
     * @return the columns, in order
     */
    public static Schema schema() {
        final ArrowType ts = new ArrowType.Timestamp(TimeUnit.NANOSECOND, UTC);
        final ArrowType utf8 = ArrowType.Utf8.INSTANCE;
        final ArrowType int32 = new ArrowType.Int(32, true);
        return new Schema(List.of(
            new Field(UID, FieldType.notNullable(utf8), null),
            new Field(TS, FieldType.nullable(ts), null),
            new Field(ORIG_H, FieldType.nullable(utf8), null),
            new Field(ORIG_P, FieldType.nullable(int32), null),
            new Field(RESP_H, FieldType.nullable(utf8), null),
            new Field(RESP_P, FieldType.nullable(int32), null),
            new Field(PROTO, FieldType.nullable(utf8), null),
            new Field(DURATION, FieldType.notNullable(new ArrowType.Duration(TimeUnit.NANOSECOND)), null),
            new Field(COMMUNITY_ID, FieldType.nullable(utf8), null),
            new Field(PACKET_TS, FieldType.nullable(ts), null),
            new Field(CAPLEN, FieldType.notNullable(int32), null),
            new Field(WIRELEN, FieldType.notNullable(int32), null),
            new Field(LINKTYPE, FieldType.notNullable(int32), null),
            new Field(RECORD_OFFSET, FieldType.notNullable(new ArrowType.Int(64, true)), null),
            new Field(FRAME, FieldType.notNullable(ArrowType.Binary.INSTANCE), null)));
    }

    /**
     * Streams the pairs of {@code conns}, whose frames {@code offsets} holds (one array per row, in
     * the same order, as {@link Scalpel.Selection#offsets(int)}), to {@code consumer} in batches.
     *
     * @return rows (pairs) delivered
     * @throws IllegalArgumentException when the bounds are not positive or the lists differ in length
     * @param scalpel the open capture the frames are read from
     * @param conns the conn.log rows
     * @param offsets each row's frames, record offsets in capture order
     * @param allocator the Arrow allocator the batch is made in
     * @param maxRows the most rows of a batch
     * @param maxFrameBytes the most frame bytes of a batch
     * @param consumer receives each batch
     * @throws IOException when the capture cannot be read, or the consumer throws
     */
    public static long stream(final Scalpel scalpel, final List<ConnRecord> conns, final long[][] offsets,
                              final BufferAllocator allocator, final int maxRows, final long maxFrameBytes,
                              final BatchConsumer consumer) throws IOException {
        if (maxRows < 1 || maxFrameBytes < 1) {
            throw new IllegalArgumentException("batch bounds must be positive: " + maxRows + " rows, " + maxFrameBytes + " bytes");
        }
        if (conns.size() != offsets.length) {
            throw new IllegalArgumentException(conns.size() + " conn rows but " + offsets.length + " selections");
        }
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator)) {
            final PairBatch batch = new PairBatch(root, maxRows, maxFrameBytes, consumer);
            for (int i = 0; i < offsets.length; i++) {
                if (offsets[i].length == 0) {
                    continue;
                }
                batch.conn(conns.get(i));
                scalpel.visit(offsets[i], (frame, decoded) -> batch.add(frame));
            }
            batch.flush();
            return batch.rows();
        }
    }

    /**
     * Writes the pairs as an Arrow IPC file (the random-access file format), atomically: the file
     * appears under its name only when complete. Uses a direct-memory allocator of its own.
     *
     * @return rows (pairs) written
     * @throws io.scalpel.extract.OutputConflictException when {@code output} is the capture or lies in its index
     * @param scalpel the open capture the frames are read from
     * @param conns the conn.log rows
     * @param offsets each row's frames, record offsets in capture order
     * @param output the Arrow file to write
     * @throws IOException when the capture cannot be read or the file cannot be written
     */
    public static long write(final Scalpel scalpel, final List<ConnRecord> conns, final long[][] offsets, final Path output)
        throws IOException {
        scalpel.inputs().check(output, "the output");
        return AtomicWrites.write(output, out -> write(scalpel, conns, offsets, out));
    }

    /**
     * Writes the pairs to a stream in the Arrow IPC file format (which needs no seeking: the footer
     * comes last), and flushes it. Uses a direct-memory allocator of its own.
     *
     * @return rows (pairs) written
     * @param scalpel the open capture the frames are read from
     * @param conns the conn.log rows
     * @param offsets each row's frames, record offsets in capture order
     * @param output the stream to write to
     * @throws IOException when the capture cannot be read or the stream cannot be written
     */
    public static long write(final Scalpel scalpel, final List<ConnRecord> conns, final long[][] offsets, final OutputStream output)
        throws IOException {
        return write(scalpel, conns, offsets, output, DEFAULT_MAX_ROWS, DEFAULT_MAX_FRAME_BYTES);
    }

    /** As {@link #write(Scalpel, List, long[][], OutputStream)}, in batches of the given bounds. */
    static long write(final Scalpel scalpel, final List<ConnRecord> conns, final long[][] offsets, final OutputStream output,
                      final int maxRows, final long maxFrameBytes) throws IOException {
        try (FileWriter writer = new FileWriter(output, maxRows, maxFrameBytes)) {
            writer.add(scalpel, conns, offsets);
            return writer.finish();
        }
    }

    /**
     * An Arrow IPC file written to a stream pair by pair over several selections (the batches of a
     * log, the members of a capture set), in the random-access file format (which needs no
     * seeking: the footer comes last). Uses a direct-memory allocator of its own.
     */
    public static final class FileWriter implements java.io.Closeable {
        private final BufferAllocator allocator;
        private final VectorSchemaRoot root;
        private final ArrowFileWriter writer;
        private final OutputStream output;
        private final int maxRows;
        private final long maxFrameBytes;
        private long rows;

        /**
         * Starts the file on {@code output} (flushed by {@link #finish()}, never closed).
         *
         * @param output the stream the file is written to
         * @throws IOException when the stream cannot be written
         */
        public FileWriter(final OutputStream output) throws IOException {
            this(output, DEFAULT_MAX_ROWS, DEFAULT_MAX_FRAME_BYTES);
        }

        FileWriter(final OutputStream output, final int maxRows, final long maxFrameBytes) throws IOException {
            this.output = output;
            this.maxRows = maxRows;
            this.maxFrameBytes = maxFrameBytes;
            this.allocator = new RootAllocator(FILE_WRITER_MEMORY);
            this.root = VectorSchemaRoot.create(schema(), allocator);
            this.writer = new ArrowFileWriter(root, null, Channels.newChannel(new Unclosed(output)));
            writer.start();
        }

        /**
         * Adds the pairs of {@code conns.get(i)} with each frame of {@code offsets[i]} of
         * {@code scalpel}'s capture (null rows and empty selections are left out).
         *
         * @return pairs added
         * @param scalpel the open capture the frames are read from
         * @param conns the conn.log rows
         * @param offsets each row's frames, record offsets in capture order
         * @throws IOException when the capture cannot be read or the stream cannot be written
         */
        public long add(final Scalpel scalpel, final List<ConnRecord> conns, final long[][] offsets) throws IOException {
            final List<ConnRecord> rowsWithFrames = new java.util.ArrayList<>();
            final List<long[]> frames = new java.util.ArrayList<>();
            for (int i = 0; i < offsets.length; i++) {
                if (conns.get(i) != null && offsets[i].length > 0) {
                    rowsWithFrames.add(conns.get(i));
                    frames.add(offsets[i]);
                }
            }
            final long added = stream(scalpel, rowsWithFrames, frames.toArray(new long[0][]), allocator, maxRows, maxFrameBytes,
                batch -> {
                    // The batch's vectors are moved into the writer's root, written, and released.
                    root.clear();
                    for (int c = 0; c < batch.getFieldVectors().size(); c++) {
                        batch.getVector(c).makeTransferPair(root.getVector(c)).transfer();
                    }
                    root.setRowCount(batch.getRowCount());
                    writer.writeBatch();
                    root.clear();
                });
            rows += added;
            return added;
        }

        /**
         * Ends the file (its footer) and flushes the stream; returns the pairs written.
         *
         * @return the pairs written
         * @throws IOException when the stream cannot be written
         */
        public long finish() throws IOException {
            writer.end();
            output.flush();
            return rows;
        }

        @Override
        public void close() {
            writer.close();
            root.close();
            allocator.close();
        }
    }

    /** The caller's stream, which the writer's channel flushes but leaves open when it closes. */
    private static final class Unclosed extends OutputStream {
        private final OutputStream out;

        Unclosed(final OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(final int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
