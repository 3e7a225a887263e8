package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.CLIENT_V4;
import static io.scalpel.testing.Frames.CLIENT_V6;
import static io.scalpel.testing.Frames.ICMP_HEADER_LENGTH;
import static io.scalpel.testing.Frames.SERVER_V4;
import static io.scalpel.testing.Frames.SERVER_V6;
import static io.scalpel.testing.Frames.TCP_HEADER_LENGTH;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.icmp;
import static io.scalpel.testing.Frames.ipv4;
import static io.scalpel.testing.Frames.ipv6;
import static io.scalpel.testing.Frames.tcp;
import static io.scalpel.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DecoderTransportTest {
    private static final int GRE = 47;
    private static final int OSPF = 89;

    private static FlowKey v4(final int protocol, final byte[] src, final byte[] dst, final byte[] transport) {
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_IPV4, concat(ipv4(protocol, src, dst, transport.length), transport));
        assertEquals(STATUS_OK, p.status());
        return p.innermost();
    }

    private static FlowKey v6(final int protocol, final byte[] src, final byte[] dst, final byte[] transport) {
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_IPV6, concat(ipv6(protocol, src, dst, transport.length), transport));
        assertEquals(STATUS_OK, p.status());
        return p.innermost();
    }

    @Test
    void shouldReadTcpPorts() {
        assertEquals("10.0.0.1:65535 > 192.168.1.2:1 proto 6",
            v4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, tcp(65535, 1)).toString());
    }

    @Test
    void shouldReadUdpPorts() {
        assertEquals("2001:db8::1:68 > 2001:db8::2:67 proto 17",
            v6(FlowKey.PROTO_UDP, CLIENT_V6, SERVER_V6, udp(68, 67, 0)).toString());
    }

    @Test
    void shouldKeepSctpPortsForCommunityId() {
        final byte[] sctp = bytes(
            0x0b, 0x59,                          // source port 2905
            0x0b, 0x5a,                          // destination port 2906
            0x00, 0x00, 0x00, 0x00,              // verification tag
            0x00, 0x00, 0x00, 0x00);             // checksum
        final FlowKey k = v4(FlowKey.PROTO_SCTP, CLIENT_V4, SERVER_V4, sctp);
        assertEquals("10.0.0.1:2905 > 192.168.1.2:2906 proto 132", k.toString());
        assertTrue(k.portsKnown());
    }

    @Test
    void shouldMapIcmpEchoRequestToReplyType() {
        final FlowKey k = v4(FlowKey.PROTO_ICMP, CLIENT_V4, SERVER_V4, icmp(8, 0));
        assertEquals(8, k.srcPort());
        assertEquals(0, k.dstPort());
    }

    @Test
    void shouldMapIcmpEchoReplyToRequestType() {
        final FlowKey k = v4(FlowKey.PROTO_ICMP, SERVER_V4, CLIENT_V4, icmp(0, 0));
        assertEquals(0, k.srcPort());
        assertEquals(8, k.dstPort());
    }

    @Test
    void shouldMapIcmpTimestampToItsCounterpart() {
        final FlowKey k = v4(FlowKey.PROTO_ICMP, CLIENT_V4, SERVER_V4, icmp(13, 0));
        assertEquals(13, k.srcPort());
        assertEquals(14, k.dstPort());
    }

    @Test
    void shouldUseTheCodeAsDestinationPortOfOneWayIcmp() {
        final byte[] unreachable = concat(
            icmp(3, 3),                          // destination unreachable: port unreachable
            ipv4(FlowKey.PROTO_UDP, SERVER_V4, CLIENT_V4, 8), // the offending datagram's header
            udp(5000, 53, 0));
        final FlowKey k = v4(FlowKey.PROTO_ICMP, CLIENT_V4, SERVER_V4, unreachable);
        assertEquals("10.0.0.1:3 > 192.168.1.2:3 proto 1", k.toString());
        final FlowKey redirect = v4(FlowKey.PROTO_ICMP, CLIENT_V4, SERVER_V4, icmp(5, 1));
        assertEquals(5, redirect.srcPort());
        assertEquals(1, redirect.dstPort());
    }

    @Test
    void shouldMapIcmpv6EchoBothWays() {
        final FlowKey request = v6(FlowKey.PROTO_ICMPV6, CLIENT_V6, SERVER_V6, icmp(128, 0));
        assertEquals(128, request.srcPort());
        assertEquals(129, request.dstPort());
        final FlowKey reply = v6(FlowKey.PROTO_ICMPV6, SERVER_V6, CLIENT_V6, icmp(129, 0));
        assertEquals(129, reply.srcPort());
        assertEquals(128, reply.dstPort());
    }

    @Test
    void shouldMapNeighborDiscoveryToItsCounterparts() {
        final byte[] solicitation = concat(
            icmp(135, 0),                        // type, code, checksum, reserved
            SERVER_V6);                          // target address
        final FlowKey ns = v6(FlowKey.PROTO_ICMPV6, CLIENT_V6, SERVER_V6, solicitation);
        assertEquals(135, ns.srcPort());
        assertEquals(136, ns.dstPort());
        final FlowKey rs = v6(FlowKey.PROTO_ICMPV6, CLIENT_V6, SERVER_V6, icmp(133, 0));
        assertEquals(133, rs.srcPort());
        assertEquals(134, rs.dstPort());
    }

    @Test
    void shouldUseTheCodeAsDestinationPortOfOneWayIcmpv6() {
        final FlowKey k = v6(FlowKey.PROTO_ICMPV6, SERVER_V6, CLIENT_V6, icmp(1, 4)); // unreachable: port
        assertEquals(1, k.srcPort());
        assertEquals(4, k.dstPort());
    }

    @Test
    void shouldGiveOtherProtocolsPortsZeroAndKnown() {
        final byte[] greHeader = bytes(
            0x00, 0x00,                          // flags, version
            0x08, 0x00);                         // protocol type: IPv4 (not decapsulated yet)
        final FlowKey gre = v4(GRE, CLIENT_V4, SERVER_V4, concat(greHeader, new byte[20]));
        assertEquals("10.0.0.1:0 > 192.168.1.2:0 proto 47", gre.toString());
        assertTrue(gre.portsKnown());

        final FlowKey ospf = v4(OSPF, CLIENT_V4, SERVER_V4, bytes(
            0x02, 0x01,                          // version 2, hello
            0x00, 0x2c));                        // packet length
        assertEquals(OSPF, ospf.protocol());
        assertEquals(0, ospf.srcPort());
        assertTrue(ospf.portsKnown());
    }

    @Test
    void shouldKeyIpInIpByItsInnerPacketAndKeepTheOuterAsPortLessLayer() {
        final byte[] inner = concat(ipv4(FlowKey.PROTO_TCP, SERVER_V4, CLIENT_V4, TCP_HEADER_LENGTH), tcp(1, 2));
        final FlowKey k = v4(4, CLIENT_V4, SERVER_V4, inner);
        assertEquals("192.168.1.2:1 > 10.0.0.1:2 proto 6", k.toString());
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_IPV4, concat(ipv4(4, CLIENT_V4, SERVER_V4, inner.length), inner));
        assertEquals(2, p.layerCount());
        assertEquals("10.0.0.1:0 > 192.168.1.2:0 proto 4", p.layer(0).toString());
        assertEquals(DecodedPacket.TUNNEL_IP, p.tunnelType(0));
    }

    @Test
    void shouldReportTransportHeaderShorterThanItsPortsAsTruncated() {
        final byte[] frame = concat(ipv4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, TCP_HEADER_LENGTH), bytes(0xc0, 0x00, 0x00));
        final DecodedPacket p = decode(LinkTypes.LINKTYPE_IPV4, frame);
        assertEquals(STATUS_TRUNCATED, p.status());
        assertEquals("10.0.0.1:0 > 192.168.1.2:0 proto 6", p.innermost().toString());
        assertFalse(p.innermost().portsKnown());
        assertEquals(20, p.transportOffset());

        final byte[] icmpCut = concat(ipv4(FlowKey.PROTO_ICMP, CLIENT_V4, SERVER_V4, ICMP_HEADER_LENGTH), bytes(8));
        final DecodedPacket q = decode(LinkTypes.LINKTYPE_IPV4, icmpCut);
        assertEquals(STATUS_TRUNCATED, q.status());
        assertFalse(q.innermost().portsKnown());
    }

    @Test
    void shouldHashBothDirectionsOfATcpConnectionAlike() {
        final FlowKey request = v4(FlowKey.PROTO_TCP, CLIENT_V4, SERVER_V4, tcp(49152, 80));
        final FlowKey reply = v4(FlowKey.PROTO_TCP, SERVER_V4, CLIENT_V4, tcp(80, 49152));
        assertEquals(request.flowHash(), reply.flowHash());
        final FlowKey otherPort = v4(FlowKey.PROTO_TCP, SERVER_V4, CLIENT_V4, tcp(80, 49153));
        assertNotEquals(request.flowHash(), otherPort.flowHash());
    }

    @Test
    void shouldHashIcmpEchoRequestAndReplyAlike() {
        final FlowKey request = v4(FlowKey.PROTO_ICMP, CLIENT_V4, SERVER_V4, icmp(8, 0));
        final FlowKey reply = v4(FlowKey.PROTO_ICMP, SERVER_V4, CLIENT_V4, icmp(0, 0));
        assertEquals(request.flowHash(), reply.flowHash());
        final FlowKey request6 = v6(FlowKey.PROTO_ICMPV6, CLIENT_V6, SERVER_V6, icmp(128, 0));
        final FlowKey reply6 = v6(FlowKey.PROTO_ICMPV6, SERVER_V6, CLIENT_V6, icmp(129, 0));
        assertEquals(request6.flowHash(), reply6.flowHash());
    }
}
