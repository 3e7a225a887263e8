package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.Frames;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel flows} with three connections held in memory ({@code scalpel.flows.held}), the
 * rest in runs of the temporary file, merged: a capture set's listing streamed member after
 * member (a connection that runs on into the next member joined as it comes) against the
 * members' connections joined in memory (the listing before it was streamed), and the listing
 * sorted by packets and bytes, with and without a limit, against the listing sorted in memory
 * ({@link Flows#sorted}), over a capture set of rotated, overlapping and following members with
 * keys that run on across them, VLAN-aware and blind, with and without query expressions. The
 * temporary file is seen open while they run (a descriptor of the process, on Linux) and is gone
 * after a listing, and after one whose sink fails.
 */
class FlowSpillTest {
    private static final long NOW = 0;
    private static final long START = 1_700_000_000L;
    private static final byte[] LONG_A = Frames.bytes(10, 9, 0, 1);
    private static final byte[] LONG_B = Frames.bytes(10, 9, 0, 2);

    @TempDir
    Path dir;
    private Path tmp;
    private boolean spillSeen;

    @BeforeEach
    void holdThree() throws IOException {
        tmp = Files.createDirectory(dir.resolve("tmp"));
        System.setProperty("scalpel.flows.held", "3");
        System.setProperty("scalpel.tmpdir", tmp.toString());
    }

    @AfterEach
    void holdTheDefault() {
        System.clearProperty("scalpel.flows.held");
        System.clearProperty("scalpel.tmpdir");
    }

    @Test
    void shouldStreamACaptureSetAsItsMembersJoinedInMemory() throws IOException {
        final Path set = captureSet();
        final List<String> queries = new ArrayList<>();
        queries.add(null);
        queries.add("tcp");
        queries.add("udp or icmp");
        queries.add("after " + (START + 300));
        queries.add("not vlan 100 and before " + (START + 700));
        for (Scalpel.VlanKey vlans : Scalpel.VlanKey.values()) {
            try (Captures captures = Captures.open(set, Scalpel.Options.defaults().withVlanKey(vlans))) {
                assertTrue(captures instanceof CaptureSet, "a capture set");
                for (String q : queries) {
                    final String what = vlans + ", query " + q;
                    final List<Flows.Row> reference = FlowStreamTest.held(captures, q);
                    final List<Flows.Row> streamed = new ArrayList<>();
                    Flows.each(captures, q, NOW, Flows.Sort.TIME, Long.MAX_VALUE, r -> {
                        streamed.add(r);
                        spillSeen |= spillOpen();
                    });
                    assertEquals(reference, streamed, what);
                    assertNoTemporaryFile(what);
                    if (q == null) {
                        assertTrue(reference.size() > 100, "connections listed: " + reference.size());
                        assertLongLivedKeysJoined(reference, what);
                        assertSorts(captures, reference, what);
                    }
                }
            }
        }
        assertSpillSeen();
    }

    @Test
    void shouldSortACaptureThroughTheTemporaryFile() throws IOException {
        final Path capture = dir.resolve("one.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(9311).withReuseTuples(true).withConnections(150), capture,
            dir.resolve("one.log"));
        try (Captures captures = Captures.open(capture, Scalpel.Options.defaults())) {
            final List<Flows.Row> rows = Flows.list(captures, null, NOW);
            assertTrue(rows.size() > 100, "connections listed: " + rows.size());
            assertSorts(captures, rows, "one capture");
            final List<Flows.Row> tcp = Flows.list(captures, "tcp", NOW);
            final List<Flows.Row> byBytes = new ArrayList<>();
            Flows.each(captures, "tcp", NOW, Flows.Sort.BYTES, Long.MAX_VALUE, byBytes::add);
            assertEquals(Flows.sorted(tcp, Flows.Sort.BYTES), byBytes, "tcp by bytes");
        }
        assertSpillSeen();
    }

    @Test
    void shouldLeaveNoTemporaryFileWhenTheListingFails() throws IOException {
        final Path set = captureSet();
        try (Captures captures = Captures.open(set, Scalpel.Options.defaults())) {
            for (Flows.Sort sort : Flows.Sort.values()) {
                final int[] handed = {0};
                final IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Flows.each(captures, null, NOW, sort, Long.MAX_VALUE, r -> {
                        spillSeen |= spillOpen();
                        if (++handed[0] == 20) {
                            throw new IllegalStateException("the sink fails");
                        }
                    }));
                assertEquals("the sink fails", e.getMessage());
                assertNoTemporaryFile(sort + ", the sink failed");
            }
        }
        assertSpillSeen();
    }

    /** By packets and bytes, every row and the first 2 (held in a heap) and 40 (from the sort's runs), as the rows sorted in memory. */
    private void assertSorts(final Captures captures, final List<Flows.Row> rows, final String what) throws IOException {
        for (Flows.Sort sort : new Flows.Sort[] {Flows.Sort.PACKETS, Flows.Sort.BYTES}) {
            final List<Flows.Row> sorted = Flows.sorted(rows, sort);
            for (long limit : new long[] {2, 40, Long.MAX_VALUE}) {
                final List<Flows.Row> out = new ArrayList<>();
                final long n = Flows.each(captures, null, NOW, sort, limit, r -> {
                    out.add(r);
                    spillSeen |= spillOpen();
                });
                final List<Flows.Row> expected = sorted.subList(0, (int) Math.min(limit, sorted.size()));
                assertEquals(expected, out, what + ", " + sort + ", limit " + limit);
                assertEquals(expected.size(), n, what + ", " + sort + ", limit " + limit);
                assertNoTemporaryFile(what + ", " + sort + ", limit " + limit);
            }
        }
    }

    /** The hand-made keys: the TCP connection across three members one row, the UDP keys joined across a short gap only. */
    private static void assertLongLivedKeysJoined(final List<Flows.Row> rows, final String what) {
        final List<Long> tcp = new ArrayList<>();
        final List<Long> near = new ArrayList<>();
        final List<Long> far = new ArrayList<>();
        for (Flows.Row r : rows) {
            if (r.src().equals("10.9.0.1") && r.dst().equals("10.9.0.2")) {
                (r.proto().equals("tcp") ? tcp : r.srcPort() == 41001 ? near : far).add(r.packets());
            }
        }
        assertEquals(List.of(12L), tcp, what + ": the TCP connection across the members");
        assertEquals(List.of(18L), near, what + ": the UDP key with 50 s between members");
        assertEquals(List.of(6L, 6L, 6L), far, what + ": the UDP key with 100 s between members");
    }

    /** Whether this process has a spill file open (Linux; false elsewhere). */
    private static boolean spillOpen() {
        final Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return false;
        }
        try (Stream<Path> open = Files.list(fds)) {
            return open.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("scalpel-flows-");
                } catch (IOException e) {
                    return false; // the descriptor of the listing itself, closed meanwhile
                }
            });
        } catch (IOException e) {
            return false;
        }
    }

    private void assertSpillSeen() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")),
            "skipped: no /proc/self/fd to see the temporary file open by");
        assertTrue(spillSeen, "the temporary file was never open while the rows were handed on");
    }

    private void assertNoTemporaryFile(final String what) throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), what + ": the temporary file left behind");
        }
        assertTrue(!spillOpen(), what + ": the temporary file still open");
    }

    /**
     * A capture set: a generated capture rotated into three members, two generated captures that
     * overlap it and follow it, and three hand-made members one after the other over the whole
     * span, with a TCP key (a frame every 40 s, 180 s between members: one connection), a UDP key
     * with 50 s between members (one connection) and one with 100 s (one a member); and a member
     * read second that ends after all the others.
     */
    private Path captureSet() throws IOException {
        final Path set = Files.createDirectories(dir.resolve("set"));
        final Path rotated = dir.resolve("rotated.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(9301).withConnections(60)
            .withStartNanos(START * 1_000_000_000L), rotated, dir.resolve("rotated.log"));
        RotatedCaptures.cutEvenly(rotated, truth, set, "rot-%02d.%s", false, true, false);
        CaptureGenerator.generate(GeneratorSpec.defaults(9302).withReuseTuples(true).withConnections(40)
            .withStartNanos((START + 5) * 1_000_000_000L), set.resolve("over.pcap"), dir.resolve("over.log"));
        CaptureGenerator.generate(GeneratorSpec.everything(9303).withConnections(40)
            .withStartNanos((START + 400) * 1_000_000_000L), set.resolve("after.pcap"), dir.resolve("after.log"));
        for (int m = 0; m < 3; m++) {
            final long from = START - 10 + m * 300L;
            // frames in time order: {second, kind, number}
            final List<long[]> frames = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                if (i < 4) {
                    frames.add(new long[] {from + 40L * i, 0, i});
                }
                frames.add(new long[] {from + 2 + 50L * i, 41001, i});
                frames.add(new long[] {from + 3 + 40L * i, 41002, i});
            }
            frames.sort(java.util.Comparator.comparingLong(f -> f[0]));
            final CaptureBytes hand = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
            for (long[] f : frames) {
                if (f[1] == 0) {
                    final int flags = m == 0 && f[2] == 0 ? Frames.TCP_SYN : Frames.TCP_ACK;
                    hand.pcapRecord(f[0], 0, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                        Frames.ipv4(Frames.PROTO_TCP, LONG_A, LONG_B, Frames.TCP_HEADER_LENGTH),
                        Frames.tcp(41000, 22, (int) f[2], (int) f[2], flags, 1024)));
                } else {
                    final byte[] udp = Frames.concat(Frames.udp((int) f[1], 514, 4), new byte[4]);
                    hand.pcapRecord(f[0], 0, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                        Frames.ipv4(Frames.PROTO_UDP, LONG_A, LONG_B, udp.length), udp));
                }
            }
            hand.writeTo(set.resolve("long-" + m + ".pcap"));
        }
        // read second, and its last frame after every other member's: nothing before it may be closed or handed on for it
        final CaptureBytes span = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        for (long at : new long[] {START - 8, START + 900}) {
            final byte[] udp = Frames.concat(Frames.udp(5353, 5353, 4), new byte[4]);
            span.pcapRecord(at, 0, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                Frames.ipv4(Frames.PROTO_UDP, Frames.bytes(10, 9, 0, 3), Frames.bytes(10, 9, 0, 4), udp.length), udp));
        }
        span.writeTo(set.resolve("span.pcap"));
        return set;
    }
}
