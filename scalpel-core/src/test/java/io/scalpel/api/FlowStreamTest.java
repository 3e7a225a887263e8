package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.SmallChunks;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.Frames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel flows} streamed in time order as the flows table is read chunk by chunk, against
 * the listing that reads every frame of every key back from the capture ({@link Flows#listReadBack})
 * and against the listing that holds every flow row before it splits them (the one a capture set's
 * members still use): the same rows in the same order over a capture of a quarter of an hour, made
 * of generated captures (VLANs, QinQ, IPv6, fragments, other protocols, cut frames, unsorted times,
 * reused tuples) laid one after the other with silences longer and shorter than the timeouts, the
 * same tuples coming back, and keys that stay open across every chunk (a TCP connection with a
 * frame every few minutes, a UDP one that times out and comes back), in chunks of a few frames and
 * in one chunk, VLAN-aware and blind, with and without query expressions; {@code --limit} in time
 * order gives the head of the listing, and {@code --sort} with or without a limit the head of the
 * listing sorted.
 */
class FlowStreamTest {
    private static final long NOW = 0;
    private static final long START = 1_700_000_000L;
    /** Seconds after {@link #START} at which each generated piece starts, and the seed that makes it. */
    private static final long[][] PIECES = {{0, 9201}, {90, 9202}, {200, 9201}, {330, 9203}, {600, 9202}, {660, 9201}, {900, 9203}};
    /** The long-lived keys' endpoints. */
    private static final byte[] LONG_A = Frames.bytes(10, 9, 0, 1);
    private static final byte[] LONG_B = Frames.bytes(10, 9, 0, 2);

    @TempDir
    Path dir;

    @Test
    void shouldStreamWhatReadingEveryFrameBackListsOverAQuarterOfAnHour() throws IOException {
        final Path capture = longCapture();
        final List<String> queries = new ArrayList<>();
        queries.add(null);
        queries.add("tcp");
        queries.add("udp or icmp");
        queries.add("after " + (START + 300));
        queries.add("not vlan 100 and before " + (START + 800));
        for (int chunkRows : new int[] {SmallChunks.rowsFor(25), 0}) {
            final Path index = dir.resolve("long-" + chunkRows + ".scalpel");
            if (chunkRows > 0) {
                SmallChunks.index(capture, index, chunkRows);
            }
            for (Scalpel.VlanKey vlans : Scalpel.VlanKey.values()) {
                try (Captures captures = Captures.open(capture, Scalpel.Options.defaults().withIndex(index).withVlanKey(vlans))) {
                    for (String q : queries) {
                        final String what = "chunks of " + chunkRows + " rows, " + vlans + ", query " + q;
                        final List<Flows.Row> reference = Flows.listReadBack(captures, q, NOW);
                        final List<Flows.Row> streamed = Flows.list(captures, q, NOW);
                        assertEquals(reference, streamed, what);
                        assertEquals(reference, held(captures, q), what + ": the listing that holds every row");
                        if (q == null) {
                            assertTrue(reference.size() > 200, "connections listed: " + reference.size());
                            final int readBack = Flows.connections(captures, null, NOW, false, c -> true);
                            assertTrue(readBack < reference.size() / 2, "connections read back: " + readBack + " of " + reference.size());
                            assertLongLivedKeysListed(reference, what);
                            assertLimitsAndSorts(captures, reference, what);
                        }
                    }
                }
            }
        }
    }

    /** The hand-made keys: one TCP connection over the whole capture, the UDP key split at its silences past a minute. */
    private static void assertLongLivedKeysListed(final List<Flows.Row> rows, final String what) {
        final List<Long> tcp = new ArrayList<>();
        final List<Long> udp = new ArrayList<>();
        for (Flows.Row r : rows) {
            if (r.src().equals("10.9.0.1") && r.dst().equals("10.9.0.2")) {
                (r.proto().equals("tcp") ? tcp : udp).add(r.packets());
            }
        }
        assertEquals(List.of((long) PIECES.length * 2 + 1), tcp, what + ": the long TCP connection");
        assertTrue(udp.size() >= 3, what + ": the UDP key's connections " + udp);
        assertEquals(PIECES.length * 2L, udp.stream().mapToLong(Long::longValue).sum(), what + ": the UDP key's frames");
    }

    /** {@code --limit} in time order is the head of the list; by packets and bytes, the head of the list sorted. */
    private static void assertLimitsAndSorts(final Captures captures, final List<Flows.Row> rows, final String what) throws IOException {
        final List<Flows.Row> head = new ArrayList<>();
        assertEquals(5, Flows.each(captures, null, NOW, Flows.Sort.TIME, 5, head::add), what);
        assertEquals(rows.subList(0, 5), head, what);
        assertEquals(0, Flows.each(captures, null, NOW, Flows.Sort.TIME, 0, r -> { }), what);
        for (Flows.Sort sort : new Flows.Sort[] {Flows.Sort.PACKETS, Flows.Sort.BYTES}) {
            final List<Flows.Row> sorted = Flows.sorted(rows, sort);
            final List<Flows.Row> top = new ArrayList<>();
            Flows.each(captures, null, NOW, sort, 7, top::add);
            assertEquals(sorted.subList(0, 7), top, what + ", " + sort + " limit 7");
            final List<Flows.Row> all = new ArrayList<>();
            Flows.each(captures, null, NOW, sort, Long.MAX_VALUE, all::add);
            assertEquals(sorted, all, what + ", " + sort);
        }
    }

    /** The listing of every flow row held, split key by key, then sorted by time (of a capture set: its members' joined in memory). */
    static List<Flows.Row> held(final Captures captures, final String q) throws IOException {
        final io.scalpel.slice.ConnectionTable t = Flows.table(captures, q, NOW, false);
        final List<Flows.Row> rows = new ArrayList<>();
        final io.scalpel.decode.CommunityId ids = new io.scalpel.decode.CommunityId(captures.options().communityIdSeed());
        for (int i = 0; i < t.size(); i++) {
            rows.add(Flows.row(t.get(i), ids));
        }
        return rows;
    }

    /**
     * Generated pieces one after the other ({@link #PIECES}), each followed by two frames of a
     * long-lived TCP key and two of a UDP key (10.9.0.1 to 10.9.0.2), 30 and 60 s after the piece
     * starts.
     */
    private Path longCapture() throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int frames = 0;
        for (int i = 0; i < PIECES.length; i++) {
            final long at = START + PIECES[i][0];
            final Path piece = dir.resolve("piece-" + i + ".pcap");
            final Generated g = CaptureGenerator.generate(GeneratorSpec.everything(PIECES[i][1]).withConnections(40)
                .withStartNanos(at * 1_000_000_000L), piece, dir.resolve("piece-" + i + ".log"));
            final byte[] bytes = Files.readAllBytes(piece);
            out.write(bytes, i == 0 ? 0 : 24, i == 0 ? bytes.length : bytes.length - 24);
            frames += g.frames().size();
            final CaptureBytes hand = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
            final int tcpFlags = i == 0 ? Frames.TCP_SYN : Frames.TCP_ACK;
            hand.pcapRecord(at + 30, 0, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                Frames.ipv4(Frames.PROTO_TCP, LONG_A, LONG_B, Frames.TCP_HEADER_LENGTH), Frames.tcp(41000, 22, i, i, tcpFlags, 1024)));
            hand.pcapRecord(at + 31, 0, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                Frames.ipv4(Frames.PROTO_TCP, LONG_B, LONG_A, Frames.TCP_HEADER_LENGTH),
                Frames.tcp(22, 41000, i, i, i == 0 ? Frames.TCP_SYN | Frames.TCP_ACK : Frames.TCP_ACK, 1024)));
            for (long s : new long[] {30, 60}) {
                final byte[] udp = Frames.concat(Frames.udp(41001, 514, 4), new byte[4]);
                hand.pcapRecord(at + s + 2, 0, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                    Frames.ipv4(Frames.PROTO_UDP, LONG_A, LONG_B, udp.length), udp));
            }
            final byte[] h = hand.bytes();
            out.write(h, 24, h.length - 24);
        }
        if (frames == 0) {
            throw new IllegalStateException("no frames generated");
        }
        // the TCP connection's last frame, after the last piece
        final CaptureBytes last = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        last.pcapRecord(START + PIECES[PIECES.length - 1][0] + 200, 0, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
            Frames.ipv4(Frames.PROTO_TCP, LONG_A, LONG_B, Frames.TCP_HEADER_LENGTH), Frames.tcp(41000, 22, 99, 99, Frames.TCP_ACK, 1024)));
        final byte[] l = last.bytes();
        out.write(l, 24, l.length - 24);
        final Path capture = dir.resolve("long.pcap");
        Files.write(capture, out.toByteArray());
        return capture;
    }

}
