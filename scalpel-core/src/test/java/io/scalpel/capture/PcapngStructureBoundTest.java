package io.scalpel.capture;

import static io.scalpel.testing.Frames.rawIpv4Udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the index keeps of a pcapng capture's sections and interfaces is bounded: sections that
 * hold no packet are not kept (only the first and the last, which an empty extract and a growing
 * capture need), and beyond {@link PcapngReader.MAX_STRUCTURE_KEPT} section and interface blocks
 * the index ends, with a warning naming where. Extracts still carry the right section and interface
 * blocks: tshark, the oracle, reads each packet on its interface. The expected blocks and offsets
 * are the test's own bookkeeping of the file it writes.
 */
@Tag("external")
class PcapngStructureBoundTest {
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final long T0 = 1_700_000_000_000_000L; // µs

    @TempDir
    Path dir;

    @Test
    void shouldKeepOnlyTheSectionsThatHoldPacketsAndTheFirstAndLast() throws Exception {
        final int empty = 10_000;
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
        final List<String> expected = new ArrayList<>();
        expected.add(shb(b, 0));
        expected.add(idb(b, 0, 0, LINKTYPE_RAW));
        b.epb(0, T0, rawIpv4Udp(1000));
        for (int s = 1; s <= empty; s++) {
            b.shb().idb(LINKTYPE_ETHERNET, 0, -1, 0).block(4, 8); // no packet: header, an interface, a name resolution block
        }
        final int full = empty + 1;
        expected.add(shb(b, full));
        expected.add(idb(b, full, 0, LINKTYPE_ETHERNET));
        expected.add(idb(b, full, 1, LINKTYPE_ETHERNET));
        expected.add(idb(b, full, 2, LINKTYPE_RAW));
        b.epb(2, T0 + 1_000_000, rawIpv4Udp(2000));
        b.shb().shb();
        expected.add(shb(b, full + 3)); // the last section, still without a packet
        final Path capture = b.writeTo(dir.resolve("sections.pcapng"));

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            assertEquals(expected, describe(scalpel.manifest().pcapngBlocks()));
            final Path out = dir.resolve("out.pcapng");
            scalpel.write(scalpel.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE), CaptureFormat.PCAPNG, out, w -> { });

            assertEquals(List.of("0\t1000", "2\t2000"), tshark(out));
        }
    }

    @Test
    void shouldEndTheIndexAtTheStructureLimitWithAWarningAndExtractWhatItHolds() throws Exception {
        final int interfaces = 101; // the packet's interface is the last
        final int perSection = 1 + interfaces;
        final int sections = PcapngReader.MAX_STRUCTURE_KEPT / perSection + 5;
        final CaptureBytes b = new CaptureBytes(ByteOrder.LITTLE_ENDIAN);
        final List<Long> packetOffsets = new ArrayList<>();
        for (int s = 0; s < sections; s++) {
            b.shb();
            for (int i = 0; i < interfaces - 1; i++) {
                b.idb(LINKTYPE_ETHERNET, 0, -1, 0);
            }
            b.idb(LINKTYPE_RAW, 0, -1, 0);
            packetOffsets.add((long) b.size());
            b.epb(interfaces - 1, T0 + s * 1000L, rawIpv4Udp(1000 + s));
        }
        final Path capture = b.writeTo(dir.resolve("interfaces.pcapng"));
        // the first section is always kept; each further one while the blocks kept stay within the limit
        final int kept = PcapngReader.MAX_STRUCTURE_KEPT / perSection;

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final List<String> warnings = scalpel.indexBuild().warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("byte offset " + packetOffsets.get(kept) + ": more than "
                + PcapngReader.MAX_STRUCTURE_KEPT + " section header and interface description blocks"), warnings.get(0));
            assertEquals(kept, scalpel.manifest().packets());
            assertTrue(scalpel.manifest().pcapngBlocks().size() <= PcapngReader.MAX_STRUCTURE_KEPT + perSection,
                "blocks kept: " + scalpel.manifest().pcapngBlocks().size());

            final long[] all = scalpel.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);
            final long[] firstAndLast = {all[0], all[all.length - 1]};
            final Path out = dir.resolve("out.pcapng");
            scalpel.write(firstAndLast, CaptureFormat.PCAPNG, out, w -> { });

            assertEquals(List.of(packetOffsets.get(0), packetOffsets.get(kept - 1)), List.of(all[0], all[all.length - 1]));
            assertEquals(List.of((interfaces - 1) + "\t1000", (interfaces - 1) + "\t" + (1000 + kept - 1)), tshark(out));
        }
    }

    /** Writes a section header block; returns how the index should list it. */
    private static String shb(final CaptureBytes b, final int section) {
        final String d = "SHB section " + section + " at " + b.size();
        b.shb();
        return d;
    }

    /** Writes a minimal interface description block; returns how the index should list it. */
    private static String idb(final CaptureBytes b, final int section, final int id, final int linkType) {
        final String d = "IDB section " + section + " at " + b.size() + " id " + id + " link type " + linkType;
        b.idb(linkType, 0, -1, 0);
        return d;
    }

    private static List<String> describe(final List<PcapngBlock> blocks) {
        final List<String> d = new ArrayList<>();
        for (PcapngBlock x : blocks) {
            d.add(x.type() == PcapngBlock.SECTION_HEADER ? "SHB section " + x.section() + " at " + x.offset()
                : x.type() == PcapngBlock.INTERFACE_DESCRIPTION
                    ? "IDB section " + x.section() + " at " + x.offset() + " id " + x.interfaceId() + " link type " + x.linkType()
                    : "block " + x.type() + " section " + x.section() + " at " + x.offset());
        }
        return d;
    }

    /** Each packet's interface id and UDP source port, as tshark reads the file. */
    private static List<String> tshark(final Path file) throws IOException, InterruptedException {
        ExternalTools.require(ExternalTools.TSHARK);
        final String out = ExternalTools.run(List.of("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.interface_id",
            "-e", "udp.srcport"));
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
