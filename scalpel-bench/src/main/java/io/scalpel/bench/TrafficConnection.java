package io.scalpel.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * One connection of a traffic-shaped capture ({@link TrafficCapture}): its endpoints, the packets
 * it sends next, and what Zeek logs for it.
 *
 * <p>The packets are planned a phase at a time (the handshake, a request, up to
 * {@link #PLAN_CAPACITY} segments of a response, the close) into a small ring, so a transfer of
 * thousands of segments holds no more than a DNS query does. Timestamps within a connection never
 * go back. What the connection is counts as Zeek counts it (DOMAIN-NOTES section 2): packets
 * and payload bytes per direction, a history, and for TCP the time at which both endpoints had
 * closed (each sent a FIN or an RST), where the logged duration ends; the packets after it (the
 * last ACK, a FIN sent again, a late RST), all within Zeek's 5 s tcp_close_delay, still count.
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
    /** Packets planned at most at once. */
    static final int PLAN_CAPACITY = 64;

    private static final int PAYLOAD_MASK = 0xFFFF;
    private static final int FLAGS_SHIFT = 16;
    private static final int FROM_ORIG = 1 << 24;
    /** The packet repeats the sender's last FIN (same sequence number). */
    private static final int RETRANSMISSION = 1 << 25;
    private static final long MS = 1_000;
    private static final long SECOND = 1_000_000;
    private static final int MSS_V4 = 1448; // 1514-byte frames: Ethernet 14, IPv4 20, TCP 32 (timestamps)
    private static final int MSS_V6 = 1428; // Ethernet 14, IPv6 40, TCP 32
    private static final int NTP_PAYLOAD = 48;
    private static final int ICMP_ECHO_PAYLOAD = 56;
    private static final int DNS_HEADER = 12;
    private static final int DNS_TYPE_A = 1;
    private static final int DNS_TYPE_AAAA = 28;
    private static final String[] DNS_HOSTS = {"www", "api", "cdn", "img", "static", "mail", "login", "update", "edge",
        "telemetry", "ocsp", "time", "assets", "auth"};
    private static final String[] DNS_DOMAINS = {"example", "contoso", "fabrikam", "northwind", "acme", "globex",
        "initech", "umbrella", "hooli", "wonka"};
    private static final int[] OTHER_TCP_PORTS = {993, 8080, 8443, 25, 587, 5222, 3389, 445};
    private static final String[] DNS_SUFFIXES = {"com", "net", "org", "io", "de", "co.uk"};

    private enum Phase { HANDSHAKE, REQUEST, RESPONSE, KEYSTROKE, CLOSE, DONE }

    private enum Closing { GRACEFUL, FIN_SENT_AGAIN, FIN_THEN_RST, ABORT, OPEN }

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

    private final long[] planTs = new long[PLAN_CAPACITY];
    private final int[] planMeta = new int[PLAN_CAPACITY];
    private int head;
    private int planned;
    /** Timestamp (µs) of the last packet planned: the next phase starts from it; it never goes back. */
    private long cursor;
    /** Where a response's segments have got to (µs): the next one follows it by about {@link #segmentGap}. */
    private long clock;
    private Phase phase;
    private int roundsLeft;
    /** TLS handshake rounds still to come before the first request: ClientHello, then the client's Finished. */
    private int tlsRoundsLeft;
    private int segmentsLeft;
    private int lastSegmentPayload;
    private long segmentGap;
    private int unacked;
    /** Response segments planned so far: the client acknowledges each of its first ones (quick ACKs). */
    private int segmentsPlanned;
    private static final int QUICK_ACKS = 10;
    private final long rtt;

    private long origSeq;
    private long respSeq;
    private int origIpId;
    private int respIpId;
    private int icmpRequests;
    private byte[] dnsQuestion;
    private int dnsId;
    private int dnsAnswers;

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
        this.cursor = startMicros;
        this.phase = Phase.HANDSHAKE;
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
        return planned == 0;
    }

    /** Timestamp (µs) of the next packet. */
    long nextTs() {
        return planTs[head];
    }

    /** Direction of the next packet. */
    boolean nextFromOrig() {
        return (planMeta[head] & FROM_ORIG) != 0;
    }

    /** TCP flags of the next packet (0 for UDP and ICMP). */
    int nextFlags() {
        return (planMeta[head] >>> FLAGS_SHIFT) & 0xFF;
    }

    /** Payload bytes of the next packet (above its TCP, UDP or ICMP header). */
    int nextPayload() {
        return planMeta[head] & PAYLOAD_MASK;
    }

    /** Sequence number of the next packet (TCP). */
    long nextSeq() {
        final long seq = nextFromOrig() ? origSeq : respSeq;
        return (planMeta[head] & RETRANSMISSION) != 0 ? (seq - 1) & 0xFFFF_FFFFL : seq;
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
        final boolean query = nextFromOrig();
        final int type = dnsQuestionType();
        int p = at;
        frame[p] = (byte) (dnsId >>> 8);
        frame[p + 1] = (byte) dnsId;
        frame[p + 2] = (byte) (query ? 0x01 : 0x81); // query with recursion desired; response, recursion available
        frame[p + 3] = (byte) (query ? 0x00 : 0x80);
        frame[p + 5] = 1; // one question
        frame[p + 7] = (byte) (query ? 0 : dnsAnswers);
        p += DNS_HEADER;
        System.arraycopy(dnsQuestion, 0, frame, p, dnsQuestion.length);
        p += dnsQuestion.length;
        if (query) {
            return;
        }
        final int rdLength = type == DNS_TYPE_AAAA ? 16 : 4;
        for (int i = 0; i < dnsAnswers; i++) {
            frame[p] = (byte) 0xC0; // the name: a pointer to the question's
            frame[p + 1] = DNS_HEADER;
            frame[p + 3] = (byte) type;
            frame[p + 5] = 1; // class IN
            frame[p + 8] = 1; // TTL 300 s
            frame[p + 9] = 44;
            frame[p + 11] = (byte) rdLength;
            final long address = Long.rotateLeft(serial * 0x9E37_79B9_7F4A_7C15L, 8 * i);
            for (int j = 0; j < rdLength; j++) {
                frame[p + 12 + j] = (byte) (address >>> (8 * (j & 7)));
            }
            p += 12 + rdLength;
        }
    }

    private int dnsQuestionType() {
        return (dnsQuestion[dnsQuestion.length - 3] & 0xFF);
    }

    /**
     * Records that the next packet was written at its timestamp with an IP packet of
     * {@code ipLength} bytes, and moves on to the packet after it.
     */
    void sent(final int ipLength) {
        final long ts = planTs[head];
        final int meta = planMeta[head];
        final boolean fromOrig = (meta & FROM_ORIG) != 0;
        final int flags = (meta >>> FLAGS_SHIFT) & 0xFF;
        final int payload = meta & PAYLOAD_MASK;
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
        if (proto == PROTO_TCP) {
            tcpSent(fromOrig, flags, payload, (meta & RETRANSMISSION) != 0, ts);
        } else if (proto == PROTO_UDP && payload > 0) {
            history(fromOrig, 'D');
        }
        if (proto == PROTO_ICMP && fromOrig) {
            icmpRequests++;
        }
        head = (head + 1) % PLAN_CAPACITY;
        planned--;
        if (planned == 0 && phase != Phase.DONE) {
            plan();
        }
    }

    private void tcpSent(final boolean fromOrig, final int flags, final int payload, final boolean retransmission, final long ts) {
        if (!retransmission) {
            final long advance = payload + ((flags & TCP_SYN) != 0 ? 1 : 0) + ((flags & TCP_FIN) != 0 ? 1 : 0);
            if (fromOrig) {
                origSeq = (origSeq + advance) & 0xFFFF_FFFFL;
            } else {
                respSeq = (respSeq + advance) & 0xFFFF_FFFFL;
            }
        }
        if ((flags & TCP_SYN) != 0) {
            history(fromOrig, (flags & TCP_ACK) != 0 ? 'H' : 'S');
            answeredSyn |= !fromOrig && (flags & TCP_ACK) != 0;
        } else if (payload > 0) {
            history(fromOrig, 'D');
        } else if ((flags & (TCP_FIN | TCP_RST)) == 0) {
            history(fromOrig, 'A');
        }
        if ((flags & TCP_FIN) != 0) {
            history(fromOrig, 'F');
        }
        if ((flags & TCP_RST) != 0) {
            history(fromOrig, 'R');
        }
        if ((flags & (TCP_FIN | TCP_RST)) != 0) {
            if (fromOrig) {
                origClosed = true;
                origFin |= (flags & TCP_FIN) != 0;
                origRst |= (flags & TCP_RST) != 0;
            } else {
                respClosed = true;
                respFin |= (flags & TCP_FIN) != 0;
                respRst |= (flags & TCP_RST) != 0;
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

    // --- what the conn.log says ---------------------------------------------------------------

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

    /** Zeek's service: what a protocol analyzer would have recognised. */
    String service() {
        return kind == Kind.DNS ? "dns" : "-";
    }

    /** Zeek's conn_state, from what each endpoint sent. */
    String connState() {
        if (proto != PROTO_TCP) {
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

    // --- planning ------------------------------------------------------------------------------

    private void add(final long ts, final boolean fromOrig, final int flags, final int payload) {
        add(ts, fromOrig, flags, payload, false);
    }

    private void add(final long ts, final boolean fromOrig, final int flags, final int payload, final boolean retransmission) {
        if (planned == PLAN_CAPACITY) {
            throw new IllegalStateException("plan of " + uid + " is full");
        }
        final long at = Math.max(ts, cursor);
        final int slot = (head + planned) % PLAN_CAPACITY;
        planTs[slot] = at;
        planMeta[slot] = (payload & PAYLOAD_MASK) | (flags & 0xFF) << FLAGS_SHIFT | (fromOrig ? FROM_ORIG : 0)
            | (retransmission ? RETRANSMISSION : 0);
        planned++;
        cursor = at;
    }

    /** Plans the next phase: at least one packet, unless the connection is over. */
    private void plan() {
        while (planned == 0 && phase != Phase.DONE) {
            switch (kind) {
                case DNS -> planDns();
                case NTP -> planNtp();
                case ICMP_ECHO -> planEcho();
                default -> planTcp();
            }
        }
    }

    private void planDns() {
        dnsId = rnd.nextInt(0x10000);
        dnsAnswers = 1 + (rnd.nextInt(3) == 0 ? rnd.nextInt(8) : 0);
        dnsQuestion = dnsQuestion(rnd);
        final int query = DNS_HEADER + dnsQuestion.length;
        final int response = query + dnsAnswers * (12 + (dnsQuestionType() == DNS_TYPE_AAAA ? 16 : 4));
        final long lookup = 300 + (long) (Math.pow(rnd.nextDouble(), 3) * 80 * MS);
        final int roll = rnd.nextInt(100);
        add(cursor, true, 0, query);
        if (roll < 4) {
            // unanswered
        } else if (roll < 9) {
            // the resolver answered only the query sent again a second later
            add(cursor + SECOND, true, 0, query);
            add(cursor + lookup, false, 0, response);
        } else {
            add(cursor + lookup, false, 0, response);
        }
        phase = Phase.DONE;
    }

    private static byte[] dnsQuestion(final SplittableRandom rnd) {
        final String name = DNS_HOSTS[rnd.nextInt(DNS_HOSTS.length)] + (rnd.nextInt(3) == 0 ? Integer.toString(rnd.nextInt(100)) : "")
            + "." + DNS_DOMAINS[rnd.nextInt(DNS_DOMAINS.length)] + (rnd.nextBoolean() ? Integer.toString(rnd.nextInt(1000)) : "")
            + "." + DNS_SUFFIXES[rnd.nextInt(DNS_SUFFIXES.length)];
        final byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        final byte[] q = new byte[ascii.length + 2 + 4];
        int label = 0;
        for (int i = 0; i <= ascii.length; i++) {
            if (i == ascii.length || ascii[i] == '.') {
                q[label] = (byte) (i - label);
                label = i + 1;
            } else {
                q[i + 1] = ascii[i];
            }
        }
        // after the root label: type and class IN
        q[q.length - 3] = (byte) (rnd.nextInt(10) < 7 ? DNS_TYPE_A : DNS_TYPE_AAAA);
        q[q.length - 1] = 1;
        return q;
    }

    private void planNtp() {
        add(cursor, true, 0, NTP_PAYLOAD);
        if (rnd.nextInt(100) >= 3) {
            add(cursor + rtt, false, 0, NTP_PAYLOAD);
        }
        phase = Phase.DONE;
    }

    private void planEcho() {
        final int pings = 1 + rnd.nextInt(4);
        for (int i = 0; i < pings; i++) {
            final long sentAt = cursor + (i == 0 ? 0 : SECOND - rtt);
            add(sentAt, true, 0, ICMP_ECHO_PAYLOAD);
            if (rnd.nextInt(100) >= 5) {
                add(sentAt + rtt, false, 0, ICMP_ECHO_PAYLOAD);
            }
        }
        phase = Phase.DONE;
    }

    private void planTcp() {
        switch (phase) {
            case HANDSHAKE -> planHandshake();
            case REQUEST -> planRequest();
            case RESPONSE -> planResponse();
            case KEYSTROKE -> planKeystroke();
            case CLOSE -> planClose();
            default -> throw new IllegalStateException(phase.name());
        }
    }

    private void planHandshake() {
        final int roll = rnd.nextInt(100);
        if (kind == Kind.WEB && roll < 3) {
            // nobody answers: the SYN is sent again after 1 s and 3 s more
            add(cursor, true, TCP_SYN, 0, false);
            add(cursor + SECOND, true, TCP_SYN, 0, true);
            add(cursor + 2 * SECOND, true, TCP_SYN, 0, true);
            phase = Phase.DONE;
            return;
        }
        if (kind == Kind.WEB && roll < 5) {
            // refused
            add(cursor, true, TCP_SYN, 0);
            add(cursor + rtt, false, TCP_RST | TCP_ACK, 0);
            phase = Phase.DONE;
            return;
        }
        add(cursor, true, TCP_SYN, 0);
        add(cursor + rtt, false, TCP_SYN | TCP_ACK, 0);
        add(cursor + 20 + rnd.nextInt(300), true, TCP_ACK, 0);
        switch (kind) {
            case WEB -> roundsLeft = rnd.nextInt(100) < 65 ? 1 : 2 + rnd.nextInt(3);
            case BULK -> roundsLeft = 1;
            default -> roundsLeft = (int) logUniform(20, 600);
        }
        tlsRoundsLeft = respPort == 443 || respPort == 8443 || respPort == 993 ? 2 : 0;
        phase = kind == Kind.INTERACTIVE ? Phase.KEYSTROKE : Phase.REQUEST;
    }

    private void planRequest() {
        final boolean first = origBytes == 0;
        final long think = first || tlsRoundsLeft > 0 ? 100 + rnd.nextInt(3000)
            : 5 * MS + (long) (-Math.log(1 - rnd.nextDouble()) * 300 * MS);
        final int mss = v6 ? MSS_V6 : MSS_V4;
        final long bytes;
        if (tlsRoundsLeft == 2) {
            // ClientHello; ServerHello, certificates and the server's Finished
            add(cursor + think, true, TCP_PSH | TCP_ACK, 300 + rnd.nextInt(400));
            bytes = 2800 + rnd.nextInt(2800);
            segmentGap = 15 + rnd.nextInt(185);
        } else if (tlsRoundsLeft == 1) {
            // the client's Finished; the server's session tickets
            add(cursor + think, true, TCP_PSH | TCP_ACK, 64 + rnd.nextInt(70));
            bytes = 200 + rnd.nextInt(300);
            segmentGap = 15 + rnd.nextInt(185);
        } else {
            add(cursor + think, true, TCP_PSH | TCP_ACK, 150 + rnd.nextInt(1100));
            bytes = responseBytes(mss);
        }
        segmentsLeft = (int) ((bytes + mss - 1) / mss);
        lastSegmentPayload = (int) (bytes - (long) (segmentsLeft - 1) * mss);
        unacked = 0;
        final long requestAt = cursor;
        if (rnd.nextBoolean()) {
            // the server acknowledges the request before it answers
            add(requestAt + rtt, false, TCP_ACK, 0);
        }
        // the server's time to answer, counted from the request; the first segment follows one gap later
        clock = requestAt + rtt + 300 + rnd.nextInt(30_000) - segmentGap;
        phase = Phase.RESPONSE;
        planResponse();
    }

    /** Size of a response (sets {@link #segmentGap}, how fast it comes). */
    private long responseBytes(final int mss) {
        final long bytes;
        if (kind == Kind.BULK) {
            bytes = (long) logUniform(100, 3000) * mss;
            segmentGap = 40 + rnd.nextInt(760);
        } else {
            final int roll = rnd.nextInt(100);
            bytes = roll < 55 ? 200 + rnd.nextInt(mss - 200) : roll < 92 ? (long) ((1 + rnd.nextDouble() * 5) * mss)
                : (long) ((6 + rnd.nextDouble() * 24) * mss);
            segmentGap = 15 + rnd.nextInt(385);
        }
        return bytes;
    }

    /**
     * Up to a ring's worth of the response's segments, the client acknowledging each of the first
     * {@link #QUICK_ACKS} segments of the connection and every second one after them, as Linux does.
     */
    private void planResponse() {
        final int mss = v6 ? MSS_V6 : MSS_V4;
        while (segmentsLeft > 0 && planned <= PLAN_CAPACITY - 2) {
            final boolean last = segmentsLeft == 1;
            final long gap = segmentGap / 2 + rnd.nextLong(Math.max(1, segmentGap));
            final long at = Math.max(cursor, clock + Math.max(3, gap));
            clock = at;
            add(at, false, TCP_ACK | (last ? TCP_PSH : 0), last ? lastSegmentPayload : mss);
            segmentsLeft--;
            segmentsPlanned++;
            if (++unacked == 2 || last || segmentsPlanned <= QUICK_ACKS) {
                add(at + 1 + rnd.nextLong(Math.max(1, segmentGap / 3)), true, TCP_ACK, 0);
                unacked = 0;
            }
            if (kind == Kind.BULK && rnd.nextInt(400) == 0) {
                clock += 10 * MS + rnd.nextInt(300) * MS; // the sender stalls
            }
        }
        if (segmentsLeft == 0) {
            if (tlsRoundsLeft > 0) {
                tlsRoundsLeft--;
            } else {
                roundsLeft--;
            }
            phase = roundsLeft > 0 ? (kind == Kind.INTERACTIVE ? Phase.KEYSTROKE : Phase.REQUEST) : Phase.CLOSE;
        }
    }

    private void planKeystroke() {
        final long idle = Math.min(30 * SECOND, 20 * MS + (long) (-Math.log(1 - rnd.nextDouble()) * 1500 * MS));
        add(cursor + idle, true, TCP_PSH | TCP_ACK, 36 + rnd.nextInt(64));
        if (rnd.nextInt(10) == 0) {
            // a command's output: a few full segments
            final int mss = v6 ? MSS_V6 : MSS_V4;
            segmentsLeft = 2 + rnd.nextInt(11);
            lastSegmentPayload = 100 + rnd.nextInt(mss - 100);
            segmentGap = 50 + rnd.nextInt(400);
            unacked = 0;
            clock = cursor + rtt - segmentGap;
            phase = Phase.RESPONSE;
            planResponse();
            return;
        }
        add(cursor + rtt, false, TCP_PSH | TCP_ACK, 36 + rnd.nextInt(164));
        add(cursor + 20 + rnd.nextInt(40 * 1000), true, TCP_ACK, 0);
        if (--roundsLeft == 0) {
            phase = Phase.CLOSE;
        }
    }

    /** The endings real connections have (as the test captures' generator plans them). */
    private void planClose() {
        // most close at once; kept-alive connections idle until a timeout first
        final long idle = rnd.nextInt(100) < 30 ? SECOND + rnd.nextLong(64 * SECOND) : 100 + rnd.nextLong(50 * MS);
        final long t = cursor + idle;
        final int roll = rnd.nextInt(100);
        final Closing closing = roll < 55 ? Closing.GRACEFUL : roll < 65 ? Closing.FIN_SENT_AGAIN : roll < 75 ? Closing.FIN_THEN_RST
            : roll < 88 ? Closing.ABORT : Closing.OPEN;
        final int finAck = TCP_FIN | TCP_ACK;
        final int rstAck = TCP_RST | TCP_ACK;
        switch (closing) {
            case GRACEFUL, FIN_SENT_AGAIN -> {
                final boolean origFirst = rnd.nextInt(10) < 7;
                add(t, origFirst, finAck, 0);
                add(t + rtt, !origFirst, finAck, 0);
                add(cursor + 20 + rnd.nextLong(2 * MS), origFirst, TCP_ACK, 0);
                if (closing == Closing.FIN_SENT_AGAIN) {
                    // the last ACK was lost: the second FIN is sent again, and acknowledged again
                    add(cursor + 200 * MS + rnd.nextLong(1300 * MS), !origFirst, finAck, 0, true);
                    add(cursor + rtt, origFirst, TCP_ACK, 0);
                }
            }
            case FIN_THEN_RST -> {
                add(t, true, finAck, 0);
                add(t + rtt, false, rstAck, 0);
                if (rnd.nextBoolean()) {
                    // an ACK that crossed the RST, and the RST it draws
                    add(cursor + 20 + rnd.nextLong(2 * MS), true, TCP_ACK, 0);
                    add(cursor + rtt, false, rstAck, 0);
                }
            }
            case ABORT -> {
                add(t, true, rstAck, 0);
                if (rnd.nextBoolean()) {
                    // data already in flight from the responder, and the RST it draws
                    add(cursor + MS + rnd.nextLong(50 * MS), false, TCP_PSH | TCP_ACK, 1 + rnd.nextInt(1000));
                    add(cursor + 20 + rnd.nextLong(2 * MS), true, TCP_RST, 0);
                }
            }
            default -> {
                // never closed in the capture: one last request, sometimes acknowledged
                add(t, true, TCP_PSH | TCP_ACK, 1 + rnd.nextInt(500));
                if (rnd.nextBoolean()) {
                    add(cursor + rtt, false, TCP_ACK, 0);
                }
            }
        }
        phase = Phase.DONE;
    }

    private double logUniform(final double low, final double high) {
        return low * Math.exp(rnd.nextDouble() * Math.log(high / low));
    }
}
