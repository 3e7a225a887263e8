package io.scalpel.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tunnel traces of Zeek's test suite, decoded frame by frame and checked against the
 * conn.log and tunnel.log Zeek wrote for them (its baselines in the shared corpus):
 * <ul>
 *   <li>every conn.log row that is no tunnel's parent is the innermost key of some frame, and every
 *       parent row (a uid in some row's {@code tunnel_parents} or in tunnel.log) the key of an outer
 *       layer of some frame;</li>
 *   <li>every tunnel.log row is an outer layer of some frame, carrying that tunnel type: a UDP
 *       tunnel with its ports, an IP or GRE tunnel by its addresses with ports 0, which for GRE
 *       over UDP is the layer's alias key;</li>
 *   <li>the other way round, every frame's innermost TCP, UDP or ICMP key is a conn.log row, and
 *       every outer UDP tunnel layer too: a tunnel the decoder entered where Zeek did not (the
 *       negative controls) would key a frame by a flow Zeek never logged;</li>
 *   <li>each conn's {@code orig_pkts + resp_pkts} is the number of frames it keys (Zeek counts a
 *       packet in every connection of its tunnel chain), where the trace has no fragments.</li>
 * </ul>
 */
@Tag("corpus")
class DecoderTunnelCorpusTest {

    private static Path corpus() {
        final String dir = System.getProperty("scalpel.shared.dir");
        final Path corpus = dir == null ? null : Path.of(dir).resolve("corpus");
        Assumptions.assumeTrue(corpus != null && Files.isDirectory(corpus),
            "shared corpus absent (scalpel.shared.dir=" + dir + "): skipping the tunnel traces");
        return corpus;
    }

    /** A conn.log or tunnel.log row's flow; {@code origPort} -1 when the log's column cut left it out. */
    private record Row(String uid, String origH, int origPort, String respH, int respPort, String proto,
                       String tunnelType, Set<String> parents, int packets) {
    }

    /**
     * One decoded layer: its key as log text, whether it is the innermost, its tunnel type, and its
     * alias key ({@link DecodedPacket#aliasKey(int)}, null when none).
     */
    private record Layer(String src, int srcPort, String dst, int dstPort, String proto, boolean innermost, int tunnelType,
                         boolean fragment, Layer alias) {
        /** The key tunnel.log names this layer's tunnel by: its alias when it has one, else its own. */
        Layer tunnelLogName() {
            return alias != null ? alias : this;
        }
    }

    private static List<Row> readLog(final Path log) throws IOException {
        final List<Row> rows = new ArrayList<>();
        if (!Files.isRegularFile(log)) {
            return rows;
        }
        String[] fields = null;
        for (final String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("#fields\t")) {
                fields = line.substring("#fields\t".length()).split("\t");
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            final String[] values = line.split("\t", -1);
            if (fields == null) { // a zeek-cut -m file: its first line names the columns
                fields = values;
                continue;
            }
            final Map<String, String> row = new HashMap<>();
            for (int i = 0; i < fields.length && i < values.length; i++) {
                row.putIfAbsent(fields[i], values[i]);
            }
            final boolean cut = !row.containsKey("id.orig_p");
            final String parents = row.getOrDefault("tunnel_parents", "-");
            final Set<String> parentSet = new HashSet<>();
            if (!parents.equals("-") && !parents.equals("(empty)")) {
                parentSet.addAll(List.of(parents.split(",")));
            }
            rows.add(new Row(row.get("uid"), row.get("id.orig_h"), cut ? -1 : Integer.parseInt(row.get("id.orig_p")),
                row.get("id.resp_h"), row.containsKey("id.resp_p") ? Integer.parseInt(row.get("id.resp_p")) : -1, row.getOrDefault("proto", "-"),
                row.getOrDefault("tunnel_type", "-"), parentSet, packets(row)));
        }
        return rows;
    }

    /** orig_pkts + resp_pkts, or -1 when the log has no such columns. */
    private static int packets(final Map<String, String> row) {
        final String orig = row.get("orig_pkts");
        final String resp = row.get("resp_pkts");
        if (orig == null || resp == null || orig.equals("-") || resp.equals("-")) {
            return -1;
        }
        return Integer.parseInt(orig) + Integer.parseInt(resp);
    }

    private static String protoName(final int protocol) {
        switch (protocol) {
            case FlowKey.PROTO_TCP:
                return "tcp";
            case FlowKey.PROTO_UDP:
                return "udp";
            case FlowKey.PROTO_ICMP:
            case FlowKey.PROTO_ICMPV6:
                return "icmp";
            default:
                return "ip" + protocol;
        }
    }

