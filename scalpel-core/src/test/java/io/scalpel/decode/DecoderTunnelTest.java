package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.TUNNEL_AYIYA;
import static io.scalpel.decode.DecodedPacket.TUNNEL_GENEVE;
import static io.scalpel.decode.DecodedPacket.TUNNEL_GRE;
import static io.scalpel.decode.DecodedPacket.TUNNEL_GTPV1;
import static io.scalpel.decode.DecodedPacket.TUNNEL_IP;
import static io.scalpel.decode.DecodedPacket.TUNNEL_NONE;
import static io.scalpel.decode.DecodedPacket.TUNNEL_STOP_FRAGMENT;
import static io.scalpel.decode.DecodedPacket.TUNNEL_STOP_MAX_DEPTH;
import static io.scalpel.decode.DecodedPacket.TUNNEL_STOP_NONE;
import static io.scalpel.decode.DecodedPacket.TUNNEL_STOP_REFUSED;
import static io.scalpel.decode.DecodedPacket.TUNNEL_TEREDO;
import static io.scalpel.decode.DecodedPacket.TUNNEL_VXLAN;
import static io.scalpel.testing.Frames.CLIENT_V4;
import static io.scalpel.testing.Frames.CLIENT_V6;
import static io.scalpel.testing.Frames.SERVER_V4;
import static io.scalpel.testing.Frames.SERVER_V6;
import static io.scalpel.testing.Frames.TCP_HEADER_LENGTH;
import static io.scalpel.testing.Frames.UDP_HEADER_LENGTH;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.ethernet;
import static io.scalpel.testing.Frames.ipv4;
import static io.scalpel.testing.Frames.ipv6;
import static io.scalpel.testing.Frames.tcp;
import static io.scalpel.testing.Frames.udp;
import static io.scalpel.testing.Frames.vlanTag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.Frames;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hand-built tunnel frames, one per encapsulation Zeek decapsulates, and the cases where it does
 * not. The expected keys are the builders' own addresses and ports; the header layouts follow the
 * RFCs named in the tunnel classes of {@code io.scalpel.decode.tunnel}.
 */
class DecoderTunnelTest {
    /** Outer tunnel endpoints: 172.16.0.1 and 172.16.0.2. */
    static final byte[] OUTER_A = bytes(172, 16, 0, 1);
    static final byte[] OUTER_B = bytes(172, 16, 0, 2);
    /** A Teredo client address, inside 2001:0::/32. */
    static final byte[] TEREDO_CLIENT = bytes(0x20, 0x01, 0, 0, 0x41, 0x37, 0x9e, 0x50, 0x80, 0, 0xf1, 0x2a, 0xb9, 0xc8, 0x28, 0x15);

    static final String INNER_TCP_V4 = "10.0.0.1:49152 > 192.168.1.2:80 proto 6";
    static final String INNER_UDP_V6 = "2001:db8::1:5353 > 2001:db8::2:53 proto 17";

