package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.NO_OFFSET;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.CLIENT_V6;
import static io.scalpel.testing.Frames.SERVER_V6;
import static io.scalpel.testing.Frames.TCP_HEADER_LENGTH;
import static io.scalpel.testing.Frames.UDP_HEADER_LENGTH;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.ipv6;
import static io.scalpel.testing.Frames.tcp;
import static io.scalpel.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DecoderIpv6Test {
    private static final int HOP_BY_HOP = 0;
    private static final int ROUTING = 43;
    private static final int FRAGMENT = 44;
    private static final int ESP = 50;
    private static final int AH = 51;
    private static final int NO_NEXT_HEADER = 59;
    private static final int DESTINATION_OPTIONS = 60;

    private static DecodedPacket raw(final byte[] datagram) {
        return decode(LinkTypes.LINKTYPE_IPV6, datagram);
    }

    /** An 8-byte hop-by-hop or destination options header holding one PadN option. */
    private static byte[] options(final int nextHeader) {
        return bytes(
            nextHeader,                          // next header
            0,                                   // length: 0 extra 8-byte units
            0x01, 0x04, 0x00, 0x00, 0x00, 0x00); // PadN, 4 bytes of padding
    }

    private static byte[] fragment(final int nextHeader, final int offsetBytes, final boolean more, final long id) {
        final int offsetFlags = offsetBytes | (more ? 1 : 0);
        return bytes(
            nextHeader,                          // next header
            0x00,                                // reserved
            offsetFlags >> 8, offsetFlags,       // offset (13 bits, 8-byte units), res, M
            (int) (id >> 24), (int) (id >> 16), (int) (id >> 8), (int) id); // identification
    }

    @Test
    void shouldWalkHopByHopDestinationOptionsAndFragmentHeadersToUdp() {
        final byte[] tail = concat(
            options(DESTINATION_OPTIONS),        // hop-by-hop
            options(FRAGMENT),                   // destination options
            fragment(FlowKey.PROTO_UDP, 0, true, 0x8000_0001L),
            udp(5353, 53, 4),
            bytes(1, 2, 3, 4));
        final byte[] frame = concat(ipv6(HOP_BY_HOP, CLIENT_V6, SERVER_V6, tail.length), tail);
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_OK, p.status());
        final FlowKey k = p.innermost();
        assertEquals(FlowKey.PROTO_UDP, k.protocol());
        assertTrue(k.portsKnown());
        assertEquals("2001:db8::1:5353 > 2001:db8::2:53 proto 17 frag id=2147483649 off=0 MF", k.toString());
        assertEquals(64, p.transportOffset());
    }

    @Test
    void shouldKeyANonFirstIpv6FragmentWithoutPorts() {
        final byte[] tail = concat(
            fragment(FlowKey.PROTO_UDP, 1232, false, 77),
            new byte[100]);                      // rest of the UDP payload
        final DecodedPacket p = raw(concat(ipv6(FRAGMENT, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals(STATUS_OK, p.status());
        final FlowKey k = p.innermost();
        assertEquals(FlowKey.PROTO_UDP, k.protocol());
        assertTrue(k.isFragment());
        assertFalse(k.moreFragments());
        assertEquals(1232, k.fragmentOffset());
        assertEquals(77, k.fragmentId());
        assertFalse(k.portsKnown());
        assertEquals(NO_OFFSET, p.transportOffset());
    }

    @Test
    void shouldNotCallAnAtomicFragmentAFragment() {
        final byte[] tail = concat(
            fragment(FlowKey.PROTO_TCP, 0, false, 5),
            tcp(40000, 22));
        final FlowKey k = raw(concat(ipv6(FRAGMENT, CLIENT_V6, SERVER_V6, tail.length), tail)).innermost();
        assertFalse(k.isFragment());
        assertEquals("2001:db8::1:40000 > 2001:db8::2:22 proto 6", k.toString());
    }

    @Test
    void shouldStepOverAuthenticationHeader() {
        final byte[] tail = concat(bytes(
            FlowKey.PROTO_TCP,                   // next header
            4,                                   // length: (4 + 2) * 4 = 24 bytes
            0x00, 0x00,                          // reserved
            0x00, 0x00, 0x10, 0x01,              // SPI
            0x00, 0x00, 0x00, 0x01),             // sequence number
            new byte[12],                        // ICV (HMAC-SHA1-96)
            tcp(40000, 443));
        final DecodedPacket p = raw(concat(ipv6(AH, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals(STATUS_OK, p.status());
        assertEquals("2001:db8::1:40000 > 2001:db8::2:443 proto 6", p.innermost().toString());
        assertEquals(64, p.transportOffset());
    }

    @Test
    void shouldStopAtEspWithoutPorts() {
        final byte[] tail = concat(bytes(
            0x00, 0x00, 0x10, 0x01,              // SPI
            0x00, 0x00, 0x00, 0x01),             // sequence number
            new byte[32]);                       // encrypted payload
        final DecodedPacket p = raw(concat(ipv6(ESP, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals(STATUS_OK, p.status());
        final FlowKey k = p.innermost();
        assertEquals(ESP, k.protocol());
        assertTrue(k.portsKnown());
        assertEquals(0, k.srcPort());
        assertEquals(0, k.dstPort());
    }

    @Test
    void shouldEndTheChainAtNoNextHeader() {
        final byte[] tail = options(NO_NEXT_HEADER); // destination options, then nothing
        final DecodedPacket p = raw(concat(ipv6(DESTINATION_OPTIONS, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals(STATUS_OK, p.status());
        assertEquals(NO_NEXT_HEADER, p.innermost().protocol());
        assertTrue(p.innermost().portsKnown());
    }

    @Test
    void shouldKeyByTheFinalDestinationOfATypeZeroRoutingHeader() {
        final byte[] tail = concat(bytes(
            FlowKey.PROTO_UDP,                   // next header
            2,                                   // length: 2 extra units = one address
            0,                                   // routing type 0
            1,                                   // segments left
            0x00, 0x00, 0x00, 0x00),             // reserved
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99), // address 2001:db8::99
            udp(1000, 2000, 0));
        final DecodedPacket p = raw(concat(ipv6(ROUTING, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals(STATUS_OK, p.status());
        assertEquals("2001:db8::1:1000 > 2001:db8::99:2000 proto 17", p.innermost().toString());
    }

    @Test
    void shouldKeepTheHeaderDestinationForOtherRoutingTypes() {
        final byte[] tail = concat(bytes(
            FlowKey.PROTO_UDP,                   // next header
            2,                                   // length: one address
            4,                                   // routing type 4: segment routing
            1,                                   // segments left
            0x00, 0x00, 0x00, 0x00),             // last entry, flags, tag
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99), // segment list
            udp(1000, 2000, 0));
        final DecodedPacket p = raw(concat(ipv6(ROUTING, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals("2001:db8::1:1000 > 2001:db8::2:2000 proto 17", p.innermost().toString());
    }

    /*
     * Mobile IPv6 (RFC 6275) and Zeek: IPv6_Hdr_Chain (src/IP.cc) keys a packet by the home
     * address of a type 2 routing header that has segments left, as its destination, and by the
     * home address of a Home Address destination option (type 201), as its source. Only a routing
     * header that yields a final destination stops later ones from counting.
     */

    @Test
    void shouldKeyByTheHomeAddressOfATypeTwoRoutingHeader() {
        final byte[] tail = concat(bytes(
            FlowKey.PROTO_UDP,                   // next header
            2,                                   // length: one address
            2,                                   // routing type 2: Mobile IPv6
            1,                                   // segments left
            0x00, 0x00, 0x00, 0x00),             // reserved
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99), // home address 2001:db8::99
            udp(1000, 2000, 0));
        final DecodedPacket p = raw(concat(ipv6(ROUTING, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals(STATUS_OK, p.status());
        assertEquals("2001:db8::1:1000 > 2001:db8::99:2000 proto 17", p.innermost().toString());
    }

    @Test
    void shouldKeepTheHeaderDestinationForATypeTwoRoutingHeaderWithNoSegmentsLeft() {
        final byte[] tail = concat(bytes(
            FlowKey.PROTO_UDP, 2, 2,
            0,                                   // segments left: already at the home address
            0x00, 0x00, 0x00, 0x00),
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99),
            udp(1000, 2000, 0));
        final DecodedPacket p = raw(concat(ipv6(ROUTING, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals("2001:db8::1:1000 > 2001:db8::2:2000 proto 17", p.innermost().toString());
    }

    @Test
    void shouldTakeTheFinalDestinationFromARoutingHeaderAfterOneOfAnotherType() {
        final byte[] tail = concat(bytes(
            ROUTING, 2, 4, 1, 0x00, 0x00, 0x00, 0x00), // segment routing: no final destination for Zeek
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77),
            bytes(FlowKey.PROTO_UDP, 2, 0, 1, 0x00, 0x00, 0x00, 0x00), // type 0, one segment left
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99),
            udp(1000, 2000, 0));
        final DecodedPacket p = raw(concat(ipv6(ROUTING, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals("2001:db8::1:1000 > 2001:db8::99:2000 proto 17", p.innermost().toString());
    }

    @Test
    void shouldKeyByTheHomeAddressOptionAsSource() {
        final byte[] tail = concat(bytes(
            FlowKey.PROTO_TCP,                   // next header
            2,                                   // length: 24 bytes
            0x00,                                // Pad1
            0x01, 0x01, 0x00,                    // PadN, 1 byte
            201, 16),                            // Home Address option, 16 bytes
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x98), // home address 2001:db8::98
            tcp(1000, 2000));
        final DecodedPacket p = raw(concat(ipv6(DESTINATION_OPTIONS, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals(STATUS_OK, p.status());
        assertEquals("2001:db8::98:1000 > 2001:db8::2:2000 proto 6", p.innermost().toString());
    }

    @Test
    void shouldKeepTheSourceWhenAHomeAddressOptionHasAnotherLength() {
        final byte[] tail = concat(bytes(
            FlowKey.PROTO_UDP, 2,
            201, 20),                            // a Home Address option of 20 bytes: not one address
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x98, 0, 0, 0, 0),
            udp(1000, 2000, 0));
        final DecodedPacket p = raw(concat(ipv6(DESTINATION_OPTIONS, CLIENT_V6, SERVER_V6, tail.length), tail));
        assertEquals("2001:db8::1:1000 > 2001:db8::2:2000 proto 17", p.innermost().toString());
    }

    @Test
    void shouldKeyEveryFragmentOfAMobileDatagramByItsHomeAddresses() {
        final byte[] routing = concat(bytes(FRAGMENT, 2, 2, 1, 0x00, 0x00, 0x00, 0x00),
            bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99));
        final byte[] first = concat(routing, fragment(FlowKey.PROTO_UDP, 0, true, 7), udp(1000, 2000, 8), bytes(1, 2, 3, 4, 5, 6, 7, 8));
        final byte[] second = concat(routing, fragment(FlowKey.PROTO_UDP, 16, false, 7), bytes(9, 10, 11, 12, 13, 14, 15, 16));
        final DecodedPacket a = raw(concat(ipv6(ROUTING, CLIENT_V6, SERVER_V6, first.length), first));
        assertTrue(a.innermost().toString().startsWith("2001:db8::1:1000 > 2001:db8::99:2000 proto 17 frag"), a.innermost().toString());
        final FlowKey b = raw(concat(ipv6(ROUTING, CLIENT_V6, SERVER_V6, second.length), second)).innermost();
        assertTrue(b.isFragment());
        assertEquals(DatagramId.of(a.innermost()), DatagramId.of(b), "the fragments of one datagram");
    }

    @Test
    void shouldReportExtensionHeaderCutShortAsTruncatedWithAddressesKept() {
        final byte[] tail = options(FlowKey.PROTO_TCP);
        final byte[] frame = concat(ipv6(HOP_BY_HOP, CLIENT_V6, SERVER_V6, tail.length + TCP_HEADER_LENGTH), tail);
        final DecodedPacket p = raw(Arrays.copyOf(frame, 40 + 5));
        assertEquals(STATUS_TRUNCATED, p.status());
        assertEquals(1, p.layerCount());
        assertEquals(HOP_BY_HOP, p.innermost().protocol(), "the walk stopped at the hop-by-hop header");
        assertFalse(p.innermost().portsKnown());
        assertEquals(NO_OFFSET, p.transportOffset());
    }

    @Test
    void shouldBoundTheDatagramByPayloadLength() {
        final byte[] frame = concat(
            ipv6(FlowKey.PROTO_UDP, CLIENT_V6, SERVER_V6, 3), // says: three payload bytes
            udp(1, 2, 0));
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_TRUNCATED, p.status());
        assertFalse(p.innermost().portsKnown());
    }

    @Test
    void shouldUseCapturedBytesWhenPayloadLengthIsZero() {
        final byte[] frame = concat(
            ipv6(FlowKey.PROTO_TCP, CLIENT_V6, SERVER_V6, 0), // jumbogram or segmentation offload
            tcp(40000, 80));
        final DecodedPacket p = raw(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals(40000, p.innermost().srcPort());
    }

    @Test
    void shouldAddNoLayerBeforeTheAddressesAreThere() {
        final byte[] frame = concat(ipv6(FlowKey.PROTO_UDP, CLIENT_V6, SERVER_V6, UDP_HEADER_LENGTH), udp(1, 2, 0));
        final DecodedPacket p = raw(Arrays.copyOf(frame, 39));
        assertEquals(STATUS_TRUNCATED, p.status());
        assertEquals(0, p.layerCount());
    }
}
