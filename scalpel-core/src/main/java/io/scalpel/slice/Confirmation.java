package io.scalpel.slice;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureFormatException;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.KeptRecords;
import io.scalpel.decode.CommunityId;
import io.scalpel.decode.DatagramId;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import io.scalpel.index.IndexException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The confirm step of a slice: reads each candidate of the join ({@link IndexJoin}) from the
 * capture, checks it against the index (timestamp and length: an index that no longer describes
 * the capture is refused, never trusted), decodes it and confirms its key against the full query.
 * A TCP connection of a conn.log row also keeps the frames of its tail after both endpoints
 * closed ({@link TcpTail}, {@link TcpEnding}). One instance per call, with its own reader and
 * decoder.
 */
final class Confirmation implements AutoCloseable {
    private final CaptureReader reader;
    private final Path capture;
    /** Where the records of the frames kept go, for the extract to write without reading them again (null: nowhere). */
    private final KeptRecords records;
    private final Frame frame = new Frame();
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();
    private CommunityId communityId;

    /** Confirms with {@code reader} (closed with this) over {@code capture}, which messages name. */
    Confirmation(final CaptureReader reader, final Path capture) {
        this(reader, capture, null);
    }

    /** As {@link #Confirmation(CaptureReader, Path)}, keeping the records of the frames kept in {@code records}. */
    Confirmation(final CaptureReader reader, final Path capture, final KeptRecords records) {
        this.reader = reader;
        this.capture = capture;
        this.records = records;
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
                add(kept, c.offset[i]);
            } else if (q.inWindow(c.joinTs(i)) && confirm(q, c, i, kept) >= 0) {
                add(kept, c.offset[i]);
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
                add(kept, c.offset[i]);
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
            add(kept, c.offset[i]);
        }
    }

    /** Keeps the frame just read, at {@code offset}, and its record's bytes when there is room for them. */
    private void add(final Kept kept, final long offset) throws IOException {
        kept.add(offset);
        if (records != null) {
            records.keep(reader.file(), offset, frame.recordLength());
        }
    }

    /** Receives each frame of a key ({@link #each}): its join time, the frame, and the layer that carries the key. */
    @FunctionalInterface
    interface LayerVisitor {
        void frame(long joinTs, Frame frame, DecodedPacket decoded, int layer) throws IOException;
    }

    /**
     * Each candidate of {@code q} that is a frame of its key, once, in capture order: read back,
     * checked against the index and decoded, with the layer that carries the key.
     */
    void each(final FlowQuery q, final Candidates c, final LayerVisitor visitor) throws IOException {
        long last = -1;
        for (int i : c.inCaptureOrder()) {
            if (c.offset[i] == last) {
                continue; // another IP layer's row of the same frame
            }
            last = c.offset[i];
            read(c, i);
            decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
            final int layer = q.matchingLayer(decoded);
            if (layer >= 0) {
                visitor.frame(c.joinTs(i), frame, decoded, layer);
            }
        }
    }

    /** Reads candidate {@code i}'s record and checks it against the index; leaves it in {@link #frame}. */
    private void read(final Candidates c, final int i) throws IOException {
        final long offset = c.offset[i];
        try {
            reader.readAt(offset, frame);
        } catch (CaptureChangedException e) {
            throw e;
        } catch (CaptureFormatException e) {
            final String where = capture + ": byte offset " + offset + ": ";
            final String what = e.getMessage();
            throw stale(offset, what.startsWith(where) ? what.substring(where.length()) : what);
        }
        if (frame.timestampKnown() && frame.timestampNanos() != c.ts[i]) {
            throw stale(offset, "record has timestamp " + frame.timestampNanos() + ", the index says " + c.ts[i]);
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
            : q instanceof ExpressionQuery x ? x.matchingLayer(decoded, c.joinTs(i)) : ((FlowQuery) q).matchingLayer(decoded);
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
        return new IndexException(IndexException.Kind.STALE, capture + ": byte offset " + offset + ": " + what
            + "; the capture changed since it was indexed: re-run `scalpel index " + capture + "` (or slice with --reindex)");
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
