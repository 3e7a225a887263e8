package io.scalpel.slice;

import io.scalpel.extract.OutputException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The connections of a streamed listing that are closed but not handed on yet, taken out in time
 * order ({@link Connection#compareByTime}, then as added). Up to {@link #IN_MEMORY} are held in a
 * heap; past that the heap is written out, in order, as a run of a temporary file (removed when
 * this is closed), and the runs are merged with the heap as they are taken out, a few records of
 * each run read at a time. A connection that stays open for the whole capture keeps every later
 * one waiting: this keeps the heap from holding them.
 */
final class WaitingConnections implements Closeable {
    /** Connections held in memory before they are written out (about 150 bytes each). */
    static final int IN_MEMORY = 16_384;
    /** Bytes of a connection in a run: 9 longs, 7 ints and a byte of flags. */
    private static final int RECORD = 9 * Long.BYTES + 7 * Integer.BYTES + 1;
    /** Records of a run read at a time. */
    private static final int RUN_READ = 64;

    private final Path directory;
    private final int inMemory;
    private final PriorityQueue<Entry> memory = new PriorityQueue<>();
    private final List<Run> runs = new ArrayList<>();
    private Path file;
    private FileChannel channel;
    private long end;
    private long sequence;
    private long size;
    private long spilled;

    /** The directory of the temporary file: the system property {@code scalpel.tmpdir}, else {@code java.io.tmpdir}. */
    static Path directory() {
        return Path.of(System.getProperty("scalpel.tmpdir", System.getProperty("java.io.tmpdir")));
    }

    /** Connections waiting in memory up to {@code inMemory}, then in runs of a temporary file in {@code directory}. */
    WaitingConnections(final Path directory, final int inMemory) {
        this.directory = directory;
        this.inMemory = inMemory;
    }

    /** The connections waiting. */
    long size() {
        return size;
    }

    /** The connections written out to the temporary file so far. */
    long spilled() {
        return spilled;
    }

    void add(final Connection c) throws IOException {
        memory.add(new Entry(c, sequence++));
        size++;
        if (memory.size() > inMemory) {
            spill();
        }
    }

    /** The first connection waiting, or null. */
    Connection peek() throws IOException {
        final Entry e = first(false);
        return e == null ? null : e.connection;
    }

    /** Takes the first connection waiting out; null when none is. */
    Connection poll() throws IOException {
        final Entry e = first(true);
        if (e != null) {
            size--;
        }
        return e == null ? null : e.connection;
    }

    private Entry first(final boolean take) throws IOException {
        Entry best = memory.peek();
        Run from = null;
        for (int i = runs.size() - 1; i >= 0; i--) {
            final Run r = runs.get(i);
            final Entry h = r.head();
            if (h == null) {
                runs.remove(i);
            } else if (best == null || h.compareTo(best) < 0) {
                best = h;
                from = r;
            }
        }
        if (take && best != null) {
            if (from == null) {
                memory.poll();
            } else {
                from.head = null;
            }
        }
        return best;
    }

    /** Writes the heap out as a run, in order. */
    private void spill() throws IOException {
        try {
            if (channel == null) {
                file = Files.createTempFile(directory, "scalpel-flows-", ".spill");
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            }
            final long start = end;
            final int n = memory.size();
            final ByteBuffer b = ByteBuffer.allocate(RECORD * 256);
            while (!memory.isEmpty()) {
                write(memory.poll(), b);
                if (b.remaining() < RECORD || memory.isEmpty()) {
                    b.flip();
                    while (b.hasRemaining()) {
                        end += channel.write(b, end);
                    }
                    b.clear();
                }
            }
            runs.add(new Run(start, n));
            spilled += n;
        } catch (IOException e) {
            final String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new OutputException("cannot write " + (file != null ? file : directory) + ": " + why
                + " (the connections waiting to be listed; the system property scalpel.tmpdir, else java.io.tmpdir, names the directory)", e);
        }
    }

    /** Removes the temporary file. */
    @Override
    public void close() throws IOException {
        runs.clear();
        memory.clear();
        if (channel != null) {
            channel.close();
            channel = null;
            Files.deleteIfExists(file);
        }
    }

    private static void write(final Entry e, final ByteBuffer b) {
        final Connection c = e.connection;
        b.putLong(c.srcHi()).putLong(c.srcLo()).putLong(c.dstHi()).putLong(c.dstLo()).putLong(c.firstTs()).putLong(c.lastTs())
            .putLong(c.packets()).putLong(c.bytes()).putLong(e.sequence);
        b.putInt(c.ipVersion()).putInt(c.protocol()).putInt(c.srcPort()).putInt(c.dstPort()).putInt(c.vlan()).putInt(c.innerVlan())
            .putInt(c.depth());
        b.put((byte) ((c.established() ? 1 : 0) | (c.opensWithSyn() ? 2 : 0)));
    }

    private static Entry read(final ByteBuffer b) {
        final long srcHi = b.getLong();
        final long srcLo = b.getLong();
        final long dstHi = b.getLong();
        final long dstLo = b.getLong();
        final long firstTs = b.getLong();
        final long lastTs = b.getLong();
        final long packets = b.getLong();
        final long bytes = b.getLong();
        final long sequence = b.getLong();
        final int ipVersion = b.getInt();
        final int protocol = b.getInt();
        final int srcPort = b.getInt();
        final int dstPort = b.getInt();
        final int vlan = b.getInt();
        final int innerVlan = b.getInt();
        final int depth = b.getInt();
        final int flags = b.get();
        return new Entry(new Connection(ipVersion, protocol, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, vlan, innerVlan, depth, firstTs,
            lastTs, packets, bytes, (flags & 1) != 0, (flags & 2) != 0), sequence);
    }

    /** A connection waiting, by time, then in the order added. */
    private record Entry(Connection connection, long sequence) implements Comparable<Entry> {
        @Override
        public int compareTo(final Entry o) {
            final int c = Connection.compareByTime(connection, o.connection);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    /** A run of the temporary file, read a few records at a time. */
    private final class Run {
        private long next;
        private int left;
        private final ByteBuffer buffer = ByteBuffer.allocate(RECORD * RUN_READ);
        private Entry head;

        Run(final long start, final int records) {
            this.next = start;
            this.left = records;
            buffer.limit(0);
        }

        /** The run's first connection not taken yet, or null at its end. */
        Entry head() throws IOException {
            if (head == null && (buffer.hasRemaining() || refill())) {
                head = read(buffer);
            }
            return head;
        }

        private boolean refill() throws IOException {
            if (left == 0) {
                return false;
            }
            final int n = Math.min(left, RUN_READ);
            buffer.clear().limit(n * RECORD);
            try {
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, next + buffer.position()) < 0) {
                        throw new IOException("ends at byte offset " + (next + buffer.position()) + ", before its last run");
                    }
                }
            } catch (IOException e) {
                throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
            }
            buffer.flip();
            next += (long) n * RECORD;
            left -= n;
            return true;
        }
    }
}
