package io.scalpel.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.Frames;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scan path allocates nothing: a million decodes after warm-up stay under a kilobyte. */
class DecoderAllocationTest {
    private static final int DECODES = 1_000_000;
    private static final int WARM_UP_DECODES = 200_000;
    private static final long ALLOWED_BYTES = 1024;

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void shouldDecodeAMillionFramesWithoutAllocating() {
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM cannot measure per-thread allocation");

        // Every link type, every tunnel and most code paths, frames back to back in one buffer.
        final byte[] tagged = Frames.concat(Frames.ethernet(EtherTypes.QINQ), Frames.vlanTag(0, 10, EtherTypes.VLAN),
            Frames.vlanTag(0, 20, EtherTypes.IPV4), Arrays.copyOfRange(Frames.ethernetIpv4Tcp(), 14, 54));
        final byte[] ipv6 = Frames.ethernetIpv6Udp();
        final byte[] nullIpv4 = Frames.concat(Frames.bytes(0x02, 0, 0, 0), Arrays.copyOfRange(Frames.ethernetIpv4Tcp(), 14, 54));
        final byte[] icmp = Frames.concat(Frames.ipv4(FlowKey.PROTO_ICMP, Frames.CLIENT_V4, Frames.SERVER_V4, 8), Frames.icmp(8, 0));
        final byte[] fragment = Frames.concat(
            Frames.ipv4Fragment(FlowKey.PROTO_UDP, Frames.CLIENT_V4, Frames.SERVER_V4, 16, 9, false, 100), new byte[16]);
        final byte[] arp = Frames.concat(Frames.ethernet(EtherTypes.ARP), new byte[28]);
        final byte[] cut = Arrays.copyOf(Frames.ethernetIpv4Tcp(), 36);
        final List<byte[]> frames = List.of(Frames.ethernetIpv4Tcp(), tagged, ipv6, nullIpv4, icmp, fragment, arp, cut,
            DecoderShimTest.ethernetMplsIpv4Tcp(), DecoderShimTest.ethernetPppoeIpv4Tcp(), DecoderShimTest.ethernetPbbIpv4Tcp(),
            DecoderShimTest.ethernetVnTagVlanIpv4Tcp(), DecoderShimTest.fabricPathIpv6Udp(),
            DecoderPppTest.pppIpv4Tcp(), DecoderPppTest.pppHdlcIpv6Udp(), DecoderPppTest.ciscoHdlcIpv4Tcp(),
            DecoderNflogTest.nflogIpv4Tcp(), DecoderNflogTest.nflogIpv6Udp(),
            DecoderIeee80211Test.dataIpv4Tcp(), DecoderIeee80211Test.radiotapQosIpv6Udp(),
            DecoderTunnelTest.vxlanIpv4Tcp(), DecoderTunnelTest.geneveIpv6Udp(), DecoderTunnelTest.erspan2Ipv4Tcp(),
            DecoderTunnelTest.pptpIpv4Tcp(), DecoderTunnelTest.gtpIpv4Tcp(), DecoderTunnelTest.teredoOriginIpv6Udp(),
            DecoderTunnelTest.ayiyaIpv6Udp(), DecoderTunnelTest.outerIpv4(41, DecoderTunnelTest.innerIpv6Udp()),
            DecoderTunnelTest.greIpv4Tcp(), DecoderTunnelTest.greOverUdpIpv4Tcp());
        final int[] linkTypes = {
            LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_NULL,
            LinkTypes.LINKTYPE_RAW, LinkTypes.LINKTYPE_IPV4, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET,
            LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET,
            LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET,
            LinkTypes.LINKTYPE_PPP, LinkTypes.LINKTYPE_PPP_HDLC, LinkTypes.LINKTYPE_C_HDLC,
            LinkTypes.LINKTYPE_NFLOG, LinkTypes.LINKTYPE_NFLOG,
            LinkTypes.LINKTYPE_IEEE802_11, LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP,
            LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET,
            LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET,
            LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_ETHERNET,
            LinkTypes.LINKTYPE_ETHERNET,
        };
        final int[] offsets = new int[frames.size()];
        final int[] lengths = new int[frames.size()];
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        for (int i = 0; i < frames.size(); i++) {
            offsets[i] = buffer.position();
            lengths[i] = frames.get(i).length;
            buffer.put(frames.get(i));
        }

        final PacketDecoder decoder = new PacketDecoder();
        final DecodedPacket out = new DecodedPacket();
        // Whole rounds over the frames, so that every round decodes the same frames alike.
        final int warmUpDecodes = WARM_UP_DECODES - WARM_UP_DECODES % frames.size();
        final int decodes = warmUpDecodes * (DECODES / WARM_UP_DECODES);
        final long warmUpSum = decodeLoop(decoder, out, buffer, linkTypes, offsets, lengths, warmUpDecodes);

        final long calibrationStart = threads.getCurrentThreadAllocatedBytes();
        final long calibration = threads.getCurrentThreadAllocatedBytes() - calibrationStart;
        final long start = threads.getCurrentThreadAllocatedBytes();
        final long sum = decodeLoop(decoder, out, buffer, linkTypes, offsets, lengths, decodes);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - start - calibration;

        assertEquals(warmUpSum * (decodes / warmUpDecodes), sum, "every round decodes the same frames alike");
        assertTrue(allocated < ALLOWED_BYTES, "a million decodes allocated " + allocated + " bytes");
    }

    /** Decodes the frames round-robin; returns a sum of what was decoded so the work cannot be skipped. */
    private static long decodeLoop(final PacketDecoder decoder, final DecodedPacket out, final ByteBuffer buffer,
                                   final int[] linkTypes, final int[] offsets, final int[] lengths, final int count) {
        long sum = 0;
        int frame = 0;
        for (int i = 0; i < count; i++) {
            sum += decoder.decode(linkTypes[frame], buffer, offsets[frame], lengths[frame], out);
            final FlowKey key = out.innermost();
            if (key != null) {
                sum += key.srcPort() + key.dstPort() + key.protocol() + out.vlanCount() + out.layerCount();
            }
            frame = frame + 1 == offsets.length ? 0 : frame + 1;
        }
        return sum;
    }
}
