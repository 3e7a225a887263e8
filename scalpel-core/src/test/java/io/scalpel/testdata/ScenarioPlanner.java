package io.scalpel.testdata;

import io.scalpel.testdata.IpPackets.IpPacket;
import io.scalpel.testdata.IpPackets.IpShape;
import io.scalpel.testdata.TransportSegments.Segment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Plans the conversations of a capture and turns them into {@link Emission}s: addresses, ports,
 * timing, every packet's bytes. Each conversation's packets are emitted in time order; the
 * caller sorts all emissions by (timestamp, creation order).
 */
final class ScenarioPlanner {
    static final long MICROS = 1_000L;
    static final long MILLIS = 1_000_000L;
    static final long SECONDS = 1_000_000_000L;
    /** Fragments of one datagram are never further apart than this. */
    static final long MAX_FRAGMENT_SPREAD_NANOS = 5 * MILLIS;

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int UID_RANDOM_CHARS = 17;
    private static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};
    private static final byte[] LLDP_MULTICAST_MAC = {0x01, (byte) 0x80, (byte) 0xc2, 0, 0, 0x0e};
    private static final int[] TCP_SERVER_PORTS = {80, 443, 22, 25, 8080, 8443, 3306, 5432, 993, 445};
    private static final int[] UDP_SERVER_PORTS = {53, 123, 161, 514, 443, 1900, 5060, 69};
    /** UDP ports whose traffic Zeek decapsulates (VXLAN, Geneve, Teredo, AYIYA, GTP-U) or flips on. */
    private static final Set<Integer> AVOIDED_PORTS = Set.of(4789, 6081, 3544, 5072, 2152, 2123, 47808, 5353, 5355);
    private static final int[] VLAN_IDS = {10, 20, 30, 100, 101, 200, 300, 1000, 4000};
    private static final int SCTP_INIT = 1;
    private static final int SCTP_INIT_ACK = 2;
    private static final int SCTP_DATA = 0;
    /** Longest link header: Ethernet with three VLAN tags. */
    private static final int MAX_LINK_HEADER = LinkFrames.ETHERNET_HEADER_LENGTH + 3 * LinkFrames.VLAN_TAG_LENGTH;
    /** Longest link header under a snaplen below 128: two tags at most (or LLC/SNAP, FDDI, SLL2). */
    private static final int COMPACT_MAX_LINK_HEADER = LinkFrames.ETHERNET_HEADER_LENGTH + 2 * LinkFrames.VLAN_TAG_LENGTH;

    private final GeneratorSpec spec;
    private final Random rng;
    private final List<Lane> lanes;
    final List<PlannedConn> conns = new ArrayList<>();
    final List<Emission> emissions = new ArrayList<>();
    private final Set<String> tupleKeys = new HashSet<>();
    private final Set<String> uids = new HashSet<>();
    private final boolean compactHeaders;
    private long nextSeq;
    private int nextFragmentGroup;
    private int llcSnapCandidates;
    private long firstNanos;
    private long spanNanos;

    private enum FragmentPlan { NONE, SOME, FIRST }

    private enum FragmentOrder { IN_ORDER, REVERSED, FIRST_LAST, SHUFFLED }

    /** Features forced onto one conversation so that every requested case occurs at least once. */
    private record Request(ConversationKind kind, Boolean ipv6, FragmentPlan fragments, FragmentOrder order,
                           boolean twoVlans) {
        static final Request RANDOM = new Request(null, null, null, null, false);
    }

    /** How one datagram is split: fragment data length and the file order of the fragments. */
    private record Fragmenting(int dataLength, FragmentOrder order) {
    }

    ScenarioPlanner(final GeneratorSpec spec, final Random rng, final List<Lane> lanes) {
        this.spec = spec;
        this.rng = rng;
        this.lanes = lanes;
        // A snaplen below 128 leaves no room for options, extension headers or a third VLAN tag.
        this.compactHeaders = spec.truncate() && spec.effectiveSnaplen() < GeneratorSpec.DEFAULT_TRUNCATION_SNAPLEN;
    }

    long firstNanos() {
        return firstNanos;
    }

    void plan() {
        firstNanos = spec.startNanos() != 0 ? spec.startNanos()
            : (1_700_000_000L + rng.nextInt(1_000_000)) * SECONDS + rng.nextInt(1_000_000_000);
        final int reuses = spec.reuseTuples() && spec.connections() >= 2 ? Math.max(1, spec.connections() / 10) : 0;
        final int originals = spec.connections() - reuses;
        spanNanos = Math.max(2 * SECONDS, originals * 250 * MILLIS);

        final Request[] requests = new Request[originals];
        Arrays.fill(requests, Request.RANDOM);
        final List<Integer> free = new ArrayList<>();
        for (int i = 0; i < originals; i++) {
            free.add(i);
        }
        Collections.shuffle(free, rng);
        for (int i = 0; i < reuses; i++) { // conversations whose tuple comes back later
            force(requests, free, new Request(i % 2 == 0 ? ConversationKind.TCP : ConversationKind.UDP, null,
                FragmentPlan.NONE, null, false));
        }
        if (spec.fragments()) {
            force(requests, free, new Request(ConversationKind.UDP, Boolean.FALSE, FragmentPlan.FIRST,
                FragmentOrder.FIRST_LAST, false));
            force(requests, free, new Request(ConversationKind.UDP, Boolean.FALSE, FragmentPlan.SOME,
                FragmentOrder.REVERSED, false));
            if (spec.icmp()) {
                force(requests, free, new Request(ConversationKind.ICMP_ECHO, null, FragmentPlan.FIRST,
                    FragmentOrder.SHUFFLED, false));
            }
            if (spec.ipv6()) {
                force(requests, free, new Request(ConversationKind.UDP, Boolean.TRUE, FragmentPlan.FIRST,
                    FragmentOrder.REVERSED, false));
            }
        }
        if (spec.sameTupleOnTwoVlans() && lanes.stream().anyMatch(Lane::isEthernet)) {
            final int count = Math.max(1, Math.min(3, originals / 12));
            for (int i = 0; i < count; i++) {
                force(requests, free, new Request(i % 2 == 0 ? ConversationKind.TCP : ConversationKind.UDP, null,
                    FragmentPlan.NONE, null, true));
            }
        }

        final long[] starts = new long[originals];
        for (int i = 0; i < originals; i++) {
            starts[i] = i == 0 ? firstNanos : firstNanos + (long) (rng.nextDouble() * spanNanos);
        }
        Arrays.sort(starts);
        for (int i = 0; i < originals; i++) {
            planConversation(starts[i], requests[i]);
        }

        final List<PlannedConn> reusable = new ArrayList<>();
        for (final PlannedConn c : conns) {
            if ((c.kind == ConversationKind.TCP || c.kind == ConversationKind.UDP) && c.duplicateTags == null) {
                reusable.add(c);
            }
        }
        Collections.shuffle(reusable, rng);
        for (int i = 0; i < reuses; i++) {
            if (i < reusable.size()) {
                planReuse(reusable.get(i));
            } else {
                planConversation(firstNanos + (long) (rng.nextDouble() * spanNanos), Request.RANDOM);
            }
        }
        if (spec.noise()) {
            planNoise(Math.max(2, originals / 3));
        }
    }

    private static void force(final Request[] requests, final List<Integer> free, final Request request) {
        if (!free.isEmpty()) {
            requests[free.remove(free.size() - 1)] = request;
        }
    }

    // ---------------------------------------------------------------- conversations

    private void planConversation(final long start, final Request request) {
        Lane lane = pickLane(request);
        final boolean ipv6;
        if (!lane.carriesIpv4()) {
            ipv6 = true;
        } else if (!lane.carriesIpv6()) {
            ipv6 = false;
        } else if (request.ipv6() != null) {
            ipv6 = request.ipv6();
        } else {
            ipv6 = spec.ipv6() && rng.nextInt(100) < 35;
        }
        final ConversationKind kind = pickKind(request.kind(), ipv6);
        final int[] tags = lane.isEthernet() ? pickTags(request.twoVlans()) : new int[0];

        PlannedConn conn = null;
        for (int attempt = 0; conn == null; attempt++) {
            if (attempt > 1000) {
                throw new IllegalStateException("no unused 5-tuple found");
            }
            conn = newConversation(kind, ipv6, lane, tags);
        }
        if (request.twoVlans()) {
            conn.duplicateTags = alternateTags(tags);
        }
        chooseIpShape(conn);
        final FragmentPlan fragments = request.fragments() != null ? request.fragments()
            : spec.fragments() && kind.canFragment() && rng.nextInt(100) < 30 ? FragmentPlan.SOME : FragmentPlan.NONE;
        final FragmentOrder order = request.order() != null ? request.order()
            : FragmentOrder.values()[rng.nextInt(FragmentOrder.values().length)];
        conns.add(conn);
        conn.lastPlannedNanos = play(conn, start, kind.canFragment() ? fragments : FragmentPlan.NONE, order);
    }

    /**
     * A new connection on an earlier one's tuple. TCP: either about 1 s after the earlier one
     * closed, inside Zeek's tcp_close_delay (its SYN starts a new connection and ends the earlier
     * one's tail), or 6 to 15 s after its last packet; UDP: after udp_inactivity_timeout (1 min).
     */
    private void planReuse(final PlannedConn original) {
        final long start;
        if (original.kind != ConversationKind.TCP) {
            start = original.lastPlannedNanos + between(65 * SECONDS, 80 * SECONDS);
        } else if (rng.nextBoolean()) {
            final long ended = original.closeNanos != 0 ? original.closeNanos : original.lastPlannedNanos;
            start = Math.max(ended + between(800 * MILLIS, 1200 * MILLIS), original.lastPlannedNanos + between(50 * MILLIS, 300 * MILLIS));
        } else {
            start = original.lastPlannedNanos + between(6 * SECONDS, 15 * SECONDS);
        }
        final PlannedConn conn = new PlannedConn(newUid(), original.kind, original.orig, original.resp,
            original.origPort, original.respPort, original.lane, original.vlanTags);
        chooseIpShape(conn);
        conns.add(conn);
        conn.lastPlannedNanos = play(conn, start, FragmentPlan.NONE, FragmentOrder.IN_ORDER);
    }

    private Lane pickLane(final Request request) {
        final List<Lane> eligible = new ArrayList<>();
        for (final Lane lane : lanes) {
            if (request.twoVlans() && !lane.isEthernet()) {
                continue;
            }
            if (request.ipv6() != null && (request.ipv6() ? !lane.carriesIpv6() : !lane.carriesIpv4())) {
                continue;
            }
            eligible.add(lane);
        }
        final List<Lane> from = eligible.isEmpty() ? lanes : eligible;
        return from.get(rng.nextInt(from.size()));
    }

    private ConversationKind pickKind(final ConversationKind requested, final boolean ipv6) {
        if (requested != null) {
            if (requested == ConversationKind.ICMP_ECHO && ipv6) {
                return ConversationKind.ICMP6_ECHO;
            }
            if (!(ipv6 ? requested.isIpv4Only() : requested.ipv6Only)) {
                return requested;
            }
        }
        final List<ConversationKind> kinds = new ArrayList<>();
        final List<Integer> weights = new ArrayList<>();
        add(kinds, weights, ConversationKind.TCP, 40);
        add(kinds, weights, ConversationKind.UDP, 30);
        if (spec.icmp()) {
            if (ipv6) {
                add(kinds, weights, ConversationKind.ICMP6_ECHO, 10);
                add(kinds, weights, ConversationKind.ICMP6_NEIGHBOR, 4);
                add(kinds, weights, ConversationKind.ICMP6_UNREACHABLE, 3);
            } else {
                add(kinds, weights, ConversationKind.ICMP_ECHO, 10);
                add(kinds, weights, ConversationKind.ICMP_TIMESTAMP, 2);
                add(kinds, weights, ConversationKind.ICMP_UNREACHABLE, 3);
                add(kinds, weights, ConversationKind.ICMP_TIME_EXCEEDED, 2);
            }
        }
        if (spec.otherProtocols()) {
            add(kinds, weights, ConversationKind.SCTP, 3);
            add(kinds, weights, ConversationKind.EXPERIMENTAL, 2);
            if (!ipv6) {
                add(kinds, weights, ConversationKind.OSPF, 2);
            }
        }
        int total = 0;
        for (final int w : weights) {
            total += w;
        }
        int pick = rng.nextInt(total);
        for (int i = 0; i < kinds.size(); i++) {
            pick -= weights.get(i);
            if (pick < 0) {
                return kinds.get(i);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private static void add(final List<ConversationKind> kinds, final List<Integer> weights,
                            final ConversationKind kind, final int weight) {
        kinds.add(kind);
        weights.add(weight);
    }

    /** TPID/TCI pairs for a conversation on Ethernet. */
    private int[] pickTags(final boolean forceTag) {
        final int roll = rng.nextInt(100);
        if (spec.qinq() && roll < 30) {
            final int outerTpid = new int[] {LinkFrames.TPID_8021AD, LinkFrames.TPID_QINQ_LEGACY,
                LinkFrames.TPID_8021Q}[rng.nextInt(3)];
            return new int[] {outerTpid, tci(), LinkFrames.TPID_8021Q, tci()};
        }
        if (spec.qinq() && roll < 36 && !compactHeaders) {
            return new int[] {LinkFrames.TPID_8021AD, tci(), LinkFrames.TPID_8021Q, tci(), LinkFrames.TPID_8021Q, tci()};
        }
        if ((spec.vlan() && roll < 40) || forceTag) {
            return new int[] {LinkFrames.TPID_8021Q, tci()};
        }
        return new int[0];
    }

    private int tci() {
        final int vid = rng.nextInt(4) == 0 ? 1 + rng.nextInt(4094) : VLAN_IDS[rng.nextInt(VLAN_IDS.length)];
        return (rng.nextInt(8) << 13) | vid;
    }

    /** Same depth, a different outermost VLAN id. */
    private int[] alternateTags(final int[] tags) {
        final int[] other = tags.clone();
        final int vid = tags[1] & 0xfff;
        final int newVid = vid >= 4000 ? vid - 1 - rng.nextInt(100) : vid + 1 + rng.nextInt(90);
        other[1] = (tags[1] & 0xf000) | newVid;
        return other;
    }

    private PlannedConn newConversation(final ConversationKind kind, final boolean ipv6, final Lane lane,
                                        final int[] tags) {
        final byte[] orig;
        final byte[] resp;
        if (kind == ConversationKind.ICMP_UNREACHABLE || kind == ConversationKind.ICMP_TIME_EXCEEDED
            || kind == ConversationKind.ICMP6_UNREACHABLE) {
            orig = router(ipv6);
            resp = client(ipv6);
        } else if (kind == ConversationKind.OSPF) {
            orig = router(false);
            resp = router(false);
        } else {
            orig = client(ipv6);
            resp = server(ipv6);
        }
        if (Arrays.equals(orig, resp)) {
            return null;
        }
        final int origPort;
        final int respPort;
        switch (kind) {
            case TCP:
                origPort = ephemeralPort();
                respPort = rng.nextInt(10) == 0 ? 1025 + rng.nextInt(30000) : TCP_SERVER_PORTS[rng.nextInt(TCP_SERVER_PORTS.length)];
                break;
            case UDP:
                origPort = ephemeralPort();
                respPort = rng.nextInt(10) == 0 ? 1025 + rng.nextInt(30000) : UDP_SERVER_PORTS[rng.nextInt(UDP_SERVER_PORTS.length)];
                break;
            case ICMP_ECHO: origPort = 8; respPort = 0; break;
            case ICMP_TIMESTAMP: origPort = 13; respPort = 14; break;
            case ICMP_UNREACHABLE: origPort = 3; respPort = new int[] {0, 1, 3, 4, 10, 13}[rng.nextInt(6)]; break;
            case ICMP_TIME_EXCEEDED: origPort = 11; respPort = rng.nextInt(2); break;
            case ICMP6_ECHO: origPort = 128; respPort = 129; break;
            case ICMP6_NEIGHBOR: origPort = 135; respPort = 136; break;
            case ICMP6_UNREACHABLE: origPort = 1; respPort = new int[] {0, 1, 3, 4}[rng.nextInt(4)]; break;
            default: origPort = 0; respPort = 0; break;
        }
        if (AVOIDED_PORTS.contains(respPort) && (kind == ConversationKind.TCP || kind == ConversationKind.UDP)) {
            return null;
        }
        final String key = tupleKey(kind.ipProto, orig, origPort, resp, respPort);
        if (!tupleKeys.add(key)) {
            return null;
        }
        return new PlannedConn(newUid(), kind, orig, resp, origPort, respPort, lane, tags);
    }

    /** Zeek's VLAN-blind key: protocol and the two endpoints, unordered. */
    private static String tupleKey(final int proto, final byte[] a, final int aPort, final byte[] b, final int bPort) {
        final String ea = AddressText.of(a) + "/" + aPort;
        final String eb = AddressText.of(b) + "/" + bPort;
        return proto + "|" + (ea.compareTo(eb) < 0 ? ea + "|" + eb : eb + "|" + ea);
    }

    private void chooseIpShape(final PlannedConn c) {
        c.origTtl = new int[] {64, 128, 255, 63}[rng.nextInt(4)];
        c.respTtl = new int[] {64, 128, 254, 57}[rng.nextInt(4)];
        if (c.kind == ConversationKind.ICMP6_NEIGHBOR) {
            c.origTtl = 255;
            c.respTtl = 255;
        }
        c.origFlowLabel = rng.nextInt(1 << 20);
        c.respFlowLabel = rng.nextInt(1 << 20);
        if (compactHeaders || rng.nextInt(100) >= 12) {
            return;
        }
        if (c.isIpv6()) {
            c.ipv6Extensions = new int[][] {{IpPackets.PROTO_HOPOPTS}, {IpPackets.PROTO_DSTOPTS},
                {IpPackets.PROTO_HOPOPTS, IpPackets.PROTO_DSTOPTS}}[rng.nextInt(3)];
        } else {
            c.ipv4Options = new byte[][] {
                {(byte) 0x94, 0x04, 0x00, 0x00},                                   // router alert
                {(byte) 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00},           // router alert, NOPs, EOL
                {0x44, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0},                          // empty timestamp option
            }[rng.nextInt(3)];
        }
    }

    private long play(final PlannedConn c, final long start, final FragmentPlan fragments, final FragmentOrder order) {
        switch (c.kind) {
            case TCP: return playTcp(c, start);
            case UDP: return playUdp(c, start, fragments, order);
            case ICMP_ECHO:
            case ICMP6_ECHO: return playEcho(c, start, fragments, order);
            case ICMP_TIMESTAMP: return playTimestamp(c, start);
            case ICMP_UNREACHABLE:
            case ICMP_TIME_EXCEEDED:
            case ICMP6_UNREACHABLE: return playIcmpError(c, start);
            case ICMP6_NEIGHBOR: return playNeighborDiscovery(c, start);
            case SCTP: return playSctp(c, start);
            case OSPF: return playOspf(c, start);
            case EXPERIMENTAL: return playOpaque(c, start);
            default: throw new IllegalStateException(c.kind.toString());
        }
    }

    private long playTcp(final PlannedConn c, final long start) {
        final long rtt = between(MILLIS, 60 * MILLIS);
        final long isnOrig = rng.nextInt() & 0xffffffffL;
        final long isnResp = rng.nextInt() & 0xffffffffL;
        final int windowOrig = new int[] {64240, 65535, 29200}[rng.nextInt(3)];
        final int windowResp = new int[] {65160, 28960, 65535}[rng.nextInt(3)];
        final byte[] none = new byte[0];
        final int s = TransportSegments.TCP_SYN;
        final int a = TransportSegments.TCP_ACK;
        final int pa = TransportSegments.TCP_PSH | a;
        final byte[] synOptions = compactHeaders ? none : TransportSegments.SYN_OPTIONS;
        long t = send(c, true, tcp(c, true, isnOrig, 0, s, windowOrig, synOptions, none), start, null);
        c.history('S');
        t = send(c, false, tcp(c, false, isnResp, isnOrig + 1, s | a, windowResp, synOptions, none), t + rtt, null);
        c.history('h');
        long seqOrig = isnOrig + 1;
        long seqResp = isnResp + 1;
        t = send(c, true, tcp(c, true, seqOrig, seqResp, a, windowOrig, none, none), t + smallGap(), null);
        c.history('A');
        final int exchanges = 1 + rng.nextInt(4);
        for (int i = 0; i < exchanges; i++) {
            final byte[] request = payload(1 + rng.nextInt(spec.maxPayload()));
            t = send(c, true, tcp(c, true, seqOrig, seqResp, pa, windowOrig, none, request), t + thinkGap(), null);
            seqOrig += request.length;
            c.origBytes += request.length;
            c.history('D');
            if (rng.nextInt(4) == 0) {
                t = send(c, false, tcp(c, false, seqResp, seqOrig, a, windowResp, none, none), t + rtt, null);
                c.history('a');
            } else {
                final byte[] response = payload(1 + rng.nextInt(spec.maxPayload()));
                t = send(c, false, tcp(c, false, seqResp, seqOrig, pa, windowResp, none, response), t + rtt, null);
                seqResp += response.length;
                c.respBytes += response.length;
                c.history('d');
                if (rng.nextBoolean()) {
                    t = send(c, true, tcp(c, true, seqOrig, seqResp, a, windowOrig, none, none), t + smallGap(), null);
                }
            }
        }
        return endTcp(c, t, rtt, seqOrig, seqResp, windowOrig, windowResp);
    }

    /** How a generated TCP connection ends, as real ones do (see {@link #endTcp}). */
    private enum TcpClosing {
        /** FIN, FIN, then the last ACK 20 µs to 2 ms after the second FIN: in Zeek's close delay. */
        GRACEFUL,
        /** As GRACEFUL, then the second FIN is sent again 0.2 to 1.5 s later and acknowledged again. */
        FIN_SENT_AGAIN,
        /** The originator's FIN, answered by the responder's RST; sometimes a crossing ACK and a second RST follow. */
        FIN_THEN_RST,
        /** The originator aborts with an RST; sometimes the responder still sends and is reset again. */
        ABORT,
        /** Never closed: the last packet carries data or an ACK. */
        OPEN
    }

    private TcpClosing pickClosing() {
        final int roll = rng.nextInt(100);
        if (roll < 50) {
            return TcpClosing.GRACEFUL;
        }
        if (roll < 65) {
            return TcpClosing.FIN_SENT_AGAIN;
        }
        if (roll < 75) {
            return TcpClosing.FIN_THEN_RST;
        }
        if (roll < 87) {
            return TcpClosing.ABORT;
        }
        return TcpClosing.OPEN;
    }

    /**
     * Ends a TCP connection after its data exchange at {@code start}, as real endings look
     * (DOMAIN-NOTES section 2): Zeek's duration runs to the packet that closed the second endpoint
     * (each endpoint closes with its FIN or RST), and the packets after it within Zeek's
     * tcp_close_delay (5 s) still belong to the connection. Records that closing time in
     * {@link PlannedConn#closeNanos} (0 when only one endpoint or none closed); returns the time
     * of the last packet.
     */
    private long endTcp(final PlannedConn c, final long start, final long rtt, final long seqOrig, final long seqResp,
                        final int windowOrig, final int windowResp) {
        final TcpSide orig = new TcpSide(true, seqOrig, windowOrig);
        final TcpSide resp = new TcpSide(false, seqResp, windowResp);
        orig.peer = resp;
        resp.peer = orig;
        final int fa = TransportSegments.TCP_FIN | TransportSegments.TCP_ACK;
        final int ra = TransportSegments.TCP_RST | TransportSegments.TCP_ACK;
        long t = start;
        final TcpClosing closing = pickClosing();
        switch (closing) {
            case GRACEFUL:
            case FIN_SENT_AGAIN: {
                final boolean again = closing == TcpClosing.FIN_SENT_AGAIN;
                c.closingSentAgain = again;
                final TcpSide first = rng.nextInt(10) < 7 ? orig : resp;
                final TcpSide second = first.peer;
                t = first.send(c, fa, t + thinkGap());
                final long secondFin = second.seq;
                t = second.send(c, fa, t + rtt);
                c.closeNanos = t;
                t = first.send(c, TransportSegments.TCP_ACK, t + between(20 * MICROS, 2 * MILLIS));
                if (again) {
                    // The second FIN's ACK was lost: the FIN is sent again and acknowledged again, in the close delay.
                    t = second.sendAt(c, fa, secondFin, t + between(200 * MILLIS, 1500 * MILLIS));
                    t = first.send(c, TransportSegments.TCP_ACK, t + rtt);
                }
                c.connState = "SF";
                return t;
            }
            case FIN_THEN_RST: {
                t = orig.send(c, fa, t + thinkGap());
                t = resp.send(c, ra, t + rtt);
                c.closeNanos = t;
                if (rng.nextBoolean()) {
                    // An ACK that crossed the RST, and the RST it draws: both in the close delay.
                    t = orig.send(c, TransportSegments.TCP_ACK, t + between(20 * MICROS, 2 * MILLIS));
                    t = resp.send(c, ra, t + rtt);
                }
                c.connState = "RSTR";
                return t;
            }
            case ABORT: {
                t = orig.send(c, ra, t + thinkGap());
                if (rng.nextBoolean()) {
                    // The responder had data in flight; the originator resets again. Only one endpoint
                    // closed, so Zeek's duration still runs to the last of these packets.
                    final byte[] late = payload(1 + rng.nextInt(spec.maxPayload()));
                    t = resp.send(c, TransportSegments.TCP_PSH | TransportSegments.TCP_ACK, late, t + between(MILLIS, 50 * MILLIS));
                    c.respBytes += late.length;
                    t = orig.send(c, ra, t + between(20 * MICROS, 2 * MILLIS));
                }
                c.connState = "RSTO";
                return t;
            }
            default: {
                // Never closed: one last data segment and, sometimes, its ACK.
                final byte[] last = payload(1 + rng.nextInt(spec.maxPayload()));
                t = orig.send(c, TransportSegments.TCP_PSH | TransportSegments.TCP_ACK, last, t + thinkGap());
                c.origBytes += last.length;
                if (rng.nextBoolean()) {
                    t = resp.send(c, TransportSegments.TCP_ACK, t + rtt);
                }
                c.connState = "S1";
                return t;
            }
        }
    }

    /** One endpoint of a TCP connection being ended: its next sequence number and window. */
    private final class TcpSide {
        final boolean isOrig;
        long seq;
        final int window;
        TcpSide peer;

        TcpSide(final boolean isOrig, final long seq, final int window) {
            this.isOrig = isOrig;
            this.seq = seq;
            this.window = window;
        }

        long send(final PlannedConn c, final int flags, final long at) {
            return send(c, flags, new byte[0], at);
        }

        /** Sends a segment from the next sequence number; a FIN takes one. */
        long send(final PlannedConn c, final int flags, final byte[] payload, final long at) {
            final long sent = sendAt(c, flags, seq, payload, at);
            seq += payload.length + ((flags & TransportSegments.TCP_FIN) != 0 ? 1 : 0);
            return sent;
        }

        /** Sends a segment from {@code fromSeq} (a retransmission), carrying no data. */
        long sendAt(final PlannedConn c, final int flags, final long fromSeq, final long at) {
            return sendAt(c, flags, fromSeq, new byte[0], at);
        }

        private long sendAt(final PlannedConn c, final int flags, final long fromSeq, final byte[] payload, final long at) {
            if ((flags & TransportSegments.TCP_FIN) != 0) {
                c.history(isOrig ? 'F' : 'f');
            }
            if ((flags & TransportSegments.TCP_RST) != 0) {
                c.history(isOrig ? 'R' : 'r');
            }
            if (payload.length > 0) {
                c.history(isOrig ? 'D' : 'd');
            }
            final int w = (flags & TransportSegments.TCP_RST) != 0 ? 0 : window;
            return ScenarioPlanner.this.send(c, isOrig, tcp(c, isOrig, fromSeq, peer.seq, flags, w, new byte[0], payload), at, null);
        }
    }

    private Segment tcp(final PlannedConn c, final boolean fromOrig, final long seq, final long ack, final int flags,
                        final int window, final byte[] options, final byte[] payload) {
        return fromOrig
            ? TransportSegments.tcp(c.orig, c.resp, c.origPort, c.respPort, seq & 0xffffffffL, ack & 0xffffffffL, flags,
                window, options, payload)
            : TransportSegments.tcp(c.resp, c.orig, c.respPort, c.origPort, seq & 0xffffffffL, ack & 0xffffffffL, flags,
                window, options, payload);
    }

    private long playUdp(final PlannedConn c, final long start, final FragmentPlan fragments, final FragmentOrder order) {
        final long rtt = between(MILLIS, 40 * MILLIS);
        final int exchanges = 1 + rng.nextInt(4);
        boolean replied = false;
        boolean fragmentedOne = false;
        long t = start;
        for (int i = 0; i < exchanges; i++) {
            final boolean fragment = fragments == FragmentPlan.FIRST && i == 0
                || fragments == FragmentPlan.SOME && (rng.nextInt(3) == 0 || (i == exchanges - 1 && !fragmentedOne));
            fragmentedOne |= fragment;
            final Fragmenting how = fragment ? fragmenting(order) : null;
            final byte[] request = fragment ? payload(bigDatagramPayload()) : payload(1 + rng.nextInt(spec.maxPayload()));
            t = send(c, true, TransportSegments.udp(c.orig, c.resp, c.origPort, c.respPort, request),
                i == 0 ? t : t + thinkGap(), how);
            c.origBytes += request.length;
            c.history('D');
            if (rng.nextInt(4) != 0) {
                final boolean fragmentReply = fragment && rng.nextBoolean();
                final byte[] response = fragmentReply ? payload(bigDatagramPayload())
                    : payload(1 + rng.nextInt(spec.maxPayload()));
                t = send(c, false, TransportSegments.udp(c.resp, c.orig, c.respPort, c.origPort, response), t + rtt,
                    fragmentReply ? fragmenting(order) : null);
                c.respBytes += response.length;
                c.history('d');
                replied = true;
            }
        }
        c.connState = replied ? "SF" : "S0";
        return t;
    }

    private long playEcho(final PlannedConn c, final long start, final FragmentPlan fragments, final FragmentOrder order) {
        final boolean v6 = c.isIpv6();
        final long rtt = between(MILLIS, 80 * MILLIS);
        final int id = rng.nextInt(1 << 16);
        final int firstSeq = rng.nextInt(100);
        final int count = 1 + rng.nextInt(4);
        boolean fragmentedOne = false;
        long t = start;
        for (int i = 0; i < count; i++) {
            final boolean fragment = fragments == FragmentPlan.FIRST && i == 0
                || fragments == FragmentPlan.SOME && (rng.nextInt(3) == 0 || (i == count - 1 && !fragmentedOne));
            fragmentedOne |= fragment;
            final byte[] data = fragment ? payload(bigDatagramPayload())
                : payload(rng.nextBoolean() ? 56 : 8 + rng.nextInt(Math.max(1, spec.maxPayload() - 8)));
            final long rest = ((long) id << 16) | ((firstSeq + i) & 0xffff);
            final Segment request = v6 ? TransportSegments.icmp6(c.orig, c.resp, 128, 0, rest, data)
                : TransportSegments.icmp4(8, 0, rest, data);
            t = send(c, true, request, i == 0 ? t : t + between(200 * MILLIS, 1000 * MILLIS),
                fragment ? fragmenting(order) : null);
            c.origBytes += data.length;
            if (rng.nextInt(7) != 0) {
                final Segment reply = v6 ? TransportSegments.icmp6(c.resp, c.orig, 129, 0, rest, data)
                    : TransportSegments.icmp4(0, 0, rest, data);
                t = send(c, false, reply, t + rtt, fragment ? fragmenting(order) : null);
                c.respBytes += data.length;
            }
        }
        return t;
    }

    private long playTimestamp(final PlannedConn c, final long start) {
        final long rest = ((long) rng.nextInt(1 << 16) << 16) | rng.nextInt(1 << 16);
        final long msOfDay = Math.floorMod(start / MILLIS, 86_400_000L);
        final byte[] request = ByteArrayBuilder.bigEndian().u32(msOfDay).u32(0).u32(0).toByteArray();
        long t = send(c, true, TransportSegments.icmp4(13, 0, rest, request), start, null);
        c.origBytes += request.length;
        final byte[] reply = ByteArrayBuilder.bigEndian().u32(msOfDay).u32(msOfDay + 3).u32(msOfDay + 3).toByteArray();
        t = send(c, false, TransportSegments.icmp4(14, 0, rest, reply), t + between(MILLIS, 20 * MILLIS), null);
        c.respBytes += reply.length;
        return t;
    }

    /** One-way ICMP errors from a router (orig) to a host (resp) about a datagram the host sent. */
    private long playIcmpError(final PlannedConn c, final long start) {
        final boolean v6 = c.isIpv6();
        final int type = c.origPort;
        final int code = c.respPort;
        final int count = 1 + rng.nextInt(2);
        long t = start;
        for (int i = 0; i < count; i++) {
            final byte[] elsewhere = server(v6);
            final Segment invokingUdp = TransportSegments.udp(c.resp, elsewhere, ephemeralPort(), 33434 + rng.nextInt(100),
                payload(32));
            final IpPacket invoking = IpPackets.packet(c.resp, elsewhere, IpPackets.PROTO_UDP,
                IpShape.plain(1 + rng.nextInt(3), rng.nextInt(1 << 16)), invokingUdp.bytes());
            final int quoted = v6 ? Math.min(invoking.bytes().length, 48 + rng.nextInt(32))
                : invoking.ipHeaderLength() + TransportSegments.UDP_HEADER_LENGTH;
            final byte[] data = Arrays.copyOf(invoking.bytes(), quoted);
            final long rest = !v6 && type == 3 && code == 4 ? 1400 : 0; // next-hop MTU for "fragmentation needed"
            final Segment error = v6 ? TransportSegments.icmp6(c.orig, c.resp, type, code, rest, data)
                : TransportSegments.icmp4(type, code, rest, data);
            t = send(c, true, error, i == 0 ? t : t + between(10 * MILLIS, 900 * MILLIS), null);
            c.origBytes += data.length;
        }
        return t;
    }

    private long playNeighborDiscovery(final PlannedConn c, final long start) {
        final int rounds = 1 + rng.nextInt(2);
        long t = start;
        for (int i = 0; i < rounds; i++) {
            final byte[] solicitation = ByteArrayBuilder.bigEndian().bytes(c.resp).u8(1).u8(1).bytes(mac(c.orig))
                .toByteArray(); // target, source link-layer address option
            t = send(c, true, TransportSegments.icmp6(c.orig, c.resp, 135, 0, 0, solicitation),
                i == 0 ? t : t + between(SECONDS / 2, 3 * SECONDS), null);
            c.origBytes += solicitation.length;
            final byte[] advertisement = ByteArrayBuilder.bigEndian().bytes(c.resp).u8(2).u8(1).bytes(mac(c.resp))
                .toByteArray(); // target, target link-layer address option
            t = send(c, false, TransportSegments.icmp6(c.resp, c.orig, 136, 0, 0x60000000L, advertisement),
                t + between(100 * MICROS, 5 * MILLIS), null); // solicited, override
            c.respBytes += advertisement.length;
        }
        return t;
    }

    private long playSctp(final PlannedConn c, final long start) {
        final int origPort = ephemeralPort();
        final int respPort = new int[] {2905, 3868, 36412, 9899}[rng.nextInt(4)];
        final long tagOrig = 1 + (rng.nextInt() & 0x7fffffffL);
        final long tagResp = 1 + (rng.nextInt() & 0x7fffffffL);
        final long rtt = between(MILLIS, 30 * MILLIS);
        final byte[] init = ByteArrayBuilder.bigEndian().u32(tagOrig).u32(106496).u16(10).u16(65535)
            .u32(rng.nextInt() & 0xffffffffL).toByteArray();
        long t = send(c, true, TransportSegments.sctp(origPort, respPort, 0, SCTP_INIT, 0, init), start, null);
        final byte[] initAck = ByteArrayBuilder.bigEndian().u32(tagResp).u32(106496).u16(10).u16(10)
            .u32(rng.nextInt() & 0xffffffffL).toByteArray();
        t = send(c, false, TransportSegments.sctp(respPort, origPort, tagOrig, SCTP_INIT_ACK, 0, initAck), t + rtt, null);
        final int data = rng.nextInt(4);
        for (int i = 0; i < data; i++) {
            final boolean fromOrig = i % 2 == 0;
            final byte[] chunk = ByteArrayBuilder.bigEndian().u32(i).u16(0).u16(i / 2).u32(0)
                .bytes(payload(4 + rng.nextInt(Math.max(1, Math.min(200, spec.maxPayload()))))).toByteArray();
            final Segment packet = fromOrig
                ? TransportSegments.sctp(origPort, respPort, tagResp, SCTP_DATA, 0x03, chunk)
                : TransportSegments.sctp(respPort, origPort, tagOrig, SCTP_DATA, 0x03, chunk);
            t = send(c, fromOrig, packet, t + between(MILLIS, 100 * MILLIS), null);
        }
        return t;
    }

    private long playOspf(final PlannedConn c, final long start) {
        final int rounds = 1 + rng.nextInt(3);
        long t = start;
        for (int i = 0; i < rounds; i++) {
            t = send(c, true, TransportSegments.ospfHello(c.orig, c.resp), i == 0 ? t : t + between(SECONDS, 2 * SECONDS), null);
            t = send(c, false, TransportSegments.ospfHello(c.resp, c.orig), t + between(MILLIS, 50 * MILLIS), null);
        }
        return t;
    }

    private long playOpaque(final PlannedConn c, final long start) {
        final int count = 1 + rng.nextInt(4);
        long t = start;
        for (int i = 0; i < count; i++) {
            final boolean fromOrig = i == 0 || rng.nextBoolean();
            t = send(c, fromOrig, TransportSegments.opaque(payload(20 + rng.nextInt(180))),
                i == 0 ? t : t + between(MILLIS, 300 * MILLIS), null);
        }
        return t;
    }

    // ---------------------------------------------------------------- packets to emissions

    /**
     * Emits one transport message from one side, whole or as fragments; returns the timestamp of
     * its last frame.
     */
    private long send(final PlannedConn c, final boolean fromOrig, final Segment segment, final long nominal,
                      final Fragmenting fragmenting) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final boolean decorate = rng.nextInt(100) < 60;
        final IpShape shape = new IpShape(fromOrig ? c.origTtl : c.respTtl, rng.nextInt(1 << 16),
            decorate ? c.ipv4Options : new byte[0], decorate ? c.ipv6Extensions : new int[0],
            fromOrig ? c.origFlowLabel : c.respFlowLabel);
        final int srcPort;
        final int dstPort;
        if (c.kind.isIcmp()) {
            final int type = segment.bytes()[0] & 0xff;
            final int code = segment.bytes()[1] & 0xff;
            srcPort = type;
            dstPort = IcmpCounterpart.of(c.kind.ipProto, type, code);
        } else {
            srcPort = fromOrig ? c.origPort : c.respPort;
            dstPort = fromOrig ? c.respPort : c.origPort;
        }
        final int baseIpHeader = src.length == IpPackets.IPV4_ADDRESS_LENGTH ? IpPackets.IPV4_HEADER_LENGTH
            : IpPackets.IPV6_HEADER_LENGTH;
        if (fragmenting == null) {
            final IpPacket packet = IpPackets.packet(src, dst, c.kind.ipProto, shape, segment.bytes());
            final long ts = c.lane.quantize(nominal);
            final int tcpFlags = c.kind == ConversationKind.TCP ? segment.bytes()[TransportSegments.TCP_FLAGS_OFFSET] & 0xff : -1;
            add(c, fromOrig, packet.bytes(), packet.ipHeaderLength() + segment.headerLength(), -1,
                packet.bytes().length, ts, srcPort, dstPort, tcpFlags);
            return ts;
        }
        final long identification = src.length == IpPackets.IPV4_ADDRESS_LENGTH ? rng.nextInt(1 << 16)
            : rng.nextInt() & 0xffffffffL;
        final List<IpPacket> parts = IpPackets.fragments(src, dst, c.kind.ipProto, shape, identification,
            segment.bytes(), fragmenting.dataLength());
        final List<IpPacket> ordered = new ArrayList<>(parts);
        switch (fragmenting.order()) {
            case REVERSED:
                Collections.reverse(ordered);
                break;
            case FIRST_LAST:
                ordered.add(ordered.remove(0));
                break;
            case SHUFFLED:
                Collections.shuffle(ordered, rng);
                break;
            default:
                break;
        }
        final int group = nextFragmentGroup++;
        final long datagramIpBytes = baseIpHeader + segment.bytes().length;
        long t = nominal;
        long ts = 0;
        for (int i = 0; i < ordered.size(); i++) {
            final IpPacket part = ordered.get(i);
            if (i > 0) {
                t += between(5 * MICROS, Math.min(300 * MICROS, MAX_FRAGMENT_SPREAD_NANOS / 2 / ordered.size()));
            }
            ts = c.lane.quantize(t);
            final int protectedLength = part.ipHeaderLength() + (part.fragmentOffset() == 0 ? segment.headerLength() : 0);
            add(c, fromOrig, part.bytes(), protectedLength, group, datagramIpBytes, ts, srcPort, dstPort, -1);
        }
        return ts;
    }

    private void add(final PlannedConn c, final boolean fromOrig, final byte[] ipPacket, final int protectedLength,
                     final int fragmentGroup, final long datagramIpBytes, final long ts,
                     final int srcPort, final int dstPort, final int tcpFlags) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final boolean v4 = src.length == IpPackets.IPV4_ADDRESS_LENGTH;
        final int etherType = v4 ? LinkFrames.ETHERTYPE_IPV4 : LinkFrames.ETHERTYPE_IPV6;
        final boolean llcSnapCandidate = c.lane.isEthernet() && v4 && c.vlanTags.length == 0 && c.duplicateTags == null
            && ipPacket.length <= 1492;
        // About one candidate in 16, and always the 5th, so that a small capture has one too.
        final boolean llcSnap = llcSnapCandidate && (rng.nextInt(16) == 0 || ++llcSnapCandidates == 5);
        final int family = LinkFrames.NULL_FAMILIES_INET6[rng.nextInt(LinkFrames.NULL_FAMILIES_INET6.length)];
        final Emission e = new Emission(nextSeq++, ts, c.lane, etherType, ipPacket, protectedLength, c.vlanTags,
            mac(src), mac(dst), llcSnap, fromOrig, family, c, fromOrig, fragmentGroup, datagramIpBytes,
            c.kind.zeekProto, AddressText.of(src), srcPort, AddressText.of(dst), dstPort, c.kind.ipProto);
        e.tcpFlags = tcpFlags;
        emissions.add(e);
        if (c.duplicateTags != null) {
            final Emission copy = new Emission(nextSeq++, c.lane.quantize(ts + between(5 * MICROS, 50 * MICROS)), c.lane,
                etherType, ipPacket, protectedLength, c.duplicateTags, mac(src), mac(dst), false, fromOrig, family, c,
                fromOrig, -1, datagramIpBytes, c.kind.zeekProto, AddressText.of(src), srcPort,
                AddressText.of(dst), dstPort, c.kind.ipProto);
            copy.tcpFlags = tcpFlags;
            emissions.add(copy);
        }
    }

    private Fragmenting fragmenting(final FragmentOrder order) {
        if (spec.truncate()) {
            return new Fragmenting(truncatedFragmentDataLength(), order);
        }
        return new Fragmenting(new int[] {512, 1024, 1232, 1480}[rng.nextInt(4)], order);
    }

    /**
     * Zeek does not reassemble incompletely captured fragments: under a snaplen, every fragment
     * must fit whole (largest link header, IPv6 with hop-by-hop and fragment headers).
     */
    private int truncatedFragmentDataLength() {
        final int room = spec.effectiveSnaplen() - (compactHeaders ? COMPACT_MAX_LINK_HEADER : MAX_LINK_HEADER)
            - IpPackets.IPV6_HEADER_LENGTH - (compactHeaders ? 0 : IpPackets.IPV6_OPTIONS_HEADER_LENGTH)
            - IpPackets.IPV6_FRAGMENT_HEADER_LENGTH;
        final int dataLength = room / IpPackets.FRAGMENT_UNIT * IpPackets.FRAGMENT_UNIT;
        if (dataLength < IpPackets.FRAGMENT_UNIT) {
            throw new IllegalArgumentException("snaplen " + spec.effectiveSnaplen() + " leaves no room for whole fragments");
        }
        return dataLength;
    }

    /** A datagram payload large enough to need 2 to 8 fragments (plus the 8-byte UDP/ICMP header). */
    private int bigDatagramPayload() {
        if (spec.truncate()) {
            final int dataLength = truncatedFragmentDataLength();
            return dataLength * (2 + rng.nextInt(6)) - TransportSegments.UDP_HEADER_LENGTH - rng.nextInt(dataLength / 2 + 1);
        }
        return 1600 + rng.nextInt(2400);
    }

    // ---------------------------------------------------------------- noise

    private void planNoise(final int count) {
        final List<Lane> noiseLanes = new ArrayList<>();
        for (final Lane lane : lanes) {
            if (lane.carriesNonIp()) {
                noiseLanes.add(lane);
            }
        }
        if (noiseLanes.isEmpty()) {
            return;
        }
        for (int i = 0; i < count; i++) {
            final Lane lane = noiseLanes.get(rng.nextInt(noiseLanes.size()));
            final long t = firstNanos + (long) (rng.nextDouble() * spanNanos);
            final int[] tags = lane.isEthernet() && spec.vlan() && rng.nextInt(100) < 30
                ? new int[] {LinkFrames.TPID_8021Q, tci()} : new int[0];
            if (lane.isEthernet() && rng.nextInt(100) < 25) {
                final byte[] chassis = mac(client(false));
                final ByteArrayBuilder lldp = ByteArrayBuilder.bigEndian();
                lldp.u16((1 << 9) | 7).u8(4).bytes(chassis);                     // chassis id: MAC address
                final byte[] port = ("ge-0/0/" + rng.nextInt(48)).getBytes(StandardCharsets.US_ASCII);
                lldp.u16((2 << 9) | (1 + port.length)).u8(5).bytes(port);        // port id: interface name
                lldp.u16((3 << 9) | 2).u16(120);                                 // TTL
                lldp.u16(0);                                                     // end
                noise(lane, t, LinkFrames.ETHERTYPE_LLDP, lldp.toByteArray(), tags, chassis, LLDP_MULTICAST_MAC,
                    "lldp", "-", "-");
                continue;
            }
            final byte[] askerIp = client(false);
            final byte[] targetIp = client(false);
            final byte[] askerMac = mac(askerIp);
            final byte[] targetMac = mac(targetIp);
            noise(lane, lane.quantize(t), LinkFrames.ETHERTYPE_ARP, arp(1, askerMac, askerIp, new byte[6], targetIp), tags,
                askerMac, BROADCAST_MAC, "arp", AddressText.of(askerIp), AddressText.of(targetIp));
            if (rng.nextInt(100) < 80) {
                noise(lane, lane.quantize(t + between(50 * MICROS, 2 * MILLIS)), LinkFrames.ETHERTYPE_ARP,
                    arp(2, targetMac, targetIp, askerMac, askerIp), tags, targetMac, askerMac, "arp",
                    AddressText.of(targetIp), AddressText.of(askerIp));
            }
        }
    }

    private void noise(final Lane lane, final long t, final int etherType, final byte[] body, final int[] tags,
                       final byte[] srcMac, final byte[] dstMac, final String proto, final String src, final String dst) {
        emissions.add(new Emission(nextSeq++, lane.quantize(t), lane, etherType, body, body.length, tags, srcMac, dstMac,
            false, rng.nextBoolean(), LinkFrames.NULL_FAMILIES_INET6[0], null, false, -1, 0, proto, src, 0, dst, 0, -1));
    }

    private static byte[] arp(final int operation, final byte[] senderMac, final byte[] senderIp, final byte[] targetMac,
                              final byte[] targetIp) {
        return ByteArrayBuilder.bigEndian().u16(1).u16(LinkFrames.ETHERTYPE_IPV4).u8(6).u8(4).u16(operation)
            .bytes(senderMac).bytes(senderIp).bytes(targetMac).bytes(targetIp).toByteArray();
    }

    // ---------------------------------------------------------------- addresses, ports, time

    private byte[] client(final boolean v6) {
        if (v6) {
            return ipv6(0x0000 + rng.nextInt(16));
        }
        return new byte[] {10, (byte) rng.nextInt(4), (byte) rng.nextInt(256), (byte) (1 + rng.nextInt(254))};
    }

    private byte[] server(final boolean v6) {
        if (v6) {
            return ipv6(0x0100 + rng.nextInt(16));
        }
        switch (rng.nextInt(5)) {
            case 0: return new byte[] {(byte) 192, (byte) 168, (byte) rng.nextInt(256), (byte) (1 + rng.nextInt(254))};
            case 1: return new byte[] {(byte) 172, (byte) (16 + rng.nextInt(16)), (byte) rng.nextInt(256), (byte) (1 + rng.nextInt(254))};
            case 2: return new byte[] {(byte) 198, 51, 100, (byte) (1 + rng.nextInt(254))};
            case 3: return new byte[] {(byte) 203, 0, 113, (byte) (1 + rng.nextInt(254))};
            default: return new byte[] {10, (byte) rng.nextInt(4), (byte) rng.nextInt(256), (byte) (1 + rng.nextInt(254))};
        }
    }

    private byte[] router(final boolean v6) {
        if (v6) {
            final byte[] a = ipv6(0xffff);
            a[15] = 1;
            return a;
        }
        return new byte[] {10, (byte) 255, (byte) rng.nextInt(256), 1};
    }

    /** 2001:db8:SUBNET::/64 with a random interface id, sometimes with runs of zero groups. */
    private byte[] ipv6(final int subnet) {
        final byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[4] = (byte) (subnet >>> 8);
        a[5] = (byte) subnet;
        switch (rng.nextInt(3)) {
            case 0: // ::host
                a[14] = (byte) rng.nextInt(256);
                a[15] = (byte) (1 + rng.nextInt(254));
                break;
            case 1: // EUI-64-like
                for (int i = 8; i < 16; i++) {
                    a[i] = (byte) rng.nextInt(256);
                }
                a[11] = (byte) 0xff;
                a[12] = (byte) 0xfe;
                break;
            default:
                for (int i = 6; i < 16; i++) {
                    a[i] = (byte) rng.nextInt(256);
                }
                break;
        }
        if (a[15] == 0 && a[14] == 0) {
            a[15] = 1;
        }
        return a;
    }

    private int ephemeralPort() {
        while (true) {
            final int port = 32768 + rng.nextInt(60999 - 32768 + 1);
            if (!AVOIDED_PORTS.contains(port)) {
                return port;
            }
        }
    }

    /** A locally administered unicast MAC derived from an IP address. */
    static byte[] mac(final byte[] ip) {
        int h = Arrays.hashCode(ip);
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return new byte[] {0x02, (byte) (ip.length == 4 ? 0x04 : 0x06), (byte) (h >>> 24), (byte) (h >>> 16),
            (byte) (h >>> 8), (byte) h};
    }

    private String newUid() {
        while (true) {
            final StringBuilder uid = new StringBuilder("C");
            for (int i = 0; i < UID_RANDOM_CHARS; i++) {
                uid.append(BASE62.charAt(rng.nextInt(BASE62.length())));
            }
            if (uids.add(uid.toString())) {
                return uid.toString();
            }
        }
    }

    private byte[] payload(final int length) {
        final byte[] bytes = new byte[length];
        rng.nextBytes(bytes);
        return bytes;
    }

    /** Uniform in [low, high), with nanosecond detail. */
    private long between(final long low, final long high) {
        return low + (long) (rng.nextDouble() * (high - low));
    }

    private long smallGap() {
        return between(50 * MICROS, 2 * MILLIS);
    }

    private long thinkGap() {
        return rng.nextInt(5) == 0 ? between(200 * MILLIS, 2 * SECONDS) : between(MILLIS, 150 * MILLIS);
    }
}
