package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.SmallChunks;
import io.scalpel.testing.CaptureBytes;
import io.scalpel.testing.Frames;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scalpel flows} in a child JVM whose heap is smaller than the listing it prints: 150 000
 * connections over 50 minutes of capture, in a heap of 16 MiB (the CSV text alone is larger; a
 * list of the connections at about 160 bytes each, as the listing held before it was streamed,
 * would take 23 MiB), every line checked against the connections the test wrote, in time order:
 * of one capture, of a capture set of 15 members, and of one capture sorted by bytes.
 */
@Tag("e2e")
class FlowsBoundedHeapTest {
    private static final int CONNECTIONS = 150_000;
    private static final String HEAP = "-Xmx16m";
    private static final long HEAP_BYTES = 16L << 20;
    private static final long START_MICROS = 1_700_000_000_000_000L;
    /** A connection starts every 20 ms: 50 minutes in all, about 3 000 open within the UDP timeout. */
    private static final long EVERY_MICROS = 20_000;

    @TempDir
    Path dir;

    @Test
    void shouldListMoreConnectionsThanItsHeapCouldHoldInTimeOrder() throws Exception {
        assertListed(indexed(capture(false, 1)), false);
    }

    /** A connection open from the first frame to the last keeps every other one waiting: they go to a temporary file. */
    @Test
    void shouldListThemBehindAConnectionOpenThroughoutFromATemporaryFile() throws Exception {
        assertListed(indexed(capture(true, 1)), true);
    }

    /**
     * Sorted by bytes without a limit: every connection is sorted in runs of the temporary file;
     * the one open throughout has the most bytes, the others as many each, in time order.
     */
    @Test
    void shouldSortMoreConnectionsThanItsHeapCouldHold() throws Exception {
        assertListed(indexed(capture(true, 1)), true, "--sort", "bytes");
    }

    /** A capture set of 15 members, streamed member after member, the connection open throughout one line across them. */
    @Test
    void shouldListACaptureSetOfMoreConnectionsThanItsHeapCouldHold() throws Exception {
        final Path set = capture(true, 15);
        try (io.scalpel.api.Captures captures = io.scalpel.api.Captures.open(set, io.scalpel.api.Scalpel.Options.defaults())) {
            assertTrue(captures instanceof io.scalpel.api.CaptureSet, "a capture set");
        }
        assertListed(List.of(set.toString()), true);
    }

