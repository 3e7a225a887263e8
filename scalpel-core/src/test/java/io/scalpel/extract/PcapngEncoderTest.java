package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.capture.FrameFixture;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The pcapng blocks an extract writes, against the layouts of the pcapng specification written out by hand. */
class PcapngEncoderTest {
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;

    @Test
    void shouldWriteALittleEndianSectionHeaderOfVersion10AndUnknownLengthWithoutOptions() {
        assertArrayEquals(Hex.of(
            "0a 0d 0d 0a",              // block type: section header
            "1c 00 00 00",              // block length 28
            "4d 3c 2b 1a",              // byte-order magic 0x1a2b3c4d, little-endian
            "01 00",                    // version major 1
            "00 00",                    // version minor 0
            "ff ff ff ff ff ff ff ff",  // section length -1: not given
            "1c 00 00 00"),             // block length 28 again
            PcapngEncoder.sectionHeader());
    }

    @Test
    void shouldWriteAnInterfaceWithoutOptionsAsItsLinkTypeAndSnaplenOnly() {
        assertArrayEquals(Hex.of(
            "01 00 00 00",  // block type: interface description
            "14 00 00 00",  // block length 20
            "01 00",        // link type 1, Ethernet
            "00 00",        // reserved
            "ff ff 00 00",  // snaplen 65535
            "14 00 00 00"), // block length 20 again: no options, so no end of options either
            PcapngEncoder.interfaceDescription(LINKTYPE_ETHERNET, 65_535, null, false));
    }

    @Test
    void shouldWriteANanosecondInterfaceWithItsTimestampResolutionAndTheEndOfOptions() {
        assertArrayEquals(Hex.of(
            "01 00 00 00",  // block type: interface description
            "20 00 00 00",  // block length 32
            "01 00",        // link type 1, Ethernet
            "00 00",        // reserved
            "00 00 04 00",  // snaplen 262144
            "09 00 01 00",  // option if_tsresol, 1 byte
            "09 00 00 00",  // 9: 10^-9 s, then 3 bytes of padding
            "00 00 00 00",  // opt_endofopt
            "20 00 00 00"), // block length 32 again
            PcapngEncoder.interfaceDescription(LINKTYPE_ETHERNET, 262_144, null, true));
    }

    @Test
    void shouldWriteTheDescriptionAsUtf8BytesPaddedToFourBeforeTheTimestampResolution() {
        assertArrayEquals(Hex.of(
            "01 00 00 00",              // block type: interface description
            "2c 00 00 00",              // block length 44
            "65 00",                    // link type 101, raw IP
            "00 00",                    // reserved
            "00 00 00 00",              // snaplen 0: no limit
            "03 00 07 00",              // option if_description, 7 bytes
            "63 61 66 c3 a9 20 31 00",  // "café 1" in UTF-8 (é is 2 bytes), then 1 byte of padding
            "09 00 01 00",              // option if_tsresol, 1 byte
            "09 00 00 00",              // 9: nanoseconds, then padding
            "00 00 00 00",              // opt_endofopt
            "2c 00 00 00"),             // block length 44 again
            PcapngEncoder.interfaceDescription(LINKTYPE_RAW, PcapngEncoder.NO_SNAPLEN, "café 1", true));
    }

    @Test
    void shouldWriteAnEnhancedPacketWithTheTimestampInTwoHalvesAndTheFramePaddedToFour() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        new PcapngEncoder().writeEnhancedPacket(2, 0x0000_0001_0000_0002L,
            FrameFixture.of(Hex.of("de ad be ef 01"), 64, 0, LINKTYPE_ETHERNET, 0, 0), out);

