package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.llcSnap;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.testing.Frames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** IEEE 802.11 data frames with LLC/SNAP, bare and behind a radiotap header. */
class DecoderIeee80211Test {
    private static final String TCP_V4 = "10.0.0.1:49152 > 192.168.1.2:80 proto 6";
    private static final String UDP_V6 = "2001:db8::1:5353 > 2001:db8::2:53 proto 17";

    /** An 802.11 MAC header; {@code qos} adds QoS control, ToDS and FromDS together add address 4. */
    private static byte[] macHeader(final int subtype, final int flags, final boolean qos) {
        final boolean wds = (flags & 0x03) == 0x03;
        return concat(bytes(
            subtype << 4 | 2 << 2,               // frame control: version 0, type 2 (data), subtype
            flags,                               // flags: ToDS 0x01, FromDS 0x02, protected 0x40, order 0x80
            0x2c, 0x00,                          // duration
            0x02, 0x00, 0x00, 0x00, 0x03, 0x01,  // address 1
            0x02, 0x00, 0x00, 0x00, 0x03, 0x02,  // address 2
            0x02, 0x00, 0x00, 0x00, 0x03, 0x03,  // address 3
            0x10, 0x00),                         // sequence control: fragment 0, sequence 1 (little-endian)
            wds ? bytes(0x02, 0x00, 0x00, 0x00, 0x03, 0x04) : new byte[0], // address 4
            qos ? bytes(0x00, 0x00) : new byte[0]);                        // QoS control
    }

    /** Data (subtype 0) from the access point, LLC/SNAP, IPv4 TCP. */
    static byte[] dataIpv4Tcp() {
        return concat(macHeader(0, 0x02, false), llcSnap(EtherTypes.IPV4), Frames.ipv4Tcp());
    }

    /** Radiotap (8 bytes, nothing present) then QoS data (subtype 8) to the AP, LLC/SNAP, IPv6 UDP. */
    static byte[] radiotapQosIpv6Udp() {
        return concat(bytes(
            0x00,                                // radiotap version
            0x00,                                // pad
            0x08, 0x00,                          // header length 8, little-endian
            0x00, 0x00, 0x00, 0x00),             // present flags: none
            macHeader(8, 0x01, true), llcSnap(EtherTypes.IPV6), Frames.ipv6Udp());
    }

    private static void assertKey(final DecodedPacket p, final String expected, final int ipOffset) {
        assertEquals(STATUS_OK, p.status(), Decodes.describe(p));
        assertEquals(expected, p.innermost().toString());
        assertEquals(ipOffset, p.ipOffset());
    }

    @Test
    void shouldDecodeADataFrameWithLlcSnap() {
        assertKey(decode(LinkTypes.LINKTYPE_IEEE802_11, dataIpv4Tcp()), TCP_V4, 24 + 8);
    }

    @Test
    void shouldKeyAnAggregateMsduFrameByItsFirstSubframe() {
        final byte[] header = macHeader(8, 0x02, true);
        header[24] = (byte) 0x80; // QoS control: A-MSDU present
        final byte[] first = concat(llcSnap(EtherTypes.IPV4), Frames.ipv4Tcp());
        final byte[] subframeHeader = concat(bytes(0x02, 0, 0, 0, 0x03, 0x01, 0x02, 0, 0, 0, 0x03, 0x02), // destination, source
            bytes(first.length >> 8, first.length));                                                      // length
        final byte[] frame = concat(header, subframeHeader, first, bytes(0, 0), subframeHeader, first);   // padding to 4 bytes
        assertKey(decode(LinkTypes.LINKTYPE_IEEE802_11, frame), TCP_V4, 26 + 14 + 8);
    }

    @Test
    void shouldSkipTheRadiotapHeaderByItsLittleEndianLengthAndTheQosControl() {
        assertKey(decode(LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP, radiotapQosIpv6Udp()), UDP_V6, 8 + 26 + 8);
    }

    @Test
    void shouldCountAddressFourOfADistributionSystemFrame() {
        final byte[] frame = concat(macHeader(8, 0x03, true), llcSnap(EtherTypes.IPV4), Frames.ipv4Tcp());
        assertKey(decode(LinkTypes.LINKTYPE_IEEE802_11, frame), TCP_V4, 24 + 6 + 2 + 8);
    }

    @Test
    void shouldCountTheHtControlOfAQosFrameWithTheOrderFlag() {
        final byte[] frame = concat(macHeader(8, 0x81, true), bytes(0, 0, 0, 0), // HT control
            llcSnap(EtherTypes.IPV4), Frames.ipv4Tcp());
        assertKey(decode(LinkTypes.LINKTYPE_IEEE802_11, frame), TCP_V4, 24 + 2 + 4 + 8);
    }

    @Test
    void shouldReportProtectedFramesAsNotIp() {
        final byte[] frame = concat(macHeader(0, 0x42, false), new byte[40]); // FromDS, protected
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_IEEE802_11, frame).status());
    }

    @Test
    void shouldReportManagementAndNullDataFramesAsNotIp() {
        final byte[] beacon = concat(bytes(0x80, 0x00), new byte[60]); // type 0 (management), subtype 8 (beacon)
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_IEEE802_11, beacon).status());
        final byte[] nullData = concat(macHeader(4, 0x01, false), new byte[8]); // subtype 4: null function
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_IEEE802_11, nullData).status());
    }

    @Test
    void shouldReportANonFirstFragmentAsNotIp() {
        final byte[] frame = dataIpv4Tcp();
        frame[22] = 0x11;                        // fragment number 1
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_IEEE802_11, frame).status());
    }

    @Test
    void shouldReportARadiotapLengthBelowItsFixedPartAsMalformed() {
        final byte[] frame = radiotapQosIpv6Udp();
        frame[2] = 0x04;
        assertEquals(STATUS_MALFORMED, decode(LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP, frame).status());
    }

    @Test
    void shouldReportHeadersCutShortAsTruncated() {
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_IEEE802_11, Arrays.copyOf(dataIpv4Tcp(), 23)).status());
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP, Arrays.copyOf(radiotapQosIpv6Udp(), 8 + 25)).status());
        final byte[] longRadiotap = radiotapQosIpv6Udp();
        longRadiotap[3] = 0x01;                  // header length 264: beyond the frame
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP, longRadiotap).status());
    }
}
