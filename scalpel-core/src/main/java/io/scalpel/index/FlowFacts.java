package io.scalpel.index;

import io.scalpel.decode.FlowKey;

/**
 * The bits of a flow row's {@code facts} column (format 8, docs/index-format.md): what the scan
 * saw of the row's frames, in capture order, that tells where Zeek may split its key into
 * connections, so that {@code scalpel flows} reads back from the capture only the keys whose rows
 * say a split is possible inside a row. A row without {@link #SPLIT_INSIDE} bits is one piece of
 * one connection: its key's connections follow from its rows alone ({@link #startsConnection}).
 */
public final class FlowFacts {
    /** The row's first frame is a TCP SYN without ACK. */
    public static final int SYN_FIRST = 1;
    /** A TCP frame with its flags known that is not a SYN without ACK (what makes a connection "past its first SYN"). */
    public static final int ESTABLISHES = 2;
    /** A TCP SYN without ACK after an {@link #ESTABLISHES} frame of the row, or after a first frame that was not one. */
    public static final int SYN_INSIDE = 4;
    /** A frame later than the row's latest before it by more than Zeek's inactivity timeout ({@link #inactivityTimeoutNanos}). */
    public static final int GAP = 8;
    /** A frame earlier than the row's latest before it, or frames counted by their datagram (IP fragments): not in time order. */
    public static final int DISORDER = 16;
    /** A frame in the other direction than the row's stored key (its frames run both ways). */
    public static final int BOTH_WAYS = 32;
    /** The bits that say a connection may end inside the row. */
    public static final int SPLIT_INSIDE = SYN_INSIDE | GAP | DISORDER;

    /** Zeek's {@code tcp_inactivity_timeout}: 5 min. */
    public static final long TCP_TIMEOUT_NANOS = 300_000_000_000L;
    /** Zeek's {@code udp_inactivity_timeout}, {@code icmp_inactivity_timeout} and {@code unknown_ip_inactivity_timeout}: 1 min. */
    public static final long OTHER_TIMEOUT_NANOS = 60_000_000_000L;

    private FlowFacts() {
    }

    /** How long a connection of {@code protocol} may be silent before Zeek expires it. */
    public static long inactivityTimeoutNanos(final int protocol) {
        return protocol == FlowKey.PROTO_TCP ? TCP_TIMEOUT_NANOS : OTHER_TIMEOUT_NANOS;
    }

    /** Whether a TCP segment's flags are a SYN without ACK (a connection's first SYN or a new one); false when unknown. */
    public static boolean pureSyn(final int tcpFlags) {
        return tcpFlags != FlowKey.NO_TCP_FLAGS && (tcpFlags & FlowKey.TCP_SYN) != 0 && (tcpFlags & FlowKey.TCP_ACK) == 0;
    }

    /** The facts of a row whose first frame has {@code protocol} and {@code tcpFlags}. */
    static int first(final int protocol, final int tcpFlags) {
        if (protocol != FlowKey.PROTO_TCP || tcpFlags == FlowKey.NO_TCP_FLAGS) {
            return 0;
        }
        return pureSyn(tcpFlags) ? SYN_FIRST : ESTABLISHES;
    }

    /** The facts of a row after one more frame with {@code protocol} and {@code tcpFlags}, {@code ts} after the row's latest {@code lastTs}. */
    static int next(final int facts, final int protocol, final int tcpFlags, final long ts, final long lastTs) {
        int f = facts;
        if (ts < lastTs) {
            f |= DISORDER;
        } else if (ts - lastTs > inactivityTimeoutNanos(protocol)) {
            f |= GAP;
        }
        if (protocol == FlowKey.PROTO_TCP && tcpFlags != FlowKey.NO_TCP_FLAGS) {
            if (!pureSyn(tcpFlags)) {
                f |= ESTABLISHES;
            } else if ((f & ESTABLISHES) != 0 || (f & SYN_FIRST) == 0) {
                f |= SYN_INSIDE;
            }
        }
        return f;
    }

    /**
     * Whether a row without {@link #SPLIT_INSIDE} bits starts a new connection of its key after
     * the key's connection so far, which ended at {@code lastTs} ({@code established}: past its
     * first SYN): a silence longer than the timeout, or a SYN without ACK on an established
     * connection (Zeek's connection reuse).
     */
    public static boolean startsConnection(final int facts, final int protocol, final long firstTs, final long lastTs,
                                           final boolean established) {
        return firstTs - lastTs > inactivityTimeoutNanos(protocol) || (established && (facts & SYN_FIRST) != 0);
    }
}
