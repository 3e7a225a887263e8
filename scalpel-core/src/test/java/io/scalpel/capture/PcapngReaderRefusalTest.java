package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.CaptureBytes;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every refusal of the capture readers that {@link CaptureReaderTest} does not already provoke:
 * each malformed structure is refused with {@link CaptureFormatException}, at the byte offset of
 * the structure (or of its offending field), with a message naming what is wrong.
 *
 * <p>Unless said otherwise the fixtures are one little-endian section: the 28-byte section header
 * at 0, then the first interface description block at 28.
 */
class PcapngReaderRefusalTest {
    private static final int SHB_LENGTH = 28;
    private static final int FIRST_IDB = SHB_LENGTH;
    private static final int MINIMAL_IDB_LENGTH = 20;
    /** The first block after the section header and one minimal interface description block. */
    private static final int FIRST_PACKET = SHB_LENGTH + MINIMAL_IDB_LENGTH;
    private static final int EPB_CAPLEN_FIELD = 20;

    @TempDir
    Path dir;

    // ---- pcapng: section header block

    @Test
    void shouldRefuseASectionHeaderShorterThanItsFixedFields() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .u32(0x0A0D0D0AL)   // block type: section header
            .u32(24)            // block total length: 4 short of the 28 the fixed fields need
            .u32(0x1A2B3C4DL)   // byte-order magic
            .u16(1).u16(0)      // version 1.0
            .u32(0)             // half of the section length
            .u32(24);           // trailing length

        final CaptureFormatException e = readToTheEnd(b, "short-shb.pcapng");

