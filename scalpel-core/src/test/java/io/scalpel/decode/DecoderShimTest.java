package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.ipv4Tcp;
import static io.scalpel.testing.Frames.ipv6Udp;
import static io.scalpel.testing.Frames.mplsLabel;
import static io.scalpel.testing.Frames.vlanTag;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.testing.Frames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Headers between Ethernet and IP: MPLS, PPPoE sessions, PBB, VN-Tag, Cisco FabricPath. */
class DecoderShimTest {
    private static final String TCP_V4 = "10.0.0.1:49152 > 192.168.1.2:80 proto 6";
    private static final String UDP_V6 = "2001:db8::1:5353 > 2001:db8::2:53 proto 17";

    private static DecodedPacket decodeEthernet(final byte[] frame) {
        return decode(LinkTypes.LINKTYPE_ETHERNET, frame);
    }

    private static void assertKey(final DecodedPacket p, final String expected, final int ipOffset) {
        assertEquals(STATUS_OK, p.status(), Decodes.describe(p));
        assertEquals(1, p.layerCount());
        assertEquals(expected, p.innermost().toString());
        assertEquals(ipOffset, p.ipOffset());
    }

    /** Ethernet, MPLS 100 (not bottom), MPLS 200 (bottom), IPv4 TCP. */
    static byte[] ethernetMplsIpv4Tcp() {
        return concat(Frames.ethernet(EtherTypes.MPLS_UNICAST), mplsLabel(100, false), mplsLabel(200, true), ipv4Tcp());
    }

    @Test
    void shouldWalkTheMplsLabelStackToTheBottomAndDecodeIpv4ByItsVersion() {
        assertKey(decodeEthernet(ethernetMplsIpv4Tcp()), TCP_V4, 14 + 8);
    }

    @Test
    void shouldDecodeIpv6UnderAMulticastMplsLabel() {
        final byte[] frame = concat(Frames.ethernet(EtherTypes.MPLS_MULTICAST), mplsLabel(16, true), ipv6Udp());
        assertKey(decodeEthernet(frame), UDP_V6, 14 + 4);
    }

    @Test
    void shouldDecodeMplsInsideVlanAndKeepTheTag() {
        final byte[] frame = concat(Frames.ethernet(EtherTypes.VLAN), vlanTag(0, 42, EtherTypes.MPLS_UNICAST),
            mplsLabel(3000, true), ipv4Tcp());
        final DecodedPacket p = decodeEthernet(frame);
        assertKey(p, TCP_V4, 14 + 4 + 4);
        assertEquals(42, p.outerVlan());
    }

    @Test
    void shouldReportAPseudowireUnderMplsAsNotIp() {
        final byte[] frame = concat(Frames.ethernet(EtherTypes.MPLS_UNICAST), mplsLabel(16, true),
            bytes(0x00, 0x00, 0x00, 0x00),       // pseudowire control word (first nibble 0)
            Frames.ethernetIpv4Tcp());
        assertEquals(STATUS_NOT_IP, decodeEthernet(frame).status());
    }

    @Test
    void shouldReportALabelStackWithoutBottomAsTruncated() {
        final byte[] frame = concat(Frames.ethernet(EtherTypes.MPLS_UNICAST), mplsLabel(1, false), mplsLabel(2, false));
        assertEquals(STATUS_TRUNCATED, decodeEthernet(frame).status());
    }

    @Test
    void shouldWalkThousandsOfLabelsWithoutRecursion() {
        final byte[][] parts = new byte[5002][];
        parts[0] = Frames.ethernet(EtherTypes.MPLS_UNICAST);
        for (int i = 1; i <= 5000; i++) {
            parts[i] = mplsLabel(i, i == 5000);
        }
        parts[5001] = ipv4Tcp();
        assertKey(decodeEthernet(concat(parts)), TCP_V4, 14 + 5000 * 4);
    }

    /** Ethernet, PPPoE session 0x0011, PPP IPv4, TCP. */
    static byte[] ethernetPppoeIpv4Tcp() {
        final byte[] ip = ipv4Tcp();
        return concat(Frames.ethernet(EtherTypes.PPPOE_SESSION), Frames.pppoeSession(0x11, Ppp.PROTOCOL_IPV4, ip.length), ip);
    }

    @Test
    void shouldDecodeIpv4InAPppoeSession() {
        assertKey(decodeEthernet(ethernetPppoeIpv4Tcp()), TCP_V4, 14 + 8);
    }

