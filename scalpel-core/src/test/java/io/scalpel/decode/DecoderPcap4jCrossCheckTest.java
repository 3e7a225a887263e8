package io.scalpel.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.Dot1qVlanTagPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IcmpV4EchoPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IpV4NoOperationOption;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV4Rfc791Tos;
import org.pcap4j.packet.IpV6ExtFragmentPacket;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.IpV6SimpleFlowLabel;
import org.pcap4j.packet.IpV6SimpleTrafficClass;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.SctpPacket;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IcmpV4Code;
import org.pcap4j.packet.namednumber.IcmpV4Type;
import org.pcap4j.packet.namednumber.IcmpV6Code;
import org.pcap4j.packet.namednumber.IcmpV6Type;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpVersion;
import org.pcap4j.packet.namednumber.SctpPort;
import org.pcap4j.packet.namednumber.TcpPort;
import org.pcap4j.packet.namednumber.UdpPort;
import org.pcap4j.util.MacAddress;

/**
 * An oracle the decoder did not produce: random frames built with pcap4j's packet builders
 * (which need no native libpcap), decoded, and compared with the values they were built from.
 */
class DecoderPcap4jCrossCheckTest {
    private static final int FRAMES = 200;
    private static final int ETHERNET_HEADER = 14;
    private static final int VLAN_TAG = 4;
    private static final int[] VLAN_TAG_TYPES = {EtherTypes.VLAN, EtherTypes.QINQ, EtherTypes.QINQ_LEGACY};

    /** What a frame was built with: the ground truth. */
    private static final class Truth {
        int ipVersion;
        byte[] src;
        byte[] dst;
        int protocol;
        int srcPort;
        int dstPort;
        boolean portsKnown = true;
        boolean fragment;
        int fragmentOffsetBytes;
        boolean moreFragments;
        long fragmentId;
        final List<Integer> vlans = new ArrayList<>();
        int ipHeaderOffset;
        String description;
    }