    private static String address(final FlowKey k, final boolean source) {
        return source ? Addresses.format(k.ipVersion(), k.srcHi(), k.srcLo()) : Addresses.format(k.ipVersion(), k.dstHi(), k.dstLo());
    }

    private static boolean same(final Row r, final Layer l) {
        if (!r.proto().equals(l.proto())) {
            return false;
        }
        final boolean forward = r.origH().equals(l.src()) && r.respH().equals(l.dst())
            && (r.origPort() < 0 || r.origPort() == l.srcPort()) && r.respPort() == l.dstPort();
        final boolean backward = r.origH().equals(l.dst()) && r.respH().equals(l.src())
            && (r.origPort() < 0 || r.origPort() == l.dstPort()) && r.respPort() == l.srcPort();
        return forward || backward;
    }

    private static boolean sameTuple(final Row a, final Row b) {
        return a.proto().equals(b.proto()) && a.packets() >= 0
            && ((a.origH().equals(b.origH()) && a.origPort() == b.origPort() && a.respH().equals(b.respH()) && a.respPort() == b.respPort())
            || (a.origH().equals(b.respH()) && a.origPort() == b.respPort() && a.respH().equals(b.origH()) && a.respPort() == b.origPort()));
    }

    private static boolean sameAddresses(final Row r, final Layer l) {
        return (r.origH().equals(l.src()) && r.respH().equals(l.dst())) || (r.origH().equals(l.dst()) && r.respH().equals(l.src()));
    }

    /** An IP or GRE tunnel's tunnel.log row names the layer: its addresses, and its ports (0) as the row's. */
    private static boolean namedByAddresses(final Row r, final Layer l) {
        return sameAddresses(r, l) && (r.origPort() < 0 || l.srcPort() == r.origPort()) && l.dstPort() == r.respPort();
    }

    private static String tunnelName(final int type) {
        switch (type) {
            case DecodedPacket.TUNNEL_IP:
                return "Tunnel::IP";
            case DecodedPacket.TUNNEL_AYIYA:
                return "Tunnel::AYIYA";
            case DecodedPacket.TUNNEL_TEREDO:
                return "Tunnel::TEREDO";
            case DecodedPacket.TUNNEL_GTPV1:
                return "Tunnel::GTPv1";
            case DecodedPacket.TUNNEL_GRE:
                return "Tunnel::GRE";
            case DecodedPacket.TUNNEL_VXLAN:
                return "Tunnel::VXLAN";
            case DecodedPacket.TUNNEL_GENEVE:
                return "Tunnel::GENEVE";
            default:
                return "-";
        }
    }

    private static boolean greOverUdp(final Layer l) {
        return l.tunnelType() == DecodedPacket.TUNNEL_GRE && l.proto().equals("udp");
    }

    private static boolean isUdpTunnel(final String name) {
        return !name.equals("Tunnel::IP") && !name.equals("Tunnel::GRE");
    }