        assertRefused(e, 0, "section header block of 24 bytes is shorter than 28");
    }

    @Test
    void shouldRefuseAPcapngMajorVersionOtherThanOneAtTheVersionField() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .u32(0x0A0D0D0AL)   // block type: section header
            .u32(28)            // block total length
            .u32(0x1A2B3C4DL)   // byte-order magic
            .u16(2).u16(0)      // version 2.0: unknown
            .u64(-1)            // section length: unknown
            .u32(28);           // trailing length

        final CaptureFormatException e = readToTheEnd(b, "v2.pcapng");

        assertRefused(e, 12, "pcapng major version 2 is not 1");
    }

    @Test
    void shouldRefuseAFileWhoseFirstBlockIsNotASectionHeader() throws IOException {
        // CaptureReader.open hands a file to PcapngReader only when it starts with the section
        // header's type, so through open() this refusal cannot happen; the reader, built directly
        // on such a file, must still refuse it rather than guess a byte order.
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .idb(1, 0, -1, 0)   // an interface description block where the section header belongs
            .writeTo(dir.resolve("no-shb.pcapng"));
        try (MappedFile mapped = MappedFile.open(file)) {
            final PcapngReader reader = new PcapngReader(mapped);

            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> reader.next(new Frame()));

            assertRefused(e, 0, "does not start with a section header block (type 0x00000001)");
        }
    }

    // ---- pcapng: interface description block

    @Test
    void shouldRefuseAnInterfaceDescriptionShorterThanItsFixedFields() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .u32(1)             // block type: interface description
            .u32(16)            // block total length: no room for the snaplen
            .u16(1).u16(0)      // link type Ethernet, reserved
            .u32(16);           // trailing length

        final CaptureFormatException e = readToTheEnd(b, "short-idb.pcapng");

        assertRefused(e, FIRST_IDB, "interface description block of 16 bytes is shorter than 20");
    }

    @Test
    void shouldRefuseAnInterfaceDescriptionLongerThanOneMappedSpan() throws IOException {
        final int length = MappedFile.OVERLAP + 4;
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .u32(1)             // block type: interface description
            .u32(length)        // block total length: 4 bytes beyond what one segment view guarantees
            .u16(1).u16(0)      // link type Ethernet, reserved
            .u32(0)             // snaplen: none
            .u16(0).u16(0)      // opt_endofopt
            .zeros(length - 24) // padding up to the trailer
            .u32(length);       // trailing length

        final CaptureFormatException e = readToTheEnd(b, "huge-idb.pcapng");

        assertRefused(e, FIRST_IDB, "interface description block of " + length + " bytes exceeds " + MappedFile.OVERLAP);
    }

    @Test
    void shouldRefuseASectionHeaderLongerThanOneMappedSpan() throws IOException {
        final int length = MappedFile.OVERLAP + 4;
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .u32(0x0A0D0D0AL)   // block type: section header
            .u32(length)        // block total length: 4 bytes beyond what one segment view guarantees
            .u32(0x1A2B3C4DL)   // byte-order magic
            .u16(1).u16(0)      // version 1.0
            .u64(-1)            // section length: unknown
            .u16(0).u16(0)      // opt_endofopt
            .zeros(length - 32) // padding up to the trailer
            .u32(length);       // trailing length

        final CaptureFormatException e = readToTheEnd(b, "huge-shb.pcapng");

        assertRefused(e, 0, "section header block of " + length + " bytes exceeds " + MappedFile.OVERLAP);
    }

    @Test
    void shouldLeaveTheReaderUnchangedWhenARandomReadHitsACutRecord() throws IOException {
        final byte[] whole = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
            .pcapRecord(1, 0, 40, 40)  // a whole record at 24
            .pcapRecord(2, 0, 100, 100) // a record at 80, cut below
            .bytes();
        final java.nio.file.Path file = dir.resolve("cut-random.pcap");
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 30));
        try (CaptureReader r = CaptureReader.open(file)) {
            org.junit.jupiter.api.Assertions.assertThrows(CaptureFormatException.class, () -> r.readAt(80, new Frame()));
            org.junit.jupiter.api.Assertions.assertEquals(-1, r.truncatedTailOffset(), "a random read records no truncated tail");
        }
    }

    @Test
    void shouldRefuseMoreInterfacesThanTheLimitInOneSection() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb();
        final byte[] idb = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .u32(1)             // block type: interface description
            .u32(MINIMAL_IDB_LENGTH) // block total length
            .u16(1).u16(0)      // link type Ethernet, reserved
            .u32(0)             // snaplen: none
            .u32(MINIMAL_IDB_LENGTH) // trailing length
            .bytes();
        for (int i = 0; i <= PcapngReader.MAX_INTERFACES; i++) {
            b.put(idb);         // interfaces 0 .. MAX_INTERFACES: one too many
        }

        final CaptureFormatException e = readToTheEnd(b, "many-idb.pcapng");

        assertRefused(e, FIRST_IDB + (long) PcapngReader.MAX_INTERFACES * MINIMAL_IDB_LENGTH,
            "more than " + PcapngReader.MAX_INTERFACES + " interfaces in one section");
    }

    @Test
    void shouldRefuseAnInterfaceOptionThatOverrunsItsBlockAtTheOption() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .u32(1)             // block type: interface description
            .u32(28)            // block total length
            .u16(1).u16(0)      // link type Ethernet, reserved
            .u32(0)             // snaplen: none
            .u16(2).u16(100)    // option if_name, claiming 100 bytes of value
            .put("eth0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) // the 4 bytes there are
            .u32(28);           // trailing length

        final CaptureFormatException e = readToTheEnd(b, "option.pcapng");

        assertRefused(e, FIRST_IDB + 16, "interface option 2 of 100 bytes overruns its block");
    }

    @ParameterizedTest
    @ValueSource(ints = {19, 0x80 | 63, 0x7F, 0xFF})
    void shouldRefuseATimestampResolutionBeyondWhatALongCanCount(final int tsresol) throws IOException {
        // 10^-19 s and 2^-63 s units: a 64-bit timestamp would span less than a second or two.
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .idb(1, 0, tsresol, 0);  // if_tsresol's value lies 20 bytes into the block

        final CaptureFormatException e = readToTheEnd(b, "tsresol.pcapng");

        assertRefused(e, FIRST_IDB + 20, "if_tsresol " + tsresol + " is out of range");
    }

    @ParameterizedTest
    @CsvSource({
        "18,  1000000000000000000", // 10^-18 s units: 10^18 of them are one second
        "190, 4611686018427387904", // 0x80 | 62, 2^-62 s units: 2^62 of them are one second
    })
    void shouldAcceptTheFinestTimestampResolutions(final int tsresol, final long oneSecond) throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .idb(1, 0, tsresol, 0)
            .epb(0, oneSecond, 4, 4)
            .writeTo(dir.resolve("finest.pcapng"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            assertEquals(1_000_000_000L, f.timestampNanos());
            assertFalse(r.next(f));
        }
    }

    // ---- pcapng: packet blocks

    @Test
    void shouldRefuseAnEnhancedPacketBlockShorterThanItsFixedFields() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0)
            .u32(6)             // block type: enhanced packet
            .u32(28)            // block total length: no room for the original length
            .u32(0)             // interface id
            .u32(0).u32(1)      // timestamp high, low
            .u32(0)             // captured length
            .u32(28);           // trailing length

        final CaptureFormatException e = readToTheEnd(b, "short-epb.pcapng");

        assertRefused(e, FIRST_PACKET, "packet block of 28 bytes is shorter than its fixed fields");
    }

    @ParameterizedTest
    @ValueSource(longs = {CaptureReader.MAX_CAPLEN + 1L, 0xFFFF_FFFFL})
    void shouldRefuseAnEnhancedPacketCapturedLengthBeyondTheLimitAtTheField(final long caplen) throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0)
            .u32(6)             // block type: enhanced packet
            .u32(36)            // block total length
            .u32(0)             // interface id
            .u32(0).u32(1)      // timestamp high, low
            .u32(caplen)        // captured length: beyond MAX_CAPLEN (or negative as an int)
            .u32(60)            // original length
            .zeros(4)           // packet data
            .u32(36);           // trailing length

        final CaptureFormatException e = readToTheEnd(b, "caplen.pcapng");

        assertRefused(e, FIRST_PACKET + EPB_CAPLEN_FIELD,
            "captured length " + caplen + " exceeds the limit of " + CaptureReader.MAX_CAPLEN + " bytes");
    }

    @Test
    void shouldRefuseAnEnhancedPacketCapturedLengthThatOverrunsItsBlock() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0)
            .u32(6)             // block type: enhanced packet
            .u32(36)            // block total length: room for 4 bytes of data
            .u32(0)             // interface id
            .u32(0).u32(1)      // timestamp high, low
            .u32(8)             // captured length: 8
            .u32(60)            // original length
            .zeros(4)           // packet data: only 4
            .u32(36);           // trailing length

        final CaptureFormatException e = readToTheEnd(b, "overrun.pcapng");

        assertRefused(e, FIRST_PACKET + EPB_CAPLEN_FIELD, "captured length 8 overruns its block of 36 bytes");
    }

    @ParameterizedTest
    @ValueSource(ints = {PcapngBlock.ENHANCED_PACKET, PcapngBlock.SIMPLE_PACKET, PcapngBlock.OBSOLETE_PACKET})
    void shouldRefuseAPacketBlockLongerThanOneMappedSpan(final int type) throws IOException {
        final int length = MappedFile.OVERLAP + 4;
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0)
            .u32(type)          // block type: a packet block
            .u32(length)        // block total length: 4 bytes beyond what one segment view guarantees
            .zeros(length - 12) // whatever the body holds is never looked at
            .u32(length);       // trailing length

        final CaptureFormatException e = readToTheEnd(b, "huge-packet.pcapng");

        assertRefused(e, FIRST_PACKET, "packet block type " + type + " of " + length + " bytes exceeds the limit of "
            + MappedFile.OVERLAP + " bytes");
    }

    @Test
    void shouldRefuseASimplePacketBlockBeforeAnyInterface() throws IOException {
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .spb(60, 60);       // a simple packet block, but no interface to have captured it

        final CaptureFormatException e = readToTheEnd(b, "spb-first.pcapng");

        assertRefused(e, SHB_LENGTH, "simple packet block before any interface description block");
    }

    @Test
    void shouldRefuseASimplePacketCapturedLengthBeyondTheLimit() throws IOException {
        // A simple packet's captured length is its original length, cut by the snaplen and the block.
        final int data = CaptureReader.MAX_CAPLEN + 4;
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb()
            .idb(1, 0, -1, 0)   // snaplen 0: no limit
            .spb(data, data);   // original length and data both beyond MAX_CAPLEN

        final CaptureFormatException e = readToTheEnd(b, "spb-caplen.pcapng");

        assertRefused(e, FIRST_PACKET, "captured length " + data + " exceeds the limit of " + CaptureReader.MAX_CAPLEN);
    }

    // ---- pcapng: random access

    @Test
    void shouldRefuseReadingAtAnOffsetBeforeTheReaderKnowsAnySection() throws IOException {
        final Path file = onePacket().writeTo(dir.resolve("fresh.pcapng"));
        try (CaptureReader r = CaptureReader.open(file)) {
            // Neither scanned nor given a layout: the reader cannot know the section's byte order.
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.readAt(FIRST_PACKET, new Frame()));

            assertRefused(e, FIRST_PACKET, "no section header block precedes this offset");
        }
    }

    @Test
    void shouldRefuseReadingAtANonPacketBlock() throws IOException {
        final Path file = onePacket().writeTo(dir.resolve("idb.pcapng"));
        try (CaptureReader r = scanned(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.readAt(FIRST_IDB, new Frame()));

            assertRefused(e, FIRST_IDB, "block type 0x00000001 at this offset is not a packet block");
        }
    }

    @Test
    void shouldRefuseReadingAtAnOffsetTooCloseToTheEndForABlock() throws IOException {
        final Path file = onePacket().writeTo(dir.resolve("end.pcapng"));
        final long size = Files.size(file);
        try (CaptureReader r = scanned(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.readAt(size - 8, new Frame()));

            assertRefused(e, size - 8, "no whole block at this offset (the capture ends at " + size + ")");
        }
    }

    @Test
    void shouldRefuseReadingAtAnOffsetInsideABlock() throws IOException {
        final Path file = onePacket().writeTo(dir.resolve("inside.pcapng"));
        try (CaptureReader r = scanned(file)) {
            // 4 bytes into the packet block: its length field reads as a type, its interface id (0) as a length.
            final CaptureFormatException e = assertThrows(CaptureFormatException.class,
                () -> r.readAt(FIRST_PACKET + 4, new Frame()));

            assertRefused(e, FIRST_PACKET + 4, "no whole packet block at this offset (length 0)");
        }
    }

    // ---- classic pcap

    @ParameterizedTest
    @ValueSource(longs = {0, 10, 23})
    void shouldRefuseReadingAPcapRecordInsideTheFileHeader(final long offset) throws IOException {
        final Path file = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
            .pcapRecord(1, 0, 20, 20)
            .writeTo(dir.resolve("header.pcap"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.readAt(offset, new Frame()));

            assertRefused(e, offset, "no whole record at this offset (the capture ends at 60)");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {50, 60, 1000})
    void shouldRefuseReadingAPcapRecordThatIsNotWholeInTheFile(final long offset) throws IOException {
        // One record at 24 of 16 + 20 bytes: the file ends at 60.
        final Path file = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
            .pcapRecord(1, 0, 20, 20)
            .writeTo(dir.resolve("tail.pcap"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.readAt(offset, new Frame()));

            assertRefused(e, offset, "no whole record at this offset (the capture ends at 60)");
        }
    }

    @Test
    void shouldRefuseAPcapRecordWhoseCapturedLengthIsNegativeAsAnInt() throws IOException {
        final Path file = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
            .u32(1).u32(0)      // ts_sec, ts_usec
            .u32(0xFFFF_FFFFL)  // incl_len: 4 GiB - 1
            .u32(60)            // orig_len
            .writeTo(dir.resolve("negative.pcap"));

        final CaptureFormatException e;
        try (CaptureReader r = CaptureReader.open(file)) {
            e = assertThrows(CaptureFormatException.class, () -> r.next(new Frame()));
        }

        assertRefused(e, 24, "record captured length 4294967295 exceeds the limit of " + CaptureReader.MAX_CAPLEN);
    }

    @Test
    void shouldRefuseSeekingIntoThePcapFileHeader() throws IOException {
        final Path file = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1).writeTo(dir.resolve("seek.pcap"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ((PcapReader) r).seek(10));

            assertTrue(e.getMessage().contains("offset 10 is inside the file header"), e.getMessage());
        }
    }

    // ---- choosing a reader

    @Test
    void shouldRefuseAFileTooShortForAnyMagicNumber() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.BIG_ENDIAN).u8(0xA1).u8(0xB2).u8(0xC3).writeTo(dir.resolve("three.pcap"));

        final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> CaptureReader.open(file));

        assertRefused(e, 0, "file of 3 bytes is too short for a capture header");
    }

    @Test
    void shouldNameTheCompressedOffsetOfAGzipFileWithInvalidDeflateData() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.BIG_ENDIAN)
            .u8(0x1F).u8(0x8B)  // gzip magic
            .u8(8).u8(0)        // deflate, no flags
            .zeros(20)
            .writeTo(dir.resolve("trace.pcap.gz"));

        // gzip captures are read; this one's deflate data (a stored block of length 0 and NLEN 0) is invalid at byte 15
        final CaptureFormatException e = assertThrows(CompressedCaptureException.class, () -> CaptureReader.open(file));

        assertRefused(e, 15, "invalid deflate data in the gzip member starting at compressed byte 0");
    }

    @Test
    void shouldRefuseToOpenADirectoryAsACapture() {
        final java.nio.file.FileSystemException e = assertThrows(java.nio.file.FileSystemException.class, () -> CaptureReader.open(dir));

        assertFalse(e instanceof NoSuchFileException, "it exists: " + e);
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, Integer.MAX_VALUE})
    void shouldRefuseAMappingSegmentSizeOutOfRange(final long segmentSize) throws IOException {
        final Path file = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1).writeTo(dir.resolve("seg.pcap"));

        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MappedFile(file, -1, segmentSize));

        assertTrue(e.getMessage().contains("segmentSize out of range: " + segmentSize), e.getMessage());
    }

    // ---- helpers

    /** A section, an Ethernet interface and one enhanced packet block of 4 bytes at {@link #FIRST_PACKET}. */
    private static CaptureBytes onePacket() {
        return new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0).epb(0, 1, 4, 4);
    }

    /** A reader that has read the whole (well-formed) capture, so it knows its sections and interfaces. */
    private static CaptureReader scanned(final Path file) throws IOException {
        final CaptureReader r = CaptureReader.open(file);
        final Frame f = new Frame();
        while (r.next(f)) {
            // reading learns the structure
        }
        return r;
    }

    /** Writes the bytes, opens them and reads frames until the reader refuses. */
    private CaptureFormatException readToTheEnd(final CaptureBytes bytes, final String name) throws IOException {
        final Path file = bytes.writeTo(dir.resolve(name));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            return assertThrows(CaptureFormatException.class, () -> {
                while (r.next(f)) {
                    // frames before the malformed structure are fine
                }
            });
        }
    }

    private static void assertRefused(final CaptureFormatException e, final long offset, final String fragment) {
        assertEquals(offset, e.offset(), e::getMessage);
        assertTrue(e.getMessage().contains("byte offset " + offset + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), () -> "expected '" + fragment + "' in: " + e.getMessage());
    }
}
