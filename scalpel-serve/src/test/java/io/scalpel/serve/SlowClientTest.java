package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that reads its extract slowly holds its own slice only: while it has read nothing of a
 * response larger than the sockets' buffers (so the server's slicing thread waits on it: a slice
 * in flight), every other uid is served whole. Then the slow client reads its extract, whole too.
 */
class SlowClientTest {
    /** The server's socket send buffer: small, so that an extract of a few MB outgrows it (the OS's could hold 4 MB). */
    private static final int SEND_BUFFER = 16 * 1024;

    @TempDir
    static Path dir;
    static Path capture;
    static Path log;
    static List<String> uids;
    static byte[] all;

    @BeforeAll
    static void generate() throws Exception {
        capture = dir.resolve("big.pcap");
        log = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(99).withConnections(400).withMaxPayload(1400)
            .withIcmp(false), capture, log);
        uids = truth.conns().stream().map(TruthConn::uid).filter(u -> !truth.framesOf(u).isEmpty()).toList();
        all = ServeFixture.apiExtract(capture, log, uids, null, dir);
        assertTrue(all.length > 1 << 20, "the slow extract must outgrow the sockets' buffers: " + all.length + " bytes");
    }

    /** A client that asks for every uid's packets and reads nothing yet. */
    private static Socket slowClient(final ServeFixture serve) throws Exception {
        final Socket slow = new Socket();
        slow.setReceiveBufferSize(4096);
        slow.connect(new InetSocketAddress("127.0.0.1", serve.server.port()));
        final OutputStream out = slow.getOutputStream();
        out.write(("GET /api/v1/slice?uid=" + String.join(",", uids) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        waitForSliceInFlight(serve);
        return slow;
    }

    /** The body of the slow client's response, read whole now, after its 200. */
    private static byte[] body(final Socket slow) throws Exception {
        final byte[] response = readAll(slow.getInputStream());
        final int bodyAt = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
        final String head = new String(response, 0, bodyAt, StandardCharsets.US_ASCII);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        final byte[] body = Arrays.copyOfRange(response, bodyAt, response.length);
        return head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked") ? dechunk(body) : body;
    }

    @Test
    void shouldLetAResponseInFlightFinishWhenStopped() throws Exception {
        final ServeFixture serve = new ServeFixture(List.of(capture), log, null, 2, 1L << 30, 1000, SEND_BUFFER);
        final int port = serve.server.port();
        try (Socket slow = slowClient(serve)) {
            final Thread stopping = new Thread(() -> {
                try {
                    serve.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            stopping.start();
            assertArrayEquals(all, body(slow), "the response in flight, whole, though the server was told to stop");
            stopping.join();
        }
        assertThrows(java.net.ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "stopped: no longer listening");
    }

    @Test
    void shouldServeOthersWhileASlowClientHoldsItsSlice() throws Exception {
        try (ServeFixture serve = new ServeFixture(List.of(capture), log, null, 2, 1L << 30, 1000, SEND_BUFFER)) {
            try (Socket slow = slowClient(serve)) {
                for (String uid : uids.subList(0, 20)) {
                    final var r = serve.get("/api/v1/slice?uid=" + uid);
                    assertEquals(200, r.statusCode(), uid);
                    assertArrayEquals(ServeFixture.apiExtract(capture, log, List.of(uid), null, dir), r.body(), uid);
                }
                assertTrue(ServeFixture.text(serve.get("/metrics")).contains("scalpel_slices_in_flight 1"),
                    "the slow client's slice is still waiting on it");
                assertArrayEquals(all, body(slow));
            }
        }
    }

    /** Waits until the slow client's slice is running (it starts on its own thread). */
    private static void waitForSliceInFlight(final ServeFixture serve) throws Exception {
        for (int attempt = 0; attempt < 2000; attempt++) {
            if (ServeFixture.text(serve.get("/metrics")).contains("scalpel_slices_in_flight 1")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the slow client's slice never started");
    }

    private static byte[] readAll(final InputStream in) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static int indexOf(final byte[] b, final byte[] what) {
        outer:
        for (int i = 0; i + what.length <= b.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** An HTTP/1.1 chunked body (RFC 9112 7.1) without its framing. */
    private static byte[] dechunk(final byte[] body) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            final int eol = indexOf(Arrays.copyOfRange(body, at, Math.min(body.length, at + 32)), new byte[] {'\r', '\n'}) + at;
            final int size = Integer.parseInt(new String(body, at, eol - at, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(body, eol + 2, size);
            at = eol + 2 + size + 2;
        }
    }
}
