package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.mplsLabel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.Frames;
import org.junit.jupiter.api.Test;

/** The PPP link types: PPP, PPP in HDLC-like framing, Cisco HDLC. */
class DecoderPppTest {
    private static final String TCP_V4 = "10.0.0.1:49152 > 192.168.1.2:80 proto 6";
    private static final String UDP_V6 = "2001:db8::1:5353 > 2001:db8::2:53 proto 17";

    private static void assertKey(final DecodedPacket p, final String expected, final int ipOffset) {
        assertEquals(STATUS_OK, p.status(), Decodes.describe(p));
        assertEquals(expected, p.innermost().toString());
        assertEquals(ipOffset, p.ipOffset());
    }

    /** LINKTYPE_PPP: protocol IPv4, TCP. */
    static byte[] pppIpv4Tcp() {
        return concat(bytes(0x00, 0x21), Frames.ipv4Tcp()); // PPP protocol: IPv4
    }

    /** LINKTYPE_PPP_HDLC: address, control, protocol IPv6, UDP. */
    static byte[] pppHdlcIpv6Udp() {
        return concat(bytes(
            0xff,                                // address: all stations
            0x03,                                // control: unnumbered information
            0x00, 0x57),                         // PPP protocol: IPv6
            Frames.ipv6Udp());
    }

    /** LINKTYPE_C_HDLC: Cisco HDLC IPv4, TCP. */
    static byte[] ciscoHdlcIpv4Tcp() {
        return concat(bytes(
            0x0f,                                // address: unicast
            0x00,                                // control
            0x08, 0x00),                         // EtherType: IPv4
            Frames.ipv4Tcp());
    }

    @Test
    void shouldDecodeThePppProtocolField() {
        assertKey(decode(LinkTypes.LINKTYPE_PPP, pppIpv4Tcp()), TCP_V4, 2);
    }

    @Test
    void shouldSkipHdlcAddressAndControlOnThePppLinkType() {
        assertKey(decode(LinkTypes.LINKTYPE_PPP, pppHdlcIpv6Udp()), UDP_V6, 4);
    }

    @Test
    void shouldDecodeACompressedOneByteProtocolField() {
        final byte[] frame = concat(bytes(0x21), Frames.ipv4Tcp()); // compressed protocol: IPv4
        assertKey(decode(LinkTypes.LINKTYPE_PPP, frame), TCP_V4, 1);
    }

    @Test
    void shouldDecodeMplsOverPpp() {
        final byte[] frame = concat(bytes(0x02, 0x81), mplsLabel(17, true), Frames.ipv4Tcp()); // PPP protocol: MPLS
        assertKey(decode(LinkTypes.LINKTYPE_PPP, frame), TCP_V4, 6);
    }

    @Test
    void shouldReportLinkControlProtocolAsNotIp() {
        final byte[] frame = concat(bytes(0xff, 0x03, 0xc0, 0x21), new byte[8]); // LCP
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_PPP, frame).status());
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_PPP_HDLC, frame).status());
    }

    @Test
    void shouldDecodePppInHdlcFraming() {
        assertKey(decode(LinkTypes.LINKTYPE_PPP_HDLC, pppHdlcIpv6Udp()), UDP_V6, 4);
    }

    @Test
    void shouldReportPppHdlcWithAnotherAddressAsNotIp() {
        final byte[] frame = pppHdlcIpv6Udp();
        frame[0] = 0x01;
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_PPP_HDLC, frame).status());
    }

    @Test
    void shouldDecodeCiscoHdlcOnItsOwnLinkTypeAndUnderPppHdlc() {
        assertKey(decode(LinkTypes.LINKTYPE_C_HDLC, ciscoHdlcIpv4Tcp()), TCP_V4, 4);
        assertKey(decode(LinkTypes.LINKTYPE_PPP_HDLC, ciscoHdlcIpv4Tcp()), TCP_V4, 4);
    }

    @Test
    void shouldReportCiscoSlarpAsNotIp() {
        final byte[] frame = concat(bytes(0x8f, 0x00, 0x80, 0x35), new byte[20]); // broadcast, SLARP
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_C_HDLC, frame).status());
    }

    @Test
    void shouldReportHeadersCutShortAsTruncated() {
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_PPP, bytes(0xff, 0x03, 0x00)).status());
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_PPP_HDLC, bytes(0xff, 0x03, 0x00)).status());
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_C_HDLC, bytes(0x0f, 0x00, 0x08)).status());
    }

    @Test
    void shouldCallThePppLinkTypesSupported() {
        assertTrue(LinkTypes.isSupported(LinkTypes.LINKTYPE_PPP));
        assertTrue(LinkTypes.isSupported(LinkTypes.LINKTYPE_PPP_HDLC));
        assertTrue(LinkTypes.isSupported(LinkTypes.LINKTYPE_C_HDLC));
    }
}
