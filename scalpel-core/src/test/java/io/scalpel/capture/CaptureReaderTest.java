package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testing.CaptureBytes;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CaptureReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"LITTLE_ENDIAN,false", "BIG_ENDIAN,false", "LITTLE_ENDIAN,true", "BIG_ENDIAN,true"})
    void shouldReadClassicPcapInEitherByteOrderAndPrecision(final String orderName, final boolean nanos) throws IOException {
        final ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final Path file = CaptureBytes.pcapHeader(order, nanos, 65535, 1)
            .pcapRecord(1_700_000_000L, 123, 60, 60)
            .pcapRecord(4_000_000_000L, 5, 42, 1500) // after 2038: seconds are unsigned
            .writeTo(dir.resolve("a.pcap"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            assertEquals(24, f.recordOffset());
            assertEquals(76, f.recordLength());
            assertEquals(1_700_000_000_000_000_000L + 123L * (nanos ? 1 : 1000), f.timestampNanos());
            assertEquals(60, f.capturedLength());
            assertEquals(1, f.linkType());
            assertTrue(r.next(f));
            assertEquals(100, f.recordOffset());
            assertEquals(4_000_000_000_000_000_000L + 5L * (nanos ? 1 : 1000), f.timestampNanos());
            assertEquals(1500, f.originalLength());
            assertFalse(r.next(f));
            assertEquals(-1, r.truncatedTailOffset());
            assertEquals(order, r.byteOrder());
        }
    }

    @Test
    void shouldCarryAnOversizedFractionIntoTheSecondsAndWarn() throws IOException {
        final Path file = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
            .pcapRecord(10, 2_500_000, 20, 20)
            .writeTo(dir.resolve("frac.pcap"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            assertEquals(12_500_000_000L, f.timestampNanos());
            assertEquals(1, r.warningCount());
        }
    }

    @Test
    void shouldEndCleanlyAtATruncatedLastRecordAndSayWhere() throws IOException {
        final CaptureBytes b = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1).pcapRecord(1, 0, 40, 40);
        final byte[] whole = b.pcapRecord(2, 0, 100, 100).bytes();
        final Path file = dir.resolve("cut.pcap");
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 30));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            assertFalse(r.next(f));
            assertEquals(80, r.truncatedTailOffset());
            assertEquals(80, r.position());
        }
    }

    @Test
    void shouldRefuseAnUnknownMagicWithTheOffset() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.BIG_ENDIAN).u32(0x12345678).zeros(40).writeTo(dir.resolve("x.pcap"));
        final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> CaptureReader.open(file));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("magic number 0x12345678"), e.getMessage());
    }

    @Test
    void shouldRefuseAnEmptyFile() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.BIG_ENDIAN).writeTo(dir.resolve("empty.pcap"));
        final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> CaptureReader.open(file));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
    }

    @Test
    void shouldRefuseAPcapHeaderCutShort() throws IOException {
        final byte[] header = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1).bytes();
        final Path file = dir.resolve("short.pcap");
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(header, 10));
        assertThrows(CaptureFormatException.class, () -> CaptureReader.open(file));
    }

    @Test
    void shouldRefuseAnUnknownPcapVersion() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).u32(0xA1B2C3D4L).u16(3).u16(0).zeros(16)
            .writeTo(dir.resolve("v3.pcap"));
        final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> CaptureReader.open(file));
        assertTrue(e.getMessage().contains("version 3.0"), e.getMessage());
    }

    @Test
    void shouldRefuseACaptureLengthBeyondTheLimitWithItsOffset() throws IOException {
        final Path file = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
            .pcapRecord(1, 0, 10, 10)
            .u32(2).u32(0).u32(CaptureReader.MAX_CAPLEN + 1).u32(100)
            .writeTo(dir.resolve("huge.pcap"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.next(f));
            assertEquals(50, e.offset());
            assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
        }
    }

    @Test
    void shouldReadPcapngSectionsInterfacesAndResolutions() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .shb()
            .idb(1, 0, -1, 0)                // interface 0: Ethernet, default µs
            .idb(101, 0, 9, 0)               // interface 1: raw IP, ns
            .idb(228, 0, 0x80 | 20, 100)     // interface 2: IPv4, 2^-20 s, offset +100 s
            .block(0x0BAD, 8)                // a custom block: skipped by length
            .epb(0, 1_000_000L, 14, 14)
            .epb(1, 2_000_000_000L, 20, 20)
            .epb(2, 3L << 20 | (1L << 19), 20, 20) // 3.5 s
            .spb(64, 64)
            .writeTo(dir.resolve("a.pcapng"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            assertEquals(1_000_000_000L, f.timestampNanos());
            assertEquals(1, f.linkType());
            assertTrue(r.next(f));
            assertEquals(2_000_000_000L, f.timestampNanos());
            assertEquals(101, f.linkType());
            assertTrue(r.next(f));
            assertEquals(103_500_000_000L, f.timestampNanos());
            assertEquals(228, f.linkType());
            assertEquals(2, f.interfaceId());
            assertTrue(r.next(f));
            assertFalse(f.timestampKnown());
            assertEquals(64, f.capturedLength());
            assertFalse(r.next(f));
            assertEquals(CaptureFormat.PCAPNG, r.format());
        }
    }

    @Test
    void shouldReadABigEndianSectionAfterALittleEndianOne() throws IOException {
        final CaptureBytes le = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0).epb(0, 5, 14, 14);
        final CaptureBytes be = new CaptureBytes(ByteOrder.BIG_ENDIAN).shb().idb(229, 0, 9, 0).epb(0, 7, 40, 40);
        final Path file = new CaptureBytes(ByteOrder.BIG_ENDIAN).put(le.bytes()).put(be.bytes()).writeTo(dir.resolve("mixed.pcapng"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            assertEquals(5_000L, f.timestampNanos());
            assertEquals(0, f.section());
            assertTrue(r.next(f));
            assertEquals(7L, f.timestampNanos());
            assertEquals(229, f.linkType());
            assertEquals(1, f.section());
            assertEquals(ByteOrder.BIG_ENDIAN, r.byteOrder());
        }
    }

    @Test
    void shouldRefuseABlockWhoseTrailerDiffersFromItsHeader() throws IOException {
        final byte[] b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0).epb(0, 1, 4, 4).bytes();
        b[b.length - 4] = 99; // trailing length of the EPB
        final Path file = dir.resolve("trailer.pcapng");
        java.nio.file.Files.write(file, b);
        try (CaptureReader r = CaptureReader.open(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.next(new Frame()));
            assertEquals(48, e.offset());
            assertTrue(e.getMessage().contains("trailing length"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAnInterfaceIdOutOfRange() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0).epb(3, 1, 4, 4)
            .writeTo(dir.resolve("ifid.pcapng"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.next(new Frame()));
            assertTrue(e.getMessage().contains("interface id 3 out of range"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseABlockLengthThatIsNotAMultipleOfFour() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().u32(6).u32(13).zeros(8)
            .writeTo(dir.resolve("len.pcapng"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.next(new Frame()));
            assertEquals(28, e.offset());
        }
    }

    @Test
    void shouldRefuseABadByteOrderMagic() throws IOException {
        final Path file = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).u32(0x0A0D0D0AL).u32(28).u32(0x11223344).zeros(16)
            .writeTo(dir.resolve("bom.pcapng"));
        try (CaptureReader r = CaptureReader.open(file)) {
            final CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> r.next(new Frame()));
            assertTrue(e.getMessage().contains("byte-order magic"), e.getMessage());
        }
    }

    @Test
    void shouldTreatABlockCutShortAsATruncatedTail() throws IOException {
        final byte[] b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0).epb(0, 1, 100, 100).bytes();
        final Path file = dir.resolve("cut.pcapng");
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(b, b.length - 10));
        try (CaptureReader r = CaptureReader.open(file)) {
            assertFalse(r.next(new Frame()));
            assertEquals(48, r.truncatedTailOffset());
        }
    }

    @Test
    void shouldReadRecordsAcrossSegmentBoundaries() throws IOException {
        final CaptureBytes b = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        for (int i = 0; i < 500; i++) {
            b.pcapRecord(i, 0, 37 + i % 200, 1500);
        }
        final Path file = b.writeTo(dir.resolve("seg.pcap"));
        long expectedOffset = 24;
        try (CaptureReader r = CaptureReader.open(file, -1, 4096)) { // many small segments
            final Frame f = new Frame();
            for (int i = 0; i < 500; i++) {
                assertTrue(r.next(f));
                assertEquals(expectedOffset, f.recordOffset());
                assertEquals(37 + i % 200, f.capturedLength());
                expectedOffset += 16 + 37 + i % 200;
            }
            assertFalse(r.next(f));
            final Frame again = new Frame();
            r.readAt(24 + 16 + 37, again);
            assertEquals(38, again.capturedLength());
        }
    }

    @Test
    void shouldReadTheSameFramesBufferedAsMapped() throws IOException {
        // 20 000 records, about 4 MB: the sequential window (4096 + MappedFile.OVERLAP bytes) moves
        // along the file several times, and records straddle its end
        final CaptureBytes pcap = CaptureBytes.pcapHeader(ByteOrder.BIG_ENDIAN, true, 65535, 1);
        final CaptureBytes ng = new CaptureBytes(ByteOrder.LITTLE_ENDIAN).shb().idb(1, 0, -1, 0);
        for (int i = 0; i < 20_000; i++) {
            pcap.pcapRecord(i, i * 7, 31 + i % 300, 1500);
            ng.epb(0, i, 60 + i % 250, 1500);
        }
        for (final Path file : List.of(pcap.writeTo(dir.resolve("b.pcap")), ng.writeTo(dir.resolve("b.pcapng")))) {
            final byte[] whole = java.nio.file.Files.readAllBytes(file);
            final int header = file.toString().endsWith(".pcap") ? 16 : 28;
            try (CaptureReader mapped = CaptureReader.open(file, -1, 4096);
                 CaptureReader buffered = CaptureReader.openSequential(file, -1, 4096)) {
                final Frame m = new Frame();
                final Frame b = new Frame();
                final Frame behind = new Frame();
                long firstOffset = -1;
                int frames = 0;
                while (mapped.next(m)) {
                    assertTrue(buffered.next(b), file + ": frame " + frames);
                    assertEquals(m.recordOffset(), b.recordOffset());
                    assertEquals(m.timestampNanos(), b.timestampNanos());
                    assertEquals(m.capturedLength(), b.capturedLength());
                    assertFileBytes(whole, b, header, file + ": frame " + frames);
                    if (firstOffset < 0) {
                        firstOffset = b.recordOffset();
                    }
                    if (frames == 15_000) {
                        // a record read again far behind the window, then the scan goes on where it was
                        buffered.readAt(firstOffset, behind);
                        assertEquals(firstOffset, behind.recordOffset());
                        assertFileBytes(whole, behind, header, file + ": the first frame read again");
                    }
                    frames++;
                }
                assertFalse(buffered.next(b));
                assertEquals(20_000, frames);
            }
        }
    }

    /** The bytes {@code f} points at are the file's own bytes after its record header. */
    private static void assertFileBytes(final byte[] whole, final Frame f, final int header, final String what) {
        final byte[] got = new byte[f.capturedLength()];
        f.buffer().get(f.dataOffset(), got);
        final int data = (int) (f.recordOffset() + header);
        assertArrayEquals(java.util.Arrays.copyOfRange(whole, data, data + got.length), got, what);
    }

    @Test
    void shouldRefuseASequentialWindowOutOfRange() {
        final Path file = dir.resolve("any.pcap");
        assertThrows(IllegalArgumentException.class, () -> SequentialFile.open(file, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> SequentialFile.open(file, -1, Integer.MAX_VALUE));
    }

    @Test
    void shouldNameTheFileWhenABufferedCaptureShrinksUnderTheScan() throws IOException {
        final CaptureBytes b = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        for (int i = 0; i < 12_000; i++) { // 2.6 MB: more than one window of 4096 + MappedFile.OVERLAP bytes
            b.pcapRecord(i, 0, 200, 200);
        }
        final Path file = b.writeTo(dir.resolve("shrinks.pcap"));
        try (CaptureReader r = CaptureReader.openSequential(file, -1, 4096)) {
            final Frame f = new Frame();
            assertTrue(r.next(f));
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(2000);
            }
            final java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> {
                while (r.next(f)) {
                    // reads on until the window past the cut
                }
            });
            assertTrue(e.getCause() instanceof CaptureChangedException, e.toString());
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("capture changed while reading (it ends at"
                + " byte offset 2000, but was " + b.size() + " bytes when it was opened)"), e.getMessage());
        }
    }

    @Test
    void shouldConvertPowerOfTwoResolutionsExactly() {
        assertEquals(1_500_000_000L, PcapngTimestamps.toNanos(3L << 29, 0x80 | 30));
        assertEquals(250_000_000L, PcapngTimestamps.toNanos(1L << 38, 0x80 | 40));
        assertEquals(1_000_000_001L, PcapngTimestamps.toNanos(1_000_000_001L, 9));
        assertEquals(1_000_000L, PcapngTimestamps.toNanos(1_000_000_000L, 12));
    }
}
