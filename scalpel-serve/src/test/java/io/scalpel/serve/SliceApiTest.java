package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The slicing API against the generator's truth: every uid of a generated capture fetched over
 * HTTP is the API's extract byte for byte and holds the frames the generator says are the uid's.
 */
class SliceApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Generated truth;
    static Path capture;
    static Path log;
    static ServeFixture serve;

    @BeforeAll
    static void start() throws Exception {
        capture = dir.resolve("trace.pcap");
        log = dir.resolve("conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(18), capture, log);
        serve = new ServeFixture(capture, log);
    }

    @AfterAll
    static void stop() throws Exception {
        serve.close();
    }

    @Test
    void shouldServeEveryUidAsTheApisExtractByteForByte() throws Exception {
        assertFalse(truth.conns().isEmpty());
        for (TruthConn conn : truth.conns()) {
            final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=" + conn.uid());
            final int frames = truth.framesOf(conn.uid()).size();
            if (frames == 0) {
                assertEquals(404, r.statusCode(), conn.uid());
                continue;
            }
            assertEquals(200, r.statusCode(), conn.uid() + ": " + ServeFixture.text(r));
            assertEquals("application/vnd.tcpdump.pcap", r.headers().firstValue("Content-Type").orElse(""));
            assertEquals("attachment; filename=\"scalpel-" + conn.uid() + ".pcap\"",
                r.headers().firstValue("Content-Disposition").orElse(""));
            assertArrayEquals(ServeFixture.apiExtract(capture, log, List.of(conn.uid()), null, dir), r.body(), conn.uid());
            assertEquals(frames, ServeFixture.pcapRecords(r.body()), conn.uid() + ": the generator's frames of the uid");
        }
    }

    @Test
    void shouldServeSeveralUidsAsOneExtract() throws Exception {
        final List<String> uids = truth.conns().stream().map(TruthConn::uid).filter(u -> !truth.framesOf(u).isEmpty()).limit(5).toList();
        final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=" + String.join(",", uids));
        assertEquals(200, r.statusCode());
        assertEquals("attachment; filename=\"scalpel-5-uids.pcap\"", r.headers().firstValue("Content-Disposition").orElse(""));
        assertArrayEquals(ServeFixture.apiExtract(capture, log, uids, null, dir), r.body());
    }

    @Test
    void shouldConvertToPcapngWhenAsked() throws Exception {
        final String uid = truth.conns().stream().map(TruthConn::uid).filter(u -> !truth.framesOf(u).isEmpty()).findFirst().get();
        final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=" + uid + "&format=pcapng");
        assertEquals(200, r.statusCode());
        assertEquals("application/x-pcapng", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("Content-Disposition").orElse("").endsWith(".pcapng\""));
        assertArrayEquals(ServeFixture.apiExtract(capture, log, List.of(uid), "pcapng", dir), r.body());
    }

    @Test
    void shouldAnswer404WithAJsonReasonWhenNothingMatched() throws Exception {
        final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=CNoSuchUid0000000");
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        final JsonNode body = JSON.readTree(r.body());
        assertEquals(404, body.get("status").asInt());
        assertTrue(body.get("error").asText().contains("CNoSuchUid0000000"), body.toString());
        assertFalse(body.get("error").asText().contains(dir.toString()), "no path of the server's: " + body);
    }

    @Test
    void shouldListAUidsConnectionWithTheGeneratorsPackets() throws Exception {
        for (TruthConn conn : truth.conns().subList(0, 8)) {
            final List<Integer> frames = truth.framesOf(conn.uid());
            final HttpResponse<byte[]> r = serve.get("/api/v1/connections?uid=" + conn.uid());
            assertEquals(200, r.statusCode(), ServeFixture.text(r));
            final JsonNode c = JSON.readTree(r.body()).get("connections").get(0);
            assertEquals(conn.uid(), c.get("uid").asText());
            assertEquals("trace.pcap", c.get("capture").asText());
            assertEquals(frames.size(), c.get("packets").asLong(), conn.uid());
            long bytes = 0;
            for (int i = 0; i < frames.size(); i++) {
                final TruthFrame f = truth.frame(frames.get(i));
                bytes += f.originalLength();
                assertEquals(f.tsNanos() / 1e9, c.get("packet_ts").get(i).asDouble(), 1e-6, conn.uid() + " packet " + i);
                assertEquals(f.originalLength(), c.get("packet_len").get(i).asInt());
            }
            assertEquals(bytes, c.get("bytes").asLong());
        }
    }

    @Test
    void shouldListTheUidsInNoLog() throws Exception {
        final JsonNode body = JSON.readTree(serve.get("/api/v1/connections?uid=CNoSuchUid0000000").body());
        assertEquals(0, body.get("connections").size());
        assertEquals(1, body.get("unknown").size());
        assertTrue(body.get("unknown").get(0).asText().contains("CNoSuchUid0000000"));
    }

    @Test
    void shouldTellEachCapturesIndexState() throws Exception {
        serve.get("/api/v1/slice?uid=" + truth.conns().get(0).uid()); // waits for the index
        final JsonNode c = JSON.readTree(serve.get("/api/v1/captures").body()).get("captures").get(0);
        assertEquals("trace.pcap", c.get("name").asText());
        assertEquals("file", c.get("kind").asText());
        assertEquals("fresh", c.get("state").asText());
        assertEquals(truth.firstTsNanos() / 1e9, c.get("first_ts").asDouble(), 1e-6);
    }

    @Test
    void shouldAnswerHealthAndCountRequestsInTheMetrics() throws Exception {
        assertEquals("{\"status\":\"ok\"}", ServeFixture.text(serve.get("/healthz")));
        serve.get("/api/v1/slice?uid=" + truth.conns().get(0).uid());
        final String metrics = ServeFixture.text(serve.get("/metrics"));
        assertTrue(metrics.contains("scalpel_http_requests_total{route=\"slice\",status=\"200\"}"), metrics);
        assertTrue(metrics.contains("scalpel_http_request_duration_seconds_bucket{route=\"slice\",le=\"0.001\"}"), metrics);
        assertTrue(metrics.contains("scalpel_http_response_bytes_total{route=\"slice\"}"), metrics);
        assertTrue(metrics.contains("scalpel_slices_in_flight 0"), metrics);
    }

    @Test
    void shouldLogEachRequestAsOneJsonLine() throws Exception {
        serve.get("/healthz?probe=access-log", "Authorization", "Bearer not-logged");
        final JsonNode line = serve.accessLogLine("probe=access-log");
        assertEquals("/healthz", line.get("path").asText());
        assertEquals("healthz", line.get("route").asText());
        assertEquals(200, line.get("status").asInt());
        assertEquals("127.0.0.1", line.get("client").asText());
        assertTrue(line.get("token").asBoolean());
        assertFalse(line.toString().contains("not-logged"), "the token is never logged");
    }
}
