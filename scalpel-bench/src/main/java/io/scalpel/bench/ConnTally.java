package io.scalpel.bench;

/**
 * What Zeek counts of one connection of a traffic-shaped capture as its packets go by
 * (DOMAIN-NOTES section 2), for its conn.log row: packets, payload bytes and IP bytes per
 * direction, the history (each letter once per direction, upper case from the originator), and
 * for TCP the time at which both endpoints had closed (each sent a FIN or an RST), where the
 * logged duration ends, and the conn_state that what each endpoint sent makes.
 */
final class ConnTally {
    private final int proto;
    private long firstTs = -1;
    private long lastTs;
    private long closedAt = -1;
    private boolean origClosed;
    private boolean respClosed;
    private boolean origFin;
    private boolean respFin;
    private boolean origRst;
    private boolean respRst;
    private boolean answeredSyn;
    private long origPkts;
    private long respPkts;
    private long origBytes;
    private long respBytes;
    private long origIpBytes;
    private long respIpBytes;
    private final StringBuilder history = new StringBuilder(12);
    private long historySeen;

    /** The tally of a connection of IP protocol {@code proto}. */
    ConnTally(final int proto) {
        this.proto = proto;
    }

    /**
     * Counts a packet sent at {@code ts} (µs) with an IP packet of {@code ipLength} bytes,
     * {@code payload} bytes above its transport header, and (TCP) {@code flags}.
     */
    void sent(final long ts, final boolean fromOrig, final int flags, final int payload, final int ipLength) {
        if (firstTs < 0) {
            firstTs = ts;
        }
        lastTs = ts;
        if (fromOrig) {
            origPkts++;
            origBytes += payload;
            origIpBytes += ipLength;
        } else {
            respPkts++;
            respBytes += payload;
            respIpBytes += ipLength;
        }
        if (proto == TrafficConnection.PROTO_TCP) {
            tcpSent(fromOrig, flags, payload, ts);
        } else if (proto == TrafficConnection.PROTO_UDP && payload > 0) {
            history(fromOrig, 'D');
        }
    }

    private void tcpSent(final boolean fromOrig, final int flags, final int payload, final long ts) {
        if ((flags & TrafficConnection.TCP_SYN) != 0) {
            history(fromOrig, (flags & TrafficConnection.TCP_ACK) != 0 ? 'H' : 'S');
            answeredSyn |= !fromOrig && (flags & TrafficConnection.TCP_ACK) != 0;
        } else if (payload > 0) {
            history(fromOrig, 'D');
        } else if ((flags & (TrafficConnection.TCP_FIN | TrafficConnection.TCP_RST)) == 0) {
            history(fromOrig, 'A');
        }
        if ((flags & TrafficConnection.TCP_FIN) != 0) {
            history(fromOrig, 'F');
        }
        if ((flags & TrafficConnection.TCP_RST) != 0) {
            history(fromOrig, 'R');
        }
        if ((flags & (TrafficConnection.TCP_FIN | TrafficConnection.TCP_RST)) != 0) {
            if (fromOrig) {
                origClosed = true;
                origFin |= (flags & TrafficConnection.TCP_FIN) != 0;
                origRst |= (flags & TrafficConnection.TCP_RST) != 0;
            } else {
                respClosed = true;
                respFin |= (flags & TrafficConnection.TCP_FIN) != 0;
                respRst |= (flags & TrafficConnection.TCP_RST) != 0;
            }
            if (origClosed && respClosed && closedAt < 0) {
                closedAt = ts;
            }
        }
    }

    /** Zeek's history letters: upper case from the originator, each letter once per direction. */
    private void history(final boolean fromOrig, final char letter) {
        final long bit = 1L << (letter - 'A' + (fromOrig ? 0 : 32));
        if ((historySeen & bit) == 0) {
            historySeen |= bit;
            history.append(fromOrig ? letter : Character.toLowerCase(letter));
        }
    }

    /** Timestamp (µs) of the first packet sent; -1 before any. */
    long firstTs() {
        return firstTs;
    }

    /**
     * Zeek's duration (µs): to the packet that closed the second endpoint of a TCP connection
     * both of whose endpoints closed, else to the last packet.
     */
    long duration() {
        return (closedAt >= 0 ? closedAt : lastTs) - firstTs;
    }

    long origPkts() {
        return origPkts;
    }

    long respPkts() {
        return respPkts;
    }

    long origBytes() {
        return origBytes;
    }

    long respBytes() {
        return respBytes;
    }

    long origIpBytes() {
        return origIpBytes;
    }

    long respIpBytes() {
        return respIpBytes;
    }

    String history() {
        return history.toString();
    }

    /** Zeek's conn_state, from what each endpoint sent. */
    String connState() {
        if (proto != TrafficConnection.PROTO_TCP) {
            return respPkts > 0 ? "SF" : "S0";
        }
        if (!answeredSyn) {
            return respRst ? "REJ" : "S0";
        }
        if (origRst) {
            return "RSTO";
        }
        if (respRst) {
            return "RSTR";
        }
        if (origFin && respFin) {
            return "SF";
        }
        return origFin ? "S2" : respFin ? "S3" : "S1";
    }
}