        assertArrayEquals(Hex.of(
            "06 00 00 00",              // block type: enhanced packet
            "28 00 00 00",              // block length 40
            "02 00 00 00",              // interface id 2
            "01 00 00 00",              // timestamp, high 32 bits: 1
            "02 00 00 00",              // timestamp, low 32 bits: 2 (in the interface's units, as given)
            "05 00 00 00",              // captured length 5
            "40 00 00 00",              // original length 64
            "de ad be ef 01 00 00 00",  // the frame, then 3 bytes of padding
            "28 00 00 00"),             // block length 40 again
            out.toByteArray());
    }

    @Test
    void shouldPadAShorterFrameWithZerosWhenTheEncoderIsReused() throws Exception {
        final PcapngEncoder encoder = new PcapngEncoder();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        encoder.writeEnhancedPacket(0, 0, FrameFixture.of(Hex.of("ff ff ff ff ff ff ff"), 7, 0, LINKTYPE_ETHERNET, 0, 0),
            new ByteArrayOutputStream());

        encoder.writeEnhancedPacket(0, 7, FrameFixture.of(Hex.of("aa"), 1, 0, LINKTYPE_ETHERNET, 0, 0), out);

        assertArrayEquals(Hex.of(
            "06 00 00 00",  // block type: enhanced packet
            "24 00 00 00",  // block length 36
            "00 00 00 00",  // interface id 0
            "00 00 00 00",  // timestamp, high 32 bits
            "07 00 00 00",  // timestamp, low 32 bits: 7
            "01 00 00 00",  // captured length 1
            "01 00 00 00",  // original length 1
            "aa 00 00 00",  // the frame, then zeros, not the previous frame's bytes
            "24 00 00 00"), // block length 36 again
            out.toByteArray());
    }

    @Test
    void shouldWriteADecryptionSecretsBlockInItsSectionsByteOrderWithTheOptionsAsTheyWere() {
        final byte[] original = Hex.of(
            "00 00 00 0a 00 00 00 24 54 4c 53 4b 00 00 00 08 61 62 63 64 65 66 67 0a",  // a block's fields and secrets
            "00 01 00 02 68 69 00 00",                                                   // its options
            "00 00 00 24");                                                              // its trailer

        assertArrayEquals(Hex.of(
            "00 00 00 0a",              // block type: decryption secrets, big-endian
            "00 00 00 20",              // block length 32
            "54 4c 53 4b",              // secrets type "TLSK"
            "00 00 00 03",              // secrets length 3
            "61 62 0a 00",              // "ab\n", then 1 byte of padding
            "00 01 00 02 68 69 00 00",  // opt_comment "hi": the options, copied as they were
            "00 00 00 20"),             // block length 32 again
            PcapngEncoder.decryptionSecrets(ByteOrder.BIG_ENDIAN, 0x544C534B, Hex.of("61 62 0a"), original, 24, 8));
    }

    @Test
    void shouldSetTheSectionLengthToUnknownAndTellTheSectionsByteOrder() {
        final byte[] bigEndian = Hex.of(
            "0a 0d 0d 0a",              // block type: section header
            "00 00 00 1c",              // block length 28
            "1a 2b 3c 4d",              // byte-order magic, big-endian
            "00 01 00 00",              // version 1.0
            "00 00 00 00 00 00 01 00"); // section length 256
        final byte[] littleEndian = Hex.of("0a 0d 0d 0a 1c 00 00 00", "4d 3c 2b 1a", "01 00 00 00", "00 01 00 00 00 00 00 00");

        PcapngEncoder.setSectionLengthUnknown(bigEndian);

        assertArrayEquals(Hex.of("0a 0d 0d 0a 00 00 00 1c 1a 2b 3c 4d 00 01 00 00", "ff ff ff ff ff ff ff ff"), bigEndian);
        assertEquals(ByteOrder.BIG_ENDIAN, PcapngEncoder.byteOrderOf(bigEndian));
        assertEquals(ByteOrder.LITTLE_ENDIAN, PcapngEncoder.byteOrderOf(littleEndian));
    }

    @Test
    void shouldPadLengthsToMultiplesOfFour() {
        assertEquals(0, PcapngEncoder.padded(0));
        assertEquals(4, PcapngEncoder.padded(1));
        assertEquals(4, PcapngEncoder.padded(4));
        assertEquals(8, PcapngEncoder.padded(5));
        assertEquals(0x1_0000_0000L, PcapngEncoder.padded(0xFFFF_FFFDL), "a 32-bit unsigned length pads past 2^32");
    }
}
