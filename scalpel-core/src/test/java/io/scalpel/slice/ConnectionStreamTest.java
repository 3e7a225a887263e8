package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.PacketIndex;
import io.scalpel.index.SmallChunks;
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
 * The stream hands connections on while it reads, not at the end: over 20 000 UDP connections of
 * 2 frames, one every 20 ms (400 s of capture, about 3 000 within the UDP timeout of one another),
 * in chunks of 512 frames, every connection written comes out in time order with its counts, and
 * no more than a UDP timeout's worth of them wait to be handed on at once (those still open at
 * the end); a sink that wants no more stops the read.
 */
class ConnectionStreamTest {
    private static final int CONNECTIONS = 20_000;
    private static final long START_MICROS = 1_700_000_000_000_000L;
    private static final long EVERY_MICROS = 20_000;

    @TempDir
    Path dir;

    @Test
    void shouldHandConnectionsOnAsItReads() throws IOException {
        final Path capture = capture();
        final Path indexDir = dir.resolve("many.scalpel");
        SmallChunks.index(capture, indexDir, SmallChunks.rowsFor(512));
        final List<Connection> out = new ArrayList<>();
        final ConnectionStream stream;
        try (PacketIndex index = PacketIndex.open(capture, indexDir)) {
            // no key of this capture is read back: no frame is confirmed
            stream = new ConnectionStream(index, false, null, null, c -> out.add(c), dir);
            assertEquals(0, stream.run());
        }
        assertEquals(CONNECTIONS, out.size());
        for (int i = 0; i < CONNECTIONS; i++) {
            final Connection c = out.get(i);
            final long first = (START_MICROS + i * EVERY_MICROS) * 1000;
            assertEquals(List.of(first, first + 1_000_000, 2L, (long) port(i), 53),
                List.of(c.firstTs(), c.lastTs(), c.packets(), (long) c.srcPort(), c.dstPort()), "connection " + i);
            assertEquals(i, c.srcLo() & 0xFF_FFFF, "connection " + i + "'s client");
        }
        // the most are the 3 000 or so still open at the end, closed at once; a listing held to the end would have 20 000
        assertTrue(stream.mostWaiting() < CONNECTIONS / 5, "at most " + stream.mostWaiting() + " waited at once");
    }

    @Test
    void shouldStopReadingWhenTheSinkWantsNoMore() throws IOException {
        final Path capture = capture();
        final Path indexDir = dir.resolve("many.scalpel");
        SmallChunks.index(capture, indexDir, SmallChunks.rowsFor(512));
        final List<Connection> out = new ArrayList<>();
        try (PacketIndex index = PacketIndex.open(capture, indexDir)) {
            new ConnectionStream(index, false, null, null, c -> out.add(c) && out.size() < 3, dir).run();
        }
        assertEquals(3, out.size());
        assertEquals((START_MICROS + 2 * EVERY_MICROS) * 1000, out.get(2).firstTs());
    }

    /** Connection {@code i}: a UDP query from 10.x.y.z (x.y.z = i) to 192.168.1.2:53 and its answer 1 ms later. */
    private Path capture() throws IOException {
        final CaptureBytes pcap = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        final byte[] server = Frames.bytes(192, 168, 1, 2);
        for (int i = 0; i < CONNECTIONS; i++) {
            final byte[] client = Frames.bytes(10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF);
            final long micros = START_MICROS + i * EVERY_MICROS;
            final byte[] query = Frames.concat(Frames.udp(port(i), 53, 4), new byte[4]);
            pcap.pcapRecord(micros / 1_000_000, micros % 1_000_000, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                Frames.ipv4(Frames.PROTO_UDP, client, server, query.length), query));
            final byte[] answer = Frames.concat(Frames.udp(53, port(i), 4), new byte[4]);
            pcap.pcapRecord((micros + 1000) / 1_000_000, (micros + 1000) % 1_000_000, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                Frames.ipv4(Frames.PROTO_UDP, server, client, answer.length), answer));
        }
        return pcap.writeTo(dir.resolve("many.pcap"));
    }

    private static int port(final int i) {
        return 1024 + i % 60_000;
    }
}
