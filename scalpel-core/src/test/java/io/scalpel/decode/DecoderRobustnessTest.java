package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_MALFORMED;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.describe;
import static io.scalpel.testing.Frames.CLIENT_V6;
import static io.scalpel.testing.Frames.SERVER_V6;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.Frames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecoderRobustnessTest {
    /** Ethernet(14) + IPv4(20) + the TCP ports(4): the bytes a complete key needs. */
    private static final int ETHERNET_IPV4_TCP_KEY_LENGTH = 38;

    private static final int[] LINK_TYPES = {
        LinkTypes.LINKTYPE_NULL, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_FDDI,
        LinkTypes.LINKTYPE_RAW_DLT12, LinkTypes.LINKTYPE_RAW_DLT14, LinkTypes.LINKTYPE_RAW,
        LinkTypes.LINKTYPE_LOOP, LinkTypes.LINKTYPE_LINUX_SLL, LinkTypes.LINKTYPE_IPV4,
        LinkTypes.LINKTYPE_IPV6, LinkTypes.LINKTYPE_LINUX_SLL2, LinkTypes.LINKTYPE_PPP, LinkTypes.LINKTYPE_PPP_HDLC,
        LinkTypes.LINKTYPE_C_HDLC, LinkTypes.LINKTYPE_NFLOG, LinkTypes.LINKTYPE_IEEE802_11,
        LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP,
    };

    /** A frame and the link type it is decoded as. */
    private record LinkFrame(int linkType, byte[] frame) {
    }

    private final PacketDecoder decoder = new PacketDecoder();

    /** Valid frames of several shapes, each decoded as Ethernet. */
    private static List<byte[]> ethernetFrames() {
        final byte[] ipv6Tail = concat(
            bytes(60, 0, 0x01, 0x04, 0, 0, 0, 0),  // hop-by-hop: next destination options, PadN
            bytes(44, 0, 0x01, 0x04, 0, 0, 0, 0),  // destination options: next fragment, PadN
            bytes(17, 0, 0x00, 0x01, 0, 0, 0, 9),  // fragment: next UDP, offset 0, M, id 9
            Frames.udp(1, 2, 0));
        return List.of(
            Frames.ethernetIpv4Tcp(),
            Frames.ethernetIpv6Udp(),
            concat(Frames.ethernet(EtherTypes.QINQ), Frames.vlanTag(0, 10, EtherTypes.VLAN),
                Frames.vlanTag(0, 20, EtherTypes.IPV6), Frames.ipv6(0, CLIENT_V6, SERVER_V6, ipv6Tail.length), ipv6Tail),
            concat(Frames.ethernet(60), Frames.llcSnap(EtherTypes.IPV4),
                Frames.ipv4(FlowKey.PROTO_ICMP, Frames.CLIENT_V4, Frames.SERVER_V4, 8), Frames.icmp(8, 0)),
            DecoderShimTest.ethernetMplsIpv4Tcp(),
            DecoderShimTest.ethernetPppoeIpv4Tcp(),
            DecoderShimTest.ethernetPbbIpv4Tcp(),
            DecoderShimTest.ethernetVnTagVlanIpv4Tcp(),
            DecoderShimTest.fabricPathIpv6Udp());
    }

    /** Valid frames of every shape: the Ethernet ones and those of the other link types. */
    private static List<LinkFrame> framesOfEveryLinkType() {
        final List<LinkFrame> frames = new java.util.ArrayList<>();
        for (final byte[] frame : ethernetFrames()) {
            frames.add(new LinkFrame(LinkTypes.LINKTYPE_ETHERNET, frame));
        }
        for (final byte[] frame : DecoderTunnelTest.tunnelFrames()) {
            frames.add(new LinkFrame(LinkTypes.LINKTYPE_ETHERNET, frame));
        }
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_PPP, DecoderPppTest.pppIpv4Tcp()));
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_PPP, DecoderPppTest.pppHdlcIpv6Udp()));
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_PPP_HDLC, DecoderPppTest.pppHdlcIpv6Udp()));
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_C_HDLC, DecoderPppTest.ciscoHdlcIpv4Tcp()));
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_NFLOG, DecoderNflogTest.nflogIpv4Tcp()));
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_NFLOG, DecoderNflogTest.nflogIpv6Udp()));
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_IEEE802_11, DecoderIeee80211Test.dataIpv4Tcp()));
        frames.add(new LinkFrame(LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP, DecoderIeee80211Test.radiotapQosIpv6Udp()));
        return frames;
    }

    private DecodedPacket decodeAt(final int linkType, final ByteBuffer buffer, final int offset, final int length) {
        final DecodedPacket out = new DecodedPacket();
        decoder.decode(linkType, buffer, offset, length, out);
        return out;
    }

    @Test
    void shouldReportEveryCutOfAnEthernetIpv4TcpFrameAsTruncatedUntilThePortsAreThere() {
        final byte[] frame = Frames.ethernetIpv4Tcp();
        for (int length = 0; length <= frame.length; length++) {
            final DecodedPacket p = decodeAt(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(frame, 0, length).slice(), 0, length);
            if (length < ETHERNET_IPV4_TCP_KEY_LENGTH) {
                assertTrue(p.status() == STATUS_TRUNCATED || p.status() == STATUS_MALFORMED, "length " + length + ": " + describe(p));
                assertTrue(p.layerCount() == 0 || !p.innermost().portsKnown(), "length " + length);
            } else {
                assertEquals(STATUS_OK, p.status(), "length " + length);
                assertEquals("10.0.0.1:49152 > 192.168.1.2:80 proto 6", p.innermost().toString());
            }
        }
    }

    @Test
    void shouldNeverReadOutsideTheFrameWhereverItSitsInTheBuffer() {
        final Random random = new Random(20240601);
        for (final LinkFrame linkFrame : framesOfEveryLinkType()) {
            final int linkType = linkFrame.linkType();
            final byte[] frame = linkFrame.frame();
            for (int length = 0; length <= frame.length; length++) {
                // Reference: the cut frame alone, in a buffer that ends where it ends.
                final String expected = describe(decodeAt(linkType,
                    ByteBuffer.wrap(Arrays.copyOf(frame, length)), 0, length));

                // The whole frame at an offset, between garbage, with only `length` bytes given:
                // reading the real rest of the frame or the bytes around it would change the result.
                final int offset = 1 + random.nextInt(64);
                final byte[] big = new byte[offset + frame.length + 64];
                random.nextBytes(big);
                System.arraycopy(frame, 0, big, offset, frame.length);
                assertEquals(expected, describe(decodeAt(linkType, ByteBuffer.wrap(big), offset, length), offset),
                    "link type " + linkType + ", length " + length + " at offset " + offset);

                // Garbage that looks like the frame's own headers right before it.
                final byte[] shifted = concat(frame, Arrays.copyOf(frame, length));
                assertEquals(expected, describe(decodeAt(linkType, ByteBuffer.wrap(shifted), frame.length, length), frame.length));
            }
        }
    }

    @Test
    void shouldNeverThrowOnCutOrCorruptedFramesOfAnyLinkType() {
        final Random random = new Random(7);
        final DecodedPacket out = new DecodedPacket();
        final byte[] buffer = new byte[256];
        final List<byte[]> seeds = framesOfEveryLinkType().stream().map(LinkFrame::frame).toList();
        for (int i = 0; i < 100_000; i++) {
            final byte[] seed = seeds.get(i % seeds.size());
            final int length = random.nextInt(Math.min(buffer.length, seed.length + 16) + 1);
            Arrays.fill(buffer, (byte) 0);
            System.arraycopy(seed, 0, buffer, 0, Math.min(seed.length, length));
            for (int flips = random.nextInt(4); flips > 0 && length > 0; flips--) {
                buffer[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
            }
            if (random.nextInt(8) == 0) {
                random.nextBytes(buffer);
            }
            final int linkType = LINK_TYPES[random.nextInt(LINK_TYPES.length)];
            final ByteBuffer view = ByteBuffer.wrap(buffer, 0, length).slice(); // limit = the frame's end
            final int status = assertDoesNotThrow(() -> decoder.decode(linkType, view, 0, length, out));
            assertTrue(status >= STATUS_OK && status <= STATUS_MALFORMED, "status " + status);
        }
    }

    @Test
    void shouldRejectARangeOutsideTheBuffer() {
        final ByteBuffer buffer = ByteBuffer.wrap(Frames.ethernetIpv4Tcp());
        final DecodedPacket out = new DecodedPacket();
        assertThrows(IndexOutOfBoundsException.class,
            () -> decoder.decode(LinkTypes.LINKTYPE_ETHERNET, buffer, 10, buffer.limit(), out));
        assertThrows(IndexOutOfBoundsException.class,
            () -> decoder.decode(LinkTypes.LINKTYPE_ETHERNET, buffer, -1, 10, out));
        assertThrows(IndexOutOfBoundsException.class,
            () -> decoder.decode(LinkTypes.LINKTYPE_ETHERNET, buffer, 0, -1, out));
    }

    @Test
    void shouldRejectALittleEndianBuffer() {
        final ByteBuffer buffer = ByteBuffer.wrap(Frames.ethernetIpv4Tcp()).order(ByteOrder.LITTLE_ENDIAN);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> decoder.decode(LinkTypes.LINKTYPE_ETHERNET, buffer, 0, buffer.limit(), new DecodedPacket()));
        assertTrue(e.getMessage().contains("BIG_ENDIAN"));
    }

    @Test
    void shouldDecodeFromADirectBufferToo() {
        final byte[] frame = Frames.ethernetIpv6Udp();
        final ByteBuffer direct = ByteBuffer.allocateDirect(frame.length + 8);
        direct.position(8);
        direct.put(frame);
        final DecodedPacket p = decodeAt(LinkTypes.LINKTYPE_ETHERNET, direct, 8, frame.length);
        assertEquals(STATUS_OK, p.status());
        assertEquals("2001:db8::1:5353 > 2001:db8::2:53 proto 17", p.innermost().toString());
        assertEquals(8 + 14, p.ipOffset());
    }

    @Test
    void shouldClearTheLastFrameWhenReused() {
        final DecodedPacket out = new DecodedPacket();
        final byte[] tagged = concat(Frames.ethernet(EtherTypes.VLAN), Frames.vlanTag(0, 5, EtherTypes.IPV4),
            Arrays.copyOfRange(Frames.ethernetIpv4Tcp(), 14, 54));
        decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(tagged), 0, tagged.length, out);
        final byte[] arp = concat(Frames.ethernet(EtherTypes.ARP), new byte[28]);
        decoder.decode(LinkTypes.LINKTYPE_ETHERNET, ByteBuffer.wrap(arp), 0, arp.length, out);
        assertEquals(describe(Decodes.decode(LinkTypes.LINKTYPE_ETHERNET, arp)), describe(out));
        assertEquals(0, out.vlanCount());
        assertEquals(DecodedPacket.NO_VLAN, out.outerVlan());
    }
}
