package io.scalpel.bench;

import java.util.SplittableRandom;

/**
 * One connection of a traffic-shaped capture ({@link TrafficCapture}): its endpoints, the packets
 * it sends next, and what Zeek logs for it.
 *
 * <p>The packets are planned a phase at a time (the handshake, a request, up to
 * {@link PacketPlan#CAPACITY} segments of a response, the close) into a small ring
 * ({@link PacketPlan}), so a transfer of thousands of segments holds no more than a DNS query does;
 * TCP's phases are {@link TcpExchange}'s, a DNS query and its answer {@link DnsExchange}'s.
 * Timestamps within a connection never go back. What the connection is counts as Zeek counts it
 * ({@link ConnTally}); the packets after both endpoints closed (the last ACK, a FIN sent again, a
 * late RST), all within Zeek's 5 s tcp_close_delay, still count.
 */
final class TrafficConnection {
    /** What kind of exchange a connection is. */
    enum Kind {
        /** A DNS query and its response over UDP; sometimes unanswered, or asked twice. */
        DNS,
        /** An NTP request and reply over UDP. */
        NTP,
        /** One to four ICMP echo requests and their replies, a second apart. */
        ICMP_ECHO,
        /** A short TCP connection: handshake, one or a few request/response rounds, a close. */
        WEB,
        /** A long TCP download: hundreds to thousands of full-size segments. */
        BULK,
        /** A long interactive TCP session (ssh-like): small packets over minutes. */
        INTERACTIVE
    }

    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    static final int TCP_PSH = 0x08;
    static final int TCP_ACK = 0x10;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int PROTO_ICMPV6 = 58;

    private static final long MS = 1_000;
    private static final long SECOND = 1_000_000;
    private static final int NTP_PAYLOAD = 48;
    private static final int ICMP_ECHO_PAYLOAD = 56;
    private static final int[] OTHER_TCP_PORTS = {993, 8080, 8443, 25, 587, 5222, 3389, 445};

    final String uid;
    final Kind kind;
    final int proto;
    final boolean v6;
    final int client;
    final long origHi;
    final long origLo;
    final long respHi;
    final long respLo;
    final int origPort;
    final int respPort;
    final int outerVlan;
    final int innerVlan;
    final long serial;
    private final SplittableRandom rnd;
    private final long rtt;
    private final PacketPlan plan;
    private final ConnTally tally;
    /** The TCP phases still to plan; null for UDP and ICMP. */
    private final TcpExchange tcp;
    /** A UDP or ICMP connection's packets are all planned. */
    private boolean planned;
    private DnsExchange dns;

    private long origSeq;
    private long respSeq;
    private int origIpId;
    private int respIpId;
    private int icmpRequests;

    /**
     * A connection of {@code kind} whose first packet is at {@code startMicros}; {@code serial}
     * numbers connections in the order they start, {@code uid} is its conn.log uid.
     */
    TrafficConnection(final Kind kind, final TrafficHosts hosts, final SplittableRandom rnd, final long startMicros,
                      final long serial, final String uid) {
        this.kind = kind;
        this.rnd = rnd;
        this.serial = serial;
        this.uid = uid;
        this.proto = kind == Kind.DNS || kind == Kind.NTP ? PROTO_UDP : kind == Kind.ICMP_ECHO ? PROTO_ICMP : PROTO_TCP;
        this.v6 = kind != Kind.NTP && rnd.nextInt(100) < 22;
        this.client = hosts.pickClient(rnd, v6);
        this.origHi = hosts.clientHi(client);
        this.origLo = hosts.clientLo(client);
        this.outerVlan = hosts.outerVlan(client);
        this.innerVlan = hosts.innerVlan(client);
        final long[] server = new long[2];
        switch (kind) {
            case DNS -> hosts.pickResolver(rnd, v6, server);
            case NTP -> hosts.pickNtpServer(rnd, server);
            default -> hosts.pickServer(rnd, v6, server);
        }
        this.respHi = server[0];
        this.respLo = server[1];
        this.origPort = proto == PROTO_ICMP ? (v6 ? 128 : 8) : hosts.nextPort(client);
        this.respPort = switch (kind) {
            case DNS -> 53;
            case NTP -> 123;
            case ICMP_ECHO -> v6 ? 129 : 0;
            case BULK -> rnd.nextInt(4) == 0 ? 80 : 443;
            case INTERACTIVE -> 22;
            case WEB -> webPort(rnd);
        };
        // round-trip times: mostly a few ms, some across continents
        final double r = rnd.nextDouble();
        this.rtt = 200 + (long) (r * r * r * 150 * MS);
        this.origSeq = rnd.nextLong() & 0xFFFF_FFFFL;
        this.respSeq = rnd.nextLong() & 0xFFFF_FFFFL;
        this.origIpId = rnd.nextInt(0x10000);
        this.respIpId = rnd.nextInt(0x10000);
        this.plan = new PacketPlan(uid, startMicros);
        this.tally = new ConnTally(proto);
        this.tcp = proto == PROTO_TCP ? new TcpExchange(kind, rnd, v6, respPort, rtt, plan, tally) : null;
        plan();
    }

    private static int webPort(final SplittableRandom rnd) {
        final int roll = rnd.nextInt(100);
        if (roll < 72) {
            return 443;
        }
        if (roll < 92) {
            return 80;
        }
        return OTHER_TCP_PORTS[rnd.nextInt(OTHER_TCP_PORTS.length)];
    }

    // --- what the capture loop asks ------------------------------------------------------------

