package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.SmallChunks;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.Frames;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code scalpel flows} from the index's flow rows and their facts (format 8) against the way
 * that reads every frame of every key back from the capture and splits it ({@link Flows#listReadBack},
 * the listing before format 8): the same rows, in the same order, over generated captures with
 * reused ports, SYNs after a close, timeouts, VLANs, QinQ, IPv6, fragments, ICMP, other protocols,
 * cut frames and unsorted times, with keys spanning many chunks, VLAN-aware and blind, with and
 * without query expressions, and of a capture that grew after it was indexed; and a hand-made
 * capture whose connections are counted by hand.
 */
class FlowsFromIndexTest {
    private static final long NOW = 0;

    @TempDir
    Path dir;

    static Stream<Arguments> captures() {
        return Stream.of(
            Arguments.of("reused tuples and VLANs", GeneratorSpec.defaults(9101).withVlan(true).withReuseTuples(true).withConnections(80)),
            Arguments.of("IPv6 and ICMP", GeneratorSpec.defaults(9102).withIpv6(true).withIcmp(true).withReuseTuples(true)
                .withConnections(60)),
            Arguments.of("everything", GeneratorSpec.everything(9103).withConnections(80)),
            Arguments.of("everything, other seed", GeneratorSpec.everything(9104).withIpv6(true).withIcmp(true).withConnections(60)),
            Arguments.of("fragments", GeneratorSpec.defaults(9105).withFragments(true).withReuseTuples(true).withConnections(50)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void shouldListWhatReadingEveryFrameBackLists(final String name, final GeneratorSpec spec) throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve("conn.log"));
        final TruthConn some = truth.conns().get(truth.conns().size() / 2);
        final long middle = truth.frame(truth.frames().size() / 2).tsNanos();
        final List<String> queries = new ArrayList<>();
        queries.add(null);
        queries.add("tcp");
        queries.add("udp or icmp");
        queries.add("host " + some.origH());
        queries.add("src host " + some.origH());
        queries.add("after " + middle / 1_000_000_000L);
        queries.add("tcp and before " + middle / 1_000_000_000L);
        for (int chunkRows : new int[] {SmallChunks.rowsFor(40), 0}) {
            final Path index = dir.resolve("cap-" + chunkRows + ".scalpel");
            if (chunkRows > 0) {
                SmallChunks.index(capture, index, chunkRows);
            }
            for (Scalpel.VlanKey vlans : Scalpel.VlanKey.values()) {
                final Scalpel.Options options = Scalpel.Options.defaults().withIndex(index).withVlanKey(vlans);
                try (Captures captures = Captures.open(capture, options)) {
                    for (String q : queries) {
                        final List<Flows.Row> reference = Flows.listReadBack(captures, q, NOW);
                        assertEquals(reference, Flows.list(captures, q, NOW),
                            name + ", chunks of " + chunkRows + " rows, " + vlans + ", query " + q);
                        if (q == null) {
                            assertTrue(reference.size() >= spec.connections() / 2, "connections listed: " + reference.size());
                            final int readBack = Flows.table(captures, null, NOW, false).keysReadBack();
                            assertTrue(readBack < reference.size() / 2, "keys read back: " + readBack + " of " + reference.size());
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldListWhatReadingEveryFrameBackListsOfAGrownCapture() throws IOException {
        final Path whole = dir.resolve("whole.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(9106).withConnections(60), whole, dir.resolve("conn.log"));
        final byte[] bytes = Files.readAllBytes(whole);
        final PcapFile records = PcapFile.parse(bytes);
        final int cut = (int) records.records.get(records.records.size() / 2).offset();
        final Path capture = dir.resolve("grow.pcap");
        Files.write(capture, Arrays.copyOf(bytes, cut));
        final Path index = dir.resolve("grow.scalpel");
        SmallChunks.index(capture, index, SmallChunks.rowsFor(40));
        Files.write(capture, Arrays.copyOfRange(bytes, cut, bytes.length), StandardOpenOption.APPEND);
        try (Captures captures = Captures.open(capture, Scalpel.Options.defaults().withIndex(index))) {
            final List<Flows.Row> reference = Flows.listReadBack(captures, null, NOW);
            assertTrue(reference.size() >= 30, "connections listed: " + reference.size());
            assertEquals(reference, Flows.list(captures, null, NOW));
        }
    }

    @Test
    void shouldSplitAtANewSynAndAtTimeoutsButNotAtARetransmittedSyn() throws IOException {
        final int client = 40000;
        final CaptureBytes pcap = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        long t = 1_700_000_000L;
        // connection 1: SYN, the SYN again, SYN-ACK, ACK, data, FIN, FIN-ACK: 7 frames
        tcp(pcap, t, 0, true, Frames.TCP_SYN);
        tcp(pcap, t, 1, true, Frames.TCP_SYN);
        tcp(pcap, t, 2, false, Frames.TCP_SYN | Frames.TCP_ACK);
        tcp(pcap, t, 3, true, Frames.TCP_ACK);
        tcp(pcap, t, 4, true, Frames.TCP_PSH | Frames.TCP_ACK);
        tcp(pcap, t, 5, true, 0x01 | Frames.TCP_ACK);
        tcp(pcap, t, 6, false, 0x01 | Frames.TCP_ACK);
        // connection 2: a new SYN on the same ports 1 s later, and its answer: 3 frames
        t += 1;
        tcp(pcap, t, 7, true, Frames.TCP_SYN);
        tcp(pcap, t, 8, false, Frames.TCP_SYN | Frames.TCP_ACK);
        tcp(pcap, t, 9, true, Frames.TCP_ACK);
        // connection 3: 6 minutes of silence, then data: 2 frames
        t += 360;
        tcp(pcap, t, 10, true, Frames.TCP_PSH | Frames.TCP_ACK);
        tcp(pcap, t, 11, false, Frames.TCP_ACK);
        // UDP: 3 frames 30 s apart (one connection), then 70 s of silence and 2 frames (another)
        udp(pcap, t, 12);
        udp(pcap, t + 30, 13);
        udp(pcap, t + 60, 14);
        udp(pcap, t + 130, 15);
        udp(pcap, t + 131, 16);
        final Path capture = pcap.writeTo(dir.resolve("hand.pcap"));
        for (int chunkRows : new int[] {1, 2, 3, 5, 0}) { // frames a chunk; 0: one chunk
            final Path index = dir.resolve("hand-" + chunkRows + ".scalpel");
            if (chunkRows > 0) {
                SmallChunks.index(capture, index, SmallChunks.rowsFor(chunkRows));
            }
            try (Captures captures = Captures.open(capture, Scalpel.Options.defaults().withIndex(index))) {
                final List<Flows.Row> rows = Flows.list(captures, null, NOW);
                final List<String> counted = new ArrayList<>();
                for (Flows.Row r : rows) {
                    counted.add(r.proto() + " " + r.packets());
                }
                assertEquals(List.of("tcp 7", "tcp 3", "tcp 2", "udp 3", "udp 2"), counted, "chunks of " + chunkRows + " rows");
                assertEquals(Flows.listReadBack(captures, null, NOW), rows, "chunks of " + chunkRows + " rows");
                assertEquals(List.of("udp 3", "udp 2"), Flows.list(captures, "udp", NOW).stream().map(r -> r.proto() + " " + r.packets())
                    .toList());
                // one frame a chunk: no row can hold a split, no key is read back; one chunk: both keys' rows hold one
                assertEquals(chunkRows == 1 ? 0 : chunkRows == 0 ? 2 : -1,
                    chunkRows == 1 || chunkRows == 0 ? Flows.table(captures, null, NOW, false).keysReadBack() : -1, "keys read back");
            }
        }
    }

    /** A TCP frame of the client (10.0.0.1:40000, or the server 192.168.1.2:443 when not {@code fromClient}) at second {@code s} + {@code n} ms. */
    private static void tcp(final CaptureBytes pcap, final long s, final int n, final boolean fromClient, final int flags) {
        final byte[] tcp = fromClient ? Frames.tcp(40000, 443, n, n, flags, 1024) : Frames.tcp(443, 40000, n, n, flags, 1024);
        final byte[] ip = fromClient ? Frames.ipv4(Frames.PROTO_TCP, Frames.CLIENT_V4, Frames.SERVER_V4, tcp.length)
            : Frames.ipv4(Frames.PROTO_TCP, Frames.SERVER_V4, Frames.CLIENT_V4, tcp.length);
        pcap.pcapRecord(s, n * 1000L, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4), ip, tcp));
    }

    /** A UDP frame from the client to port 53 at second {@code s}. */
    private static void udp(final CaptureBytes pcap, final long s, final int n) {
        final byte[] udp = Frames.concat(Frames.udp(5353, 53, 4), new byte[4]);
        pcap.pcapRecord(s, n * 1000L, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
            Frames.ipv4(Frames.PROTO_UDP, Frames.CLIENT_V4, Frames.SERVER_V4, udp.length), udp));
    }
}
