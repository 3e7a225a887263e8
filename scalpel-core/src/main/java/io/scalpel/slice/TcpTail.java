package io.scalpel.slice;

import io.scalpel.decode.FlowKey;

/**
 * Follows the closing of one TCP connection through its frames in capture order, as Zeek's TCP
 * analyzer marks each endpoint closed: an endpoint has closed once it sent a FIN or an RST, and
 * the connection's last time stops when both have ({@link TcpEnding}). The two endpoints are told
 * apart by address and port; the first frame seen names endpoint A, so a Community ID query,
 * which has no originator, is followed the same way.
 *
 * <p>A slice creates one per TCP query by itself. A connection can span the files of a capture
 * set: then one instance per query is handed from file to file, in time order
 * ({@link Slicer#select(java.util.List, java.util.List)}), so that a close seen in one file
 * opens the tail in the next. Not thread-safe.
 */
public final class TcpTail {
    private static final long NOT_CLOSED = Long.MIN_VALUE;
    /** {@link #tailEnd(Query)} of a connection that has no tail (yet, or any more). */
    public static final long NO_TAIL = Long.MIN_VALUE;

    private boolean sideKnown;
    private long aHi;
    private long aLo;
    private int aPort;
    private boolean aClosed;
    private boolean bClosed;
    private long closedAt = NOT_CLOSED;
    /** A SYN without ACK ended the tail: nothing after it belongs to the connection. */
    private boolean ended;

    /** A connection of which no frame has been seen yet. */
    public TcpTail() {
    }

    /** Takes in one frame of the connection's window: the layer that carries the connection, and its join time. */
    void observe(final FlowKey k, final long ts) {
        if (k.protocol() != FlowKey.PROTO_TCP || k.tcpFlags() == FlowKey.NO_TCP_FLAGS || closedAt != NOT_CLOSED) {
            return;
        }
        if (!sideKnown) {
            sideKnown = true;
            aHi = k.srcHi();
            aLo = k.srcLo();
            aPort = k.srcPort();
        }
        if (!k.hasTcpFlag(FlowKey.TCP_FIN) && !k.hasTcpFlag(FlowKey.TCP_RST)) {
            return;
        }
        if (k.srcHi() == aHi && k.srcLo() == aLo && k.srcPort() == aPort) {
            aClosed = true;
        } else {
            bClosed = true;
        }
        if (aClosed && bClosed) {
            closedAt = ts;
        }
    }

    /** True once both endpoints have closed. */
    boolean closed() {
        return closedAt != NOT_CLOSED;
    }

    /** Join time of the frame that closed the second endpoint; only when {@link #closed()}. */
    long closedAt() {
        return closedAt;
    }

    /**
     * Takes in a frame of the tail, after {@link #closed()}: false when it starts a new connection
     * on the same key (a SYN without ACK), which ends the tail for it and every later frame.
     */
    boolean continues(final FlowKey k) {
        if (k.protocol() == FlowKey.PROTO_TCP && k.hasTcpFlag(FlowKey.TCP_SYN) && !k.hasTcpFlag(FlowKey.TCP_ACK)) {
            ended = true;
        }
        return !ended;
    }

    /**
     * Where the tail of {@code q}'s connection ends (exclusive) as far as the frames seen so far
     * tell: {@link #NO_TAIL} unless both endpoints closed and no new connection ended it.
     */
    public long tailEnd(final Query q) {
        if (!closed() || ended || q.tcpEnding() == null) {
            return NO_TAIL;
        }
        return q.tcpEnding().tailEnd(closedAt);
    }

    /** True once a new connection on the same key ended the tail. */
    boolean ended() {
        return ended;
    }
}