    @Test
    void shouldDecodeIpv6InAPppoeSessionOverQinQ() {
        final byte[] ip = ipv6Udp();
        final byte[] frame = concat(Frames.ethernet(EtherTypes.QINQ), vlanTag(0, 100, EtherTypes.VLAN),
            vlanTag(0, 200, EtherTypes.PPPOE_SESSION), Frames.pppoeSession(7, Ppp.PROTOCOL_IPV6, ip.length), ip);
        final DecodedPacket p = decodeEthernet(frame);
        assertKey(p, UDP_V6, 14 + 8 + 8);
        assertEquals(100, p.outerVlan());
        assertEquals(200, p.innerVlan());
    }

    @ParameterizedTest
    @ValueSource(ints = {0xC021, 0x8021, 0xC023}) // LCP, IPCP, PAP
    void shouldReportPppControlProtocolsInAPppoeSessionAsNotIp(final int pppProtocol) {
        final byte[] frame = concat(Frames.ethernet(EtherTypes.PPPOE_SESSION), Frames.pppoeSession(1, pppProtocol, 10), new byte[10]);
        assertEquals(STATUS_NOT_IP, decodeEthernet(frame).status());
    }

    @Test
    void shouldReportAPppoeHeaderOfAnotherVersionAsNotIp() {
        final byte[] frame = ethernetPppoeIpv4Tcp();
        frame[14] = 0x21;                        // version 2, type 1
        assertEquals(STATUS_NOT_IP, decodeEthernet(frame).status());
    }

    @Test
    void shouldReportAPppoeHeaderCutBeforeThePppProtocolAsTruncated() {
        assertEquals(STATUS_TRUNCATED, decodeEthernet(Arrays.copyOf(ethernetPppoeIpv4Tcp(), 14 + 7)).status());
    }

    /** Ethernet, VLAN 10, PBB I-SID 0x123456, customer MACs, IPv4 TCP. */
    static byte[] ethernetPbbIpv4Tcp() {
        return concat(Frames.ethernet(EtherTypes.VLAN), vlanTag(0, 10, EtherTypes.PBB), Frames.pbb(0x123456, EtherTypes.IPV4), ipv4Tcp());
    }

    @Test
    void shouldStepOverThePbbItagAndCustomerAddresses() {
        final DecodedPacket p = decodeEthernet(ethernetPbbIpv4Tcp());
        assertKey(p, TCP_V4, 14 + 4 + 18);
        assertEquals(10, p.outerVlan());
    }

    @Test
    void shouldContinueWithACustomerVlanInsidePbb() {
        final byte[] frame = concat(Frames.ethernet(EtherTypes.PBB), Frames.pbb(1, EtherTypes.VLAN),
            vlanTag(0, 33, EtherTypes.IPV6), ipv6Udp());
        final DecodedPacket p = decodeEthernet(frame);
        assertKey(p, UDP_V6, 14 + 18 + 4);
        assertEquals(33, p.outerVlan());
    }

    /** Ethernet, VN-Tag, VLAN 5, IPv4 TCP (the order of the corpus trace vntag.pcap). */
    static byte[] ethernetVnTagVlanIpv4Tcp() {
        return concat(Frames.ethernet(EtherTypes.VN_TAG), Frames.vnTag(EtherTypes.VLAN), vlanTag(0, 5, EtherTypes.IPV4), ipv4Tcp());
    }

    @Test
    void shouldStepOverAVnTagAndContinueTheDispatch() {
        final DecodedPacket p = decodeEthernet(ethernetVnTagVlanIpv4Tcp());
        assertKey(p, TCP_V4, 14 + 6 + 4);
        assertEquals(5, p.outerVlan());
    }

    /** Outer Ethernet 0x8903, FabricPath FTAG/TTL, inner Ethernet IPv6 UDP. */
    static byte[] fabricPathIpv6Udp() {
        return concat(Frames.ethernet(EtherTypes.FABRICPATH), Frames.fabricPath(EtherTypes.IPV6), ipv6Udp());
    }

    @Test
    void shouldDecodeTheInnerEthernetFrameOfFabricPath() {
        assertKey(decodeEthernet(fabricPathIpv6Udp()), UDP_V6, 14 + 16);
    }

    @Test
    void shouldReportShimsCutShortAsTruncated() {
        assertEquals(STATUS_TRUNCATED, decodeEthernet(Arrays.copyOf(fabricPathIpv6Udp(), 14 + 15)).status());
        assertEquals(STATUS_TRUNCATED, decodeEthernet(Arrays.copyOf(ethernetVnTagVlanIpv4Tcp(), 14 + 5)).status());
        assertEquals(STATUS_TRUNCATED, decodeEthernet(Arrays.copyOf(ethernetPbbIpv4Tcp(), 18 + 17)).status());
    }
}
