package io.scalpel.zeek;

/**
 * One tunnel of a tunnel.log, its rows joined: the outer key Zeek named it by and the time it was
 * alive, from its {@code Tunnel::DISCOVER} to its {@code Tunnel::CLOSE} (or {@code Tunnel::EXPIRE}).
 *
 * @param uid        the tunnel's uid
 * @param line       line of its first row, for messages
 * @param tunnelType {@code tunnel_type} as logged, e.g. {@code Tunnel::GRE}
 * @param ipVersion  4 or 6
 * @param origPort   0 for GRE and IP-in-IP tunnels, the UDP port for UDP tunnels
 * @param fromNanos  earliest DISCOVER ts, or {@link ConnRecord#NO_TIMESTAMP} when there is none or
 *                   it is masked: the tunnel then starts with the capture
 * @param toNanos    latest CLOSE or EXPIRE ts, or {@link #OPEN} when there is none or it is masked:
 *                   the tunnel then lasts to the end of the capture
 */
public record Tunnel(
    String uid,
    long line,
    String tunnelType,
    int ipVersion,
    long origHi, long origLo, int origPort,
    long respHi, long respLo, int respPort,
    long fromNanos,
    long toNanos) {

    /** {@link #toNanos()} of a tunnel that was not closed in its log. */
    public static final long OPEN = Long.MAX_VALUE;

    /** A tunnel known from one row so far. */
    static Tunnel of(final TunnelRecord r) {
        final boolean discover = TunnelRecord.DISCOVER.equals(r.action());
        final boolean end = isEnd(r.action());
        return new Tunnel(r.uid(), r.line(), r.tunnelType(), r.ipVersion(), r.origHi(), r.origLo(), r.origPort(),
            r.respHi(), r.respLo(), r.respPort(),
            discover ? r.tsNanos() : ConnRecord.NO_TIMESTAMP,
            end && r.hasTimestamp() ? r.tsNanos() : OPEN);
    }

    /** This tunnel with one more of its rows taken in. */
    Tunnel with(final TunnelRecord r) {
        long from = fromNanos;
        long to = toNanos;
        if (TunnelRecord.DISCOVER.equals(r.action()) && from != ConnRecord.NO_TIMESTAMP) {
            from = r.hasTimestamp() ? Math.min(from, r.tsNanos()) : ConnRecord.NO_TIMESTAMP;
        }
        if (isEnd(r.action())) {
            to = !r.hasTimestamp() ? OPEN : to == OPEN ? r.tsNanos() : Math.max(to, r.tsNanos());
        }
        return new Tunnel(uid, line, tunnelType, ipVersion, origHi, origLo, origPort, respHi, respLo, respPort, from, to);
    }

    private static boolean isEnd(final String action) {
        return TunnelRecord.CLOSE.equals(action) || TunnelRecord.EXPIRE.equals(action);
    }
}