    @Test
    void shouldNameTheTemporaryDirectoryItCannotWriteIn() throws Exception {
        final Path capture = capture(true, 1);
        final Path index = dir.resolve("many.scalpel");
        SmallChunks.index(capture, index, SmallChunks.rowsFor(4096));
        final Path notADirectory = Files.writeString(dir.resolve("not-a-directory"), "x");
        final Path err = dir.resolve("flows.err");
        final Process p = ChildJvm.start(List.of(HEAP, "-Dscalpel.tmpdir=" + notADirectory), dir.resolve("flows.csv"), err, "flows",
            capture.toString(), "--index", index.toString(), "--csv");
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child still running");
        final String stderr = Files.readString(err);
        assertEquals(ExitCode.OUTPUT.code(), p.exitValue(), stderr);
        assertEquals("scalpel: cannot write " + notADirectory + ": Not a directory (the connections waiting to be listed; the system"
            + " property scalpel.tmpdir, else java.io.tmpdir, names the directory)\n", stderr);
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.filter(f -> f.getFileName().toString().startsWith("scalpel-flows-")).count(), "a temporary file left");
        }
    }

    /** The capture and its index in chunks of 4096 frames, as arguments of {@code flows}. */
    private List<String> indexed(final Path capture) throws IOException {
        final Path index = dir.resolve("many.scalpel");
        SmallChunks.index(capture, index, SmallChunks.rowsFor(4096));
        return List.of(capture.toString(), "--index", index.toString());
    }

    /**
     * The connections written, and with {@code throughout} the one open throughout (first), listed
     * in time order in the small heap by {@code flows CAPTURE --csv OPTIONS...}.
     */
    private void assertListed(final List<String> capture, final boolean throughout, final String... options) throws Exception {
        final Path out = dir.resolve("flows.csv");
        final Path err = dir.resolve("flows.err");
        final Path tmp = Files.createDirectory(dir.resolve("tmp"));
        final List<String> args = new java.util.ArrayList<>(List.of("flows"));
        args.addAll(capture);
        args.add("--csv");
        args.addAll(List.of(options));
        final Process p = ChildJvm.start(List.of(HEAP, "-XX:+UseSerialGC", "-Dscalpel.tmpdir=" + tmp), out, err, args.toArray(String[]::new));
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child still running");
        assertEquals(0, p.exitValue(), Files.readString(err));
        assertTrue(Files.size(out) > HEAP_BYTES, "the listing is " + Files.size(out) + " bytes, no more than the heap");
        try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "the temporary file left behind");
        }
        try (BufferedReader lines = Files.newBufferedReader(out)) {
            assertTrue(lines.readLine().startsWith("first_ts,last_ts,proto,src,src_port,dst,dst_port,"));
            if (throughout) {
                final String first = lines.readLine();
                assertTrue(first.startsWith(Instant.ofEpochSecond(0, (START_MICROS - 1000) * 1000) + ","
                    + Instant.ofEpochSecond(0, (START_MICROS + (CONNECTIONS - 1) * EVERY_MICROS - 1000) * 1000)
                    + ",udp,10.200.0.1,999,192.168.1.2,123,"), first);
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                final String line = lines.readLine();
                final long micros = START_MICROS + i * EVERY_MICROS;
                final String expected = String.join(",", Instant.ofEpochSecond(0, micros * 1000).toString(),
                    Instant.ofEpochSecond(0, (micros + 1000) * 1000).toString(), "udp", client(i), Integer.toString(port(i)), "192.168.1.2",
                    "53", "", "", "0", "2");
                assertTrue(line != null && line.startsWith(expected + ","), "line " + (i + 2) + ": " + line + ", expected " + expected);
            }
            assertEquals(null, lines.readLine(), "a line more than the connections written");
        }
    }

    /**
     * Connection {@code i}: a UDP query from its client to 192.168.1.2:53 and the answer 1 ms later;
     * with {@code throughout}, a UDP frame from 10.200.0.1:999 to 192.168.1.2:123 every 30 s, 1 ms
     * before a query, from the first query's to the last's. One file, or with {@code members} more
     * than one a directory of that many files (a capture set), each of as many connections.
     */
    private Path capture(final boolean throughout, final int members) throws IOException {
        final Path set = members > 1 ? Files.createDirectory(dir.resolve("set")) : null;
        CaptureBytes pcap = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
        final byte[] server = Frames.bytes(192, 168, 1, 2);
        for (int i = 0; i < CONNECTIONS; i++) {
            if (set != null && i > 0 && i % (CONNECTIONS / members) == 0) {
                pcap.writeTo(set.resolve("many-" + (i / (CONNECTIONS / members) - 1) + ".pcap"));
                pcap = CaptureBytes.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 65535, 1);
            }
            if (throughout && (i % 1500 == 0 || i == CONNECTIONS - 1)) {
                final long micros = START_MICROS + i * EVERY_MICROS - 1000;
                final byte[] beat = Frames.concat(Frames.udp(999, 123, 4), new byte[4]);
                pcap.pcapRecord(micros / 1_000_000, micros % 1_000_000, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                    Frames.ipv4(Frames.PROTO_UDP, Frames.bytes(10, 200, 0, 1), server, beat.length), beat));
            }
            final byte[] client = Frames.bytes(10, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF);
            final long micros = START_MICROS + i * EVERY_MICROS;
            final byte[] query = Frames.concat(Frames.udp(port(i), 53, 4), new byte[4]);
            pcap.pcapRecord(micros / 1_000_000, micros % 1_000_000, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                Frames.ipv4(Frames.PROTO_UDP, client, server, query.length), query));
            final byte[] answer = Frames.concat(Frames.udp(53, port(i), 4), new byte[4]);
            pcap.pcapRecord((micros + 1000) / 1_000_000, (micros + 1000) % 1_000_000, Frames.concat(Frames.ethernet(Frames.ETHERTYPE_IPV4),
                Frames.ipv4(Frames.PROTO_UDP, server, client, answer.length), answer));
        }
        if (set != null) {
            pcap.writeTo(set.resolve("many-" + (members - 1) + ".pcap"));
            return set;
        }
        return pcap.writeTo(dir.resolve("many.pcap"));
    }

    private static String client(final int i) {
        return "10." + ((i >> 16) & 0xFF) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF);
    }

    private static int port(final int i) {
        return 1024 + i % 60_000;
    }
}
