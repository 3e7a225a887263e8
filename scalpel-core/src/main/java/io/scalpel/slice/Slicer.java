package io.scalpel.slice;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureFormatException;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngReader;
import io.scalpel.decode.CommunityId;
import io.scalpel.decode.DatagramId;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import io.scalpel.extract.ExtractWriter;
import io.scalpel.extract.TlsKeyLog;
import io.scalpel.index.IndexException;
import io.scalpel.index.PacketIndex;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Joins queries against the index and reads the selected frames from the capture.
 *
 * <p>The index narrows each query to the rows of its flow reference in its time window; each
 * candidate record is then read from the capture, checked against the index (timestamp and
 * length: an index that no longer describes the capture is refused, never trusted), decoded and
 * confirmed against the full key. Many queries at once are answered by one pass over the index.
 * Thread-safe: every call uses its own reader and decoder over the shared mapping.
 *
 * <p>A capture cut short or modified in place while a call reads it is refused with
 * {@link CaptureChangedException}, from the fault its mapped memory gives, or from the check of the
 * file that ends every call: what was read of it cannot be trusted.
 */
public final class Slicer {
    /** Above this many queries, one scan of the index beats a lookup per query. */
    public static final int LOOKUPS_BEFORE_SCAN = 32;

    private final CaptureSource file;
    private final PacketIndex index;
    private final List<PcapngBlock> structure;

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
        final Candidates[] found = new Candidates[queries.size()];
        for (int i = 0; i < found.length; i++) {
            found[i] = new Candidates();
        }
        if (queries.size() <= LOOKUPS_BEFORE_SCAN) {
            for (int i = 0; i < queries.size(); i++) {
                lookup(queries.get(i), found[i]);
            }
        } else {
            // One pass over each table: flows give the (chunk, flow) rows of every query, packets their frames.
            final Map<Long, int[]> byHash = new HashMap<>();
            final Map<Integer, Map<String, int[]>> byCommunityId = new HashMap<>();
            for (int i = 0; i < queries.size(); i++) {
                final Query q = queries.get(i);
                if (q instanceof CommunityIdQuery c) {
                    byCommunityId.computeIfAbsent(c.seed(), s -> new HashMap<>()).merge(c.communityId(), new int[] {i}, Slicer::concat);
                } else if (q instanceof FlowQuery f) {
                    byHash.merge(f.flowHash(), new int[] {i}, Slicer::concat);
                } else {
                    lookup(q, found[i]); // a window: its own scan of the packets in it
                }
            }
            final Map<Long, int[]> byFlowRow = new HashMap<>();
            if (!byHash.isEmpty()) {
                index.scanFlows((chunk, flow, hash, firstTs, lastTs) ->
                    addFlowRow(queries, byHash.get(hash), chunk, flow, firstTs, lastTs, byFlowRow));
            }
            for (Map.Entry<Integer, Map<String, int[]>> e : byCommunityId.entrySet()) {
                final Map<String, int[]> ids = e.getValue();
                index.communityFlows(ids.keySet(), e.getKey(), Long.MIN_VALUE, Long.MAX_VALUE,
                    (id, chunk, flow, firstTs, lastTs) -> addFlowRow(queries, ids.get(id), chunk, flow, firstTs, lastTs, byFlowRow));
            }
            if (!byFlowRow.isEmpty()) {
                index.scanAll((ts, offset, caplen, chunk, flow, dgramTs) -> {
                    final int[] qs = flow < 0 ? null : byFlowRow.get(PacketIndex.flowRow(chunk, flow));
                    if (qs != null) {
                        final long joinTs = dgramTs == PacketIndex.NO_DGRAM_TS ? ts : dgramTs;
                        for (int qi : qs) {
                            if (queries.get(qi).inLookupWindow(joinTs)) {
                                found[qi].add(ts, offset, caplen, dgramTs);
                            }
                        }
                    }
                });
            }
        }
        final long[][] result = new long[queries.size()][];
        try (Confirm confirm = new Confirm()) {
            for (int i = 0; i < result.length; i++) {
                final TcpTail tail = tails == null ? null : tails.get(i);
                result[i] = confirm.keep(queries.get(i), found[i], tail != null ? tail : new TcpTail());
            }
        }
        return result;
    }

    /** Record offsets of every frame with a timestamp in [{@code from}, {@code to}], in capture order. */
    public long[] selectWindow(final long from, final long to) throws IOException {
        return select(List.of(new WindowQuery("window", from, to)))[0];
    }

    /** The index rows of one query's candidate frames: by flow hash, by Community ID, or every row in a window. */
    private void lookup(final Query q, final Candidates c) throws IOException {
        final PacketIndex.RowVisitor add = (ts, offset, caplen, chunk, flow, dgramTs) -> c.add(ts, offset, caplen, dgramTs);
        if (q instanceof CommunityIdQuery id) {
            index.lookupCommunityId(id.communityId(), id.seed(), id.from(), id.lookupTo(), add);
        } else if (q instanceof FlowQuery f) {
            index.lookup(f.flowHash(), f.from(), f.lookupTo(), add);
        } else {
            index.scan(q.from(), q.to(), add);
        }
    }

    /** Ties a flow row to those of {@code qs} (may be null) whose window its time span meets. */
    private static void addFlowRow(final List<? extends Query> queries, final int[] qs, final int chunk, final int flow,
                                   final long firstTs, final long lastTs, final Map<Long, int[]> byFlowRow) {
        if (qs == null) {
            return;
        }
        for (int qi : qs) {
            final Query q = queries.get(qi);
            if (firstTs <= q.lookupTo() && lastTs >= q.from()) {
                byFlowRow.merge(PacketIndex.flowRow(chunk, flow), new int[] {qi}, Slicer::concat);
            }
        }
    }

    private static int[] concat(final int[] a, final int[] b) {
        final int[] m = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, m, a.length, b.length);
        return m;
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

    /** Visits the frames at {@code offsets} (in the given order), decoded. */
    public void visit(final long[] offsets, final FrameVisitor visitor) throws IOException {
        CaptureChangedException.read(file, () -> {
            visitFrames(offsets, visitor);
            return null;
        });
    }

    private void visitFrames(final long[] offsets, final FrameVisitor visitor) throws IOException {
        try (CaptureReader reader = reader()) {
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
        try (CaptureReader reader = reader()) {
            final CaptureFormat target = options.format() == null ? reader.format() : options.format();
            final Frame frame = new Frame();
            final Set<Integer> linkTypes = new TreeSet<>();
            long[] order = offsets;
            int firstSection = 0;
            Set<String> clientRandoms = null;
            if (target != reader.format()) {
                // A reader of its own: reading every frame ahead would leave the writing reader with the
                // last frame's timestamp, which a leading simple packet block (no timestamp) would take.
                try (CaptureReader ahead = reader()) {
                    for (long offset : offsets) {
                        ahead.readAt(offset, frame);
                        linkTypes.add(frame.linkType());
                    }
                }
            } else if (target == CaptureFormat.PCAPNG) {
                order = inCaptureOrder(offsets);
                if (order.length > 0) {
                    try (CaptureReader ahead = reader()) {
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
            try (CaptureReader reader = reader()) {
                return reader.format();
            }
        });
    }

    private CaptureReader reader() throws IOException {
        final CaptureReader reader = CaptureReader.on(file);
        if (reader instanceof PcapngReader ng) {
            ng.layout(structure);
        }
        return reader;
    }

    private static long[] concat(final long[] a, final long[] b) {
        final long[] m = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, m, a.length, b.length);
        return m;
    }

    /** Index rows found for one query. */
    private static final class Candidates {
        long[] ts = new long[16];
        long[] offset = new long[16];
        int[] caplen = new int[16];
        long[] dgramTs = new long[16];
        int size;

        void add(final long t, final long o, final int c, final long d) {
            if (size == ts.length) {
                final int n = size * 2;
                ts = Arrays.copyOf(ts, n);
                offset = Arrays.copyOf(offset, n);
                caplen = Arrays.copyOf(caplen, n);
                dgramTs = Arrays.copyOf(dgramTs, n);
            }
            ts[size] = t;
            offset[size] = o;
            caplen[size] = c;
            dgramTs[size] = d;
            size++;
        }

        /** The time a row is joined on: its datagram's time for a fragment, else its own. */
        long joinTs(final int i) {
            return dgramTs[i] == PacketIndex.NO_DGRAM_TS ? ts[i] : dgramTs[i];
        }

        /** The row numbers in capture order (by record offset; the index groups a chunk's rows by flow). */
        int[] inCaptureOrder() {
            final Integer[] boxed = new Integer[size];
            for (int i = 0; i < size; i++) {
                boxed[i] = i;
            }
            Arrays.sort(boxed, (a, b) -> offset[a] != offset[b] ? Long.compare(offset[a], offset[b]) : Integer.compare(a, b));
            final int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = boxed[i];
            }
            return order;
        }
    }

    /**
     * The frames one query keeps, and the later fragments of tunnelled datagrams that wait for
     * their datagram's first fragment to be confirmed.
     */
    private static final class Kept {
        private final long[] offsets;
        private int n;
        private Map<DatagramId, long[]> waiting;
        private Set<DatagramId> confirmed;

        Kept(final int capacity) {
            this.offsets = new long[capacity];
        }

        void add(final long offset) {
            offsets[n++] = offset;
        }

        /** True when {@code offset} is the frame kept last (a tunnelled frame has an index row per IP layer). */
        boolean isLast(final long offset) {
            return n > 0 && offsets[n - 1] == offset;
        }

        void waitForDatagram(final DatagramId datagram, final long offset) {
            if (waiting == null) {
                waiting = new HashMap<>();
            }
            waiting.merge(datagram, new long[] {offset}, Slicer::concat);
        }

        void datagramConfirmed(final DatagramId datagram) {
            if (confirmed == null) {
                confirmed = new HashSet<>();
            }
            confirmed.add(datagram);
        }

        /** The kept frames and the confirmed datagrams' waiting fragments, sorted, each once. */
        long[] result() {
            if (waiting != null && confirmed != null) {
                for (Map.Entry<DatagramId, long[]> e : waiting.entrySet()) {
                    if (confirmed.contains(e.getKey())) {
                        for (long offset : e.getValue()) {
                            offsets[n++] = offset;
                        }
                    }
                }
            }
            // Sorted, and each frame once: a tunnelled frame has a row per IP layer, and several of
            // them can lead to the same query.
            Arrays.sort(offsets, 0, n);
            int w = 0;
            for (int i = 0; i < n; i++) {
                if (w == 0 || offsets[i] != offsets[w - 1]) {
                    offsets[w++] = offsets[i];
                }
            }
            return Arrays.copyOf(offsets, w);
        }
    }

    /** Reads each candidate from the capture, checks it against the index and confirms its key. */
    private final class Confirm implements AutoCloseable {
        private final CaptureReader reader;
        private final Frame frame = new Frame();
        private final PacketDecoder decoder = new PacketDecoder();
        private final DecodedPacket decoded = new DecodedPacket();
        private CommunityId communityId;

        Confirm() throws IOException {
            this.reader = reader();
        }

        /**
         * The candidates that are frames of {@code q} (all of them, checked against the capture, for a
         * window without a query), in capture order, each once.
         */
        long[] keep(final Query q, final Candidates c, final TcpTail tail) throws IOException {
            final Kept kept = new Kept(c.size);
            if (q.tcpEnding() != null) {
                keepTcp(q, c, tail, kept);
                return kept.result();
            }
            for (int i = 0; i < c.size; i++) {
                if (kept.isLast(c.offset[i])) {
                    continue; // another IP layer's row of a frame just kept
                }
                if (q instanceof WindowQuery) {
                    read(c, i); // every frame of the window, checked against the index
                    kept.add(c.offset[i]);
                } else if (q.inWindow(c.joinTs(i)) && confirm(q, c, i, kept) >= 0) {
                    kept.add(c.offset[i]);
                }
            }
            return kept.result();
        }

        /**
         * A TCP connection of a conn.log row: the frames of its window, then, when both endpoints
         * closed in it, the frames of its tail in capture order ({@link TcpEnding}).
         */
        private void keepTcp(final Query q, final Candidates c, final TcpTail tail, final Kept kept) throws IOException {
            final int[] order = c.inCaptureOrder();
            for (int i : order) {
                final long joinTs = c.joinTs(i);
                if (kept.isLast(c.offset[i]) || !q.inWindow(joinTs)) {
                    continue;
                }
                final int layer = confirm(q, c, i, kept);
                if (layer >= 0) {
                    kept.add(c.offset[i]);
                    tail.observe(decoded.layer(layer), joinTs);
                }
            }
            if (!tail.closed() || tail.ended()) {
                return;
            }
            final long end = q.tcpEnding().tailEnd(tail.closedAt());
            for (int i : order) {
                final long joinTs = c.joinTs(i);
                if (joinTs <= q.to() || joinTs >= end || kept.isLast(c.offset[i])) {
                    continue;
                }
                final int layer = confirm(q, c, i, kept);
                if (layer < 0) {
                    continue;
                }
                if (!tail.continues(decoded.layer(layer))) {
                    return; // Zeek removes the closed connection and starts a new one here
                }
                kept.add(c.offset[i]);
            }
        }

        /** Reads candidate {@code i}'s record and checks it against the index; leaves it in {@link #frame}. */
        private void read(final Candidates c, final int i) throws IOException {
            final long offset = c.offset[i];
            try {
                reader.readAt(offset, frame);
            } catch (CaptureFormatException e) {
                final String where = file.path() + ": byte offset " + offset + ": ";
                final String what = e.getMessage();
                throw stale(offset, what.startsWith(where) ? what.substring(where.length()) : what);
            }
            if ((frame.timestampKnown() && frame.timestampNanos() != c.ts[i]) || frame.capturedLength() != c.caplen[i]) {
                throw stale(offset, "record has timestamp " + frame.timestampNanos() + " and captured length "
                    + frame.capturedLength() + ", the index says " + c.ts[i] + " and " + c.caplen[i]);
            }
        }

        /**
         * Reads and decodes candidate {@code i} and returns the IP layer that carries {@code q}, or
         * -1. A later fragment of a datagram that carries the connection in a tunnel has no inner
         * header: it is held in {@code kept} until its datagram's first fragment confirms it.
         */
        private int confirm(final Query q, final Candidates c, final int i, final Kept kept) throws IOException {
            read(c, i);
            decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
            final int layer = q instanceof CommunityIdQuery id ? id.matchingLayer(decoded, calculator(id.seed()))
                : ((FlowQuery) q).matchingLayer(decoded);
            if (layer < 0) {
                final FlowKey k = decoded.innermost();
                if (k != null && k.isFragment() && k.fragmentOffset() != 0) {
                    kept.waitForDatagram(DatagramId.of(k), c.offset[i]);
                }
                return -1;
            }
            for (int l = 0; l < decoded.layerCount() - 1; l++) {
                final FlowKey k = decoded.layer(l);
                if (k.isFragment() && k.fragmentOffset() == 0) {
                    kept.datagramConfirmed(DatagramId.of(k));
                }
            }
            return layer;
        }

        /** The Community ID calculator of {@code seed}, kept for the next query of the same seed. */
        private CommunityId calculator(final int seed) {
            if (communityId == null || communityId.seed() != seed) {
                communityId = new CommunityId(seed);
            }
            return communityId;
        }

        private IndexException stale(final long offset, final String what) {
            return new IndexException(IndexException.Kind.STALE, file.path() + ": byte offset " + offset + ": " + what
                + "; the capture changed since it was indexed: re-run `scalpel index " + file.path() + "` (or slice with --reindex)");
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

}
