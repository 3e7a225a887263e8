package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.scalpel.capture.FrameFixture;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The pcap an extract writes, against libpcap's savefile layout written out by hand (pcap-savefile(5)). */
class PcapEncoderTest {
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_LINUX_SLL = 113;

    @Test
    void shouldWriteTheFileHeaderLittleEndianWithTheNanosecondMagicVersion24TheLargestSnaplenAndTheLinkType() {
        final byte[] expected = Hex.of(
            "4d 3c b2 a1",  // magic 0xa1b23c4d: nanosecond timestamps, read little-endian
            "02 00",        // version major 2
            "04 00",        // version minor 4
            "00 00 00 00",  // thiszone 0
            "00 00 00 00",  // sigfigs 0
            "00 00 04 00",  // snaplen 262144, the longest frame a reader accepts
            "71 00 00 00"); // link type 113, Linux cooked capture

        assertArrayEquals(expected, PcapEncoder.fileHeader(LINKTYPE_LINUX_SLL));
    }

    @Test
    void shouldWriteARecordAsSecondsNanosecondsCapturedAndOriginalLengthsThenTheCapturedBytes() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        new PcapEncoder().writeRecord(FrameFixture.of(Hex.of("de ad be ef 01"), 60, 1_700_000_000_123_456_789L,
            LINKTYPE_ETHERNET, 0, 0), out);

        assertArrayEquals(Hex.of(
            "00 f1 53 65",        // seconds 1700000000
            "15 cd 5b 07",        // nanoseconds 123456789
            "05 00 00 00",        // captured length 5
            "3c 00 00 00",        // original length 60: the frame was cut
            "de ad be ef 01"),    // the captured bytes, unpadded
            out.toByteArray());
    }

    @Test
    void shouldWriteATimestampBeforeTheEpochAsTheSecondBeforeWithAPositiveFraction() throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        new PcapEncoder().writeRecord(FrameFixture.of(Hex.of("aa"), 1, -1L, LINKTYPE_ETHERNET, 0, 0), out);

        assertArrayEquals(Hex.of(
            "ff ff ff ff",  // seconds -1
            "ff c9 9a 3b",  // nanoseconds 999999999: 1 ns before the epoch
            "01 00 00 00",  // captured length 1
            "01 00 00 00",  // original length 1
            "aa"),          // the captured byte
            out.toByteArray());
    }

    @Test
    void shouldWriteEachRecordWithItsOwnBytesOnlyWhenTheEncoderIsReused() throws Exception {
        final PcapEncoder encoder = new PcapEncoder();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        encoder.writeRecord(FrameFixture.of(Hex.of("11 22 33 44 55 66"), 6, 2_000_000_001L, LINKTYPE_ETHERNET, 0, 0), out);
        encoder.writeRecord(FrameFixture.of(Hex.of("77"), 1500, 3_000_000_000L, LINKTYPE_ETHERNET, 0, 0), out);

        assertArrayEquals(Hex.of(
            "02 00 00 00",        // seconds 2
            "01 00 00 00",        // nanoseconds 1
            "06 00 00 00",        // captured length 6
            "06 00 00 00",        // original length 6
            "11 22 33 44 55 66",  // the first frame
            "03 00 00 00",        // seconds 3
            "00 00 00 00",        // nanoseconds 0
            "01 00 00 00",        // captured length 1
            "dc 05 00 00",        // original length 1500
            "77"),                // the second frame, nothing of the first after it
            out.toByteArray());
    }
}
