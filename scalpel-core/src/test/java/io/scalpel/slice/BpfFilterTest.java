package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ConnLogs;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BPF narrowing through the Java API, judged by the generator's ground truth: a pcapng capture
 * whose interfaces have nine link types (Ethernet, Linux SLL/SLL2, raw IPv4/IPv6/IP, NULL, LOOP,
 * FDDI) keeps exactly the UDP frames of the selection, each compiled for its interface's type.
 */
@Tag("external")
class BpfFilterTest {
    /** Bytes before the packet data of a pcapng enhanced packet block (little-endian, as generated). */
    private static final int EPB_DATA = 28;
    /** The same for a simple packet block. */
    private static final int SPB_DATA = 12;

    @TempDir
    Path dir;

    @BeforeEach
    void requireLibpcap() {
        ExternalTools.require(ExternalTools.LIBPCAP);
    }

    @Test
    void shouldKeepTheUdpFramesOfEveryLinkTypeOfAPcapng() throws IOException {
        final Path capture = dir.resolve("mixed.pcapng");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(9001).withFormat(CaptureFileFormat.PCAPNG_LE)
            .withLinkType(GeneratorSpec.MIXED_LINK_TYPES).withIpv6(false).withConnections(60), capture, conn);
        final List<ConnRecord> rows = ConnLogs.readStrictly(conn);
        // libpcap's "udp" (like its "ip") does not look into 802.3 frames with an LLC/SNAP header,
        // which the generator writes now and then on Ethernet: those are not expected.
        final byte[] bytes = java.nio.file.Files.readAllBytes(capture);
        final java.util.function.Predicate<TruthFrame> snap = f -> {
            final int data = (int) f.recordOffset() + ("SPB".equals(f.recordType()) ? SPB_DATA : EPB_DATA);
            return f.linkType() == 1 && ((bytes[data + 12] & 0xFF) << 8 | bytes[data + 13] & 0xFF) <= 1500;
        };
        final long[] expected = truth.frames().stream().filter(f -> !f.uids().isEmpty() && f.ipProto() == 17 && !snap.test(f))
            .mapToLong(TruthFrame::recordOffset).sorted().toArray();
        assertTrue(truth.frames().stream().anyMatch(snap), "the capture has 802.3 LLC/SNAP frames, which libpcap's udp skips");
        final Set<Integer> linkTypes = new java.util.TreeSet<>();
        truth.frames().stream().filter(f -> f.ipProto() == 17).forEach(f -> linkTypes.add(f.linkType()));
        assertTrue(linkTypes.size() >= 5, () -> "UDP frames on several link types: " + linkTypes);

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")));
             BpfFilter udp = BpfFilter.compile("udp")) {
            final Scalpel.Selection all = scalpel.select(rows);
            final long[] narrowed = scalpel.narrow(all.union(), udp);
            final Scalpel.Selection perQuery = scalpel.narrow(all, udp);

            assertArrayEquals(expected, narrowed, () -> "UDP frames of the selection; missing or extra: " + truth.frames().stream()
                .filter(f -> (java.util.Arrays.binarySearch(expected, f.recordOffset()) >= 0) != (java.util.Arrays.binarySearch(narrowed,
                    f.recordOffset()) >= 0)).toList());
            assertArrayEquals(expected, perQuery.union(), "the per-query narrowing");
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                final long[] ofUid = truth.frames().stream().filter(f -> f.uids().contains(uid) && f.ipProto() == 17 && !snap.test(f))
                    .mapToLong(TruthFrame::recordOffset).sorted().toArray();
                assertArrayEquals(ofUid, perQuery.offsets(i), uid);
            }
        }
    }

    @Test
    void shouldRefuseAnInvalidExpressionQuotingItAndLibpcap() {
        final BpfFilterException e = assertThrows(BpfFilterException.class, () -> BpfFilter.compile("port 99999999"));

        assertFalse(e.libpcapMissing());
        assertTrue(e.getMessage().startsWith("BPF expression 'port 99999999' is invalid: libpcap: "), e.getMessage());
        assertTrue(e.getMessage().contains("99999999"), e.getMessage());
    }

    @Test
    void shouldNameTheLinkTypeAnExpressionCannotBeCompiledFor() throws IOException {
        final Path capture = dir.resolve("raw.pcap");
        final Path conn = dir.resolve("conn.log");
        CaptureGenerator.generate(GeneratorSpec.defaults(9002).withLinkType(101).withConnections(5), capture, conn);

        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")));
             BpfFilter ether = BpfFilter.compile("ether host 00:11:22:33:44:55")) {
            final long[] all = scalpel.select(ConnLogs.readStrictly(conn)).union();
            final BpfFilterException e = assertThrows(BpfFilterException.class, () -> scalpel.narrow(all, ether));

            assertTrue(e.getMessage().startsWith("BPF expression 'ether host 00:11:22:33:44:55' is invalid for link type 101: libpcap: "),
                e.getMessage());
        }
    }

    @Test
    void shouldMapCaptureLinkTypesToLibpcapsDataLinkTypes() {
        assertEquals(12, BpfFilter.dlt(101), "LINKTYPE_RAW is DLT_RAW");
        assertEquals(1, BpfFilter.dlt(1));
        assertEquals(276, BpfFilter.dlt(276));
    }

}
