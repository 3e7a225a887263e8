package io.scalpel.testdata;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small Ethernet capture of tunnels whose outer IPv4 datagrams are fragmented, with the truth of
 * which frames belong to which Zeek uid and the conn.log Zeek would write for it:
 * <ul>
 *   <li>GTP-U between {@code 192.0.2.10:2152} and {@code 192.0.2.20:2152} ({@link #GTP}, one UDP
 *       flow both ways) carrying an inner TCP connection ({@link #GTP_TCP}): small segments in whole
 *       datagrams, large ones in outer datagrams of three fragments, sent in order, last fragment
 *       first, and first fragment in the middle; and an inner UDP exchange ({@link #GTP_UDP}) in
 *       the same tunnel, with fragments of its datagrams interleaved with those of the TCP ones;</li>
 *   <li>VXLAN from {@code 203.0.113.10:50000} to {@code 203.0.113.20:4789} ({@link #VXLAN}) carrying
 *       an inner UDP flow ({@link #VXLAN_UDP}) in fragmented and whole datagrams;</li>
 *   <li>a plain UDP flow ({@link #PLAIN_UDP}) of fragmented datagrams, no tunnel;</li>
 *   <li>GRE over UDP from {@code 192.0.2.30:40000} to {@code 192.0.2.40:4754} ({@link #GRE_UDP}, a
 *       conn.log row) carrying an inner TCP connection ({@link #GRE_UDP_TCP}) in fragmented and
 *       whole datagrams: the GRE tunnel ({@link #GRE_TUNNEL}) is named only in tunnel.log, by the
 *       two addresses with ports 0, and is the inner connection's tunnel parent.</li>
 * </ul>
 * Every fragment of an outer datagram belongs to the outer flow, to the inner connection the
 * datagram carries, and for GRE over UDP to the GRE tunnel. Zeek sees a fragmented datagram when
 * its last fragment arrives, so the conn.log and tunnel.log times are completion times. The truth
 * is recorded as the frames are built.
 */
public final class FragmentedTunnelScenario {
    public static final String GTP = "CfragGtpOuteraaaa1";
    public static final String GTP_TCP = "CfragGtpTcpaaaaaa2";
    public static final String GTP_UDP = "CfragGtpUdpaaaaaa3";
    public static final String VXLAN = "CfragVxlanaaaaaaa4";
    public static final String VXLAN_UDP = "CfragVxUdpaaaaaaa5";
    public static final String PLAIN_UDP = "CfragPlainUdpaaaa6";
    public static final String GRE_UDP = "CfragGreUdpaaaaaa7";
    public static final String GRE_UDP_TCP = "CfragGreUdpTcpaaa8";
    public static final String GRE_TUNNEL = "CfragGreTunnelaaa9";

    static final long T0 = 1_700_000_100_000_000_000L;
    private static final long MS = 1_000_000L;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int GTP_PORT = 2152;
    private static final int VXLAN_PORT = 4789;
    private static final int GRE_IN_UDP_PORT = 4754;
    private static final int FRAGMENT_DATA = 1000;

    private static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x1a};
    private static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x1b};
    private static final byte[] GTP_A = {(byte) 192, 0, 2, 10};
    private static final byte[] GTP_B = {(byte) 192, 0, 2, 20};
    private static final byte[] VTEP_A = {(byte) 203, 0, 113, 10};
    private static final byte[] VTEP_B = {(byte) 203, 0, 113, 20};
    private static final byte[] GRE_A = {(byte) 192, 0, 2, 30};
    private static final byte[] GRE_B = {(byte) 192, 0, 2, 40};

    /** One frame of the capture and the uids it belongs to. */
    public record Frame(int number, long recordOffset, long tsNanos, Set<String> uids) {
    }

    /** The files written and their truth. */
    public record Written(Path capture, Path connLog, Path tunnelLog, List<Frame> frames) {
        /** Record offsets of the frames of {@code uid}, in capture order. */
        public long[] offsetsOf(final String uid) {
            return frames.stream().filter(f -> f.uids().contains(uid)).mapToLong(Frame::recordOffset).toArray();
        }

        /** Frames of a tunnel (whole outer datagrams and fragments): each belongs to an outer and an inner uid. */
        public long tunnelledFrames() {
            return frames.stream().filter(f -> f.uids().size() >= 2).count();
        }

        /** The index rows of outer names: one per uid of a frame's beside its innermost one. */
        public long outerNames() {
            return frames.stream().filter(f -> f.uids().size() >= 2).mapToLong(f -> f.uids().size() - 1).sum();
        }
    }

    private record Pending(long tsNanos, byte[] frame, Set<String> uids) {
    }

    /** A conn.log row as it is planned: counts, first and last time Zeek sees a packet. */
    private static final class Conn {
        final String uid;
        final String proto;
        final byte[] orig;
        final int origPort;
        final byte[] resp;
        final int respPort;
        final String parent;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long origPkts;
        long respPkts;

        Conn(final String uid, final String proto, final byte[] orig, final int origPort, final byte[] resp, final int respPort,
             final String parent) {
            this.uid = uid;
            this.proto = proto;
            this.orig = orig;
            this.origPort = origPort;
            this.resp = resp;
            this.respPort = respPort;
            this.parent = parent;
        }

        void saw(final boolean fromOrig, final long ts) {
            first = Math.min(first, ts);
            last = Math.max(last, ts);
            if (fromOrig) {
                origPkts++;
            } else {
                respPkts++;
            }
        }
    }

    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, Conn> conns = new LinkedHashMap<>();
    /** Tunnels only tunnel.log names (ports 0, no protocol). */
    private final Map<String, Conn> tunnels = new LinkedHashMap<>();
    private int ipId = 0x100;
    private long tcpSeq = 1000;

    private FragmentedTunnelScenario() {
    }

    /** Writes {@code fragmented-tunnels.pcap} and {@code conn.log} into {@code dir}. */
    public static Written write(final Path dir) throws IOException {
        final FragmentedTunnelScenario s = new FragmentedTunnelScenario();
        s.plan();
        return s.emit(dir);
    }

    private void plan() {
        final Conn gtp = conn(GTP, "udp", GTP_A, GTP_PORT, GTP_B, GTP_PORT, null);
        final Conn tcp = conn(GTP_TCP, "tcp", new byte[] {10, 6, 0, 1}, 40001, new byte[] {10, 6, 0, 2}, 80, GTP);
        final Conn udp = conn(GTP_UDP, "udp", new byte[] {10, 6, 0, 1}, 5000, new byte[] {10, 6, 0, 3}, 6000, GTP);
        final Conn vx = conn(VXLAN, "udp", VTEP_A, 50000, VTEP_B, VXLAN_PORT, null);
        final Conn vxUdp = conn(VXLAN_UDP, "udp", new byte[] {10, 7, 0, 1}, 7000, new byte[] {10, 7, 0, 2}, 7001, VXLAN);
        final Conn plain = conn(PLAIN_UDP, "udp", new byte[] {10, 8, 0, 1}, 9000, new byte[] {10, 8, 0, 2}, 9001, null);

        long t = T0;
        // GTP-U: handshake in whole datagrams, then large segments in fragmented ones.
        gtp(t, gtp, tcp, true, tcpPacket(tcp, true, 0), null);
        gtp(t += MS, gtp, tcp, false, tcpPacket(tcp, false, 0), null);
        gtp(t += MS, gtp, tcp, true, tcpPacket(tcp, true, 0), null);
        gtp(t += MS, gtp, tcp, true, tcpPacket(tcp, true, 2000), new int[] {0, 1, 2});       // in order
        gtp(t += 10 * MS, gtp, tcp, false, tcpPacket(tcp, false, 2000), new int[] {2, 1, 0}); // last fragment first
        gtp(t += 10 * MS, gtp, udp, true, udpPacket(udp, true, 1500), new int[] {1, 0});      // first fragment last
        gtp(t += 10 * MS, gtp, tcp, true, tcpPacket(tcp, true, 2000), new int[] {1, 0, 2});   // first in the middle
        gtp(t += 10 * MS, gtp, udp, false, udpPacket(udp, false, 40), null);
        gtp(t += 10 * MS, gtp, tcp, false, tcpPacket(tcp, false, 0), null);
        // VXLAN: a fragmented datagram in order, one out of order, one whole.
        vxlan(t += 10 * MS, vx, vxUdp, true, udpPacket(vxUdp, true, 1800), new int[] {0, 1});
        vxlan(t += 10 * MS, vx, vxUdp, false, udpPacket(vxUdp, false, 1800), new int[] {1, 0});
        vxlan(t += 10 * MS, vx, vxUdp, true, udpPacket(vxUdp, true, 20), null);
        // A plain fragmented UDP flow, no tunnel.
        plain(t += 10 * MS, plain, true, 1500, new int[] {1, 0});
        plain(t += 10 * MS, plain, false, 1500, new int[] {0, 1});
        // Interleaved: fragments of two GTP datagrams of the two inner connections, alternating.
        interleaved(t += 10 * MS, gtp, tcp, tcpPacket(tcp, true, 1900), udp, udpPacket(udp, true, 1900));
        // GRE over UDP: a whole datagram, a fragmented one in order and one out of order.
        final Conn greUdp = conn(GRE_UDP, "udp", GRE_A, 40000, GRE_B, GRE_IN_UDP_PORT, null);
        final Conn greTunnel = new Conn(GRE_TUNNEL, "-", GRE_A, 0, GRE_B, 0, null);
        tunnels.put(GRE_TUNNEL, greTunnel);
        final Conn greTcp = conn(GRE_UDP_TCP, "tcp", new byte[] {10, 9, 0, 1}, 40002, new byte[] {10, 9, 0, 2}, 443, GRE_TUNNEL);
        greOverUdp(t += 10 * MS, greUdp, greTunnel, greTcp, true, tcpPacket(greTcp, true, 0), null);
        greOverUdp(t += 10 * MS, greUdp, greTunnel, greTcp, false, tcpPacket(greTcp, false, 1800), new int[] {0, 1});
        greOverUdp(t += 10 * MS, greUdp, greTunnel, greTcp, true, tcpPacket(greTcp, true, 1800), new int[] {1, 0});
    }

    private Conn conn(final String uid, final String proto, final byte[] orig, final int origPort, final byte[] resp,
                      final int respPort, final String parent) {
        final Conn c = new Conn(uid, proto, orig, origPort, resp, respPort, parent);
        conns.put(uid, c);
        return c;
    }

    private byte[] tcpPacket(final Conn c, final boolean fromOrig, final int payloadLength) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final TransportSegments.Segment s = TransportSegments.tcp(src, dst, fromOrig ? c.origPort : c.respPort,
            fromOrig ? c.respPort : c.origPort, tcpSeq, 5000, TransportSegments.TCP_ACK, 65535, new byte[0], new byte[payloadLength]);
        tcpSeq += payloadLength;
        return IpPackets.packet(src, dst, IpPackets.PROTO_TCP, IpPackets.IpShape.plain(64, ipId++), s.bytes()).bytes();
    }

    private byte[] udpPacket(final Conn c, final boolean fromOrig, final int payloadLength) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final TransportSegments.Segment s = TransportSegments.udp(src, dst, fromOrig ? c.origPort : c.respPort,
            fromOrig ? c.respPort : c.origPort, new byte[payloadLength]);
        return IpPackets.packet(src, dst, IpPackets.PROTO_UDP, IpPackets.IpShape.plain(64, ipId++), s.bytes()).bytes();
    }

    /** GTP-U G-PDU: flags (version 1, protocol type GTP), message type 0xff, length, TEID. */
    private static byte[] gtpU(final byte[] inner) {
        return ByteArrayBuilder.bigEndian().u8(0x30).u8(0xff).u16(inner.length).u32(0x0000_0042L).bytes(inner).toByteArray();
    }

    /** VXLAN with a valid VNI, then an Ethernet header and the inner IPv4 packet. */
    private static byte[] vxlanPayload(final byte[] inner) {
        return ByteArrayBuilder.bigEndian().u8(0x08).zeros(3).u8(0).u16(7).u8(0)
            .bytes(MAC_B).bytes(MAC_A).u16(ETHERTYPE_IPV4).bytes(inner).toByteArray();
    }

    /**
     * The outer UDP datagram from one side of {@code outer} to the other, whole ({@code order}
     * null) or as IPv4 fragments sent in {@code order} (indexes into the fragments in offset order),
     * 1 ms apart. Returns the frames and the time the datagram is complete (its last frame).
     */
    private List<byte[]> outerDatagram(final Conn outer, final boolean fromOrig, final byte[] udpPayload, final int[] order) {
        final byte[] src = fromOrig ? outer.orig : outer.resp;
        final byte[] dst = fromOrig ? outer.resp : outer.orig;
        final byte[] udp = TransportSegments.udp(src, dst, fromOrig ? outer.origPort : outer.respPort,
            fromOrig ? outer.respPort : outer.origPort, udpPayload).bytes();
        final List<byte[]> frames = new ArrayList<>();
        if (order == null) {
            frames.add(IpPackets.packet(src, dst, IpPackets.PROTO_UDP, IpPackets.IpShape.plain(64, ipId++), udp).bytes());
            return frames;
        }
        final List<IpPackets.IpPacket> fragments = IpPackets.fragments(src, dst, IpPackets.PROTO_UDP,
            IpPackets.IpShape.plain(64, 0), ipId++, udp, FRAGMENT_DATA);
        if (fragments.size() != order.length) {
            throw new IllegalStateException(fragments.size() + " fragments, an order of " + order.length);
        }
        for (int i : order) {
            frames.add(fragments.get(i).bytes());
        }
        return frames;
    }

    private void gtp(final long ts, final Conn outer, final Conn inner, final boolean fromOrig, final byte[] innerPacket,
                     final int[] order) {
        final boolean outerFromOrig = fromOrig; // GTP-U both ways on port 2152: the outer side follows the inner one
        send(ts, outer, outerFromOrig, inner, fromOrig, outerDatagram(outer, outerFromOrig, gtpU(innerPacket), order));
    }

    private void vxlan(final long ts, final Conn outer, final Conn inner, final boolean fromOrig, final byte[] innerPacket,
                       final int[] order) {
        // Both directions of the inner flow travel from the VXLAN flow's originator, as one VTEP pair's flow.
        send(ts, outer, true, inner, fromOrig, outerDatagram(outer, true, vxlanPayload(innerPacket), order));
    }

    /** GRE over UDP (a GRE header carrying IPv4) of outer flow {@code outer}, always sent from its orig side. */
    private void greOverUdp(final long ts, final Conn outer, final Conn tunnel, final Conn inner, final boolean fromOrig,
                            final byte[] innerPacket, final int[] order) {
        final byte[] gre = ByteArrayBuilder.bigEndian().u16(0).u16(ETHERTYPE_IPV4).bytes(innerPacket).toByteArray();
        long t = ts;
        for (byte[] p : outerDatagram(outer, true, gre, order)) {
            add(t, ethernet(true, p), Set.of(outer.uid, inner.uid, tunnel.uid));
            t += MS;
        }
        outer.saw(true, t - MS);
        inner.saw(fromOrig, t - MS);
        tunnel.saw(true, t - MS);
    }

    private void plain(final long ts, final Conn c, final boolean fromOrig, final int payloadLength, final int[] order) {
        final byte[] src = fromOrig ? c.orig : c.resp;
        final byte[] dst = fromOrig ? c.resp : c.orig;
        final byte[] udp = TransportSegments.udp(src, dst, fromOrig ? c.origPort : c.respPort,
            fromOrig ? c.respPort : c.origPort, new byte[payloadLength]).bytes();
        final List<IpPackets.IpPacket> fragments = IpPackets.fragments(src, dst, IpPackets.PROTO_UDP,
            IpPackets.IpShape.plain(64, 0), ipId++, udp, FRAGMENT_DATA);
        long t = ts;
        for (int i : order) {
            add(t, ethernet(fromOrig, fragments.get(i).bytes()), Set.of(c.uid));
            t += MS;
        }
        c.saw(fromOrig, t - MS);
    }

    /** The frames of one outer datagram, 1 ms apart; Zeek sees the datagram at its last frame. */
    private void send(final long ts, final Conn outer, final boolean outerFromOrig, final Conn inner, final boolean innerFromOrig,
                      final List<byte[]> ipPackets) {
        long t = ts;
        for (byte[] p : ipPackets) {
            add(t, ethernet(outerFromOrig, p), Set.of(outer.uid, inner.uid));
            t += MS;
        }
        outer.saw(outerFromOrig, t - MS);
        inner.saw(innerFromOrig, t - MS);
    }

    /** Fragments of a datagram carrying {@code a} and of one carrying {@code b}, alternating: a0 b0 a1 b1 ... */
    private void interleaved(final long ts, final Conn outer, final Conn a, final byte[] aPacket, final Conn b, final byte[] bPacket) {
        final List<byte[]> first = outerDatagram(outer, true, gtpU(aPacket), new int[] {0, 1});
        final List<byte[]> second = outerDatagram(outer, true, gtpU(bPacket), new int[] {1, 0});
        long t = ts;
        for (int i = 0; i < first.size(); i++) {
            add(t, ethernet(true, first.get(i)), Set.of(outer.uid, a.uid));
            t += MS;
            add(t, ethernet(true, second.get(i)), Set.of(outer.uid, b.uid));
            t += MS;
        }
        outer.saw(true, t - 2 * MS);
        a.saw(true, t - 2 * MS);
        outer.saw(true, t - MS);
        b.saw(true, t - MS);
    }

    private static byte[] ethernet(final boolean fromA, final byte[] ipPacket) {
        final LinkFrames.LinkContext link = new LinkFrames.LinkContext(fromA ? MAC_A : MAC_B, fromA ? MAC_B : MAC_A,
            new int[0], false, false, 0, 0);
        return LinkFrames.encode(LinkFrames.LINKTYPE_ETHERNET, ByteOrder.LITTLE_ENDIAN, link, ETHERTYPE_IPV4, ipPacket);
    }

    private void add(final long ts, final byte[] frame, final Set<String> uids) {
        pending.add(new Pending(ts, frame, uids));
    }

    private Written emit(final Path dir) throws IOException {
        final Path capture = dir.resolve("fragmented-tunnels.pcap");
        final List<Frame> frames = new ArrayList<>();
        try (PcapFileWriter out = new PcapFileWriter(new BufferedOutputStream(Files.newOutputStream(capture)),
            ByteOrder.LITTLE_ENDIAN, false, GeneratorSpec.FULL_SNAPLEN, LinkFrames.LINKTYPE_ETHERNET)) {
            int number = 0;
            for (Pending p : pending) { // planned in time order
                number++;
                final long offset = out.record(number, p.tsNanos(), p.frame(), p.frame().length);
                frames.add(new Frame(number, offset, p.tsNanos(), p.uids()));
            }
        }
        final Path connLog = dir.resolve("conn.log");
        try (BufferedWriter out = Files.newBufferedWriter(connLog, StandardCharsets.UTF_8)) {
            TunnelScenario.header(out, "conn", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\tresp_pkts\ttunnel_parents",
                "time\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tset[string]");
            for (Conn c : conns.values()) {
                out.write(String.join("\t", ZeekConnLog.seconds(c.first), c.uid, AddressText.of(c.orig), Integer.toString(c.origPort),
                    AddressText.of(c.resp), Integer.toString(c.respPort), c.proto,
                    c.last > c.first ? ZeekConnLog.seconds(c.last - c.first) : "-",
                    Long.toString(c.origPkts), Long.toString(c.respPkts), c.parent == null ? "-" : c.parent));
                out.write('\n');
            }
            out.write("#close\t2023-11-14-22-23-20\n");
        }
        final Path tunnelLog = dir.resolve("tunnel.log");
        try (BufferedWriter out = Files.newBufferedWriter(tunnelLog, StandardCharsets.UTF_8)) {
            TunnelScenario.header(out, "tunnel", "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttunnel_type\taction",
                "time\tstring\taddr\tport\taddr\tport\tenum\tenum");
            for (Conn t : tunnels.values()) { // GRE tunnels: by their addresses, ports 0
                out.write(String.join("\t", ZeekConnLog.seconds(t.first), t.uid, AddressText.of(t.orig), "0", AddressText.of(t.resp), "0",
                    "Tunnel::GRE", "Tunnel::DISCOVER"));
                out.write('\n');
                out.write(String.join("\t", ZeekConnLog.seconds(t.last), t.uid, AddressText.of(t.orig), "0", AddressText.of(t.resp), "0",
                    "Tunnel::GRE", "Tunnel::CLOSE"));
                out.write('\n');
            }
            out.write("#close\t2023-11-14-22-23-20\n");
        }
        return new Written(capture, connLog, tunnelLog, List.copyOf(frames));
    }
}
