package io.scalpel.testdata;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small Ethernet capture of tunnelled traffic, with the truth of which frames belong to which
 * Zeek uid, and the conn.log and tunnel.log Zeek would write for it:
 * <ul>
 *   <li>GRE tunnel {@link #GRE_1} (plain GRE header) carrying a TCP and a UDP connection, while a
 *       plain ICMP echo runs between the same two tunnel endpoints outside the tunnel;</li>
 *   <li>GRE tunnel {@link #GRE_2} between the same endpoints ten minutes later (GRE key and
 *       sequence number present) carrying an ICMP echo and an IPv6 UDP connection: a new tunnel
 *       uid, told apart from the first by its DISCOVER/CLOSE times;</li>
 *   <li>IP-in-IP tunnel {@link #IPIP} (protocol 4) carrying UDP, whose tunnel.log has no CLOSE;</li>
 *   <li>IPv6-in-IPv4 tunnel {@link #SIX_IN_FOUR} (protocol 41) carrying IPv6 TCP;</li>
 *   <li>VXLAN: a TCP connection whose two directions travel in two outer UDP flows
 *       ({@link #VXLAN_OUT}, {@link #VXLAN_BACK}), each its own conn.log row and tunnel parent;</li>
 *   <li>a plain TCP connection and ARP frames.</li>
 * </ul>
 * GRE and IP-in-IP parents appear only in tunnel.log, the VXLAN parents in both logs, as with
 * Zeek. The truth is recorded as the frames are built; nothing here reads them back.
 */
public final class TunnelScenario {
    public static final String GRE_1 = "CtunGre1aaaaaaaaa1";
    public static final String GRE_2 = "CtunGre2aaaaaaaaa2";
    public static final String IPIP = "CtunIpip0aaaaaaaa3";
    public static final String SIX_IN_FOUR = "CtunSix4aaaaaaaaa4";
    public static final String VXLAN_OUT = "CtunVxOutaaaaaaaa5";
    public static final String VXLAN_BACK = "CtunVxBackaaaaaaa6";

    static final long T0 = 1_700_000_000_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int PROTO_IPIP = 4;
    private static final int PROTO_IPV6_IN_IP = 41;
    private static final int PROTO_GRE = 47;
    private static final int GRE_KEY_PRESENT = 0x2000;
    private static final int GRE_SEQUENCE_PRESENT = 0x1000;
    private static final int VXLAN_PORT = 4789;
    private static final int VXLAN_FLAG_VNI = 0x08;
    private static final int ETHERNET_HEADER_LENGTH = 14;

    private static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0a};
    private static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x0b};

    private static final byte[] GRE_A = v4(192, 0, 2, 1);
    private static final byte[] GRE_B = v4(192, 0, 2, 2);
    private static final byte[] IPIP_A = v4(198, 51, 100, 1);
    private static final byte[] IPIP_B = v4(198, 51, 100, 2);
    private static final byte[] SIX4_A = v4(198, 51, 100, 3);
    private static final byte[] SIX4_B = v4(198, 51, 100, 4);
    private static final byte[] VTEP_A = v4(203, 0, 113, 1);
    private static final byte[] VTEP_B = v4(203, 0, 113, 2);

    /** One frame of the capture and the uids it belongs to. */
    public record Frame(int number, long recordOffset, long tsNanos, Set<String> uids) {
    }

    /** A conn.log row. */
    public record Conn(String uid, String proto, int ipProto, String origH, int origP, String respH, int respP,
                       long tsNanos, long durationNanos, long origPkts, long respPkts, List<String> tunnelParents) {
    }

    /**
     * A tunnel.log tunnel: DISCOVER at its first frame, CLOSE at its last ({@code closeNanos} -1:
     * no CLOSE row).
     */
    public record TunnelRow(String uid, String origH, int origP, String respH, int respP, String type,
                            long discoverNanos, long closeNanos) {
    }

    /** The files written and their truth. */
    public record Written(Path capture, Path connLog, Path tunnelLog, List<Frame> frames, List<Conn> conns,
                          List<TunnelRow> tunnels) {
        /** Record offsets of the frames of {@code uid}, in capture order. */
        public long[] offsetsOf(final String uid) {
            return frames.stream().filter(f -> f.uids().contains(uid)).mapToLong(Frame::recordOffset).toArray();
        }

        /** Every uid of either log, conn.log first. */
        public Set<String> uids() {
            final Set<String> all = new LinkedHashSet<>();
            conns.forEach(c -> all.add(c.uid()));
            tunnels.forEach(t -> all.add(t.uid()));
            return all;
        }
    }

    private record Pending(long tsNanos, long seq, byte[] frame, Set<String> uids) {
    }

    /** Packets of one connection as they are planned: counts, first and last time. */
    private static final class ConnPlan {
        final String uid;
        final String proto;
        final int ipProto;
        final byte[] orig;
        final int origPort;
        final byte[] resp;
        final int respPort;
        final List<String> parents;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        /** TCP: when both endpoints had closed (Zeek's duration ends there); MIN_VALUE if they did not. */
        long closedAt = Long.MIN_VALUE;
        long origPkts;
        long respPkts;

        /** Zeek's duration: to the close of a closed TCP connection, else to the last packet. */
        long duration() {
            return (closedAt != Long.MIN_VALUE ? closedAt : last) - first;
        }

        ConnPlan(final String uid, final String proto, final int ipProto, final byte[] orig, final int origPort,
                 final byte[] resp, final int respPort, final String... parents) {
            this.uid = uid;
            this.proto = proto;
            this.ipProto = ipProto;
            this.orig = orig;
            this.origPort = origPort;
            this.resp = resp;
            this.respPort = respPort;
            this.parents = List.of(parents);
        }
    }

    /** A tunnel's first and last frame, as they are planned. */
    private static final class TunnelPlan {
        final String uid;
        final byte[] orig;
        final int origPort;
        final byte[] resp;
        final int respPort;
        final String type;
        final boolean closed;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;

        TunnelPlan(final String uid, final byte[] orig, final int origPort, final byte[] resp, final int respPort,
                   final String type, final boolean closed) {
            this.uid = uid;
            this.orig = orig;
            this.origPort = origPort;
            this.resp = resp;
            this.respPort = respPort;
            this.type = type;
            this.closed = closed;
        }

        void saw(final long ts) {
            first = Math.min(first, ts);
            last = Math.max(last, ts);
        }
    }

    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, ConnPlan> conns = new LinkedHashMap<>();
    private final List<TunnelPlan> tunnels = new ArrayList<>();
    private int ipId = 1;
    private long seq;

    private TunnelScenario() {
    }

    /** Writes {@code tunnels.pcap}, {@code conn.log} and {@code tunnel.log} into {@code dir}. */
    public static Written write(final Path dir) throws IOException {
        final TunnelScenario s = new TunnelScenario();
        s.plan();
        return s.emit(dir);
    }

    private void plan() {
        final TunnelPlan gre1 = tunnel(GRE_1, GRE_A, 0, GRE_B, 0, "Tunnel::GRE", true);
        final TunnelPlan gre2 = tunnel(GRE_2, GRE_A, 0, GRE_B, 0, "Tunnel::GRE", true);
        final TunnelPlan ipip = tunnel(IPIP, IPIP_A, 0, IPIP_B, 0, "Tunnel::IP", false);
        final TunnelPlan six4 = tunnel(SIX_IN_FOUR, SIX4_A, 0, SIX4_B, 0, "Tunnel::IP", true);
        final TunnelPlan vxOut = tunnel(VXLAN_OUT, VTEP_A, 50000, VTEP_B, VXLAN_PORT, "Tunnel::VXLAN", true);
        final TunnelPlan vxBack = tunnel(VXLAN_BACK, VTEP_B, 50001, VTEP_A, VXLAN_PORT, "Tunnel::VXLAN", true);
        final ConnPlan vxOutConn = conn(VXLAN_OUT, "udp", IpPackets.PROTO_UDP, VTEP_A, 50000, VTEP_B, VXLAN_PORT);
        final ConnPlan vxBackConn = conn(VXLAN_BACK, "udp", IpPackets.PROTO_UDP, VTEP_B, 50001, VTEP_A, VXLAN_PORT);

        // GRE 1: a TCP connection and a UDP exchange; meanwhile a plain ping between the tunnel endpoints.
        final ConnPlan greTcp = conn("CinGreTcpaaaaaaaa1", "tcp", IpPackets.PROTO_TCP, v4(10, 1, 0, 1), 40000, v4(10, 2, 0, 1), 80, GRE_1);
        // It closes as real connections do: FIN, FIN, and the last ACK 1 ms later, after Zeek's duration.
        final boolean[] tcpDirections = {true, false, true, true, false, true, false, true};
        final int fin = TransportSegments.TCP_FIN | TransportSegments.TCP_ACK;
        final int[] tcpFlags = {TransportSegments.TCP_SYN, TransportSegments.TCP_SYN | TransportSegments.TCP_ACK,
            TransportSegments.TCP_ACK, TransportSegments.TCP_PSH | TransportSegments.TCP_ACK, TransportSegments.TCP_ACK,
            fin, fin, TransportSegments.TCP_ACK};
        for (int i = 0; i < tcpDirections.length; i++) {
            final byte[] inner = tcpPacket(greTcp, tcpDirections[i], tcpFlags[i], i == 3 ? 120 : 0);
            final long ts = T0 + 100_000 + (i < 7 ? i * 50 * MS : 6 * 50 * MS + MS);
            gre(ts, gre1, greTcp, tcpDirections[i], ETHERTYPE_IPV4, inner, false);
            if (i == 6) {
                greTcp.closedAt = ts;
            }
        }
        final ConnPlan greUdp = conn("CinGreUdpaaaaaaaa2", "udp", IpPackets.PROTO_UDP, v4(10, 1, 0, 1), 5353, v4(10, 2, 0, 2), 53, GRE_1);
        gre(T0 + 120 * MS, gre1, greUdp, true, ETHERTYPE_IPV4, udpPacket(greUdp, true, 40), false);
        gre(T0 + 200 * MS, gre1, greUdp, false, ETHERTYPE_IPV4, udpPacket(greUdp, false, 90), false);
        final ConnPlan plainPing = conn("CplainPingaaaaaa3", "icmp", IpPackets.PROTO_ICMP, GRE_A, 8, GRE_B, 0);
        plain(T0 + 150 * MS, plainPing, true, ETHERTYPE_IPV4, icmpEcho(plainPing, true, 1));
        plain(T0 + 151 * MS, plainPing, false, ETHERTYPE_IPV4, icmpEcho(plainPing, false, 1));

        // A plain TCP connection and ARP.
        final ConnPlan plainTcp = conn("CplainTcpaaaaaaaa4", "tcp", IpPackets.PROTO_TCP, v4(10, 9, 0, 1), 1234, v4(10, 9, 0, 2), 80);
        for (int i = 0; i < 4; i++) {
            final boolean fromOrig = i % 2 == 0;
            plain(T0 + 300 * MS + i * 10 * MS, plainTcp, fromOrig, ETHERTYPE_IPV4,
                tcpPacket(plainTcp, fromOrig, i == 0 ? TransportSegments.TCP_SYN : TransportSegments.TCP_ACK, 0));
        }
        arp(T0 + 310 * MS + 5 * MS);
        arp(T0 + 900 * MS);

        // IP-in-IP and IPv6-in-IPv4.
        final ConnPlan ipipUdp = conn("CinIpipUdpaaaaaa5", "udp", IpPackets.PROTO_UDP, v4(10, 3, 0, 1), 1000, v4(10, 4, 0, 1), 2000, IPIP);
        for (int i = 0; i < 3; i++) {
            final boolean fromOrig = i != 1;
            ipInIp(T0 + SECOND + i * 20 * MS, ipip, ipipUdp, fromOrig, PROTO_IPIP, udpPacket(ipipUdp, fromOrig, 30 + i));
        }
        final ConnPlan six4Tcp = conn("CinSix4Tcpaaaaaa6", "tcp", IpPackets.PROTO_TCP, v6(0x2001, 0xdb8, 3, 0, 0, 0, 0, 1), 50000,
            v6(0x2001, 0xdb8, 4, 0, 0, 0, 0, 1), 443, SIX_IN_FOUR);
        for (int i = 0; i < 4; i++) {
            final boolean fromOrig = i % 2 == 0;
            ipInIp(T0 + 1500 * MS + i * 15 * MS, six4, six4Tcp, fromOrig, PROTO_IPV6_IN_IP,
                tcpPacket(six4Tcp, fromOrig, i == 0 ? TransportSegments.TCP_SYN : TransportSegments.TCP_ACK, i * 10));
        }

        // VXLAN: each direction of the inner connection in its own outer UDP flow.
        final ConnPlan vxTcp = conn("CinVxlanTcpaaaaa7", "tcp", IpPackets.PROTO_TCP, v4(10, 5, 0, 1), 33000, v4(10, 5, 0, 2), 22,
            VXLAN_OUT, VXLAN_BACK);
        for (int i = 0; i < 6; i++) {
            final boolean fromOrig = i % 2 == 0;
            final byte[] inner = tcpPacket(vxTcp, fromOrig, i == 0 ? TransportSegments.TCP_SYN : TransportSegments.TCP_ACK, i * 7);
            vxlan(T0 + 2 * SECOND + i * 30 * MS, fromOrig ? vxOut : vxBack, fromOrig ? vxOutConn : vxBackConn, vxTcp, fromOrig, inner);
        }
        // The responder closes first; the originator's FIN closes the connection, the last ACK and a FIN
        // sent again 0.8 s later follow inside Zeek's close delay (the outer UDP flows count them all).
        final boolean[] closingFromOrig = {false, true, false, true};
        final int[] closingFlags = {fin, fin, TransportSegments.TCP_ACK, fin};
        final long[] closingAt = {T0 + 2 * SECOND + 200 * MS, T0 + 2 * SECOND + 230 * MS, T0 + 2 * SECOND + 230 * MS + 40_000,
            T0 + 2 * SECOND + 1030 * MS};
        for (int i = 0; i < closingAt.length; i++) {
            final boolean fromOrig = closingFromOrig[i];
            vxlan(closingAt[i], fromOrig ? vxOut : vxBack, fromOrig ? vxOutConn : vxBackConn, vxTcp, fromOrig,
                tcpPacket(vxTcp, fromOrig, closingFlags[i], 0));
        }
        vxTcp.closedAt = closingAt[1];

        // GRE 2: the same endpoints ten minutes later, with key and sequence number.
        final ConnPlan greIcmp = conn("CinGre2Icmpaaaaa8", "icmp", IpPackets.PROTO_ICMP, v4(10, 1, 0, 5), 8, v4(10, 2, 0, 9), 0, GRE_2);
        for (int i = 0; i < 4; i++) {
            final boolean fromOrig = i % 2 == 0;
            gre(T0 + 600 * SECOND + i * 100 * MS, gre2, greIcmp, fromOrig, ETHERTYPE_IPV4, icmpEcho(greIcmp, fromOrig, 1 + i / 2), true);
        }
        final ConnPlan greV6 = conn("CinGre2Udp6aaaaa9", "udp", IpPackets.PROTO_UDP, v6(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1), 7000,
            v6(0x2001, 0xdb8, 2, 0, 0, 0, 0, 1), 7001, GRE_2);
        gre(T0 + 600 * SECOND + 50 * MS, gre2, greV6, true, ETHERTYPE_IPV6, udpPacket(greV6, true, 12), true);
        gre(T0 + 600 * SECOND + 250 * MS, gre2, greV6, false, ETHERTYPE_IPV6, udpPacket(greV6, false, 24), true);
    }

    private TunnelPlan tunnel(final String uid, final byte[] orig, final int origPort, final byte[] resp, final int respPort,
                              final String type, final boolean closed) {
        final TunnelPlan t = new TunnelPlan(uid, orig, origPort, resp, respPort, type, closed);
        tunnels.add(t);
        return t;
    }

    private ConnPlan conn(final String uid, final String proto, final int ipProto, final byte[] orig, final int origPort,
                          final byte[] resp, final int respPort, final String... parents) {
        final ConnPlan c = new ConnPlan(uid, proto, ipProto, orig, origPort, resp, respPort, parents);
        conns.put(uid, c);
        return c;
    }

    private static void count(final ConnPlan c, final boolean fromOrig, final long ts) {
        c.first = Math.min(c.first, ts);
        c.last = Math.max(c.last, ts);
        if (fromOrig) {
            c.origPkts++;
        } else {
            c.respPkts++;
        }
    }

    private byte[] ip(final byte[] src, final byte[] dst, final int protocol, final byte[] payload) {
        return IpPackets.packet(src, dst, protocol, IpPackets.IpShape.plain(64, ipId++), payload).bytes();
    }

    private byte[] tcpPacket(final ConnPlan c, final boolean fromOrig, final int flags, final int payloadLength) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final TransportSegments.Segment s = TransportSegments.tcp(src, dst, fromOrig ? c.origPort : c.respPort,
            fromOrig ? c.respPort : c.origPort, 1000 + seq, 5000, flags, 65535, new byte[0], new byte[payloadLength]);
        return ip(src, dst, IpPackets.PROTO_TCP, s.bytes());
    }

    private byte[] udpPacket(final ConnPlan c, final boolean fromOrig, final int payloadLength) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final TransportSegments.Segment s = TransportSegments.udp(src, dst, fromOrig ? c.origPort : c.respPort,
            fromOrig ? c.respPort : c.origPort, new byte[payloadLength]);
        return ip(src, dst, IpPackets.PROTO_UDP, s.bytes());
    }

    /** ICMP echo request (orig) or reply (resp). */
    private byte[] icmpEcho(final ConnPlan c, final boolean fromOrig, final int sequence) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final TransportSegments.Segment s = TransportSegments.icmp4(fromOrig ? 8 : 0, 0, (0x1234L << 16) | sequence, new byte[16]);
        return ip(src, dst, IpPackets.PROTO_ICMP, s.bytes());
    }

    private void plain(final long ts, final ConnPlan c, final boolean fromOrig, final int etherType, final byte[] ipPacket) {
        count(c, fromOrig, ts);
        add(ts, ethernet(fromOrig, etherType, ipPacket), Set.of(c.uid));
    }

    private void gre(final long ts, final TunnelPlan t, final ConnPlan inner, final boolean fromOrig, final int innerEtherType,
                     final byte[] innerPacket, final boolean keyAndSequence) {
        final ByteArrayBuilder g = ByteArrayBuilder.bigEndian();
        g.u16(keyAndSequence ? GRE_KEY_PRESENT | GRE_SEQUENCE_PRESENT : 0); // C=0 R=0 K S, version 0
        g.u16(innerEtherType);                                              // protocol type
        if (keyAndSequence) {
            g.u32(0x0000_1001L); // key
            g.u32(seq);          // sequence number
        }
        g.bytes(innerPacket);
        final byte[] outer = ip(fromOrig ? t.orig : t.resp, fromOrig ? t.resp : t.orig, PROTO_GRE, g.toByteArray());
        count(inner, fromOrig, ts);
        t.saw(ts);
        add(ts, ethernet(fromOrig, ETHERTYPE_IPV4, outer), Set.of(inner.uid, t.uid));
    }

    private void ipInIp(final long ts, final TunnelPlan t, final ConnPlan inner, final boolean fromOrig, final int protocol,
                        final byte[] innerPacket) {
        final byte[] outer = ip(fromOrig ? t.orig : t.resp, fromOrig ? t.resp : t.orig, protocol, innerPacket);
        count(inner, fromOrig, ts);
        t.saw(ts);
        add(ts, ethernet(fromOrig, ETHERTYPE_IPV4, outer), Set.of(inner.uid, t.uid));
    }

    /** A VXLAN frame of outer flow {@code t} (always sent from its orig side), carrying an inner Ethernet frame. */
    private void vxlan(final long ts, final TunnelPlan t, final ConnPlan outerConn, final ConnPlan inner, final boolean fromOrig,
                       final byte[] innerPacket) {
        final ByteArrayBuilder v = ByteArrayBuilder.bigEndian();
        v.u8(VXLAN_FLAG_VNI).zeros(3); // flags, reserved
        v.u8(0).u16(42).u8(0);         // VNI 42, reserved
        v.bytes(fromOrig ? MAC_B : MAC_A).bytes(fromOrig ? MAC_A : MAC_B).u16(ETHERTYPE_IPV4); // inner Ethernet
        v.bytes(innerPacket);
        final TransportSegments.Segment udp = TransportSegments.udp(t.orig, t.resp, t.origPort, t.respPort, v.toByteArray());
        final byte[] outer = ip(t.orig, t.resp, IpPackets.PROTO_UDP, udp.bytes());
        count(inner, fromOrig, ts);
        count(outerConn, true, ts);
        t.saw(ts);
        add(ts, ethernet(true, ETHERTYPE_IPV4, outer), Set.of(inner.uid, t.uid));
    }

    private void arp(final long ts) {
        final ByteArrayBuilder a = ByteArrayBuilder.bigEndian();
        a.u16(1).u16(ETHERTYPE_IPV4).u8(6).u8(4).u16(1); // Ethernet/IPv4 request
        a.bytes(MAC_A).bytes(v4(10, 9, 0, 1)).zeros(6).bytes(v4(10, 9, 0, 2));
        add(ts, ethernet(true, ETHERTYPE_ARP, a.toByteArray()), Set.of());
    }

    private static byte[] ethernet(final boolean fromA, final int etherType, final byte[] payload) {
        final LinkFrames.LinkContext link = new LinkFrames.LinkContext(fromA ? MAC_A : MAC_B, fromA ? MAC_B : MAC_A,
            new int[0], false, false, 0, 0);
        return LinkFrames.encode(LinkFrames.LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN, link, etherType, payload);
    }

    private void add(final long ts, final byte[] frame, final Set<String> uids) {
        pending.add(new Pending(ts, seq++, frame, uids));
    }

    private Written emit(final Path dir) throws IOException {
        pending.sort(Comparator.comparingLong(Pending::tsNanos).thenComparingLong(Pending::seq));
        final Path capture = dir.resolve("tunnels.pcap");
        final List<Frame> frames = new ArrayList<>();
        try (PcapFileWriter out = new PcapFileWriter(new BufferedOutputStream(Files.newOutputStream(capture)),
            ByteOrder.LITTLE_ENDIAN, false, GeneratorSpec.FULL_SNAPLEN, LinkFrames.LINKTYPE_ETHERNET)) {
            int number = 0;
            for (Pending p : pending) {
                number++;
                final long offset = out.record(number, p.tsNanos(), p.frame(), p.frame().length);
                frames.add(new Frame(number, offset, p.tsNanos(), p.uids()));
            }
        }
        final List<Conn> connRows = new ArrayList<>();
        for (ConnPlan c : conns.values()) {
            connRows.add(new Conn(c.uid, c.proto, c.ipProto, AddressText.of(c.orig), c.origPort, AddressText.of(c.resp),
                c.respPort, c.first, c.duration(), c.origPkts, c.respPkts, c.parents));
        }
        final List<TunnelRow> tunnelRows = new ArrayList<>();
        for (TunnelPlan t : tunnels) {
            tunnelRows.add(new TunnelRow(t.uid, AddressText.of(t.orig), t.origPort, AddressText.of(t.resp), t.respPort, t.type,
                t.first, t.closed ? t.last : -1));
        }
        final Path connLog = dir.resolve("conn.log");
        final Path tunnelLog = dir.resolve("tunnel.log");
        writeConnLog(connRows, connLog);
        writeTunnelLog(tunnelRows, tunnelLog);
        return new Written(capture, connLog, tunnelLog, List.copyOf(frames), List.copyOf(connRows), List.copyOf(tunnelRows));
    }

    private static void writeConnLog(final List<Conn> rows, final Path path) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            header(out, "conn", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\tresp_pkts\ttunnel_parents\tip_proto",
                "time\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tset[string]\tcount");
            for (Conn c : rows) {
                out.write(String.join("\t", ZeekConnLog.seconds(c.tsNanos()), c.uid(), c.origH(), Integer.toString(c.origP()),
                    c.respH(), Integer.toString(c.respP()), c.proto(),
                    c.durationNanos() > 0 ? ZeekConnLog.seconds(c.durationNanos()) : "-",
                    Long.toString(c.origPkts()), Long.toString(c.respPkts()),
                    c.tunnelParents().isEmpty() ? "-" : String.join(",", c.tunnelParents()), Integer.toString(c.ipProto())));
                out.write('\n');
            }
            out.write("#close\t2023-11-14-22-23-20\n");
        }
    }

    /** DISCOVER rows in order of discovery, then CLOSE rows in order of closing, as Zeek writes them. */
    private static void writeTunnelLog(final List<TunnelRow> rows, final Path path) throws IOException {
        final List<String[]> lines = new ArrayList<>();
        for (TunnelRow t : rows) {
            lines.add(new String[] {Long.toString(t.discoverNanos()), row(t, t.discoverNanos(), "Tunnel::DISCOVER")});
            if (t.closeNanos() >= 0) {
                lines.add(new String[] {Long.toString(t.closeNanos()), row(t, t.closeNanos(), "Tunnel::CLOSE")});
            }
        }
        lines.sort(Comparator.comparingLong(l -> Long.parseLong(l[0])));
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            header(out, "tunnel", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttunnel_type\taction",
                "time\tstring\taddr\tport\taddr\tport\tenum\tenum");
            for (String[] l : lines) {
                out.write(l[1]);
                out.write('\n');
            }
            out.write("#close\t2023-11-14-22-23-20\n");
        }
    }

    private static String row(final TunnelRow t, final long ts, final String action) {
        return String.join("\t", ZeekConnLog.seconds(ts), t.uid(), t.origH(), Integer.toString(t.origP()), t.respH(),
            Integer.toString(t.respP()), t.type(), action);
    }

    /** The header lines of a Zeek TSV log of {@code path} with the given {@code #fields} and {@code #types}. */
    static void header(final BufferedWriter out, final String path, final String fields, final String types)
        throws IOException {
        out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n");
        out.write("#path\t" + path + "\n#open\t2023-11-14-22-13-20\n");
        out.write("#fields\t" + fields + "\n#types\t" + types + "\n");
    }

    private static byte[] v4(final int a, final int b, final int c, final int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    private static byte[] v6(final int... groups) {
        final byte[] address = new byte[16];
        for (int i = 0; i < 8; i++) {
            address[2 * i] = (byte) (groups[i] >>> 8);
            address[2 * i + 1] = (byte) groups[i];
        }
        return address;
    }
}
