package io.scalpel.index;

import io.scalpel.capture.Frame;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns each frame of a scan into its rows of the packets table ({@link PacketChunk}) and its
 * flows in the chunk's flow table ({@link FlowAccumulator}): a row for the innermost IP layer
 * (or the only row, without IP), then one per encapsulating IP layer and one per alias key
 * (docs/design.md, "The index layout"). The rows of an IP fragment wait in the
 * {@link FragmentTracker} until its datagram resolves them ({@link #resolved}). Counts what the
 * manifest and the build's result report. Allocates nothing per frame: a flyweight decoder and
 * preallocated keys.
 */
final class FrameRows implements FragmentTracker.Resolution {
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();
    /** The keys inside a fragmented datagram's first fragment, and their depths. */
    private final FlowKey[] innerKeys = newKeys(PacketChunk.MAX_ROWS_PER_FRAME);
    private final int[] innerDepths = new int[PacketChunk.MAX_ROWS_PER_FRAME];
    private int innerCount;
    private final PacketChunk chunk;
    private final FragmentTracker fragments = new FragmentTracker(this);
    /** The flow table of the chunk being filled: the writer pipeline hands the next one at every flush. */
    private FlowAccumulator flows;

    private final TreeSet<Integer> linkTypes = new TreeSet<>();
    private int lastLinkType = -1;
    private long packets;
    private long outerRows;
    private long minTs = Long.MAX_VALUE;
    private long maxTs = Long.MIN_VALUE;
    private long nonIp;
    private long truncated;
    private long undecoded;
    private long maxFragmentLag;
    private long lastOffset = -1;
    private long lastTs;
    private int lastCaplen;

    FrameRows(final int chunkRows, final FlowAccumulator flows) {
        this.chunk = new PacketChunk(chunkRows);
        this.flows = flows;
    }

    private static FlowKey[] newKeys(final int n) {
        final FlowKey[] keys = new FlowKey[n];
        for (int i = 0; i < n; i++) {
            keys[i] = new FlowKey();
        }
        return keys;
    }

    PacketChunk chunk() {
        return chunk;
    }

    FragmentTracker fragments() {
        return fragments;
    }

    FlowAccumulator flows() {
        return flows;
    }

    /** From now on, flows go to {@code next}: the table of the next chunk. */
    void flows(final FlowAccumulator next) {
        this.flows = next;
    }

    /** Appends the rows of {@code frame} (and hands an IP fragment to the fragment tracker). */
    void add(final Frame frame) {
        final long ts = frame.timestampNanos();
        final int linkType = frame.linkType();
        if (linkType != lastLinkType) {
            linkTypes.add(linkType);
            lastLinkType = linkType;
        }
        packets++;
        lastOffset = frame.recordOffset();
        lastTs = ts;
        lastCaplen = frame.capturedLength();
        minTs = Math.min(minTs, ts);
        maxTs = Math.max(maxTs, ts);
        final int status = decoder.decode(linkType, frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
        final FlowKey key = decoded.innermost();
        if (key == null) {
            if (status == DecodedPacket.STATUS_NOT_IP) {
                nonIp++;
            } else {
                undecoded++;
            }
            chunk.add(ts, frame.recordOffset(), flows.chunk(), IndexBuilder.NO_FLOW);
            return;
        }
        if (status == DecodedPacket.STATUS_TRUNCATED) {
            truncated++;
        }
        final int layers = decoded.layerCount();
        int fragment = layers; // the outermost layer that is an IP fragment
        for (int i = 0; i < layers; i++) {
            if (decoded.layer(i).isFragment()) {
                fragment = i;
                break;
            }
        }
        boolean first = true;
        if (fragment < layers) {
            // The layers inside a fragmented datagram are in its first fragment only: they become
            // rows of every fragment of the datagram, through FragmentTracker.
            innerCount = 0;
            for (int i = layers - 1; i > fragment; i--) {
                addInnerKey(decoded.layer(i), layers - 1 - i);
                if (decoded.aliasKey(i) != null) {
                    addInnerKey(decoded.aliasKey(i), layers - 1 - i);
                }
            }
            if (decoded.aliasKey(fragment) != null) {
                addInnerKey(decoded.aliasKey(fragment), layers - 1 - fragment);
            }
            final long row = chunk.add(ts, frame.recordOffset(), flows.chunk(), IndexBuilder.NO_FLOW);
            fragments.add(decoded.layer(fragment), decoded.outerVlan(), decoded.innerVlan(), row, ts, frame.originalLength(),
                innerKeys, innerDepths, innerCount, layers - 1 - fragment);
            first = false;
        }
        // A tunnelled frame: one more row per encapsulating IP layer, next to its innermost row,
        // so that a lookup of an outer key (a tunnel's own connection) finds the frame too.
        for (int i = Math.min(layers, fragment) - 1; i >= 0; i--) {
            final int depth = layers - 1 - i;
            addLayer(frame, decoded.layer(i), depth, ts);
            if (!first) {
                outerRows++;
            }
            first = false;
            if (decoded.aliasKey(i) != null) {
                // the layer's other name (GRE over UDP: tunnel.log's address-only key) is indexed too
                addLayer(frame, decoded.aliasKey(i), depth, ts);
                outerRows++;
            }
        }
    }

    private void addInnerKey(final FlowKey key, final int depth) {
        innerKeys[innerCount].copyFrom(key);
        innerDepths[innerCount++] = depth;
    }

    /** Appends the frame's row for one IP layer outside any fragmented datagram. */
    private void addLayer(final Frame frame, final FlowKey key, final int depth, final long ts) {
        final long flow = key.flowHash(); // a key without ports (cut short) hashes with ports 0
        final int id = flows.add(flow, key, decoded.outerVlan(), decoded.innerVlan(), depth, ts, 1, frame.originalLength(), false);
        chunk.add(ts, frame.recordOffset(), flows.chunk(), id);
    }

    /** Appends a row taken back from an open tail part as it was written: its flow and datagram time kept. */
    void keep(final long ts, final long offset, final int flowChunk, final int flow, final long dgramTs) {
        final long row = chunk.add(ts, offset, flowChunk, flow);
        if (dgramTs != PacketChunk.NO_DGRAM_TS) {
            chunk.patch(row, flowChunk, flow, dgramTs);
        }
    }

    /**
     * Appends the row of an IP fragment taken back from an open tail part, its datagram pending
     * again in the fragment tracker ({@code key} read again from the capture).
     */
    void reopen(final FlowKey key, final int outerVlan, final int innerVlan, final long ts, final long offset,
                final int originalLength) {
        final long row = chunk.add(ts, offset, flows.chunk(), IndexBuilder.NO_FLOW);
        fragments.add(key, outerVlan, innerVlan, row, ts, originalLength);
    }

    @Override
    public long copyRow(final long row) {
        outerRows++;
        return chunk.copyRow(row);
    }

    @Override
    public void resolved(final long[] rows, final int count, final long flow, final FlowKey key, final int outerVlan,
                         final int innerVlan, final int depth, final long datagramTs, final int bytes) {
        final int id = flows.add(flow, key, outerVlan, innerVlan, depth, datagramTs, count, bytes, true);
        for (int i = 0; i < count; i++) {
            chunk.patch(rows[i], flows.chunk(), id, datagramTs);
            maxFragmentLag = Math.max(maxFragmentLag, datagramTs - chunk.tsOf(rows[i]));
        }
    }

    /** Frames added (rows taken back from an open tail not counted). */
    long packets() {
        return packets;
    }

    /** Rows for outer IP layers and alias keys: the packets table's rows beyond one per frame. */
    long outerRows() {
        return outerRows;
    }

    long nonIpFrames() {
        return nonIp;
    }

    long truncatedFrames() {
        return truncated;
    }

    long undecodedFrames() {
        return undecoded;
    }

    /** The earliest frame timestamp, {@code Long.MAX_VALUE} when no frame was added. */
    long firstTimestampNanos() {
        return minTs;
    }

    /** The latest frame timestamp, {@code Long.MIN_VALUE} when no frame was added. */
    long lastTimestampNanos() {
        return maxTs;
    }

    /** The link types of the frames added, in ascending order. */
    List<Integer> linkTypes() {
        return new ArrayList<>(linkTypes);
    }

    /** The largest time from a fragment to the completion of its datagram. */
    long maxFragmentLagNanos() {
        return maxFragmentLag;
    }

    /** The last frame added, or null when none was. */
    IndexManifest.LastRecord lastRecord() {
        return packets > 0 ? new IndexManifest.LastRecord(lastOffset, lastTs, lastCaplen) : null;
    }
}
