package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.testing.Frames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** LINKTYPE_NFLOG: the packet is the payload TLV, found by walking little-endian TLVs. */
class DecoderNflogTest {
    private static final String TCP_V4 = "10.0.0.1:49152 > 192.168.1.2:80 proto 6";
    private static final String UDP_V6 = "2001:db8::1:5353 > 2001:db8::2:53 proto 17";

    private static byte[] header(final int family) {
        return bytes(
            family,                              // address family: 2 IPv4, 10 IPv6
            0x00,                                // version 0
            0x00, 0x05);                         // resource id (group), network order
    }

    /** A TLV with a little-endian length (header included) and type, padded to 4 bytes. */
    private static byte[] tlv(final int type, final byte[] value) {
        final int length = 4 + value.length;
        final byte[] padding = new byte[(4 - length % 4) % 4];
        return concat(bytes(
            length, length >> 8,                 // length, little-endian, TLV header included
            type, type >> 8),                    // type, little-endian
            value, padding);                     // value, padding to 4 bytes
    }

    /** NFLOG IPv4: packet header TLV (3 bytes, padded), prefix TLV, payload TLV with IPv4 TCP. */
    static byte[] nflogIpv4Tcp() {
        return concat(header(2),
            tlv(1, bytes(0x08, 0x00, 0x01)),     // NFULA_PACKET_HDR: hardware protocol, hook (padded)
            tlv(10, bytes('f', 'w', 0)),         // NFULA_PREFIX: "fw" (padded)
            tlv(9, Frames.ipv4Tcp()));  // NFULA_PAYLOAD
    }

    /** NFLOG IPv6: payload TLV first, with the netlink byte-order flag set in its type. */
    static byte[] nflogIpv6Udp() {
        return concat(header(10), tlv(0x4000 | 9, Frames.ipv6Udp()));
    }

    @Test
    void shouldWalkPaddedTlvsToThePayload() {
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_NFLOG, nflogIpv4Tcp());
        assertEquals(STATUS_OK, p.status(), Decodes.describe(p));
        assertEquals(TCP_V4, p.innermost().toString());
        assertEquals(4 + 8 + 8 + 4, p.ipOffset());
    }

    @Test
    void shouldDecodeIpv6ByTheFamilyAndIgnoreTheTypeFlags() {
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_NFLOG, nflogIpv6Udp());
        assertEquals(STATUS_OK, p.status(), Decodes.describe(p));
        assertEquals(UDP_V6, p.innermost().toString());
        assertEquals(8, p.ipOffset());
    }

    @Test
    void shouldReportAnotherFamilyAsNotIp() {
        final byte[] frame = nflogIpv4Tcp();
        frame[0] = 7;                            // AF_BRIDGE
        assertEquals(STATUS_NOT_IP, decode(LinkTypes.LINKTYPE_NFLOG, frame).status());
    }

    @Test
    void shouldReportATlvShorterThanItsHeaderAsMalformed() {
        final byte[] frame = concat(header(2), bytes(0x02, 0x00, 0x01, 0x00), new byte[40]); // length 2
        assertEquals(STATUS_MALFORMED, decode(LinkTypes.LINKTYPE_NFLOG, frame).status());
    }

    @Test
    void shouldReportMessagesWithoutAPayloadOrCutShortAsTruncated() {
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_NFLOG, concat(header(2), tlv(1, bytes(8, 0, 1, 0)))).status());
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_NFLOG, Arrays.copyOf(nflogIpv4Tcp(), 10)).status());
        assertEquals(STATUS_TRUNCATED, decode(LinkTypes.LINKTYPE_NFLOG, bytes(2, 0, 0)).status());
    }

    @Test
    void shouldBoundThePacketByItsTlv() {
        final byte[] frame = concat(header(2), tlv(9, Arrays.copyOf(Frames.ipv4Tcp(), 22)), tlv(1, new byte[16]));
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_NFLOG, frame);
        assertEquals(STATUS_TRUNCATED, p.status(), Decodes.describe(p)); // TCP ports cut by the TLV's end, not the frame's
    }
}
