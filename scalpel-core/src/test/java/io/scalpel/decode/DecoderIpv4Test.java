package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.NO_OFFSET;
import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.CLIENT_V4;
import static io.scalpel.testing.Frames.SERVER_V4;
import static io.scalpel.testing.Frames.UDP_HEADER_LENGTH;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.ipv4Fragment;
import static io.scalpel.testing.Frames.tcp;
import static io.scalpel.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.Frames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DecoderIpv4Test {
    private static DecodedPacket raw(final byte[] datagram) {
        return decode(LinkTypes.LINKTYPE_IPV4, datagram);
    }

    @Test
    void shouldSkipOptionsByHeaderLength() {
        final byte[] frame = concat(bytes(
            0x47,                                // version 4, IHL 7 (28 bytes)
            0x00,                                // DSCP, ECN
            0x00, 0x30,                          // total length 48
            0x00, 0x01,                          // identification
            0x40, 0x00,                          // flags DF, offset 0
            1,                                   // TTL
            FlowKey.PROTO_TCP,                   // protocol
            0x00, 0x00,                          // header checksum
            10, 0, 0, 1,                         // source address
            192, 168, 1, 2,                      // destination address
            0x94, 0x04, 0x00, 0x00,              // option: router alert
            0x01, 0x01, 0x01,                    // options: NOP, NOP, NOP
            0x00),                               // option: end of list
            tcp(1025, 443));
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals("10.0.0.1:1025 > 192.168.1.2:443 proto 6", p.innermost().toString());
        assertFalse(p.innermost().isFragment(), "DF alone is not a fragment");
        assertEquals(0, p.ipOffset());
        assertEquals(28, p.transportOffset());
    }

    @Test
    void shouldReportOptionsCutShortAsTruncatedWithAddressesKept() {
        final byte[] frame = bytes(
            0x4f,                                // version 4, IHL 15 (60 bytes)
            0x00,                                // DSCP, ECN
            0x00, 0x50,                          // total length 80
            0x00, 0x01,                          // identification
            0x00, 0x00,                          // flags, offset
            64,                                  // TTL
            FlowKey.PROTO_UDP,                   // protocol
            0x00, 0x00,                          // header checksum
            10, 0, 0, 1,                         // source address
            192, 168, 1, 2,                      // destination address
            0x01, 0x01, 0x01, 0x01);             // four option bytes of forty: the capture ends
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_TRUNCATED, p.status());
        assertEquals(1, p.layerCount());
        assertEquals("10.0.0.1:0 > 192.168.1.2:0 proto 17", p.innermost().toString());
        assertFalse(p.innermost().portsKnown());
        assertEquals(NO_OFFSET, p.transportOffset());
    }

    @Test
    void shouldKeyTheFirstFragmentWithItsPorts() {
        final byte[] frame = concat(
            ipv4Fragment(FlowKey.PROTO_UDP, CLIENT_V4, SERVER_V4, 1480, 0xbeef, true, 0),
            udp(33000, 53, 1472 + 100),          // UDP length covers the whole datagram
            new byte[1472]);                     // the first fragment's share of the payload
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_OK, p.status());
        final FlowKey k = p.innermost();
        assertTrue(k.isFragment());
        assertTrue(k.moreFragments());
        assertEquals(0, k.fragmentOffset());
        assertEquals(0xbeef, k.fragmentId());
        assertTrue(k.portsKnown());
        assertEquals("10.0.0.1:33000 > 192.168.1.2:53 proto 17 frag id=48879 off=0 MF", k.toString());
    }

    @Test
    void shouldKeyANonFirstFragmentWithoutPorts() {
        final byte[] frame = concat(
            ipv4Fragment(FlowKey.PROTO_UDP, CLIENT_V4, SERVER_V4, 100, 0xbeef, false, 185),
            new byte[100]);                      // the rest of the payload; no UDP header
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_OK, p.status());
        final FlowKey k = p.innermost();
        assertTrue(k.isFragment());
        assertFalse(k.moreFragments());
        assertEquals(1480, k.fragmentOffset());
        assertEquals(0xbeef, k.fragmentId());
        assertFalse(k.portsKnown());
        assertEquals(0, k.srcPort());
        assertEquals(0, k.dstPort());
        assertEquals(FlowKey.PROTO_UDP, k.protocol());
        assertEquals(NO_OFFSET, p.transportOffset());
    }

    @Test
    void shouldKeyAMiddleFragmentWithMoreFragmentsSet() {
        final byte[] frame = concat(
            ipv4Fragment(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, 8, 7, true, 1),
            bytes(0x00, 0x50, 0x01, 0xbb, 0, 0, 0, 0)); // bytes that look like ports must not be read
        final FlowKey k = raw(frame).innermost();
        assertEquals(8, k.fragmentOffset());
        assertTrue(k.moreFragments());
        assertFalse(k.portsKnown());
    }

    @Test
    void shouldBoundTheDatagramByItsTotalLength() {
        final byte[] frame = concat(
            Frames.ethernet(EtherTypes.IPV4),
            Frames.ipv4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, 2), // says: two payload bytes
            tcp(49152, 80));                     // Ethernet trailer bytes beyond the datagram
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_ETHERNET, frame);
        assertEquals(STATUS_TRUNCATED, p.status());
        assertFalse(p.innermost().portsKnown());
        assertEquals(34, p.transportOffset());
    }

    @Test
    void shouldDecodeDatagramLongerThanTheCaptureUpToTheCapturedBytes() {
        final byte[] frame = concat(
            Frames.ipv4(FlowKey.PROTO_UDP, CLIENT_V4, SERVER_V4, 1400), // snaplen cut the rest
            udp(1234, 5678, 1392));
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals("10.0.0.1:1234 > 192.168.1.2:5678 proto 17", p.innermost().toString());
    }

    @Test
    void shouldUseCapturedBytesWhenTotalLengthIsZeroFromSegmentationOffload() {
        final byte[] frame = concat(bytes(
            0x45,                                // version 4, IHL 5
            0x00,                                // DSCP, ECN
            0x00, 0x00,                          // total length 0: TSO, filled in by the NIC
            0x00, 0x01,                          // identification
            0x40, 0x00,                          // flags DF
            64,                                  // TTL
            FlowKey.PROTO_TCP,                   // protocol
            0x00, 0x00),                         // header checksum
            CLIENT_V4,                           // source address
            SERVER_V4,                           // destination address
            tcp(49152, 80),
            new byte[2896]);                     // two segments' worth of payload
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals("10.0.0.1:49152 > 192.168.1.2:80 proto 6", p.innermost().toString());
    }

    @Test
    void shouldReportTotalLengthShorterThanHeaderAsMalformed() {
        final byte[] frame = concat(bytes(
            0x46,                                // version 4, IHL 6 (24 bytes)
            0x00,                                // DSCP, ECN
            0x00, 0x14,                          // total length 20 < 24
            0x00, 0x01,                          // identification
            0x00, 0x00,                          // flags, offset
            64,                                  // TTL
            FlowKey.PROTO_TCP,                   // protocol
            0x00, 0x00),                         // header checksum
            CLIENT_V4,                           // source address
            SERVER_V4,                           // destination address
            bytes(0x01, 0x01, 0x01, 0x00),       // options
            tcp(49152, 80));
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_MALFORMED, p.status());
        assertEquals("10.0.0.1:0 > 192.168.1.2:0 proto 6", p.innermost().toString());
        assertFalse(p.innermost().portsKnown());
    }

    @Test
    void shouldReportHeaderLengthBelowFiveWordsAsMalformed() {
        final byte[] frame = Frames.ipv4(FlowKey.PROTO_UDP, CLIENT_V4, SERVER_V4, UDP_HEADER_LENGTH);
        frame[0] = 0x44;                         // version 4, IHL 4
        final DecodedPacket p = raw(concat(frame, udp(1, 2, 0)));
        assertEquals(STATUS_MALFORMED, p.status());
        assertEquals(0, p.layerCount());
    }

    @Test
    void shouldReportVersionOtherThanFourAsMalformedEvenWhenShort() {
        assertEquals(STATUS_MALFORMED, raw(bytes(0x55)).status());
    }

    @Test
    void shouldAddNoLayerBeforeTheAddressesAreThere() {
        final byte[] full = Frames.ipv4(FlowKey.PROTO_UDP, CLIENT_V4, SERVER_V4, UDP_HEADER_LENGTH);
        final DecodedPacket p = raw(Arrays.copyOf(full, 19));
        assertEquals(STATUS_TRUNCATED, p.status());
        assertEquals(0, p.layerCount());
        assertEquals(NO_OFFSET, p.ipOffset());
    }
}
