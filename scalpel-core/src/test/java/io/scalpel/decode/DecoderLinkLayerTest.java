package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.DecodedPacket.STATUS_UNSUPPORTED_LINKTYPE;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.ipv4Tcp;
import static io.scalpel.testing.Frames.ipv6Udp;
import static io.scalpel.testing.Frames.llcSnap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecoderLinkLayerTest {
    private static final String TCP_V4 = "10.0.0.1:49152 > 192.168.1.2:80 proto 6";
    private static final String UDP_V6 = "2001:db8::1:5353 > 2001:db8::2:53 proto 17";

    private static void assertSingleLayer(final DecodedPacket p, final String expectedKey) {
        assertEquals(STATUS_OK, p.status());
        assertEquals(1, p.layerCount());
        assertEquals(expectedKey, p.innermost().toString());
        assertTrue(p.innermost().portsKnown());
    }

    @Test
    void shouldDecodeEthernetIpv4Tcp() {
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_ETHERNET, Frames.ethernetIpv4Tcp());
        assertSingleLayer(p, TCP_V4);
        assertEquals(0, p.vlanCount());
        assertEquals(14, p.ipOffset());
        assertEquals(34, p.transportOffset());
    }

    @Test
    void shouldDecodeEthernetIpv6Udp() {
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_ETHERNET, Frames.ethernetIpv6Udp());
        assertSingleLayer(p, UDP_V6);
        assertEquals(14, p.ipOffset());
        assertEquals(54, p.transportOffset());
    }

    @Test
    void shouldIgnoreFcsBitsAboveTheLinkType() {
        final int ethernetWithFcsLength = LinkTypes.LINKTYPE_ETHERNET | 0x1000_0000 | 0x0400_0000;
        assertSingleLayer(decode(ethernetWithFcsLength, Frames.ethernetIpv4Tcp()), TCP_V4);
    }

    @Test
    void shouldDecodeLinuxCookedCapture() {
        final byte[] frame = concat(bytes(
            0x00, 0x00,                          // packet type: to us
            0x00, 0x01,                          // ARPHRD_ETHER
            0x00, 0x06,                          // link-layer address length
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // link-layer address
            0x00, 0x00,                          // address padding
            0x08, 0x00),                         // protocol: IPv4
            ipv4Tcp());
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_LINUX_SLL, frame);
        assertSingleLayer(p, TCP_V4);
        assertEquals(16, p.ipOffset());
    }

    @Test
    void shouldDecodeVlanTagReinsertedInLinuxCookedCapture() {
        final byte[] frame = concat(bytes(
            0x00, 0x04,                          // packet type: outgoing
            0x00, 0x01,                          // ARPHRD_ETHER
            0x00, 0x06,                          // link-layer address length
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // link-layer address
            0x00, 0x00,                          // address padding
            0x81, 0x00),                         // protocol: 802.1Q
            Frames.vlanTag(0, 42, EtherTypes.IPV6),
            ipv6Udp());
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_LINUX_SLL, frame);
        assertSingleLayer(p, UDP_V6);
        assertEquals(42, p.outerVlan());
    }

    @Test
    void shouldDecodeLlcInLinuxCookedCaptureProtocol4() {
        final byte[] frame = concat(bytes(
            0x00, 0x00,                          // packet type: to us
            0x00, 0x01,                          // ARPHRD_ETHER
            0x00, 0x06,                          // link-layer address length
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // link-layer address
            0x00, 0x00,                          // address padding
            0x00, 0x04),                         // protocol: 802.2 LLC follows
            llcSnap(EtherTypes.IPV4),
            ipv4Tcp());
        assertSingleLayer(decode(LinkTypes.LINKTYPE_LINUX_SLL, frame), TCP_V4);
    }

    @Test
    void shouldReportArpInLinuxCookedCaptureAsNotIp() {
        final byte[] frame = concat(bytes(
            0x00, 0x01,                          // packet type: broadcast
            0x00, 0x01,                          // ARPHRD_ETHER
            0x00, 0x06,                          // link-layer address length
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // link-layer address
            0x00, 0x00,                          // address padding
            0x08, 0x06),                         // protocol: ARP
            new byte[28]);                       // ARP body
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_LINUX_SLL, frame);
        assertEquals(STATUS_NOT_IP, p.status());
        assertEquals(0, p.layerCount());
    }

    @Test
    void shouldDecodeLinuxCookedCaptureV2() {
        final byte[] frame = concat(bytes(
            0x86, 0xdd,                          // protocol: IPv6
            0x00, 0x00,                          // reserved
            0x00, 0x00, 0x00, 0x03,              // interface index
            0x00, 0x01,                          // ARPHRD_ETHER
            0x00,                                // packet type: to us
            0x06,                                // link-layer address length
            0x02, 0x00, 0x00, 0x00, 0x00, 0x0a,  // link-layer address
            0x00, 0x00),                         // address padding
            ipv6Udp());
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_LINUX_SLL2, frame);
        assertSingleLayer(p, UDP_V6);
        assertEquals(20, p.ipOffset());
    }

    @ParameterizedTest
    @ValueSource(ints = {LinkTypes.LINKTYPE_RAW, LinkTypes.LINKTYPE_RAW_DLT12, LinkTypes.LINKTYPE_RAW_DLT14})
    void shouldDecodeRawIpByVersionNibble(final int linkType) {
        assertSingleLayer(decode(linkType, ipv4Tcp()), TCP_V4);
        assertSingleLayer(decode(linkType, ipv6Udp()), UDP_V6);
    }

    @Test
    void shouldReportRawIpWithUnknownVersionAsMalformed() {
        final byte[] frame = concat(bytes(0x50), new byte[39]); // version 5
        assertEquals(STATUS_MALFORMED, decode(LinkTypes.LINKTYPE_RAW, frame).status());
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_RAW, new byte[0]).status());
    }

    @Test
    void shouldDecodeRawIpv4AndRawIpv6LinkTypes() {
        assertSingleLayer(decode(LinkTypes.LINKTYPE_IPV4, ipv4Tcp()), TCP_V4);
        assertSingleLayer(decode(LinkTypes.LINKTYPE_IPV6, ipv6Udp()), UDP_V6);
    }

    @Test
    void shouldReportWrongVersionForRawIpv4LinkTypeAsMalformed() {
        assertEquals(STATUS_MALFORMED, decode(LinkTypes.LINKTYPE_IPV4, ipv6Udp()).status());
        assertEquals(STATUS_MALFORMED, decode(LinkTypes.LINKTYPE_IPV6, ipv4Tcp()).status());
    }

    @Test
    void shouldDecodeNullLinkTypeWrittenLittleEndian() {
        final byte[] frame = concat(bytes(
            0x02, 0x00, 0x00, 0x00),             // family AF_INET, little-endian writer
            ipv4Tcp());
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_NULL, frame);
        assertSingleLayer(p, TCP_V4);
        assertEquals(4, p.ipOffset());
    }

    @Test
    void shouldDecodeNullLinkTypeWrittenBigEndian() {
        final byte[] frame = concat(bytes(
            0x00, 0x00, 0x00, 0x02),             // family AF_INET, big-endian writer
            ipv4Tcp());
        assertSingleLayer(decode(LinkTypes.LINKTYPE_NULL, frame), TCP_V4);
    }

    @ParameterizedTest
    @ValueSource(ints = {24, 28, 30})
    void shouldDecodeEveryBsdIpv6FamilyOfNullLinkTypeInBothByteOrders(final int family) {
        final byte[] littleEndian = concat(bytes(
            family, 0x00, 0x00, 0x00),           // family AF_INET6 (NetBSD/OpenBSD, FreeBSD, macOS)
            ipv6Udp());
        final byte[] bigEndian = concat(bytes(
            0x00, 0x00, 0x00, family),           // the same family from a big-endian writer
            ipv6Udp());
        assertSingleLayer(decode(LinkTypes.LINKTYPE_NULL, littleEndian), UDP_V6);
        assertSingleLayer(decode(LinkTypes.LINKTYPE_NULL, bigEndian), UDP_V6);
    }

    @Test
    void shouldReportUnknownNullFamilyAsNotIp() {
        final byte[] frame = concat(bytes(
            0x07, 0x00, 0x00, 0x00),             // family 7: not IP
            ipv4Tcp());
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_NULL, frame).status());
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_NULL, bytes(0x02, 0x00)).status());
    }

    @Test
    void shouldDecodeLoopLinkTypeInNetworkOrderOnly() {
        final byte[] networkOrder = concat(bytes(
            0x00, 0x00, 0x00, 0x18),             // family AF_INET6 (24), network order
            ipv6Udp());
        assertSingleLayer(decode(LinkTypes.LINKTYPE_LOOP, networkOrder), UDP_V6);

        final byte[] hostOrder = concat(bytes(
            0x18, 0x00, 0x00, 0x00),             // the same family little-endian: not LOOP's format
            ipv6Udp());
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_LOOP, hostOrder).status());
    }

    @Test
    void shouldDecodeFddiWithLlcSnap() {
        final byte[] frame = concat(bytes(
            0x50,                                // frame control: async LLC
            0x00, 0x00, 0x5e, 0x00, 0x00, 0x0b,  // destination address
            0x00, 0x00, 0x5e, 0x00, 0x00, 0x0a), // source address
            llcSnap(EtherTypes.IPV4),
            ipv4Tcp());
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_FDDI, frame);
        assertSingleLayer(p, TCP_V4);
        assertEquals(21, p.ipOffset());
    }

    @Test
    void shouldReportFddiWithoutSnapAsNotIp() {
        final byte[] frame = concat(bytes(
            0x50,                                // frame control: async LLC
            0x00, 0x00, 0x5e, 0x00, 0x00, 0x0b,  // destination address
            0x00, 0x00, 0x5e, 0x00, 0x00, 0x0a,  // source address
            0xe0, 0xe0, 0x03),                   // LLC: DSAP/SSAP NetWare, UI
            new byte[30]);
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_FDDI, frame).status());
    }

    @Test
    void shouldReportUnknownLinkTypeAsUnsupported() {
        final DecodedPacket p = decode(147, Frames.ethernetIpv4Tcp()); // USER0: private use
        assertEquals(STATUS_UNSUPPORTED_LINKTYPE, p.status());
        assertEquals(0, p.layerCount());
        assertFalse(LinkTypes.isSupported(147));
        assertTrue(LinkTypes.isSupported(LinkTypes.LINKTYPE_LINUX_SLL2));
    }
}
