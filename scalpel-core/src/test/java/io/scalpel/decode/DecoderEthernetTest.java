package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.NO_VLAN;
import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.Decodes.decode;
import static io.scalpel.testing.Frames.bytes;
import static io.scalpel.testing.Frames.concat;
import static io.scalpel.testing.Frames.ipv4Tcp;
import static io.scalpel.testing.Frames.llcSnap;
import static io.scalpel.testing.Frames.vlanTag;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.testing.Frames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecoderEthernetTest {
    private static final String TCP_V4 = "10.0.0.1:49152 > 192.168.1.2:80 proto 6";

    private static DecodedPacket decodeEthernet(final byte[] frame) {
        return decode(LinkTypes.LINKTYPE_ETHERNET, frame);
    }

    @ParameterizedTest
    @ValueSource(ints = {EtherTypes.VLAN, EtherTypes.QINQ, EtherTypes.QINQ_LEGACY})
    void shouldDecodeOneVlanTagOfEveryTagType(final int tagType) {
        final byte[] frame = concat(
            Frames.ethernet(tagType),
            vlanTag(5, 100, EtherTypes.IPV4),    // priority 5 must not leak into the id
            ipv4Tcp());
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals(1, p.vlanCount());
        assertEquals(100, p.outerVlan());
        assertEquals(NO_VLAN, p.innerVlan());
        assertEquals(TCP_V4, p.innermost().toString());
        assertEquals(18, p.ipOffset());
    }

    @Test
    void shouldDecodeQinQTagsOutermostFirst() {
        final byte[] frame = concat(
            Frames.ethernet(EtherTypes.QINQ),
            vlanTag(0, 300, EtherTypes.VLAN),    // service tag
            vlanTag(0, 20, EtherTypes.IPV4),     // customer tag
            ipv4Tcp());
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals(2, p.vlanCount());
        assertEquals(300, p.outerVlan());
        assertEquals(20, p.innerVlan());
        assertEquals(TCP_V4, p.innermost().toString());
    }

    /**
     * Zeek's VLAN analyzer (src/packet_analysis/protocol/vlan/VLAN.cc) keeps the first tag as the
     * packet's vlan and writes every later one over its inner_vlan ("triple_tagged_vlan_unsupported:
     * inner VLAN tag overwritten"): inner_vlan, and the VLAN-aware connection key, hold the last tag.
     */
    @Test
    void shouldCountThreeStackedTagsAndKeepTheFirstAndTheLastAsZeekDoes() {
        final byte[] frame = concat(
            Frames.ethernet(EtherTypes.QINQ_LEGACY),
            vlanTag(0, 4094, EtherTypes.QINQ),
            vlanTag(0, 7, EtherTypes.VLAN),
            vlanTag(0, 1, EtherTypes.IPV4),
            ipv4Tcp());
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals(3, p.vlanCount());
        assertEquals(4094, p.outerVlan());
        assertEquals(1, p.innerVlan());
        assertEquals(26, p.ipOffset());
        assertEquals(TCP_V4, p.innermost().toString());
    }

    @Test
    void shouldUnwrapThousandsOfTagsWithoutRecursion() {
        final int tags = 10_000;
        final byte[][] parts = new byte[tags + 2][];
        parts[0] = Frames.ethernet(EtherTypes.VLAN);
        for (int i = 1; i <= tags; i++) {
            parts[i] = vlanTag(0, i % 4096, i == tags ? EtherTypes.IPV4 : EtherTypes.VLAN);
        }
        parts[tags + 1] = ipv4Tcp();
        final DecodedPacket p = decodeEthernet(concat(parts));
        assertEquals(STATUS_OK, p.status());
        assertEquals(tags, p.vlanCount());
    }

    @Test
    void shouldReportCutVlanTagAsTruncated() {
        final byte[] frame = concat(
            Frames.ethernet(EtherTypes.VLAN),
            bytes(0x00, 0x64, 0x08));            // TCI, then one byte of the inner EtherType
        assertEquals(STATUS_TRUNCATED, decodeEthernet(frame).status());
    }

    @Test
    void shouldContinueWithTheEtherTypeOfLlcSnap() {
        final byte[] payload = ipv4Tcp();
        final int llcLength = 8 + payload.length;
        final byte[] frame = concat(
            Frames.ethernet(llcLength),          // a length (< 0x600), not an EtherType
            llcSnap(EtherTypes.IPV4),
            payload);
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals(TCP_V4, p.innermost().toString());
        assertEquals(22, p.ipOffset());
    }

    @Test
    void shouldDecodeLlcSnapInsideAVlanTag() {
        final byte[] payload = ipv4Tcp();
        final byte[] frame = concat(
            Frames.ethernet(EtherTypes.VLAN),
            vlanTag(0, 9, 8 + payload.length),   // inner "type" is an 802.3 length
            llcSnap(EtherTypes.IPV4),
            payload);
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_OK, p.status());
        assertEquals(9, p.outerVlan());
        assertEquals(TCP_V4, p.innermost().toString());
    }

    @Test
    void shouldReportLlcOtherThanSnapAsNotIp() {
        final byte[] frame = concat(
            Frames.ethernet(38),                 // 802.3 length
            bytes(
                0x42, 0x42,                      // DSAP, SSAP: spanning tree
                0x03),                           // control: UI
            new byte[35]);                       // BPDU
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_NOT_IP, p.status());
        assertEquals(0, p.layerCount());
    }

    @Test
    void shouldReportSnapWithAnOrganisationsOwnProtocolIdAsNotIp() {
        final byte[] frame = concat(
            Frames.ethernet(60),                 // 802.3 length
            bytes(
                0xaa, 0xaa, 0x03,                // LLC: SNAP, UI
                0x00, 0x00, 0x0c,                // OUI: Cisco
                0x08, 0x00),                     // protocol id that is not an EtherType here
            ipv4Tcp());
        assertEquals(STATUS_NOT_IP, decodeEthernet(frame).status());
    }

    @Test
    void shouldReportSnapCutShortAsTruncated() {
        final byte[] frame = concat(
            Frames.ethernet(60),                 // 802.3 length
            bytes(
                0xaa, 0xaa, 0x03,                // LLC: SNAP, UI
                0x00, 0x00));                    // OUI cut short
        assertEquals(STATUS_TRUNCATED, decodeEthernet(frame).status());
    }

    @Test
    void shouldReportArpAsNotIp() {
        final byte[] frame = concat(
            Frames.ethernet(EtherTypes.ARP),
            bytes(
                0x00, 0x01,                      // hardware type: Ethernet
                0x08, 0x00,                      // protocol type: IPv4
                0x06, 0x04,                      // address lengths
                0x00, 0x01,                      // operation: request
                0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 10, 0, 0, 1,   // sender
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 0, 2)); // target
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_NOT_IP, p.status());
        assertEquals(0, p.layerCount());
        assertEquals(DecodedPacket.NO_OFFSET, p.ipOffset());
    }

    @ParameterizedTest
    @ValueSource(ints = {EtherTypes.LLDP, EtherTypes.PPPOE_DISCOVERY})
    void shouldReportEtherTypesWithoutAFlowAsNotIp(final int etherType) {
        final byte[] frame = concat(Frames.ethernet(etherType), new byte[46]);
        assertEquals(STATUS_NOT_IP, decodeEthernet(frame).status());
    }

    @Test
    void shouldKeepVlanTagsOfANonIpFrame() {
        final byte[] frame = concat(
            Frames.ethernet(EtherTypes.VLAN),
            vlanTag(0, 77, EtherTypes.ARP),
            new byte[28]);
        final DecodedPacket p = decodeEthernet(frame);
        assertEquals(STATUS_NOT_IP, p.status());
        assertEquals(77, p.outerVlan());
    }

    @Test
    void shouldReportFrameShorterThanEthernetHeaderAsTruncated() {
        final byte[] frame = Arrays.copyOf(Frames.ethernetIpv4Tcp(), 13);
        assertEquals(STATUS_TRUNCATED, decodeEthernet(frame).status());
    }
}
