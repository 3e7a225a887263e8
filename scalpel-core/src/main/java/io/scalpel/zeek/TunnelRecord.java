package io.scalpel.zeek;

/**
 * One tunnel.log row: Zeek's record of a tunnel being discovered or closed. Addresses are in the
 * two-long form of {@link io.scalpel.decode.FlowKey}; times are nanoseconds since the epoch.
 *
 * @param uid        the tunnel's uid (named by its inner connections' {@code tunnel_parents})
 * @param line       1-based line in its log, for messages
 * @param tsNanos    {@code ts}, or {@link ConnRecord#NO_TIMESTAMP} when absent, unset or masked
 * @param ipVersion  4 or 6
 * @param origPort   {@code id.orig_p}: 0 for GRE and IP-in-IP tunnels, the UDP port for UDP tunnels
 * @param respPort   {@code id.resp_p}, likewise
 * @param tunnelType {@code tunnel_type} as logged, e.g. {@code Tunnel::GRE}, {@code Tunnel::IP},
 *                   {@code Tunnel::VXLAN}
 * @param action     {@code action} as logged: {@code Tunnel::DISCOVER}, {@code Tunnel::CLOSE} or
 *                   {@code Tunnel::EXPIRE}
 */
public record TunnelRecord(
    String uid,
    long line,
    long tsNanos,
    int ipVersion,
    long origHi, long origLo, int origPort,
    long respHi, long respLo, int respPort,
    String tunnelType,
    String action) {

    public static final String DISCOVER = "Tunnel::DISCOVER";
    public static final String CLOSE = "Tunnel::CLOSE";
    public static final String EXPIRE = "Tunnel::EXPIRE";

    public boolean hasTimestamp() {
        return tsNanos != ConnRecord.NO_TIMESTAMP;
    }
}
