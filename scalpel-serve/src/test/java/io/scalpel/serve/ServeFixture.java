package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.api.Captures;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A server on a free loopback port over some captures and a conn.log, an HTTP client for it, and
 * the API's own extracts to compare its answers with.
 */
final class ServeFixture implements AutoCloseable {
    static final byte[] TOKEN = "0123456789abcdef-test-token".getBytes(StandardCharsets.UTF_8);

    final SliceServer server;
    final Path logs;
    final ByteArrayOutputStream accessLog = new ByteArrayOutputStream();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ServeFixture(final List<Path> captures, final Path logs, final byte[] token, final int maxSlices, final long maxBytes,
                 final int maxUids) throws Exception {
        this(captures, logs, token, maxSlices, maxBytes, maxUids, -1);
    }

    ServeFixture(final List<Path> captures, final Path logs, final byte[] token, final int maxSlices, final long maxBytes,
                 final int maxUids, final int sendBufferBytes) throws Exception {
        this(captures, logs, token, maxSlices, maxBytes, maxUids, sendBufferBytes, SliceServer.EXTEND_MS);
    }

    /** With how often growing captures are looked at and extended, ms (0: never). */
    ServeFixture(final List<Path> captures, final Path logs, final byte[] token, final int maxSlices, final long maxBytes,
                 final int maxUids, final int sendBufferBytes, final long extendMillis) throws Exception {
        this.logs = logs;
        this.server = new SliceServer(new ServeSettings(captures, logs, new InetSocketAddress("127.0.0.1", 0), token, maxSlices,
            maxBytes, Duration.ofSeconds(120), maxUids), new PrintStream(accessLog, true, StandardCharsets.UTF_8), sendBufferBytes,
            extendMillis);
    }

    ServeFixture(final Path capture, final Path logs) throws Exception {
        this(List.of(capture), logs, null, 8, 1L << 30, 1000);
    }

    URI uri(final String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    HttpResponse<byte[]> get(final String pathAndQuery, final String... headers) throws IOException, InterruptedException {
        final HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(120));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(final HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** The API's extract of {@code uids} from {@code capture}, written to a file and read back. */
    static byte[] apiExtract(final Path capture, final Path logs, final List<String> uids, final String format, final Path dir)
        throws IOException {
        final Path out = Files.createTempFile(dir, "api", ".extract");
        Files.delete(out);
        try (Captures c = Captures.open(capture, Scalpel.Options.defaults())) {
            Slices.run(c, SliceRequest.builder().conn(logs.toString()).uids(uids).format(format).write(out).build(),
                SliceListener.QUIET);
        }
        return Files.exists(out) ? Files.readAllBytes(out) : new byte[0];
    }

    /** The records of a classic pcap (either byte order): their count, read from the headers. */
    static int pcapRecords(final byte[] pcap) {
        return pcapRecordOffsets(pcap).length;
    }

    /**
     * Where each record of a classic pcap (either byte order) starts, read from the record headers;
     * a record {@code i} ends where the next starts, the last at the end of {@code pcap}.
     */
    static int[] pcapRecordOffsets(final byte[] pcap) {
        final ByteBuffer b = ByteBuffer.wrap(pcap);
        final int magic = b.getInt(0);
        b.order(magic == 0xA1B2C3D4 || magic == 0xA1B23C4D ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        final List<Integer> starts = new ArrayList<>();
        int at = 24; // file header
        while (at + 16 <= pcap.length) {
            starts.add(at);
            at += 16 + b.getInt(at + 8); // record header, incl_len
        }
        if (at != pcap.length) {
            throw new AssertionError("pcap ends inside a record at " + at + " of " + pcap.length);
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** What a test checks of one uid's extract served with 200 beside the API's extract of it. */
    @FunctionalInterface
    interface ServedUid {
        void check(TruthConn conn, byte[] api, HttpResponse<byte[]> served) throws Exception;
    }

    /**
     * Asks the server for each of the generator's uids ({@code slice?uid=}) and compares with the
     * API's extract of the uid from {@code apiCapture} and {@code log}: a uid the API finds no
     * packets of is answered 404; the others are answered 200 and handed to {@code check}.
     *
     * @return how many uids were answered 200
     */
    int sliceEveryUid(final Generated truth, final Path apiCapture, final Path log, final Path dir, final ServedUid check)
        throws Exception {
        int served = 0;
        for (TruthConn conn : truth.conns()) {
            final byte[] api = apiExtract(apiCapture, log, List.of(conn.uid()), null, dir);
            final HttpResponse<byte[]> r = get("/api/v1/slice?uid=" + conn.uid());
            if (api.length == 0) {
                assertEquals(404, r.statusCode(), conn.uid());
                continue;
            }
            assertEquals(200, r.statusCode(), conn.uid() + ": " + text(r));
            check.check(conn, api, r);
            served++;
        }
        return served;
    }

    /**
     * The access log's line of the request whose query is {@code query}. The line is written once
     * the response has ended, which may be just after the client has it: read again until it is there.
     */
    com.fasterxml.jackson.databind.JsonNode accessLogLine(final String query) throws Exception {
        for (int attempt = 0; attempt < 1000; attempt++) {
            for (String line : accessLog.toString(StandardCharsets.UTF_8).split("\n")) {
                if (line.contains("\"query\":\"" + query + "\"")) {
                    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no access log line of ?" + query + " in " + accessLog);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
