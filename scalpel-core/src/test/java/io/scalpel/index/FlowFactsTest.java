package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.capture.MappedFile;
import io.scalpel.decode.FlowKey;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.Frames;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flows table's {@code facts} column (format 8, {@link FlowFacts}): what each row's frames,
 * written by hand below, say about where Zeek splits their key, and the rule that splits a key at
 * rows whose facts allow it.
 */
class FlowFactsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int SYN = Frames.TCP_SYN;
    private static final int SYN_ACK = Frames.TCP_SYN | Frames.TCP_ACK;
    private static final int ACK = Frames.TCP_ACK;

    @TempDir
    Path dir;

    @Test
    void shouldWriteWhatEachRowsFramesSay() throws IOException {
        final CaptureBytes pcap = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        // chunk 0 (4 rows a chunk): a SYN, its retransmission, the answer, the ACK
        tcp(pcap, 0, 0, true, SYN);
        tcp(pcap, 0, 1, true, SYN);
        tcp(pcap, 0, 2, false, SYN_ACK);
        tcp(pcap, 0, 3, true, ACK);
        // chunk 1: data, then a new SYN on the same ports (a new connection inside the row)
        tcp(pcap, 1, 4, true, ACK);
        tcp(pcap, 1, 5, true, SYN);
        tcp(pcap, 1, 6, false, SYN_ACK);
        tcp(pcap, 1, 7, true, ACK);
        // chunk 2: data, 6 minutes of silence, data
        tcp(pcap, 2, 8, true, ACK);
        tcp(pcap, 362, 9, true, ACK);
        tcp(pcap, 362, 10, false, ACK);
        tcp(pcap, 361, 11, true, ACK); // a second earlier than the frame before it
        final Path capture = pcap.writeTo(dir.resolve("cap.pcap"));
        new IndexBuilder(capture, dir.resolve("idx"), MappedFile.DEFAULT_SEGMENT_SIZE, SmallChunks.rowsFor(4)).build();
        final List<int[]> rows = new ArrayList<>();
        try (PacketIndex index = PacketIndex.open(capture, dir.resolve("idx"))) {
            index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, r -> rows.add(new int[] {r.chunk(), r.facts()}));
        }
        rows.sort((a, b) -> Integer.compare(a[0], b[0]));
        assertEquals(3, rows.size());
        assertEquals(FlowFacts.SYN_FIRST | FlowFacts.ESTABLISHES | FlowFacts.BOTH_WAYS, rows.get(0)[1], "SYN, SYN again, answer");
        assertEquals(FlowFacts.ESTABLISHES | FlowFacts.SYN_INSIDE | FlowFacts.BOTH_WAYS, rows.get(1)[1], "a SYN after data");
        assertEquals(FlowFacts.ESTABLISHES | FlowFacts.GAP | FlowFacts.DISORDER | FlowFacts.BOTH_WAYS, rows.get(2)[1],
            "a silence and a frame out of time order");
    }

    @Test
    void shouldTellWhereARowStartsAConnection() {
        final int tcp = FlowKey.PROTO_TCP;
        final int udp = FlowKey.PROTO_UDP;
        // a first SYN on an established connection: reuse; on one not established: a retransmission
        assertTrue(FlowFacts.startsConnection(FlowFacts.SYN_FIRST, tcp, 10 * SECOND, 9 * SECOND, true));
        assertFalse(FlowFacts.startsConnection(FlowFacts.SYN_FIRST, tcp, 10 * SECOND, 9 * SECOND, false));
        // TCP's timeout is 5 min, UDP's 1 min, to the nanosecond
        assertFalse(FlowFacts.startsConnection(FlowFacts.ESTABLISHES, tcp, 300 * SECOND, 0, true));
        assertTrue(FlowFacts.startsConnection(FlowFacts.ESTABLISHES, tcp, 300 * SECOND + 1, 0, true));
        assertFalse(FlowFacts.startsConnection(0, udp, 60 * SECOND, 0, false));
        assertTrue(FlowFacts.startsConnection(0, udp, 60 * SECOND + 1, 0, false));
        // a frame without its flags neither establishes nor is a SYN; a SYN after it may split
        assertEquals(0, FlowFacts.first(tcp, FlowKey.NO_TCP_FLAGS));
        assertEquals(FlowFacts.SYN_INSIDE, FlowFacts.next(0, tcp, SYN, 1, 0));
        assertEquals(FlowFacts.SYN_FIRST, FlowFacts.next(FlowFacts.SYN_FIRST, tcp, SYN, 1, 0));
        assertEquals(FlowFacts.GAP, FlowFacts.next(0, udp, FlowKey.NO_TCP_FLAGS, 60 * SECOND + 1, 0));
        assertEquals(FlowFacts.DISORDER, FlowFacts.next(0, udp, FlowKey.NO_TCP_FLAGS, 0, 1));
    }

    /** A TCP frame between 10.0.0.1:40000 and 192.168.1.2:443 at second {@code s} + {@code n} ms. */
    private static void tcp(final CaptureBytes pcap, final long s, final int n, final boolean fromClient, final int flags) {
        final byte[] tcp = fromClient ? Frames.tcp(40000, 443, n, n, flags, 1024) : Frames.tcp(443, 40000, n, n, flags, 1024);
        final byte[] ip = fromClient ? Frames.ipv4(Frames.PROTO_TCP, Frames.CLIENT_V4, Frames.SERVER_V4, tcp.length)
            : Frames.ipv4(Frames.PROTO_TCP, Frames.SERVER_V4, Frames.CLIENT_V4, tcp.length);
        pcap.pcapRecord(1_700_000_000L + s, n * 1000L, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4), ip, tcp));
    }
}
