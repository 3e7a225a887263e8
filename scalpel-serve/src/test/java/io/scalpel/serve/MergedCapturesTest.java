package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code capture=}, a connection's packets from every configured capture that has them,
 * merged in time order into one extract. A capture cut in two, served as two captures: a uid whose
 * frames are all in one half, or a UDP or ICMP uid across the cut, gets the API's extract of the
 * whole capture byte for byte with the generator's frames; a TCP uid across the cut gets the API's
 * extracts of the two halves merged by time (each capture is sliced on its own, so a close seen in
 * one does not open the tail in the other: a capture set does that). Captures whose extracts cannot
 * be one pcap (µs and ns) are one pcapng, or, when pcap was asked for, a 409 that names them.
 */
class MergedCapturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldMergeAConnectionsPacketsFromTwoCapturesIntoTheWholeCapturesExtract() throws Exception {
        final Path whole = dir.resolve("whole.pcap");
        final Path log = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(44), whole, log);
        final Path first = Files.createDirectories(dir.resolve("one")).resolve("first.pcap");
        final Path second = Files.createDirectories(dir.resolve("two")).resolve("second.pcap");
        final int records = split(whole, first, second);
        final int[] across = {0};
        try (ServeFixture serve = new ServeFixture(List.of(first, second), log, null, 8, 1L << 30, 1000)) {
            serve.sliceEveryUid(truth, whole, log, dir, (conn, api, r) -> {
                final List<Integer> frames = truth.framesOf(conn.uid());
                final boolean cut = frames.get(0) <= records / 2 && frames.get(frames.size() - 1) > records / 2;
                if (cut && conn.proto().equals("tcp")) {
                    assertArrayEquals(merged(ServeFixture.apiExtract(first, log, List.of(conn.uid()), null, dir),
                        ServeFixture.apiExtract(second, log, List.of(conn.uid()), null, dir)), r.body(), conn.uid());
                } else {
                    assertArrayEquals(api, r.body(), conn.uid() + ": the whole capture's extract");
                    assertEquals(frames.size(), ServeFixture.pcapRecords(r.body()), conn.uid());
                }
                if (cut) {
                    across[0]++;
                    final JsonNode listed = JSON.readTree(serve.get("/api/v1/connections?uid=" + conn.uid()).body());
                    assertEquals(1, listed.get("connections").size(), "one row per uid");
                }
            });
        }
        assertTrue(across[0] > 0, "some connections were cut in two");
    }

    @Test
    void shouldAnswer409WhenTheExtractsCannotBeOnePcapAndPcapWasAskedFor() throws Exception {
        final Path log = dir.resolve("conn.log");
        final Path micros = Files.createDirectories(dir.resolve("us")).resolve("micros.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(45), micros, log);
        final Path nanos = Files.createDirectories(dir.resolve("ns")).resolve("nanos.pcap");
        Files.write(nanos, inNanoseconds(Files.readAllBytes(micros)));
        final TruthConn conn = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).findFirst().orElseThrow();
        try (ServeFixture serve = new ServeFixture(List.of(micros, nanos), log, null, 8, 1L << 30, 1000)) {
            final HttpResponse<byte[]> r = serve.get("/api/v1/slice?format=pcap&uid=" + conn.uid());
            assertEquals(409, r.statusCode(), ServeFixture.text(r));
            final String error = JSON.readTree(r.body()).get("error").asText();
            assertEquals("the packets are in several captures whose extracts cannot be one pcap: micros.pcap (link type 1, µs,"
                + " little-endian), nanos.pcap (link type 1, ns, little-endian); name one with capture=", error);
            assertEquals(200, serve.get("/api/v1/slice?capture=micros.pcap&uid=" + conn.uid()).statusCode());
            final HttpResponse<byte[]> any = serve.get("/api/v1/slice?uid=" + conn.uid());
            assertEquals(200, any.statusCode(), "without format=, one pcapng (PcapngMergeTest)");
            assertEquals("application/x-pcapng", any.headers().firstValue("Content-Type").orElse(""));
        }
    }

    @Test
    void shouldAnswer413WhenTheExtractsTogetherPassTheResponseLimit() throws Exception {
        final Path whole = dir.resolve("whole.pcap");
        final Path log = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(46), whole, log);
        final Path first = Files.createDirectories(dir.resolve("one")).resolve("first.pcap");
        final Path second = Files.createDirectories(dir.resolve("two")).resolve("second.pcap");
        split(whole, first, second);
        final TruthConn conn = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).findFirst().orElseThrow();
        final long limit = ServeFixture.apiExtract(whole, log, List.of(conn.uid()), null, dir).length - 1L;
        try (ServeFixture serve = new ServeFixture(List.of(first, second, whole), log, null, 8, limit, 1000)) {
            final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=" + conn.uid());
            assertEquals(413, r.statusCode(), ServeFixture.text(r));
            assertTrue(JSON.readTree(r.body()).get("error").asText().startsWith("the extracts are larger than the limit of "),
                ServeFixture.text(r));
        }
    }

    /** A little-endian µs pcap as the same packets in a ns pcap. */
    private static byte[] inNanoseconds(final byte[] pcap) {
        final ByteBuffer b = ByteBuffer.wrap(pcap.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0xA1B23C4D);
        for (int at : ServeFixture.pcapRecordOffsets(pcap)) {
            b.putInt(at + 4, b.getInt(at + 4) * 1000);
        }
        return b.array();
    }

    /** Two little-endian pcaps of one header as one, records by time (the first's first on a tie): the test's own merge. */
    private static byte[] merged(final byte[] a, final byte[] b) {
        final List<byte[]> records = new java.util.ArrayList<>();
        final List<Long> times = new java.util.ArrayList<>();
        for (byte[] pcap : new byte[][] {a, b}) {
            if (pcap.length == 0) {
                continue; // no extract from this half
            }
            final ByteBuffer in = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
            for (int at : ServeFixture.pcapRecordOffsets(pcap)) {
                times.add(in.getInt(at) * 1_000_000L + in.getInt(at + 4));
                records.add(java.util.Arrays.copyOfRange(pcap, at, at + 16 + in.getInt(at + 8)));
            }
        }
        final Integer[] order = new Integer[records.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingLong(times::get)); // stable: a's first on a tie
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(a.length >= 24 ? a : b, 0, 24);
        for (int i : order) {
            out.write(records.get(i), 0, records.get(i).length);
        }
        return out.toByteArray();
    }

    /** Writes the first half of {@code pcap}'s records to {@code a}, the rest to {@code b}, each with its header; the records. */
    private static int split(final Path pcap, final Path a, final Path b) throws Exception {
        final byte[] in = Files.readAllBytes(pcap);
        final int[] starts = ServeFixture.pcapRecordOffsets(in);
        final int records = starts.length;
        final ByteArrayOutputStream first = new ByteArrayOutputStream();
        final ByteArrayOutputStream second = new ByteArrayOutputStream();
        first.write(in, 0, 24);
        second.write(in, 0, 24);
        for (int i = 0; i < records; i++) {
            final int end = i + 1 < records ? starts[i + 1] : in.length;
            (i + 1 <= records / 2 ? first : second).write(in, starts[i], end - starts[i]);
        }
        Files.write(a, first.toByteArray());
        Files.write(b, second.toByteArray());
        return records;
    }
}