    /** True when every packet has been sent. */
    boolean done() {
        return plan.isEmpty();
    }

    /** Timestamp (µs) of the next packet. */
    long nextTs() {
        return plan.nextTs();
    }

    /** Direction of the next packet. */
    boolean nextFromOrig() {
        return plan.nextFromOrig();
    }

    /** TCP flags of the next packet (0 for UDP and ICMP). */
    int nextFlags() {
        return plan.nextFlags();
    }

    /** Payload bytes of the next packet (above its TCP, UDP or ICMP header). */
    int nextPayload() {
        return plan.nextPayload();
    }

    /** Sequence number of the next packet (TCP). */
    long nextSeq() {
        final long seq = nextFromOrig() ? origSeq : respSeq;
        return plan.nextRetransmission() ? (seq - 1) & 0xFFFF_FFFFL : seq;
    }

    /** Acknowledgement number of the next packet (TCP): what the sender has received. */
    long nextAck() {
        return nextFromOrig() ? respSeq : origSeq;
    }

    /** The next IPv4 identification of the next packet's sender. */
    int nextIpId() {
        if (nextFromOrig()) {
            origIpId = (origIpId + 1) & 0xFFFF;
            return origIpId;
        }
        respIpId = (respIpId + 1) & 0xFFFF;
        return respIpId;
    }

    /** The ICMP echo sequence number of the next packet (a reply repeats its request's). */
    int nextIcmpSeq() {
        return nextFromOrig() ? icmpRequests + 1 : icmpRequests;
    }

    /** ICMP echo identifier: the same for every packet of the connection. */
    int icmpId() {
        return origPort ^ (int) (serial & 0xFFFF);
    }

    /** True when the next packet's payload is a DNS message ({@link #writeDnsPayload}); other payloads are zeros. */
    boolean nextHasDnsPayload() {
        return kind == Kind.DNS;
    }

    /** Writes the next packet's DNS message (query from the originator, response from the resolver) at {@code at}. */
    void writeDnsPayload(final byte[] frame, final int at) {
        dns.write(frame, at, nextFromOrig(), serial);
    }

    /**
     * Records that the next packet was written at its timestamp with an IP packet of
     * {@code ipLength} bytes, and moves on to the packet after it.
     */
    void sent(final int ipLength) {
        final long ts = plan.nextTs();
        final boolean fromOrig = plan.nextFromOrig();
        final int flags = plan.nextFlags();
        final int payload = plan.nextPayload();
        tally.sent(ts, fromOrig, flags, payload, ipLength);
        if (proto == PROTO_TCP && !plan.nextRetransmission()) {
            final long advance = payload + ((flags & TCP_SYN) != 0 ? 1 : 0) + ((flags & TCP_FIN) != 0 ? 1 : 0);
            if (fromOrig) {
                origSeq = (origSeq + advance) & 0xFFFF_FFFFL;
            } else {
                respSeq = (respSeq + advance) & 0xFFFF_FFFFL;
            }
        }
        if (proto == PROTO_ICMP && fromOrig) {
            icmpRequests++;
        }
        plan.advance();
        if (plan.isEmpty() && !over()) {
            plan();
        }
    }

    // --- what the conn.log says ---------------------------------------------------------------

    /** What Zeek counts of the connection so far: packets, bytes, history, duration, conn_state. */
    ConnTally tally() {
        return tally;
    }

    /** Zeek's service: what a protocol analyzer would have recognised. */
    String service() {
        return kind == Kind.DNS ? "dns" : "-";
    }

    // --- planning ------------------------------------------------------------------------------

    /** Whether every packet of the connection has been planned. */
    private boolean over() {
        return tcp != null ? tcp.over() : planned;
    }

    /** Plans the next phase: at least one packet, unless the connection is over. */
    private void plan() {
        while (plan.isEmpty() && !over()) {
            switch (kind) {
                case DNS -> planDns();
                case NTP -> planNtp();
                case ICMP_ECHO -> planEcho();
                default -> tcp.planPhase();
            }
        }
    }

    private void planDns() {
        dns = new DnsExchange(rnd);
        final int query = dns.queryLength();
        final int response = dns.responseLength();
        final long lookup = 300 + (long) (Math.pow(rnd.nextDouble(), 3) * 80 * MS);
        final int roll = rnd.nextInt(100);
        plan.add(plan.cursor(), true, 0, query);
        if (roll < 4) {
            // unanswered
        } else if (roll < 9) {
            // the resolver answered only the query sent again a second later
            plan.add(plan.cursor() + SECOND, true, 0, query);
            plan.add(plan.cursor() + lookup, false, 0, response);
        } else {
            plan.add(plan.cursor() + lookup, false, 0, response);
        }
        planned = true;
    }

    private void planNtp() {
        plan.add(plan.cursor(), true, 0, NTP_PAYLOAD);
        if (rnd.nextInt(100) >= 3) {
            plan.add(plan.cursor() + rtt, false, 0, NTP_PAYLOAD);
        }
        planned = true;
    }

    private void planEcho() {
        final int pings = 1 + rnd.nextInt(4);
        for (int i = 0; i < pings; i++) {
            final long sentAt = plan.cursor() + (i == 0 ? 0 : SECOND - rtt);
            plan.add(sentAt, true, 0, ICMP_ECHO_PAYLOAD);
            if (rnd.nextInt(100) >= 5) {
                plan.add(sentAt + rtt, false, 0, ICMP_ECHO_PAYLOAD);
            }
        }
        planned = true;
    }
}
