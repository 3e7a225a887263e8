package io.scalpel.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.FrameFixture;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pcapng extract of a pcapng capture written by hand: what is kept, and an index without the section it needs. */
class PcapngCopyTest {
    private static final byte[] SECTION_HEADER = Hex.of(
        "0a 0d 0d 0a",              // block type: section header
        "24 00 00 00",              // block length 36
        "4d 3c 2b 1a",              // byte-order magic, little-endian
        "01 00 00 00",              // version 1.0
        "54 00 00 00 00 00 00 00",  // section length 84: the blocks after this one
        "04 00 01 00 78 00 00 00",  // option shb_userappl "x", padded
        "24 00 00 00");             // block length 36 again
    private static final byte[] INTERFACE = Hex.of(
        "01 00 00 00",              // block type: interface description
        "14 00 00 00",              // block length 20
        "01 00 00 00",              // link type 1, reserved
        "00 00 04 00",              // snaplen 262144
        "14 00 00 00");             // block length 20 again
    private static final byte[] STATISTICS = Hex.of(
        "05 00 00 00",              // block type: interface statistics
        "18 00 00 00",              // block length 24
        "00 00 00 00",              // interface id 0
        "00 00 00 00 00 00 00 00",  // timestamp
        "18 00 00 00");             // block length 24 again
    private static final byte[] PACKET = Hex.of(
        "06 00 00 00",              // block type: enhanced packet
        "28 00 00 00",              // block length 40
        "00 00 00 00",              // interface id 0
        "00 00 00 00 01 00 00 00",  // timestamp 1 µs
        "05 00 00 00",              // captured length 5
        "05 00 00 00",              // original length 5
        "de ad be ef 01 00 00 00",  // the frame, padded
        "28 00 00 00");             // block length 40 again
    private static final long PACKET_OFFSET = 80;
    private static final List<PcapngBlock> STRUCTURE = List.of(
        new PcapngBlock(PcapngBlock.SECTION_HEADER, 0, 0, 36, -1, -1),
        new PcapngBlock(PcapngBlock.INTERFACE_DESCRIPTION, 0, 36, 20, 0, 1),
        new PcapngBlock(PcapngBlock.INTERFACE_STATISTICS, 0, 56, 24, -1, -1));

    @TempDir
    Path dir;

    private Path capture;

    @BeforeEach
    void writeCapture() throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(SECTION_HEADER);
        bytes.write(INTERFACE);
        bytes.write(STATISTICS);
        bytes.write(PACKET);
        capture = Files.write(dir.resolve("capture.pcapng"), bytes.toByteArray());
    }

    @Test
    void shouldWriteTheSectionHeaderWithItsOptionsAndLengthUnknownTheInterfaceAndThePacketButNotTheStatistics()
        throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CaptureReader reader = CaptureReader.open(capture)) {
            ((PcapngReader) reader).layout(STRUCTURE);
            final Frame frame = new Frame();
            reader.readAt(PACKET_OFFSET, frame);
            final ExtractWriter writer = create(reader, STRUCTURE, out);
            writer.start();
            writer.write(frame);
            writer.finish();
            assertEquals(1, writer.frames());
        }

        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(Hex.of(
            "0a 0d 0d 0a",              // block type: section header
            "24 00 00 00",              // block length 36
            "4d 3c 2b 1a",              // byte-order magic, little-endian
            "01 00 00 00",              // version 1.0
            "ff ff ff ff ff ff ff ff",  // section length unknown: the extract holds less
            "04 00 01 00 78 00 00 00",  // its option, as it was
            "24 00 00 00"));            // block length 36 again
        expected.write(INTERFACE);      // as it was; the statistics after it dropped
        expected.write(PACKET);         // as it was
        assertArrayEquals(expected.toByteArray(), out.toByteArray());
    }

    @Test
    void shouldRefuseAnIndexThatListsNoSectionHeaderSayingToReindex() throws Exception {
        try (CaptureReader reader = CaptureReader.open(capture)) {
            final ExtractWriter writer = create(reader, List.of(), new ByteArrayOutputStream());

            final IOException e = assertThrows(IOException.class, writer::start);

            assertEquals(capture + ": the index lists no pcapng section header block; re-run `scalpel index`", e.getMessage());
        }
    }

    @Test
    void shouldRefuseAFrameOfASectionWhoseHeaderTheIndexDoesNotListSayingToReindex() throws Exception {
        try (CaptureReader reader = CaptureReader.open(capture)) {
            final ExtractWriter writer = create(reader, STRUCTURE, new ByteArrayOutputStream());
            writer.start();
            final Frame inSectionOne = FrameFixture.of(Hex.of("de ad"), 2, 0, 1, 1, 0);

            final IOException e = assertThrows(IOException.class, () -> writer.write(inSectionOne));

            assertEquals(capture + ": the index lists no header of pcapng section 1; re-run `scalpel index`", e.getMessage());
        }
    }

    private static ExtractWriter create(final CaptureReader reader, final List<PcapngBlock> structure,
                                        final ByteArrayOutputStream out) {
        final List<String> warnings = new ArrayList<>();
        return ExtractWriter.create(reader, structure, 0, null, CaptureFormat.PCAPNG, Set.of(1), out, warnings::add);
    }
}
