package io.scalpel.slice;

/**
 * How far the packets of a conn.log row's TCP connection may run past its logged window.
 *
 * <p>Zeek stops advancing a TCP connection's last time once both endpoints have closed (each
 * sent a FIN or an RST), so {@code ts + duration} is the packet that completed the close; yet it
 * keeps counting the connection's packets until it removes it {@code tcp_close_delay} later.
 * The last ACK of every normally closed connection, and any FIN or RST sent again, lie in that
 * tail. The tail ends at whichever comes first: the close delay passed, a SYN without ACK on the
 * same key (Zeek starts a new connection), or the start of the log's next row with the same key.
 * Whether both endpoints closed is decided from the frames of the window themselves
 * ({@link TcpTail}), never from {@code conn_state} or {@code history}, which zeek-cut'd logs lack.
 *
 * @param closeDelayNanos Zeek's {@code tcp_close_delay}, ns ({@link #DEFAULT_CLOSE_DELAY_NANOS})
 * @param nextRowStart    ts of the log's next row with the same connection key (either
 *                        direction), ns; {@link #NO_NEXT_ROW} when there is none or it is not known
 */
public record TcpEnding(long closeDelayNanos, long nextRowStart) {
    /** Zeek's default {@code tcp_close_delay}: 5 s. */
    public static final long DEFAULT_CLOSE_DELAY_NANOS = 5_000_000_000L;
    /** {@link #nextRowStart()} when no later row of the same key is known. */
    public static final long NO_NEXT_ROW = Long.MAX_VALUE;
    /**
     * How much earlier than the next row's printed ts its first packet may lie: ts is printed
     * rounded to microseconds. A tail frame must lie before the next row's first packet.
     */
    static final long NEXT_ROW_ROUNDING_NANOS = 1_000;

    public TcpEnding {
        if (closeDelayNanos < 0) {
            throw new IllegalArgumentException("tcp_close_delay must not be negative, was " + closeDelayNanos + " ns");
        }
    }

    /** The end (exclusive) of the tail of a connection whose endpoints had both closed at {@code closedAt}. */
    long tailEnd(final long closedAt) {
        final long delayed = closedAt > Long.MAX_VALUE - closeDelayNanos ? Long.MAX_VALUE : closedAt + closeDelayNanos;
        final long beforeNext = nextRowStart == NO_NEXT_ROW ? Long.MAX_VALUE : nextRowStart - NEXT_ROW_ROUNDING_NANOS;
        return Math.min(delayed, beforeNext);
    }
}
