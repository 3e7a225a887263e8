package io.scalpel.testdata;

/** One connection as planned: its key, where it is captured, and (after ordering) its truth. */
final class PlannedConn {
    final String uid;
    final ConversationKind kind;
    final byte[] orig;
    final byte[] resp;
    /** Zeek's ports: TCP/UDP ports, ICMP type and counterpart/code, 0 for unknown transports. */
    final int origPort;
    final int respPort;
    final Lane lane;
    final int[] vlanTags;
    /** Tags of the second copy of every packet (router on a stick), or null. */
    int[] duplicateTags;

    int origTtl = 64;
    int respTtl = 64;
    int origFlowLabel;
    int respFlowLabel;
    /** IPv4 options some of this conversation's packets carry (multiple of 4 bytes). */
    byte[] ipv4Options = new byte[0];
    /** IPv6 extension headers (hop-by-hop 0, destination options 60) some packets carry. */
    int[] ipv6Extensions = new int[0];

    /** Last nominal packet time, for planning a reuse of the tuple. */
    long lastPlannedNanos;
    /** TCP: nominal time of the packet that closed the second endpoint; 0 when the connection did not close. */
    long closeNanos;
    /** TCP: the second FIN was sent again after the close (the tuple is not reused before that). */
    boolean closingSentAgain;

    long origBytes;
    long respBytes;
    String connState = "OTH";
    final StringBuilder history = new StringBuilder();

    PlannedConn(final String uid, final ConversationKind kind, final byte[] orig, final byte[] resp, final int origPort,
                final int respPort, final Lane lane, final int[] vlanTags) {
        this.uid = uid;
        this.kind = kind;
        this.orig = orig;
        this.resp = resp;
        this.origPort = origPort;
        this.respPort = respPort;
        this.lane = lane;
        this.vlanTags = vlanTags;
    }

    boolean isIpv6() {
        return orig.length == IpPackets.IPV6_ADDRESS_LENGTH;
    }

    /** Adds a letter to the history the first time it happens, as Zeek does. */
    void history(final char letter) {
        if (history.indexOf(String.valueOf(letter)) < 0) {
            history.append(letter);
        }
    }
}