    /** IPv4 + TCP 10.0.0.1:49152 > 192.168.1.2:80. */
    static byte[] innerIpv4Tcp() {
        return concat(ipv4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, TCP_HEADER_LENGTH), tcp(49152, 80));
    }

    /** IPv6 + UDP [2001:db8::1]:5353 > [2001:db8::2]:53, 4 payload bytes. */
    static byte[] innerIpv6Udp() {
        return concat(ipv6(FlowKey.PROTO_UDP, CLIENT_V6, SERVER_V6, UDP_HEADER_LENGTH + 4), udp(5353, 53, 4), bytes(1, 2, 3, 4));
    }

    /** Ethernet + IPv4 172.16.0.1 > 172.16.0.2 of protocol {@code protocol} around {@code payload}. */
    static byte[] outerIpv4(final int protocol, final byte[] payload) {
        return concat(ethernet(EtherTypes.IPV4), ipv4(protocol, OUTER_A, OUTER_B, payload.length), payload);
    }

    /** Ethernet + IPv4 + UDP 172.16.0.1:{@code srcPort} > 172.16.0.2:{@code dstPort} around {@code payload}. */
    static byte[] outerUdp(final int srcPort, final int dstPort, final byte[] payload) {
        return outerIpv4(FlowKey.PROTO_UDP, concat(udp(srcPort, dstPort, payload.length), payload));
    }

    /** VXLAN (RFC 7348): flags with I set, reserved, VNI {@code vni}, reserved. */
    static byte[] vxlanHeader(final int vni) {
        return bytes(
            0x08, 0x00, 0x00, 0x00,              // flags (I: VNI valid), reserved
            vni >> 16, vni >> 8, vni, 0x00);     // VNI, reserved
    }

    /** Ethernet/IPv4/UDP 49152 > 4789/VXLAN/Ethernet/IPv4/TCP. */
    static byte[] vxlanIpv4Tcp() {
        return outerUdp(49152, 4789, concat(vxlanHeader(42), ethernet(EtherTypes.IPV4), innerIpv4Tcp()));
    }

    /** Geneve (RFC 8926) with one 8-byte option, carrying IPv6 directly (protocol 0x86DD). */
    static byte[] geneveIpv6Udp() {
        final byte[] geneve = bytes(
            0x02,                                // version 0, option length 2 (4-byte units)
            0x00,                                // O and C flags clear
            0x86, 0xdd,                          // protocol type: IPv6
            0x00, 0x00, 0x07, 0x00,              // VNI 7, reserved
            0x01, 0x02, 0x03, 0x01,              // option class, type, length 1 (4-byte units)
            0xaa, 0xbb, 0xcc, 0xdd);             // option data
        return outerUdp(50000, 6081, concat(geneve, innerIpv6Udp()));
    }

    /** GRE (RFC 2784/2890) with the given flags (checksum, key, sequence words zero) and protocol type. */
    static byte[] greHeader(final int flags, final int protocol) {
        int words = 0;
        for (final int flag : new int[] {0x8000, 0x2000, 0x1000, 0x0080}) {
            if ((flags & flag) != 0) {
                words++;
            }
        }
        return concat(bytes(flags >> 8, flags, protocol >> 8, protocol), new byte[4 * words]);
    }

    /** IPv4/GRE (key and sequence)/IPv4/TCP. */
    static byte[] greIpv4Tcp() {
        return outerIpv4(47, concat(greHeader(0x3000, EtherTypes.IPV4), innerIpv4Tcp()));
    }

    /** IPv4/GRE/ERSPAN type II (sequence number set, 8-byte header)/Ethernet/IPv4/TCP. */
    static byte[] erspan2Ipv4Tcp() {
        final byte[] erspan = bytes(0x10, 0x17, 0x08, 0x64, 0x00, 0x00, 0x00, 0x00); // version 1, VLAN, COS, session 100, index
        return outerIpv4(47, concat(greHeader(0x1000, 0x88BE), erspan, ethernet(EtherTypes.IPV4), innerIpv4Tcp()));
    }

    /** IPv4/enhanced GRE (version 1, key, sequence)/PPP/IPv4/TCP, as PPTP sends it. */
    static byte[] pptpIpv4Tcp() {
        return outerIpv4(47, concat(greHeader(0x3001, 0x880B), bytes(0xff, 0x03, 0x00, 0x21), innerIpv4Tcp()));
    }

    /** IPv4/UDP 40000 > 4754/GRE/IPv4/TCP: GRE over UDP (RFC 8086). */
    static byte[] greOverUdpIpv4Tcp() {
        return outerUdp(40000, 4754, concat(greHeader(0, EtherTypes.IPV4), innerIpv4Tcp()));
    }

    /** GTPv1-U G-PDU header for {@code payloadLength} bytes of user data, TEID 1. */
    static byte[] gtpHeader(final int flags, final int messageType, final int payloadLength) {
        return bytes(flags, messageType, payloadLength >> 8, payloadLength, 0x00, 0x00, 0x00, 0x01);
    }

    /** IPv4/UDP 2152 > 2152/GTP-U G-PDU/IPv4/TCP. */
    static byte[] gtpIpv4Tcp() {
        final byte[] inner = innerIpv4Tcp();
        return outerUdp(2152, 2152, concat(gtpHeader(0x30, 0xff, inner.length), inner));
    }

    /** IPv4/UDP 3797 > 3544/Teredo origin indication/IPv6/UDP. */
    static byte[] teredoOriginIpv6Udp() {
        final byte[] origin = bytes(0x00, 0x00, 0xf1, 0x2a, 0x3f, 0x57, 0xfe, 0xfd); // type 0, obfuscated port and address
        return outerUdp(3797, 3544, concat(origin, innerIpv6Udp()));
    }

    /** IPv4/UDP 53859 > 5072/AYIYA (8-byte identity, 20-byte signature, forward, IPv6)/IPv6/UDP. */
    static byte[] ayiyaIpv6Udp() {
        final byte[] ayiya = concat(bytes(
            0x31,                                // identity length 2^3 = 8, identity type 1
            0x52,                                // signature length 5 x 4 = 20, hash method 2
            0x11,                                // authentication method 1, opcode 1 (forward)
            41,                                  // next header: IPv6
            0x50, 0x00, 0x00, 0x00),             // epoch
            new byte[8],                         // identity
            new byte[20]);                       // signature
        return outerUdp(53859, 5072, concat(ayiya, innerIpv6Udp()));
    }

    private static DecodedPacket decode(final byte[] frame) {
        return Decodes.decode(LinkTypes.LINKTYPE_ETHERNET, frame);
    }

    private static DecodedPacket decode(final byte[] frame, final int maxDepth) {
        final DecodedPacket out = new DecodedPacket();
        new PacketDecoder(maxDepth).decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(frame), 0, frame.length, out);
        return out;
    }

    /** Asserts the frame decoded to the outer key plus the inner one, joined by a tunnel of {@code type}. */
    private static void assertTunnel(final DecodedPacket p, final String outer, final int type, final String inner) {
        assertEquals(STATUS_OK, p.status());
        assertEquals(2, p.layerCount(), Decodes.describe(p));
        assertEquals(outer, p.layer(0).toString());
        assertEquals(inner, p.innermost().toString());
        assertEquals(type, p.tunnelType(0));
        assertEquals(TUNNEL_NONE, p.tunnelType(1));
        assertEquals(TUNNEL_STOP_NONE, p.tunnelStop());
        assertEquals(1, p.tunnelDepth());
    }

    /** Asserts Zeek's refusal: the frame is keyed by the outer layer only. */
    private static void assertRefused(final DecodedPacket p, final String outer) {
        assertEquals(STATUS_OK, p.status());
        assertEquals(1, p.layerCount(), Decodes.describe(p));
        assertEquals(outer, p.innermost().toString());
        assertEquals(TUNNEL_NONE, p.tunnelType(0));
        assertEquals(TUNNEL_STOP_REFUSED, p.tunnelStop());
    }

    @Test
    void shouldDecapsulateIpv6InIpv4AndIpv4InIpv6() {
        assertTunnel(decode(outerIpv4(41, innerIpv6Udp())), "172.16.0.1:0 > 172.16.0.2:0 proto 41", TUNNEL_IP, INNER_UDP_V6);
        final byte[] v4InV6 = concat(ethernet(EtherTypes.IPV6), ipv6(4, CLIENT_V6, SERVER_V6, innerIpv4Tcp().length), innerIpv4Tcp());
        assertTunnel(decode(v4InV6), "2001:db8::1:0 > 2001:db8::2:0 proto 4", TUNNEL_IP, INNER_TCP_V4);
    }

    @Test
    void shouldGiveEveryLayerItsOwnHeaderOffsetsAndTheInnermostTheOldOnes() {
        final DecodedPacket p = decode(vxlanIpv4Tcp());
        final int innerIp = 14 + 20 + 8 + 8 + 14;
        assertEquals(14, p.layerIpOffset(0));
        assertEquals(34, p.layerTransportOffset(0));
        assertEquals(innerIp, p.layerIpOffset(1));
        assertEquals(innerIp + 20, p.layerTransportOffset(1));
        assertEquals(innerIp, p.ipOffset());
        assertEquals(innerIp + 20, p.transportOffset());
    }

    @Test
    void shouldRefuseIpInIpWhoseInnerLengthIsNotExactlyWhatIsLeft() {
        // Zeek's inner_IP_payload_length_mismatch: one byte more than the inner IPv6 packet
        assertRefused(decode(outerIpv4(41, concat(innerIpv6Udp(), bytes(0)))), "172.16.0.1:0 > 172.16.0.2:0 proto 41");
    }

    @Test
    void shouldDecapsulateVxlanKeepingTheOuterUdpPorts() {
        assertTunnel(decode(vxlanIpv4Tcp()), "172.16.0.1:49152 > 172.16.0.2:4789 proto 17", TUNNEL_VXLAN, INNER_TCP_V4);
        // the reply, from the VXLAN port
        final byte[] reply = outerUdp(4789, 49152, concat(vxlanHeader(42), ethernet(EtherTypes.IPV4), innerIpv4Tcp()));
        assertTunnel(decode(reply), "172.16.0.1:4789 > 172.16.0.2:49152 proto 17", TUNNEL_VXLAN, INNER_TCP_V4);
    }

    @Test
    void shouldKeepTheOuterFramesTagsWhenTheFrameInsideAVxlanTunnelHasItsOwn() {
        final byte[] inner = concat(Frames.ethernet(EtherTypes.VLAN), vlanTag(0, 99, EtherTypes.IPV4), innerIpv4Tcp());
        final byte[] udp = concat(udp(49152, 4789, vxlanHeader(42).length + inner.length), vxlanHeader(42), inner);
        final byte[] frame = concat(Frames.ethernet(EtherTypes.QINQ), vlanTag(0, 300, EtherTypes.VLAN),
            vlanTag(0, 20, EtherTypes.VLAN), vlanTag(0, 5, EtherTypes.IPV4),
            ipv4(FlowKey.PROTO_UDP, OUTER_A, OUTER_B, udp.length), udp);
        final DecodedPacket p = decode(frame);
        assertTunnel(p, "172.16.0.1:49152 > 172.16.0.2:4789 proto 17", TUNNEL_VXLAN, INNER_TCP_V4);
        assertEquals(300, p.outerVlan());
        assertEquals(5, p.innerVlan(), "the outer frame's last tag, as Zeek's inner_vlan");
    }

    @Test
    void shouldRefuseVxlanWithoutTheIFlagOrWithANonConnectionInside() {
        final byte[] noIFlag = outerUdp(49152, 4789, concat(bytes(0, 0, 0, 0, 0, 0, 42, 0), ethernet(EtherTypes.IPV4), innerIpv4Tcp()));
        assertRefused(decode(noIFlag), "172.16.0.1:49152 > 172.16.0.2:4789 proto 17");
        final byte[] igmp = concat(ipv4(2, CLIENT_V4, SERVER_V4, 8), bytes(0x16, 0, 0, 0, 224, 0, 0, 251));
        assertRefused(decode(outerUdp(49152, 4789, concat(vxlanHeader(1), ethernet(EtherTypes.IPV4), igmp))),
            "172.16.0.1:49152 > 172.16.0.2:4789 proto 17");
        final byte[] arp = concat(ethernet(EtherTypes.ARP), new byte[28]);
        assertRefused(decode(outerUdp(49152, 4789, concat(vxlanHeader(1), arp))), "172.16.0.1:49152 > 172.16.0.2:4789 proto 17");
    }

    @Test
    void shouldDecapsulateGeneveWithOptionsAndIpDirectlyInside() {
        assertTunnel(decode(geneveIpv6Udp()), "172.16.0.1:50000 > 172.16.0.2:6081 proto 17", TUNNEL_GENEVE, INNER_UDP_V6);
        final byte[] ethernetInside = outerUdp(50000, 6081,
            concat(bytes(0x00, 0x00, 0x65, 0x58, 0, 0, 7, 0), ethernet(EtherTypes.IPV4), innerIpv4Tcp()));
        assertTunnel(decode(ethernetInside), "172.16.0.1:50000 > 172.16.0.2:6081 proto 17", TUNNEL_GENEVE, INNER_TCP_V4);
    }

    @Test
    void shouldRefuseGeneveOfAnotherVersionOrWithOptionsPastTheEnd() {
        final byte[] version1 = geneveIpv6Udp();
        version1[14 + 20 + 8] |= 0x40;
        assertRefused(decode(version1), "172.16.0.1:50000 > 172.16.0.2:6081 proto 17");
        final byte[] optionsOnly = outerUdp(50000, 6081, bytes(0x02, 0x00, 0x65, 0x58, 0, 0, 7, 0, 1, 2, 3, 1, 0, 0, 0, 0));
        assertRefused(decode(optionsOnly), "172.16.0.1:50000 > 172.16.0.2:6081 proto 17");
    }

    @Test
    void shouldDecapsulateGreCarryingIpEthernetAndErspan() {
        final String gre = "172.16.0.1:0 > 172.16.0.2:0 proto 47";
        assertTunnel(decode(greIpv4Tcp()), gre, TUNNEL_GRE, INNER_TCP_V4);
        assertTunnel(decode(outerIpv4(47, concat(greHeader(0x8000, 0x6558), ethernet(EtherTypes.IPV6), innerIpv6Udp()))),
            gre, TUNNEL_GRE, INNER_UDP_V6);
        // ERSPAN type I: no sequence number, no ERSPAN header
        assertTunnel(decode(outerIpv4(47, concat(greHeader(0, 0x88BE), ethernet(EtherTypes.IPV4), innerIpv4Tcp()))),
            gre, TUNNEL_GRE, INNER_TCP_V4);
        assertTunnel(decode(erspan2Ipv4Tcp()), gre, TUNNEL_GRE, INNER_TCP_V4);
        final byte[] erspan3 = bytes(0x20, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0); // version 2, session, timestamp, flags: no O bit
        assertTunnel(decode(outerIpv4(47, concat(greHeader(0x1000, 0x22EB), erspan3, ethernet(EtherTypes.IPV4), innerIpv4Tcp()))),
            gre, TUNNEL_GRE, INNER_TCP_V4);
        final byte[] erspan3Platform = bytes(0x20, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
        assertTunnel(decode(outerIpv4(47, concat(greHeader(0x1000, 0x22EB), erspan3Platform, ethernet(EtherTypes.IPV4),
            innerIpv4Tcp()))), gre, TUNNEL_GRE, INNER_TCP_V4);
    }

    @Test
    void shouldDecapsulatePptpsEnhancedGreCarryingPpp() {
        assertTunnel(decode(pptpIpv4Tcp()), "172.16.0.1:0 > 172.16.0.2:0 proto 47", TUNNEL_GRE, INNER_TCP_V4);
        // LCP inside: no IP packet
        assertRefused(decode(outerIpv4(47, concat(greHeader(0x3001, 0x880B), bytes(0xff, 0x03, 0xc0, 0x21), new byte[8]))),
            "172.16.0.1:0 > 172.16.0.2:0 proto 47");
    }

    @Test
    void shouldRefuseGreWithRoutingAnUnknownVersionOrAnUnknownPayload() {
        final String gre = "172.16.0.1:0 > 172.16.0.2:0 proto 47";
        assertRefused(decode(outerIpv4(47, concat(bytes(0x40, 0, 0x08, 0x00), innerIpv4Tcp()))), gre);
        assertRefused(decode(outerIpv4(47, concat(bytes(0, 2, 0x08, 0x00), innerIpv4Tcp()))), gre);
        assertRefused(decode(outerIpv4(47, concat(bytes(0, 0, 0x88, 0x47), innerIpv4Tcp()))), gre);
    }

    @Test
    void shouldDecapsulateGreInGreAndGreOverUdp() {
        final byte[] inner = concat(ipv4(47, OUTER_B, OUTER_A, 4 + innerIpv4Tcp().length), greHeader(0, EtherTypes.IPV4), innerIpv4Tcp());
        final DecodedPacket p = decode(outerIpv4(47, concat(greHeader(0, EtherTypes.IPV4), inner)));
        assertEquals(3, p.layerCount(), Decodes.describe(p));
        assertEquals("172.16.0.2:0 > 172.16.0.1:0 proto 47", p.layer(1).toString());
        assertEquals(TUNNEL_GRE, p.tunnelType(0));
        assertEquals(TUNNEL_GRE, p.tunnelType(1));
        assertEquals(INNER_TCP_V4, p.innermost().toString());

        assertTunnel(decode(greOverUdpIpv4Tcp()), "172.16.0.1:40000 > 172.16.0.2:4754 proto 17", TUNNEL_GRE, INNER_TCP_V4);
    }

    @Test
    void shouldGiveAGreOverUdpLayerTheAddressOnlyKeyTunnelLogNamesItByAsItsAlias() {
        final PacketDecoder decoder = new PacketDecoder();
        final DecodedPacket out = new DecodedPacket();
        final byte[] greOverUdp = greOverUdpIpv4Tcp();
        decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(greOverUdp), 0, greOverUdp.length, out);
        // tunnel.log: the GRE tunnel by the outer addresses with ports 0 (core.tunnels.gre-over-udp); conn.log: the UDP flow
        assertEquals("172.16.0.1:0 > 172.16.0.2:0 proto 47", out.aliasKey(0).toString());
        assertEquals("172.16.0.1:40000 > 172.16.0.2:4754 proto 17", out.layer(0).toString());
        assertEquals(null, out.aliasKey(1));

        // GRE over IP is named by its own key; a UDP tunnel by its 5-tuple: neither has an alias,
        // also when the same DecodedPacket held a GRE-over-UDP frame before.
        for (final byte[] frame : new byte[][] {greIpv4Tcp(), vxlanIpv4Tcp(), outerIpv4(41, innerIpv6Udp())}) {
            decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(frame), 0, frame.length, out);
            assertEquals(2, out.layerCount(), Decodes.describe(out));
            assertEquals(null, out.aliasKey(0), Decodes.describe(out));
            assertEquals(null, out.aliasKey(1), Decodes.describe(out));
            decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(greOverUdp), 0, greOverUdp.length, out);
        }

        // A GRE header Zeek refuses (source routing): no tunnel, so no GRE name either.
        final byte[] routing = outerUdp(40000, 4754, concat(bytes(0x40, 0, 0x08, 0x00), innerIpv4Tcp()));
        decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(routing), 0, routing.length, out);
        assertRefused(out, "172.16.0.1:40000 > 172.16.0.2:4754 proto 17");
        assertEquals(null, out.aliasKey(0));

        // GRE over UDP entered inside IP in IP, whose outer length check then fails: the layers
        // inside are dropped with their alias.
        final byte[] inner = concat(ipv4(FlowKey.PROTO_UDP, OUTER_B, OUTER_A, UDP_HEADER_LENGTH + 4 + innerIpv4Tcp().length),
            udp(40000, 4754, 4 + innerIpv4Tcp().length), greHeader(0, EtherTypes.IPV4), innerIpv4Tcp());
        final byte[] mismatch = outerIpv4(4, concat(inner, bytes(0)));
        decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(mismatch), 0, mismatch.length, out);
        assertRefused(out, "172.16.0.1:0 > 172.16.0.2:0 proto 4");
        assertEquals(null, out.aliasKey(0));
        assertEquals(null, out.aliasKey(1), "a dropped layer keeps no alias");
        decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(Arrays.copyOf(mismatch, mismatch.length - 1)), 0,
            mismatch.length - 1, out);
        assertEquals(3, out.layerCount(), Decodes.describe(out));
        assertEquals("172.16.0.2:0 > 172.16.0.1:0 proto 47", out.aliasKey(1).toString());
    }

    /**
     * The UDP ports Zeek registers its tunnel analyzers on (scripts/base/packet-protocols/{vxlan,
     * geneve,teredo,ayiya,gtpv1,gre}/main.zeek), each with a payload of that tunnel, and the tunnel
     * type tunnel.log gives it.
     */
    static Stream<Arguments> zeeksTunnelPorts() {
        final byte[] inner = innerIpv4Tcp();
        final byte[] gtp = concat(gtpHeader(0x30, 0xff, inner.length), inner);
        return Stream.of(
            Arguments.of(4789, concat(vxlanHeader(1), ethernet(EtherTypes.IPV4), innerIpv4Tcp()), TUNNEL_VXLAN),
            Arguments.of(6081, concat(bytes(0x00, 0x00, 0x65, 0x58, 0, 0, 7, 0), ethernet(EtherTypes.IPV4), innerIpv4Tcp()),
                TUNNEL_GENEVE),
            Arguments.of(3544, innerIpv6Udp(), TUNNEL_TEREDO),
            Arguments.of(5072, Arrays.copyOfRange(ayiyaIpv6Udp(), 14 + 20 + 8, ayiyaIpv6Udp().length), TUNNEL_AYIYA),
            Arguments.of(2152, gtp, TUNNEL_GTPV1),
            Arguments.of(2123, gtp, TUNNEL_GTPV1),
            Arguments.of(4754, concat(greHeader(0, EtherTypes.IPV4), innerIpv4Tcp()), TUNNEL_GRE));
    }

    @ParameterizedTest(name = "UDP port {0}")
    @MethodSource("zeeksTunnelPorts")
    void shouldFindEveryTunnelZeekRegistersOnAUdpPortByTheResponderPort(final int port, final byte[] payload, final int type) {
        final String toTunnel = "172.16.0.1:40000 > 172.16.0.2:" + port + " proto 17";
        assertEquals(type, decode(outerUdp(40000, port, payload)).tunnelType(0), toTunnel);
        // the reply, from the tunnel port to an ephemeral one: the tunnel port is the responder's
        assertEquals(type, decode(outerUdp(port, 40000, payload)).tunnelType(0), "reply from " + port);
        // to a well-known port, that port is the responder's: no tunnel
        final DecodedPacket toDns = decode(outerUdp(port, 53, payload));
        assertEquals(1, toDns.layerCount(), Decodes.describe(toDns));
        assertEquals(TUNNEL_STOP_NONE, toDns.tunnelStop());
    }

    @Test
    void shouldDecapsulateGtpUserDataOnlyWithOrWithoutOptionalFields() {
        final String gtp = "172.16.0.1:2152 > 172.16.0.2:2152 proto 17";
        assertTunnel(decode(gtpIpv4Tcp()), gtp, TUNNEL_GTPV1, INNER_TCP_V4);
        final byte[] inner = innerIpv4Tcp();
        // sequence number flag: sequence(2) N-PDU(1) next extension type(1); then a PDU session container extension
        final byte[] withExtension = concat(gtpHeader(0x36, 0xff, inner.length + 8),
            bytes(0x00, 0x01, 0x00, 0x85),       // sequence 1, N-PDU 0, next extension: PDU session container
            bytes(0x01, 0x10, 0x01, 0x00),       // length 1 (4 bytes), PDU type and QFI, no further extension
            inner);
        assertTunnel(decode(outerUdp(2152, 2152, withExtension)), gtp, TUNNEL_GTPV1, INNER_TCP_V4);
        assertRefused(decode(outerUdp(2152, 2152, concat(gtpHeader(0x32, 0x01, 4), bytes(0, 1, 0, 0)))), gtp); // echo request
        assertRefused(decode(outerUdp(2152, 2152, concat(gtpHeader(0x20, 0xff, inner.length), inner))), gtp); // GTP'
        assertRefused(decode(outerUdp(2152, 2152, concat(gtpHeader(0x50, 0xff, inner.length), inner))), gtp); // GTPv2
    }

    @Test
    void shouldNotTakeTheSourcePortForTheTunnelWhenTheDestinationIsAWellKnownService() {
        // DNS from port 2152 to port 53: Zeek's responder port is 53, so no GTP
        final byte[] inner = innerIpv4Tcp();
        final DecodedPacket p = decode(outerUdp(2152, 53, concat(gtpHeader(0x30, 0xff, inner.length), inner)));
        assertEquals(1, p.layerCount());
        assertEquals(TUNNEL_STOP_NONE, p.tunnelStop());
        // but from 2152 to an ephemeral port it is the GTP peer's reply
        assertTunnel(decode(outerUdp(2152, 40000, concat(gtpHeader(0x30, 0xff, inner.length), inner))),
            "172.16.0.1:2152 > 172.16.0.2:40000 proto 17", TUNNEL_GTPV1, INNER_TCP_V4);
    }

    @Test
    void shouldDecapsulateTeredoWithItsIndicatorsButNotItsBubbles() {
        final String teredo = "172.16.0.1:3797 > 172.16.0.2:3544 proto 17";
        assertTunnel(decode(teredoOriginIpv6Udp()), teredo, TUNNEL_TEREDO, INNER_UDP_V6);
        assertTunnel(decode(outerUdp(3797, 3544, innerIpv6Udp())), teredo, TUNNEL_TEREDO, INNER_UDP_V6);
        final byte[] authentication = bytes(0x00, 0x01, 2, 3, 0xa, 0xb, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0); // ids, nonce, confirmation
        final byte[] origin = bytes(0x00, 0x00, 0xf1, 0x2a, 0x3f, 0x57, 0xfe, 0xfd);
        assertTunnel(decode(outerUdp(3797, 3544, concat(authentication, origin, innerIpv6Udp()))), teredo, TUNNEL_TEREDO, INNER_UDP_V6);
        // a bubble: IPv6 with No Next Header and no payload; Zeek keeps no connection for it
        final byte[] bubble = ipv6(59, TEREDO_CLIENT, SERVER_V6, 0);
        assertRefused(decode(outerUdp(3797, 3544, bubble)), teredo);
        // origin indication after authentication only, never twice
        assertRefused(decode(outerUdp(3797, 3544, concat(origin, authentication, innerIpv6Udp()))), teredo);
        assertRefused(decode(outerUdp(3797, 3544, concat(origin, origin, innerIpv6Udp()))), teredo);
    }

    @Test
    void shouldDetectTeredoOnAnyPortByItsAddressesOrIndicatorsAsZeekDoes() {
        final byte[] teredoAddressed = concat(ipv6(FlowKey.PROTO_UDP, TEREDO_CLIENT, SERVER_V6, 12), udp(5353, 53, 4), bytes(1, 2, 3, 4));
        assertTunnel(decode(outerUdp(3797, 32900, teredoAddressed)), "172.16.0.1:3797 > 172.16.0.2:32900 proto 17", TUNNEL_TEREDO,
            "2001:0:4137:9e50:8000:f12a:b9c8:2815:5353 > 2001:db8::2:53 proto 17");
        final byte[] origin = bytes(0x00, 0x00, 0xf1, 0x2a, 0x3f, 0x57, 0xfe, 0xfd);
        assertTunnel(decode(outerUdp(3797, 32900, concat(origin, innerIpv6Udp()))), "172.16.0.1:3797 > 172.16.0.2:32900 proto 17",
            TUNNEL_TEREDO, INNER_UDP_V6);
        // IPv6 without a Teredo address on a port no tunnel is registered for: plain UDP payload
        final DecodedPacket plain = decode(outerUdp(3797, 32900, innerIpv6Udp()));
        assertEquals(1, plain.layerCount());
        assertEquals(TUNNEL_STOP_NONE, plain.tunnelStop());
    }

    @Test
    void shouldDecapsulateAyiyaForwardsOnly() {
        final String ayiya = "172.16.0.1:53859 > 172.16.0.2:5072 proto 17";
        assertTunnel(decode(ayiyaIpv6Udp()), ayiya, TUNNEL_AYIYA, INNER_UDP_V6);
        final byte[] echo = ayiyaIpv6Udp();
        echo[14 + 20 + 8 + 2] = 0x12; // opcode 2: echo request
        assertRefused(decode(echo), ayiya);
        final byte[] nonIp = ayiyaIpv6Udp();
        nonIp[14 + 20 + 8 + 3] = 59;
        assertRefused(decode(nonIp), ayiya);
    }

    /** {@code depth} VXLAN tunnels around the inner TCP packet. */
    private static byte[] nestedVxlan(final int depth) {
        byte[] packet = innerIpv4Tcp();
        for (int i = 0; i < depth; i++) {
            final byte[] payload = concat(udp(49152 + i, 4789, 8 + 14 + packet.length), vxlanHeader(i), ethernet(EtherTypes.IPV4), packet);
            packet = concat(ipv4(FlowKey.PROTO_UDP, OUTER_A, bytes(172, 16, 0, 10 + i), payload.length), payload);
        }
        return concat(ethernet(EtherTypes.IPV4), packet);
    }

    @Test
    void shouldStopAtTheMaximumTunnelDepthAsZeeksTunnelMaxDepth() {
        final DecodedPacket deepest = decode(nestedVxlan(4));
        assertEquals(5, deepest.layerCount());
        assertEquals(INNER_TCP_V4, deepest.innermost().toString());
        assertEquals(4, deepest.tunnelDepth());
        assertEquals(TUNNEL_STOP_NONE, deepest.tunnelStop());

        // Tunnel::max_depth = 2: the third VXLAN layer stays a UDP flow
        final DecodedPacket limited = decode(nestedVxlan(3), 2);
        assertEquals(3, limited.layerCount());
        assertEquals("172.16.0.1:49152 > 172.16.0.10:4789 proto 17", limited.innermost().toString());
        assertEquals(TUNNEL_STOP_MAX_DEPTH, limited.tunnelStop());
        assertEquals(TUNNEL_VXLAN, limited.tunnelType(1));
        assertEquals(TUNNEL_NONE, limited.tunnelType(2));

        final DecodedPacket none = decode(nestedVxlan(1), 0);
        assertEquals(1, none.layerCount());
        assertEquals(TUNNEL_STOP_MAX_DEPTH, none.tunnelStop());

        // five tunnels at the default depth: the fifth is not entered
        final DecodedPacket tooDeep = decode(nestedVxlan(5));
        assertEquals(DecodedPacket.MAX_LAYERS, tooDeep.layerCount());
        assertEquals(TUNNEL_STOP_MAX_DEPTH, tooDeep.tunnelStop());

        assertThrows(IllegalArgumentException.class, () -> new PacketDecoder(DecodedPacket.MAX_LAYERS));
        assertThrows(IllegalArgumentException.class, () -> new PacketDecoder(-1));
    }

    @Test
    void shouldDecapsulateTheFirstFragmentOfAnOuterDatagramAsFarAsItsBytesGo() {
        // The inner IPv4/TCP packet (40 bytes) with 1000 bytes of payload: GTP-U and the outer UDP
        // header count them all, the outer IPv4 first fragment carries only the first 72 bytes.
        final int innerLength = 40 + 1000;
        final byte[] inner = concat(Frames.ipv4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, TCP_HEADER_LENGTH + 1000),
            tcp(49152, 80));
        final byte[] udpGtp = concat(udp(2152, 2152, 8 + innerLength), gtpHeader(0x30, 0xff, innerLength));
        final DecodedPacket p = decode(gtpFirstFragment());
        assertEquals(2, p.layerCount());
        assertEquals("172.16.0.1:2152 > 172.16.0.2:2152 proto 17 frag id=77 off=0 MF", p.layer(0).toString());
        assertEquals(TUNNEL_GTPV1, p.tunnelType(0));
        assertEquals(INNER_TCP_V4, p.innermost().toString());
        assertEquals(TUNNEL_STOP_NONE, p.tunnelStop());

        // The whole inner packet in the first fragment: its length is exactly the bytes left.
        final byte[] whole = concat(udp(2152, 2152, 8 + innerIpv4Tcp().length), gtpHeader(0x30, 0xff, innerIpv4Tcp().length),
            innerIpv4Tcp());
        final DecodedPacket w = decode(concat(ethernet(EtherTypes.IPV4),
            Frames.ipv4Fragment(FlowKey.PROTO_UDP, OUTER_A, OUTER_B, whole.length, 77, true, 0), whole));
        assertEquals(2, w.layerCount());
        assertEquals(INNER_TCP_V4, w.innermost().toString());

        // GTP wants the inner packet to end where the datagram ends: an inner length shorter than
        // the bytes already in the first fragment is refused, as for a whole datagram.
        final byte[] shortInner = concat(udpGtp, innerIpv4Tcp(), new byte[64]);
        final DecodedPacket s = decode(concat(ethernet(EtherTypes.IPV4),
            Frames.ipv4Fragment(FlowKey.PROTO_UDP, OUTER_A, OUTER_B, shortInner.length, 77, true, 0), shortInner));
        assertEquals(1, s.layerCount());
        assertEquals(TUNNEL_STOP_REFUSED, s.tunnelStop());

        // A first fragment that ends inside the inner TCP ports: no inner key to give the datagram.
        final byte[] cut = concat(udpGtp, java.util.Arrays.copyOf(inner, 22));
        final DecodedPacket c = decode(concat(ethernet(EtherTypes.IPV4),
            Frames.ipv4Fragment(FlowKey.PROTO_UDP, OUTER_A, OUTER_B, cut.length, 77, true, 0), cut));
        assertEquals(1, c.layerCount());
        assertEquals(TUNNEL_STOP_REFUSED, c.tunnelStop());

        // A later fragment has no tunnel header: GRE, IP in IP say so, UDP has no ports to tell.
        final byte[] later = concat(ethernet(EtherTypes.IPV4), Frames.ipv4Fragment(47, OUTER_A, OUTER_B, 16, 78, false, 3), new byte[16]);
        final DecodedPacket q = decode(later);
        assertEquals(1, q.layerCount());
        assertEquals(TUNNEL_STOP_FRAGMENT, q.tunnelStop());
        final DecodedPacket u = decode(concat(ethernet(EtherTypes.IPV4),
            Frames.ipv4Fragment(FlowKey.PROTO_UDP, OUTER_A, OUTER_B, 16, 77, false, 3), new byte[16]));
        assertEquals(1, u.layerCount());
        assertEquals(TUNNEL_STOP_NONE, u.tunnelStop());
    }

    /**
     * IPv4 first fragment (id 77, 72 bytes) of a UDP 2152 datagram: GTP-U G-PDU carrying IPv4/TCP
     * with 1000 payload bytes, of which the fragment holds the headers and 16 bytes.
     */
    static byte[] gtpFirstFragment() {
        final int innerLength = 40 + 1000;
        final byte[] inner = concat(Frames.ipv4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, TCP_HEADER_LENGTH + 1000),
            tcp(49152, 80));
        final byte[] firstPayload = concat(udp(2152, 2152, 8 + innerLength), gtpHeader(0x30, 0xff, innerLength), inner, new byte[16]);
        return concat(ethernet(EtherTypes.IPV4),
            Frames.ipv4Fragment(FlowKey.PROTO_UDP, OUTER_A, OUTER_B, firstPayload.length, 77, true, 0), firstPayload);
    }

    /** Every tunnel frame built here, for the robustness and allocation tests. */
    static byte[][] tunnelFrames() {
        return new byte[][] {
            outerIpv4(41, innerIpv6Udp()), vxlanIpv4Tcp(), geneveIpv6Udp(), greIpv4Tcp(), erspan2Ipv4Tcp(), pptpIpv4Tcp(),
            gtpIpv4Tcp(), teredoOriginIpv6Udp(), ayiyaIpv6Udp(), nestedVxlan(4), gtpFirstFragment(), greOverUdpIpv4Tcp(),
        };
    }

    @Test
    void shouldNeverDecapsulateAFrameCutShortAndNeverFailOnAnyCut() {
        for (final byte[] frame : tunnelFrames()) {
            final DecodedPacket whole = decode(frame);
            assertTrue(whole.layerCount() >= 2, Decodes.describe(whole));
            final String outer = whole.layer(0).toString();
            for (int length = 0; length < frame.length; length++) {
                final DecodedPacket p = decode(Arrays.copyOf(frame, length));
                final String where = outer + " cut to " + length + ": " + Decodes.describe(p);
                // the tunnel's inner packet claims more bytes than are left: Zeek's truncated_IP / truncated_inner_IP
                assertTrue(p.layerCount() <= 1, where);
                if (length >= 14 + 20 + 4) {
                    assertEquals(outer, p.innermost().toString(), where);
                }
            }
        }
    }
}
