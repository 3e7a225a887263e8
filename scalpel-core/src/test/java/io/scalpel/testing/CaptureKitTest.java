package io.scalpel.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kit's readers read what its writer wrote, field by field, and say where a file is cut or cannot be read. */
class CaptureKitTest {
    @Test
    void shouldWalkAPcapRecordByRecordAndStopBeforeARecordCutShort() {
        final byte[] frame = Frames.ethernetIpv4Tcp();
        final byte[] bytes = CaptureBytes.pcapHeader(ByteOrder.BIG_ENDIAN, true, 65535, 1)
            .pcapRecord(1_700_000_000, 5, frame)
            .pcapRecord(1_700_000_001, 6, Arrays.copyOf(frame, 20), frame.length)
            .pcapRecord(1_700_000_002, 7, 40, 40).bytes();
        final byte[] cut = Arrays.copyOf(bytes, bytes.length - 1);

        final PcapFile pcap = PcapFile.parse(cut);

        assertEquals(ByteOrder.BIG_ENDIAN, pcap.order);
        assertTrue(pcap.nanos);
        assertEquals(1, pcap.linkType);
        assertEquals(2, pcap.records.size(), "the third record is cut short");
        assertEquals(new PcapFile.Record(24, 1_700_000_000_000_000_005L, 54, 16 + 54, 54), pcap.records.get(0));
        assertEquals(new PcapFile.Record(24 + 16 + 54, 1_700_000_001_000_000_006L, 20, 16 + 20, 54), pcap.records.get(1));
        assertArrayEquals(frame, pcap.frameBytes(pcap.records.get(0)));
        assertEquals(24 + 16 + 54 + 16 + 20, pcap.end);
        assertEquals(bytes.length, PcapFile.parse(bytes).end);
    }

    @Test
    void shouldReadTheBlocksAndPacketsOfSectionsOfBothByteOrdersInTheirUnits() {
        final byte[] first = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, 9, 0)
            .epb(0, 1_700_000_000_123_456_789L, Frames.ethernetIpv6Udp()).bytes();
        final byte[] second = new CaptureBytes(ByteOrder.BIG_ENDIAN).shb().idb(101, 0, -1, 0).idb(101, 0, 6, 0)
            .epb(1, 1_700_000_000_000_001L, Frames.rawIpv4Udp(1000)).spb(60, 0).block(10, 8).bytes();
        final byte[] bytes = new CaptureBytes(ByteOrder.BIG_ENDIAN).put(first).put(second).bytes();

        final PcapngFile pcapng = PcapngFile.parse(bytes);

        assertEquals(List.of(PcapngFile.SECTION_HEADER, PcapngFile.INTERFACE_DESCRIPTION, PcapngFile.ENHANCED_PACKET,
            PcapngFile.SECTION_HEADER, PcapngFile.INTERFACE_DESCRIPTION, PcapngFile.INTERFACE_DESCRIPTION,
            PcapngFile.ENHANCED_PACKET, PcapngFile.SIMPLE_PACKET, PcapngFile.DECRYPTION_SECRETS),
            pcapng.blocks.stream().map(PcapngFile.Block::type).toList());
        assertEquals(ByteOrder.LITTLE_ENDIAN, pcapng.blocks.get(2).order());
        assertEquals(ByteOrder.BIG_ENDIAN, pcapng.blocks.get(6).order());
        assertEquals(first.length, pcapng.blocks.get(3).offset());
        assertEquals(3, pcapng.blocks.stream().filter(PcapngFile.Block::holdsAPacket).count());
        assertEquals(2, pcapng.packets.size(), "enhanced packet blocks");
        assertEquals(1_700_000_000_123_456_789L, pcapng.packets.get(0).tsNanos(), "if_tsresol 9: nanoseconds");
        assertArrayEquals(Frames.ethernetIpv6Udp(), pcapng.packets.get(0).data());
        assertEquals(1, pcapng.packets.get(1).interfaceId());
        assertEquals(1_700_000_000_000_001_000L, pcapng.packets.get(1).tsNanos(), "if_tsresol 6: microseconds");
        assertArrayEquals(Frames.rawIpv4Udp(1000), pcapng.packets.get(1).data());
    }

    @Test
    void shouldRefuseABlockWhoseLengthIsShorterThanABlockOrRunsPastTheFile() {
        final byte[] bytes = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().u32(1).u32(8).u32(8).bytes();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PcapngFile.parse(bytes));
        assertEquals("block of type 1 at byte offset 28 has length 8", e.getMessage());
        final byte[] past = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().u32(1).u32(24).u32(24).bytes();
        assertThrows(IllegalArgumentException.class, () -> PcapngFile.parse(past));
    }

    @Test
    void shouldReadTimesInBinaryResolutionsAsWholeNanoseconds() {
        final byte[] bytes = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, 0x80 | 20, 0) // 2^-20 s
            .epb(0, 3L << 20, new byte[14]).epb(0, (3L << 20) + 1, new byte[14]).bytes();
        final List<PcapngFile.Packet> packets = PcapngFile.parse(bytes).packets;
        assertEquals(3_000_000_000L, packets.get(0).tsNanos());
        assertEquals(3_000_000_953L, packets.get(1).tsNanos(), "2^-20 s is 953.67 ns");
    }
}