    @Test
    void shouldAgreeWithWhatPcap4jBuiltForRandomFrames() throws Exception {
        final Random random = new Random(0x5ca1_9e1L);
        final PacketDecoder decoder = new PacketDecoder();
        final DecodedPacket out = new DecodedPacket();
        int fragments = 0;
        int tagged = 0;
        for (int i = 0; i < FRAMES; i++) {
            final Truth truth = new Truth();
            final byte[] frame = buildFrame(random, truth);
            final int status = decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(frame), 0, frame.length, out);
            final String where = "frame " + i + " (" + truth.description + ")";

            assertEquals(DecodedPacket.STATUS_OK, status, where);
            assertEquals(1, out.layerCount(), where);
            final FlowKey k = out.innermost();
            assertEquals(truth.ipVersion, k.ipVersion(), where);
            assertArrayEquals(truth.src, Addresses.toBytes(k.ipVersion(), k.srcHi(), k.srcLo()), where);
            assertArrayEquals(truth.dst, Addresses.toBytes(k.ipVersion(), k.dstHi(), k.dstLo()), where);
            assertEquals(truth.protocol, k.protocol(), where);
            assertEquals(truth.portsKnown, k.portsKnown(), where);
            assertEquals(truth.srcPort, k.srcPort(), where);
            assertEquals(truth.dstPort, k.dstPort(), where);
            assertEquals(truth.fragment, k.isFragment(), where);
            if (truth.fragment) {
                assertEquals(truth.fragmentOffsetBytes, k.fragmentOffset(), where);
                assertEquals(truth.moreFragments, k.moreFragments(), where);
                assertEquals(truth.fragmentId, k.fragmentId(), where);
                fragments++;
            }
            assertEquals(truth.vlans.size(), out.vlanCount(), where);
            assertEquals(truth.vlans.isEmpty() ? DecodedPacket.NO_VLAN : truth.vlans.get(0), out.outerVlan(), where);
            // Zeek's inner_vlan: the last tag after the first (its VLAN analyzer writes each later tag over it)
            assertEquals(truth.vlans.size() < 2 ? DecodedPacket.NO_VLAN : truth.vlans.get(truth.vlans.size() - 1), out.innerVlan(), where);
            assertEquals(truth.ipHeaderOffset, out.ipOffset(), where);
            tagged += truth.vlans.isEmpty() ? 0 : 1;
        }
        assertTrue(fragments > 10, "the random mix should include fragments: " + fragments);
        assertTrue(tagged > 50, "the random mix should include VLAN tags: " + tagged);
    }

    private static byte[] buildFrame(final Random random, final Truth truth) throws UnknownHostException {
        final boolean v6 = random.nextBoolean();
        truth.ipVersion = v6 ? FlowKey.IPV6 : FlowKey.IPV4;
        truth.src = randomBytes(random, v6 ? 16 : 4);
        truth.dst = randomBytes(random, v6 ? 16 : 4);
        final InetAddress src = InetAddress.getByAddress(truth.src);
        final InetAddress dst = InetAddress.getByAddress(truth.dst);

        final int fragmentKind = random.nextInt(6); // 0: first fragment, 1: later fragment, else whole
        final Packet.Builder transport = transport(random, truth, src, dst, v6);
        if (fragmentKind == 1) {
            truth.portsKnown = false;
            truth.srcPort = 0;
            truth.dstPort = 0;
        }
        final Packet.Builder network = v6
            ? ipv6(random, truth, (Inet6Address) src, (Inet6Address) dst, transport, fragmentKind)
            : ipv4(random, truth, (Inet4Address) src, (Inet4Address) dst, transport, fragmentKind);

        final int tags = random.nextInt(4);
        Packet.Builder payload = network;
        int innerType = v6 ? EtherTypes.IPV6 : EtherTypes.IPV4;
        final int[] tagIds = new int[tags];
        for (int t = 0; t < tags; t++) {
            tagIds[t] = random.nextInt(4096);
        }
        // Innermost tag first: each wraps what is built so far.
        for (int t = tags - 1; t >= 0; t--) {
            payload = new Dot1qVlanTagPacket.Builder()
                .priority((byte) random.nextInt(8))
                .cfi(random.nextBoolean())
                .vid((short) tagIds[t])
                .type(EtherType.getInstance((short) innerType))
                .payloadBuilder(payload);
            innerType = VLAN_TAG_TYPES[random.nextInt(VLAN_TAG_TYPES.length)];
        }
        for (int t = 0; t < tags; t++) {
            truth.vlans.add(tagIds[t]);
        }
        truth.ipHeaderOffset = ETHERNET_HEADER + VLAN_TAG * tags;
        truth.description += ", " + tags + " VLAN tags";

        return new EthernetPacket.Builder()
            .dstAddr(MacAddress.getByAddress(randomBytes(random, 6)))
            .srcAddr(MacAddress.getByAddress(randomBytes(random, 6)))
            .type(EtherType.getInstance((short) innerType))
            .payloadBuilder(payload)
            .paddingAtBuild(true) // short frames get Ethernet padding the decoder must not read as payload
            .build()
            .getRawData();
    }

    private static Packet.Builder transport(final Random random, final Truth truth,
                                            final InetAddress src, final InetAddress dst, final boolean v6) {
        final UnknownPacket.Builder data = new UnknownPacket.Builder().rawData(randomBytes(random, random.nextInt(64)));
        final int sp = random.nextInt(65536);
        final int dp = random.nextInt(65536);
        switch (random.nextInt(4)) {
            case 0:
                truth.protocol = FlowKey.PROTO_TCP;
                truth.srcPort = sp;
                truth.dstPort = dp;
                truth.description = "TCP";
                return new TcpPacket.Builder()
                    .srcPort(TcpPort.getInstance((short) sp)).dstPort(TcpPort.getInstance((short) dp))
                    .sequenceNumber(random.nextInt()).acknowledgmentNumber(random.nextInt())
                    .dataOffset((byte) 5).ack(true).psh(random.nextBoolean()).window((short) random.nextInt())
                    .srcAddr(src).dstAddr(dst).payloadBuilder(data)
                    .correctLengthAtBuild(true).correctChecksumAtBuild(true);
            case 1:
                truth.protocol = FlowKey.PROTO_UDP;
                truth.srcPort = sp;
                truth.dstPort = dp;
                truth.description = "UDP";
                return new UdpPacket.Builder()
                    .srcPort(UdpPort.getInstance((short) sp)).dstPort(UdpPort.getInstance((short) dp))
                    .srcAddr(src).dstAddr(dst).payloadBuilder(data)
                    .correctLengthAtBuild(true).correctChecksumAtBuild(true);
            case 2:
                truth.protocol = FlowKey.PROTO_SCTP;
                truth.srcPort = sp;
                truth.dstPort = dp;
                truth.description = "SCTP";
                return new SctpPacket.Builder()
                    .srcPort(SctpPort.getInstance((short) sp)).dstPort(SctpPort.getInstance((short) dp))
                    .verificationTag(random.nextInt()).chunks(Collections.emptyList())
                    .correctChecksumAtBuild(true);
            default:
                return v6 ? icmpv6(random, truth, (Inet6Address) src, (Inet6Address) dst, data) : icmpv4(random, truth, data);
        }
    }

    /** Echo request (8), echo reply (0) or destination unreachable (3, one-way: the code is the port). */
    private static Packet.Builder icmpv4(final Random random, final Truth truth, final UnknownPacket.Builder data) {
        truth.protocol = FlowKey.PROTO_ICMP;
        final int[] types = {8, 0, 3};
        final int type = types[random.nextInt(types.length)];
        final int code = type == 3 ? random.nextInt(16) : 0;
        truth.srcPort = type;
        truth.dstPort = type == 8 ? 0 : type == 0 ? 8 : code;
        truth.description = "ICMP " + type + "/" + code;
        final Packet.Builder body = type == 3 ? data
            : new IcmpV4EchoPacket.Builder().identifier((short) random.nextInt()).sequenceNumber((short) random.nextInt())
                .payloadBuilder(data);
        return new IcmpV4CommonPacket.Builder()
            .type(IcmpV4Type.getInstance((byte) type))
            .code(IcmpV4Code.getInstance((byte) type, (byte) code))
            .payloadBuilder(body)
            .correctChecksumAtBuild(true);
    }

    /** Echo request (128), echo reply (129), neighbor solicitation (135) or packet too big (2, one-way). */
    private static Packet.Builder icmpv6(final Random random, final Truth truth, final Inet6Address src,
                                         final Inet6Address dst, final UnknownPacket.Builder data) {
        truth.protocol = FlowKey.PROTO_ICMPV6;
        final int[] types = {128, 129, 135, 2};
        final int type = types[random.nextInt(types.length)];
        final int[] counterparts = {129, 128, 136, 0};
        truth.srcPort = type;
        for (int i = 0; i < types.length; i++) {
            if (types[i] == type) {
                truth.dstPort = counterparts[i];
            }
        }
        truth.description = "ICMPv6 " + type;
        return new IcmpV6CommonPacket.Builder()
            .type(IcmpV6Type.getInstance((byte) type))
            .code(IcmpV6Code.getInstance((byte) type, (byte) 0))
            .srcAddr(src).dstAddr(dst)
            .payloadBuilder(data)
            .correctChecksumAtBuild(true);
    }

    private static Packet.Builder ipv4(final Random random, final Truth truth, final Inet4Address src, final Inet4Address dst,
                                       final Packet.Builder transport, final int fragmentKind) {
        final int id = random.nextInt(65536);
        final List<IpV4Packet.IpV4Option> options = new ArrayList<>();
        for (int n = random.nextInt(3) * 4; n > 0; n--) {
            options.add(IpV4NoOperationOption.getInstance());
        }
        final IpV4Packet.Builder b = new IpV4Packet.Builder()
            .version(IpVersion.IPV4).tos(IpV4Rfc791Tos.newInstance((byte) 0)).ttl((byte) 64)
            .identification((short) id)
            .protocol(IpNumber.getInstance((byte) truth.protocol))
            .srcAddr(src).dstAddr(dst)
            .options(options)
            .correctChecksumAtBuild(true).correctLengthAtBuild(true).paddingAtBuild(true);
        truth.description += ", IPv4 with " + options.size() + " option bytes";
        if (fragmentKind == 0) {
            b.moreFragmentFlag(true).payloadBuilder(transport);
            fragment(truth, id, 0, true);
        } else if (fragmentKind == 1) {
            final int offsetUnits = 1 + random.nextInt(1000);
            final boolean more = random.nextBoolean();
            b.moreFragmentFlag(more).fragmentOffset((short) offsetUnits)
                .payloadBuilder(new UnknownPacket.Builder().rawData(randomBytes(random, 8 + random.nextInt(40))));
            fragment(truth, id, offsetUnits * 8, more);
        } else {
            b.dontFragmentFlag(random.nextBoolean()).payloadBuilder(transport);
        }
        return b;
    }

    private static Packet.Builder ipv6(final Random random, final Truth truth, final Inet6Address src, final Inet6Address dst,
                                       final Packet.Builder transport, final int fragmentKind) {
        final IpNumber upper = IpNumber.getInstance((byte) truth.protocol);
        Packet.Builder payload = transport;
        IpNumber next = upper;
        truth.description += ", IPv6";
        if (fragmentKind <= 1) {
            final int id = random.nextInt();
            final int offsetUnits = fragmentKind == 0 ? 0 : 1 + random.nextInt(1000);
            final boolean more = fragmentKind == 0 || random.nextBoolean();
            payload = new IpV6ExtFragmentPacket.Builder()
                .nextHeader(upper).reserved((byte) 0).res((byte) 0)
                .fragmentOffset((short) offsetUnits).m(more).identification(id)
                .payloadBuilder(fragmentKind == 0 ? transport
                    : new UnknownPacket.Builder().rawData(randomBytes(random, 8 + random.nextInt(40))));
            next = IpNumber.IPV6_FRAG;
            fragment(truth, id & 0xFFFF_FFFFL, offsetUnits * 8, more);
            truth.description += " + fragment header";
        }
        return new IpV6Packet.Builder()
            .version(IpVersion.IPV6)
            .trafficClass(IpV6SimpleTrafficClass.newInstance((byte) 0))
            .flowLabel(IpV6SimpleFlowLabel.newInstance(random.nextInt(1 << 20)))
            .nextHeader(next).hopLimit((byte) 64)
            .srcAddr(src).dstAddr(dst)
            .payloadBuilder(payload)
            .correctLengthAtBuild(true);
    }

    private static void fragment(final Truth truth, final long id, final int offsetBytes, final boolean more) {
        truth.fragment = true;
        truth.fragmentId = id;
        truth.fragmentOffsetBytes = offsetBytes;
        truth.moreFragments = more;
        truth.description += ", fragment off=" + offsetBytes + (more ? " MF" : "");
    }

    private static byte[] randomBytes(final Random random, final int n) {
        final byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
