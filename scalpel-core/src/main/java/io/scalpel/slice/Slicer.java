package io.scalpel.slice;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Frame;
import io.scalpel.capture.KeptRecords;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngReader;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.PacketDecoder;
import io.scalpel.extract.ExtractWriter;
import io.scalpel.extract.TlsKeyLog;
import io.scalpel.index.PacketIndex;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Joins queries against the index and reads the selected frames from the capture.
 *
 * <p>A selection is two steps: the join ({@link IndexJoin}) narrows each query to the index rows
 * of its flow reference in its time window, by one pass over the index for many queries at once;
 * the confirm step ({@link Confirmation}) reads each candidate record from the capture, checks it
 * against the index (timestamp and length: an index that no longer describes the capture is
 * refused, never trusted), decodes it and confirms it against the full key, following a TCP
 * connection's close into its tail ({@link TcpTail}). The selected offsets are then visited
 * ({@link FrameVisitor}) or written as a capture ({@link ExtractWriter}). Thread-safe: every call
 * uses its own reader and decoder over the shared file, reading its records by positional reads
 * into a window of its own ({@link CaptureSource#scattered}), not through the mapping; the extract
 * of a selection takes the records its confirmation read from there ({@link KeptRecords}) instead
 * of reading them again.
 *
 * <p>A capture cut short or modified in place while a call reads it is refused with
 * {@link CaptureChangedException}, from a read that finds the file ending early (or the fault mapped
 * memory gives), or from the check of the file that ends every call: what was read of it cannot be
 * trusted.
 */
public final class Slicer {
    /** Above this many queries, one scan of the index beats a lookup per query. */
    public static final int LOOKUPS_BEFORE_SCAN = 32;
    /**
     * Most bytes of records a selection keeps for its extract ({@link KeptRecords}), and no more
     * than a sixteenth of the heap ({@link #keptBytes}): a selection of more has the rest read
     * again when it is written.
     */
    public static final int MAX_KEPT_BYTES = 16 << 20;

    private final CaptureSource file;
    private final PacketIndex index;
    private final List<PcapngBlock> structure;
    /**
     * The records of the last selection's frames, which its extract writes without reading them
     * again; given up by the write that uses them (a later write of the same frames reads them).
     */
    private volatile KeptRecords lastSelected;

    public Slicer(final CaptureSource file, final PacketIndex index) {
        this.file = file;
        this.index = index;
        final List<PcapngBlock> blocks = index.manifest().pcapngBlocks();
        this.structure = blocks == null ? List.of() : blocks;
    }

    /** Receives the selected frames. */
    @FunctionalInterface
    public interface FrameVisitor {
        void frame(Frame frame, DecodedPacket decoded) throws IOException;
    }

    /** Record offsets of each query's frames, in capture order. */
    public long[][] select(final List<? extends Query> queries) throws IOException {
        return select(queries, null);
    }

    /**
     * Record offsets of each query's frames, in capture order, with the closing state of each TCP
     * query carried in from (and on to) the other files of a capture set: {@code tails.get(i)} for
     * {@code queries.get(i)} (null entries, or {@code tails} null, for a fresh state).
     */
    public long[][] select(final List<? extends Query> queries, final List<TcpTail> tails) throws IOException {
        return CaptureChangedException.read(file, () -> selectFrames(queries, tails));
    }

    private long[][] selectFrames(final List<? extends Query> queries, final List<TcpTail> tails) throws IOException {
        final Candidates[] found = new IndexJoin(index).candidates(queries);
        final long[][] result = new long[queries.size()][];
        final KeptRecords records = new KeptRecords(keptBytes(Runtime.getRuntime().maxMemory()));
        try (Confirmation confirm = new Confirmation(reader(null), file.path(), records)) {
            for (int i = 0; i < result.length; i++) {
                final TcpTail tail = tails == null ? null : tails.get(i);
                result[i] = confirm.keep(queries.get(i), found[i], tail != null ? tail : new TcpTail());
            }
        }
        lastSelected = records;
        return result;
    }

    /**
     * The connections of this capture as Zeek would split them, one per key (5-tuple, plus VLAN tags
     * when {@code vlanAware}, at each tunnel depth) and inactivity timeout or new SYN
     * ({@link Connection}), of the keys {@code query} accepts a frame of (every key when null),
     * in first-time order: from the flows table's rows, the frames of a key read back from the
     * capture only where its rows cannot tell ({@link FlowConnections}).
     */
    public ConnectionTable connections(final ExpressionQuery query, final boolean vlanAware) throws IOException {
        return connections(query, vlanAware, false);
    }

    /** As {@link #connections(ExpressionQuery, boolean)}; with {@code readBackAll} every key's frames are read back and split. */
    public ConnectionTable connections(final ExpressionQuery query, final boolean vlanAware, final boolean readBackAll)
        throws IOException {
        return CaptureChangedException.read(file, () -> {
            try (Confirmation confirm = new Confirmation(reader(null), file.path())) {
                return new FlowConnections(index, vlanAware).list(query, confirm, readBackAll);
            }
        });
    }

    /**
     * The connections of {@link #connections(ExpressionQuery, boolean)}, handed to {@code sink} in
     * time order as the flows table is read, in memory bounded by the connections open at once
     * ({@link ConnectionStream}), until the end or until the sink wants no more.
     *
     * @return the connections whose frames were read back from the capture to split them
     */
    public int connections(final ExpressionQuery query, final boolean vlanAware, final Connection.Sink sink) throws IOException {
        return CaptureChangedException.read(file, () -> {
            try (Confirmation confirm = new Confirmation(reader(null), file.path())) {
                return new ConnectionStream(index, vlanAware, query, confirm, sink, WaitingConnections.directory()).run();
            }
        });
    }

    /** Record offsets of every frame with a timestamp in [{@code from}, {@code to}], in capture order. */
    public long[] selectWindow(final long from, final long to) throws IOException {
        return select(List.of(new WindowQuery("window", from, to)))[0];
    }

    /** The union of several selections, in capture order, each frame once. */
    public static long[] union(final long[][] selections) {
        int n = 0;
        for (long[] s : selections) {
            n += s.length;
        }
        final long[] all = new long[n];
        int at = 0;
        for (long[] s : selections) {
            System.arraycopy(s, 0, all, at, s.length);
            at += s.length;
        }
        Arrays.sort(all);
        int w = 0;
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) {
                all[w++] = all[i];
            }
        }
        return Arrays.copyOf(all, w);
    }

    /**
     * The bytes of records a selection keeps with a heap of {@code maxHeap} bytes: a sixteenth of
     * it, at most {@link #MAX_KEPT_BYTES} (the commands' heap of about 72 MiB keeps 4.5 MiB).
     */
    static int keptBytes(final long maxHeap) {
        return (int) Math.min(MAX_KEPT_BYTES, maxHeap / 16);
    }

    /** Visits the frames at {@code offsets} (in the given order), decoded. */
    public void visit(final long[] offsets, final FrameVisitor visitor) throws IOException {
        CaptureChangedException.read(file, () -> {
            visitFrames(offsets, visitor);
            return null;
        });
    }

    private void visitFrames(final long[] offsets, final FrameVisitor visitor) throws IOException {
        try (CaptureReader reader = reader(lastSelected)) {
            final Frame frame = new Frame();
            final PacketDecoder decoder = new PacketDecoder();
            final DecodedPacket decoded = new DecodedPacket();
            for (long offset : offsets) {
                reader.readAt(offset, frame);
                decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
                visitor.frame(frame, decoded);
            }
        }
    }

    /**
     * Writes the frames at {@code offsets} as a capture in {@code format} (null: the capture's own).
     *
     * @return frames written
     * @throws IllegalArgumentException when the frames cannot be converted without loss of link types
     */
    public long write(final long[] offsets, final CaptureFormat format, final OutputStream out,
                      final Consumer<String> warnings) throws IOException {
        return write(offsets, ExtractOptions.defaults().withFormat(format).withWarnings(warnings), out);
    }

    /**
     * Writes the frames at {@code offsets} as a capture. A pcapng extract of a pcapng capture is
     * written in capture order whatever the order of {@code offsets}.
     *
     * @return frames written
     * @throws IllegalArgumentException when the frames cannot be converted without loss of link types
     */
    public long write(final long[] offsets, final ExtractOptions options, final OutputStream out) throws IOException {
        return CaptureChangedException.read(file, () -> writeFrames(offsets, options, out));
    }

    private long writeFrames(final long[] offsets, final ExtractOptions options, final OutputStream out) throws IOException {
        final Consumer<String> warnings = options.warnings();
        final KeptRecords records = lastSelected;
        lastSelected = null;
        try (CaptureReader reader = reader(records)) {
            final CaptureFormat target = options.format() == null ? reader.format() : options.format();
            final Frame frame = new Frame();
            final Set<Integer> linkTypes = new TreeSet<>();
            long[] order = offsets;
            int firstSection = 0;
            Set<String> clientRandoms = null;
            if (target != reader.format()) {
                // A reader of its own: reading every frame ahead would leave the writing reader with the
                // last frame's timestamp, which a leading simple packet block (no timestamp) would take.
                try (CaptureReader ahead = reader(records)) {
                    for (long offset : offsets) {
                        ahead.readAt(offset, frame);
                        linkTypes.add(frame.linkType());
                    }
                }
            } else if (target == CaptureFormat.PCAPNG) {
                order = inCaptureOrder(offsets);
                if (order.length > 0) {
                    try (CaptureReader ahead = reader(records)) {
                        ahead.readAt(order[0], frame);
                        firstSection = frame.section();
                    }
                }
                if (options.keepSecrets()) {
                    clientRandoms = clientRandoms(order);
                }
            }
            if (options.keepSecrets() && target == CaptureFormat.PCAP) {
                warnings.accept("--keep-secrets: a pcap file has no place for decryption secrets; none are written");
            }
            final ExtractWriter writer = ExtractWriter.create(reader, structure, firstSection, clientRandoms, target,
                linkTypes, out, warnings);
            writer.start();
            for (long offset : order) {
                reader.readAt(offset, frame);
                writer.write(frame);
            }
            writer.finish();
            return writer.frames();
        }
    }

    /** The offsets ascending, each once (the array itself when it already is). */
    private static long[] inCaptureOrder(final long[] offsets) {
        for (int i = 1; i < offsets.length; i++) {
            if (offsets[i] <= offsets[i - 1]) {
                return union(new long[][] {offsets});
            }
        }
        return offsets;
    }

    /** The client randoms of the TLS ClientHellos among the frames, when the capture has decryption secrets. */
    private Set<String> clientRandoms(final long[] offsets) throws IOException {
        final Set<String> randoms = new java.util.HashSet<>();
        if (structure.stream().noneMatch(b -> b.type() == PcapngBlock.DECRYPTION_SECRETS)) {
            return randoms;
        }
        visit(offsets, (frame, decoded) ->
            TlsKeyLog.clientRandom(frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded, randoms));
        return randoms;
    }

    /** The format of the capture. */
    public CaptureFormat captureFormat() throws IOException {
        return CaptureChangedException.read(file, () -> {
            try (CaptureReader reader = reader(null)) {
                return reader.format();
            }
        });
    }

    /**
     * A reader of records at scattered offsets, for one call ({@link CaptureSource#scattered}), the
     * records {@code kept} (null: none) served without a read.
     */
    private CaptureReader reader(final KeptRecords kept) throws IOException {
        final CaptureReader reader = CaptureReader.on(file.scattered(kept));
        if (reader instanceof PcapngReader ng) {
            ng.layout(structure);
        }
        return reader;
    }
}
