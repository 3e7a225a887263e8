package io.scalpel.testdata;

/**
 * Ground truth for one Zeek connection, with Zeek's semantics: {@code ts} is the first packet
 * delivered to the connection (for a fragmented first datagram, the fragment completing it),
 * {@code duration} runs to the last delivered packet, the originator sent the first packet, a
 * fragmented datagram counts once in the packet counts. Byte counts, state and history are
 * plausible values, not a replay of Zeek's analyzers.
 */
public record TruthConn(
    String uid,
    long tsNanos,
    long durationNanos,
    String proto,
    int ipProto,
    String origH,
    int origP,
    String respH,
    int respP,
    int vlan,
    int innerVlan,
    long origPkts,
    long respPkts,
    long origBytes,
    long respBytes,
    long origIpBytes,
    long respIpBytes,
    String connState,
    String history) {

    public long endNanos() {
        return tsNanos + durationNanos;
    }

    public long pkts() {
        return origPkts + respPkts;
    }
}
