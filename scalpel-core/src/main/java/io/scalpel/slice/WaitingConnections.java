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
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Connections taken out in an order ({@link Connection#compareByTime} for a streamed listing's
 * connections closed but not handed on yet; packets or bytes for a sorted listing), ties in the
 * order they were added (or the sequence numbers they were added with). Up to {@link #held()}
 * are held in a heap; past that the heap is written out, in order, as a run of a temporary file
 * (unlinked as soon as it is opened, closed when this is), and the runs are merged with the heap as
 * they are taken out, a few records of each run read at a time; past {@link #MOST_RUNS} runs the
 * {@link #MERGED} shortest are merged into one further on in the file, so that the memory (6 KiB a
 * run) and the work of taking one out stay bounded whatever the number of connections: an external
 * merge sort. A connection that stays open for the whole capture keeps every later one waiting;
 * a full sort by packets holds every connection: this keeps the heap from holding them.
 */
public final class WaitingConnections implements Closeable {
    /** Connections held in memory before they are written out (about 150 bytes each), unless {@link #held()} says otherwise. */
    static final int IN_MEMORY = 16_384;
    /** Runs read from at once; one more and the {@link #MERGED} shortest become one. */
    static final int MOST_RUNS = 64;
    /** Runs merged into one when there are more than {@link #MOST_RUNS}. */
    static final int MERGED = 32;
    /** Bytes of a connection in a run: 9 longs, 7 ints and a byte of flags. */
    private static final int RECORD = 9 * Long.BYTES + 7 * Integer.BYTES + 1;
    /** Records of a run read at a time. */
    private static final int RUN_READ = 64;

    private final Path directory;
    private final int inMemory;
    private final Comparator<Entry> order;
    private final PriorityQueue<Entry> memory;
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

    /**
     * The connections held in memory before they are written to the temporary file: the system
     * property {@code scalpel.flows.held} (at least 1), else {@link #IN_MEMORY}.
     *
     * @return the connections held in memory
     */
    public static int held() {
        return Math.max(1, Integer.getInteger("scalpel.flows.held", IN_MEMORY));
    }

    /** Connections in time order, in memory up to {@code inMemory}, then in runs of a temporary file in {@code directory}. */
    WaitingConnections(final Path directory, final int inMemory) {
        this(directory, inMemory, Connection::compareByTime);
    }

    /**
     * Connections taken out in {@code order} (ties as added), in memory up to {@link #held()},
     * then in runs of a temporary file in {@link #directory()}.
     *
     * @param order the order they are taken out in
     */
    public WaitingConnections(final Comparator<Connection> order) {
        this(directory(), held(), order);
    }

    /** Connections taken out in {@code order}, in memory up to {@code inMemory}, then in runs of a temporary file in {@code directory}. */
    WaitingConnections(final Path directory, final int inMemory, final Comparator<Connection> order) {
        this.directory = directory;
        this.inMemory = inMemory;
        this.order = (x, y) -> {
            final int c = order.compare(x.connection, y.connection);
            return c != 0 ? c : Long.compare(x.sequence, y.sequence);
        };
        this.memory = new PriorityQueue<>(this.order);
    }

    /** The connections waiting. */
    long size() {
        return size;
    }

    /** The runs of the temporary file still read from. */
    int runs() {
        return runs.size();
    }

    /** The connections written out to the temporary file so far. */
    long spilled() {
        return spilled;
    }

    /**
     * Adds {@code c}, after those added before it among its equals.
     *
     * @param c a connection
     * @throws IOException when the temporary file cannot be written ({@link OutputException})
     */
    public void add(final Connection c) throws IOException {
        add(c, sequence++);
    }

    /** Adds {@code c}, after its equals with a smaller {@code sequenceNumber} and before those with a larger one. */
    void add(final Connection c, final long sequenceNumber) throws IOException {
        memory.add(new Entry(c, sequenceNumber));
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

    /**
     * Takes the first connection out.
     *
     * @return the first connection, or null when none is left
     * @throws IOException when the temporary file cannot be read
     */
    public Connection poll() throws IOException {
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
            } else if (best == null || order.compare(h, best) < 0) {
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

    /** Writes the heap out as a run, in order; past {@link #MOST_RUNS} runs, merges the shortest. */
    private void spill() throws IOException {
        try {
            if (channel == null) {
                file = Files.createTempFile(directory, "scalpel-flows-", ".spill");
                try {
                    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(file); // made, but never open: close() would not remove it
                    throw e;
                }
            }
            final long start = end;
            final int n = memory.size();
            final ByteBuffer b = ByteBuffer.allocate(RECORD * 256);
            while (!memory.isEmpty()) {
                append(memory.poll(), b);
            }
            flush(b);
            runs.add(new Run(start, n));
            spilled += n;
            if (runs.size() > MOST_RUNS) {
                mergeShortest(b);
            }
        } catch (IOException e) {
            final String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new OutputException("cannot write " + (file != null ? file : directory) + ": " + why
                + " (the connections waiting to be listed; the system property scalpel.tmpdir, else java.io.tmpdir, names the directory)", e);
        }
    }

    /** The {@link #MERGED} runs with the fewest records left, merged into one new run at the end of the file. */
    private void mergeShortest(final ByteBuffer b) throws IOException {
        runs.sort(Comparator.comparingLong(Run::remaining));
        final List<Run> merged = new ArrayList<>(runs.subList(0, MERGED));
        runs.subList(0, MERGED).clear();
        final long start = end;
        long n = 0;
        while (true) {
            Run from = null;
            for (Run r : merged) {
                final Entry h = r.head();
                if (h != null && (from == null || order.compare(h, from.head) < 0)) {
                    from = r;
                }
            }
            if (from == null) {
                break;
            }
            append(from.head, b);
            from.head = null;
            n++;
        }
        flush(b);
        runs.add(new Run(start, n));
    }

    /** Puts {@code e} in {@code b}, written out to the end of the file when full. */
    private void append(final Entry e, final ByteBuffer b) throws IOException {
        write(e, b);
        if (b.remaining() < RECORD) {
            flush(b);
        }
    }

    private void flush(final ByteBuffer b) throws IOException {
        b.flip();
        while (b.hasRemaining()) {
            end += channel.write(b, end);
        }
        b.clear();
    }

    /** Removes the temporary file (already unlinked where the system allows it: only the open channel kept it). */
    @Override
    public void close() throws IOException {
        runs.clear();
        memory.clear();
        if (channel != null) {
            final FileChannel c = channel;
            channel = null;
            try {
                c.close();
            } finally {
                Files.deleteIfExists(file);
            }
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

    /** A connection waiting, and its place among its equals. */
    private record Entry(Connection connection, long sequence) {
    }

    /** A run of the temporary file, read a few records at a time. */
    private final class Run {
        private long next;
        private long left;
        private final ByteBuffer buffer = ByteBuffer.allocate(RECORD * RUN_READ);
        private Entry head;

        Run(final long start, final long records) {
            this.next = start;
            this.left = records;
            buffer.limit(0);
        }

        /** The records not taken out yet. */
        long remaining() {
            return left + buffer.remaining() / RECORD + (head != null ? 1 : 0);
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
            final int n = (int) Math.min(left, RUN_READ);
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