    /** Every frame's layers. */
    private static List<List<Layer>> decodeAll(final Path trace, final int maxDepth) throws IOException {
        final List<List<Layer>> frames = new ArrayList<>();
        final PacketDecoder decoder = new PacketDecoder(maxDepth);
        final DecodedPacket out = new DecodedPacket();
        final Frame frame = new Frame();
        try (CaptureReader reader = CaptureReader.open(trace)) {
            while (reader.next(frame)) {
                decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), out);
                final List<Layer> layers = new ArrayList<>();
                for (int i = 0; i < out.layerCount(); i++) {
                    final FlowKey k = out.layer(i);
                    final FlowKey a = out.aliasKey(i);
                    final Layer alias = a == null ? null : new Layer(address(a, true), a.srcPort(), address(a, false), a.dstPort(),
                        protoName(a.protocol()), false, DecodedPacket.TUNNEL_NONE, a.isFragment(), null);
                    layers.add(new Layer(address(k, true), k.srcPort(), address(k, false), k.dstPort(), protoName(k.protocol()),
                        i == out.layerCount() - 1, out.tunnelType(i), k.isFragment(), alias));
                }
                frames.add(layers);
            }
        }
        return frames;
    }

    @org.junit.jupiter.api.Test
    void shouldStopAtZeeksMaximumTunnelDepthAndDecapsulateTheFirstFragmentOfAnOuterDatagram() throws IOException {
        final Path triple = corpus().resolve("zeek/traces/tunnels/vxlan-triple-v2.pcap");
        final Path fragmented = corpus().resolve("zeek/traces/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap");
        Assumptions.assumeTrue(Files.isRegularFile(triple) && Files.isRegularFile(fragmented), "tunnel traces absent");
        final DecodedPacket out = new DecodedPacket();
        final Frame frame = new Frame();
        try (CaptureReader reader = CaptureReader.open(triple)) {
            assertTrue(reader.next(frame));
            new PacketDecoder().decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), out);
            assertEquals(4, out.layerCount()); // three VXLAN tunnels (core.tunnels.max-depth)
            assertEquals(DecodedPacket.TUNNEL_STOP_NONE, out.tunnelStop());
            new PacketDecoder(2).decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), out);
            assertEquals(3, out.layerCount()); // Tunnel::max_depth = 2 (core.tunnels.max-depth-exceeded)
            assertEquals(DecodedPacket.TUNNEL_STOP_MAX_DEPTH, out.tunnelStop());
            assertEquals("3.3.3.3", address(out.innermost(), true));
        }
        // tshark -o ip.defragment:FALSE on the outer header: 32 whole datagrams, 40 first fragments
        // (MF set, offset 0), 36 last ones (offset 185 units); the first fragments hold the GTP-U
        // header and the inner IPv4/TCP header, so they are decapsulated as the whole datagrams are.
        int whole = 0;
        int first = 0;
        int later = 0;
        try (CaptureReader reader = CaptureReader.open(fragmented)) {
            final PacketDecoder decoder = new PacketDecoder();
            while (reader.next(frame)) {
                decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), out);
                final FlowKey outer = out.layer(0);
                if (outer.isFragment() && outer.fragmentOffset() != 0) {
                    later++;
                    assertEquals(1, out.layerCount());
                    assertEquals(1480, outer.fragmentOffset());
                    continue;
                }
                if (outer.isFragment()) {
                    first++;
                } else {
                    whole++;
                }
                assertEquals(2, out.layerCount());
                assertEquals(DecodedPacket.TUNNEL_GTPV1, out.tunnelType(0));
                assertEquals(FlowKey.PROTO_TCP, out.innermost().protocol());
            }
        }
        assertEquals(32, whole, "whole outer datagrams");
        assertEquals(40, first, "first fragments of outer datagrams");
        assertEquals(36, later, "later fragments of outer datagrams");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // baseline | trace | max depth | frames with a tunnel entered (-1: not counted) | whether each conn's
        // orig_pkts + resp_pkts is its frame count. It is not for vxlan-encapsulated-igmp-v2, where
        // Zeek logs the VXLAN flows with no packets after the inner IGMP packet failed, and for
        // gre-aruba-amsdu, where Zeek counts each A-MSDU subframe as a packet.
        "core.tunnels.vxlan                          | tunnels/vxlan.pcap                                  | 4 | 8 | true",
        "core.tunnels.vxlan-inner-tcp-bad-checksum   | tunnels/vxlan-inner-tcp-bad-checksum.pcap           | 4 | 1 | true",
        "core.tunnels.vxlan-unknown-internal-packet  | tunnels/vxlan-encapsulated-igmp-v2.pcap             | 4 | 0 | false",
        "core.tunnels.max-depth                      | tunnels/vxlan-triple-v2.pcap                        | 4 | 1 | true",
        "core.tunnels.max-depth-exceeded             | tunnels/vxlan-triple-v2.pcap                        | 2 | 1 | true",
        "core.tunnels.geneve                         | tunnels/geneve.pcap                                 | 4 | 6 | true",
        "core.tunnels.geneve-ipv6                    | tunnels/geneve-ipv6.pcap                            | 4 | 2 | true",
        "core.tunnels.geneve-truncated               | tunnels/geneve-truncated.pcapng                     | 4 | 0 | true",
        "core.tunnels.gre                            | tunnels/gre-sample.pcap                             | 4 | -1 | true",
        "core.tunnels.gre-in-gre                     | tunnels/gre-within-gre.pcap                         | 4 | -1 | true",
        "core.tunnels.gre-over-udp                   | tunnels/gre-over-udp-4754.pcap                      | 4 | -1 | true",
        "core.tunnels.gre-pptp                       | tunnels/gre-pptp.pcap                               | 4 | -1 | true",
        "core.tunnels.gre-aruba-amsdu                | tunnels/gre-aruba-amsdu.pcap                        | 4 | 1 | false",
        "core.erspanI                                | erspanI.pcap                                        | 4 | 10 | true",
        "core.erspanII                               | erspanII.pcap                                       | 4 | 4 | true",
        "core.erspanIII                              | erspanIII.pcap                                      | 4 | 2 | true",
        "core.tunnels.teredo                         | tunnels/Teredo.pcap                                 | 4 | -1 | true",
        "core.tunnels.teredo_bubble_with_payload     | tunnels/teredo_bubble_with_payload.pcap             | 4 | -1 | true",
        "core.tunnels.ayiya                          | tunnels/ayiya3.pcap                                 | 4 | -1 | true",
        "core.tunnels.gtp.inner_ipv6                 | tunnels/gtp/gtp7_ipv6.pcap                          | 4 | 2 | true",
        "core.tunnels.gtp.inner_teredo               | tunnels/gtp/gtp8_teredo.pcap                        | 4 | -1 | true",
        "core.tunnels.gtp.outer_ip_frag              | tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap  | 4 | -1 | true",
        "core.tunnels.gtp.false_gtp                  | tunnels/gtp/gtp3_false_gtp.pcap                     | 4 | 0 | true",
        "core.tunnels.gtp.not_user_plane_data        | tunnels/gtp/gtp10_not_0xff.pcap                     | 4 | 0 | true",
    })
    void shouldKeyEveryFrameAsZeeksLogsDo(final String baseline, final String trace, final int maxDepth,
                                          final int tunnelledFrames, final boolean countPackets) throws IOException {
        final Path file = corpus().resolve("zeek/traces").resolve(trace);
        Assumptions.assumeTrue(Files.isRegularFile(file), file + " absent");
        final Path dir = corpus().resolve("zeek/baselines").resolve(baseline);
        final List<Row> conns = new ArrayList<>(readLog(dir.resolve("conn.log")));
        conns.addAll(readLog(dir.resolve("conn.log.cut")));
        final List<Row> tunnels = readLog(dir.resolve("tunnel.log"));
        assertFalse(conns.isEmpty(), baseline + ": no conn.log");
        final List<List<Layer>> frames = decodeAll(file, maxDepth);
        // Zeek counts a reassembled datagram once, the decoder sees its fragments
        final boolean fragmented = frames.stream().flatMap(List::stream).anyMatch(Layer::fragment);
        final int tunnelled = (int) frames.stream().filter(layers -> layers.size() > 1).count();
        if (tunnelledFrames >= 0) {
            assertEquals(tunnelledFrames, tunnelled, baseline + ": frames decapsulated");
        }
        if (conns.stream().anyMatch(r -> r.origH() == null)) {
            return; // a conn.log cut without the addresses: the count above is all there is to check
        }
        final Set<String> parentUids = new HashSet<>();
        conns.forEach(r -> parentUids.addAll(r.parents()));
        tunnels.forEach(t -> parentUids.add(t.uid()));

        for (final Row row : conns) {
            final boolean parent = parentUids.contains(row.uid());
            // GRE over UDP: Zeek names the tunnel by the addresses (tunnel.log), the UDP flow is a plain conn
            final boolean found = frames.stream().flatMap(List::stream)
                .anyMatch(l -> (parent ? !l.innermost() : l.innermost() || greOverUdp(l)) && same(row, l));
            assertTrue(found, baseline + ": conn " + row + " is no " + (parent ? "outer" : "innermost") + " key of any frame");
            if (countPackets && row.packets() >= 0 && !fragmented) {
                // Zeek counts a packet in every connection along its tunnel chain; rows of one
                // 5-tuple at different times share the frames
                final int zeekPackets = conns.stream().filter(r -> sameTuple(r, row)).mapToInt(Row::packets).sum();
                final long frameCount = frames.stream()
                    .filter(layers -> layers.stream().anyMatch(l -> (parent || l.innermost() || greOverUdp(l)) && same(row, l)))
                    .count();
                assertEquals(zeekPackets, frameCount, baseline + ": frames of conn " + row);
            }
        }
        for (final Row tunnel : tunnels) {
            final boolean udp = isUdpTunnel(tunnel.tunnelType());
            final boolean found = frames.stream().flatMap(List::stream)
                .anyMatch(l -> tunnelName(l.tunnelType()).equals(tunnel.tunnelType())
                    && (udp ? same(new Row(tunnel.uid(), tunnel.origH(), tunnel.origPort(), tunnel.respH(), tunnel.respPort(),
                        "udp", "-", Set.of(), -1), l) : namedByAddresses(tunnel, l.tunnelLogName())));
            assertTrue(found, baseline + ": tunnel " + tunnel + " is no outer layer of any frame");
        }
        for (int f = 0; f < frames.size(); f++) {
            for (final Layer l : frames.get(f)) {
                final boolean checkable = l.innermost()
                    ? !l.proto().startsWith("ip") && !l.fragment() // a fragment's flow is its datagram's
                    : l.proto().equals("udp");
                if (checkable) {
                    assertTrue(conns.stream().anyMatch(r -> same(r, l)),
                        baseline + ": frame " + (f + 1) + " has layer " + l + ", which no conn.log row names");
                }
            }
        }
    }
}
