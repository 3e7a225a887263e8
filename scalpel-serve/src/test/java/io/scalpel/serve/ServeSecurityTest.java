package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service is safe by default: the token, names that leave their root (by {@code ..} or a
 * symbolic link), oversized requests and responses, other methods; every refusal a status and a
 * one-line JSON reason, never a stack trace.
 */
class ServeSecurityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BEARER = "Bearer " + new String(ServeFixture.TOKEN, StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static Generated truth;
    static ServeFixture serve;
    static String uid;

    @BeforeAll
    static void start() throws Exception {
        final Path root = Files.createDirectories(dir.resolve("captures"));
        final Path outside = Files.createDirectories(dir.resolve("outside"));
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(7), root.resolve("trace.pcap"), dir.resolve("conn.log"));
        CaptureGenerator.generate(GeneratorSpec.defaults(8), outside.resolve("secret.pcap"), outside.resolve("conn.log"));
        Files.createSymbolicLink(root.resolve("link.pcap"), outside.resolve("secret.pcap"));
        Files.createSymbolicLink(root.resolve("linkdir"), outside);
        uid = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).findFirst().get().uid();
        serve = new ServeFixture(List.of(root.resolve("trace.pcap"), root), dir.resolve("conn.log"), ServeFixture.TOKEN, 8,
            1L << 30, 3);
    }

    @AfterAll
    static void stop() throws Exception {
        serve.close();
    }

    private static JsonNode refused(final HttpResponse<byte[]> r, final int status) throws Exception {
        assertEquals(status, r.statusCode(), ServeFixture.text(r));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        final String text = ServeFixture.text(r);
        assertFalse(text.contains("\n") || text.contains("\tat ") || text.contains("Exception"), "one line, no stack trace: " + text);
        final JsonNode body = JSON.readTree(r.body());
        assertEquals(status, body.get("status").asInt());
        return body;
    }

    @Test
    void shouldRefuseARequestWithoutTheToken() throws Exception {
        final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=" + uid);
        refused(r, 401);
        assertEquals("Bearer realm=\"scalpel\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        refused(serve.get("/metrics"), 401);
        refused(serve.get("/api/v1/captures"), 401);
        refused(serve.get("/api/v1/openapi.json"), 401);
    }

    @Test
    void shouldRefuseAWrongToken() throws Exception {
        refused(serve.get("/api/v1/captures", "Authorization", BEARER + "x"), 401);
        refused(serve.get("/api/v1/captures", "Authorization", BEARER.substring(0, BEARER.length() - 1) + "X"), 401);
        refused(serve.get("/api/v1/captures", "Authorization", "Basic " + BEARER.substring(7)), 401);
    }

    @Test
    void shouldServeWithTheToken() throws Exception {
        assertEquals(200, serve.get("/api/v1/slice?uid=" + uid + "&capture=trace.pcap", "Authorization", BEARER).statusCode());
        assertEquals(200, serve.get("/api/v1/slice?uid=" + uid + "&capture=captures/trace.pcap", "Authorization", BEARER).statusCode());
    }

    @Test
    void shouldServeThePageAndHealthWithoutTheToken() throws Exception {
        assertEquals(200, serve.get("/healthz").statusCode());
        assertEquals(200, serve.get("/").statusCode());
        assertEquals(200, serve.get("/static/uPlot.iife.min.js").statusCode());
    }

    @Test
    void shouldRefuseNamesThatLeaveTheirRoot() throws Exception {
        for (String name : List.of("../outside/secret.pcap", "captures/../../outside/secret.pcap", "captures/./trace.pcap",
            "/etc/passwd", "captures//trace.pcap", "captures\\..\\x")) {
            final String q = java.net.URLEncoder.encode(name, StandardCharsets.UTF_8);
            assertTrue(refused(serve.get("/api/v1/slice?uid=" + uid + "&capture=" + q, "Authorization", BEARER), 400)
                .get("error").asText().startsWith("capture="), name);
        }
        refused(serve.get("/api/v1/slice?uid=" + uid + "&capture=captures/%2e%2e/outside/secret.pcap", "Authorization", BEARER), 400);
        refused(serve.get("/api/v1/slice?uid=" + uid + "&capture=nosuch", "Authorization", BEARER), 404);
        refused(serve.get("/api/v1/slice?uid=" + uid + "&capture=captures/nosuch.pcap", "Authorization", BEARER), 404);
    }

    @Test
    void shouldRefuseASymbolicLinkOutOfItsRoot() throws Exception {
        assertTrue(refused(serve.get("/api/v1/slice?uid=" + uid + "&capture=captures/link.pcap", "Authorization", BEARER), 403)
            .get("error").asText().contains("symbolic link"));
        refused(serve.get("/api/v1/slice?uid=" + uid + "&capture=captures/linkdir/secret.pcap", "Authorization", BEARER), 403);
        refused(serve.get("/api/v1/connections?uid=" + uid + "&capture=captures/link.pcap", "Authorization", BEARER), 403);
    }

    @Test
    void shouldRefuseOversizedRequests() throws Exception {
        refused(serve.get("/api/v1/slice?uid=Ca,Cb,Cc,Cd", "Authorization", BEARER), 413);
        refused(serve.get("/api/v1/connections?uid=Ca&uid=Cb&uid=Cc&uid=Cd", "Authorization", BEARER), 413);
        final String huge = "C" + "a".repeat(SliceServer.MAX_REQUEST_HEADER_BYTES);
        final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=" + huge, "Authorization", BEARER);
        assertTrue(r.statusCode() == 414 || r.statusCode() == 431, "status " + r.statusCode());
        refused(r, r.statusCode());
    }

    @Test
    void shouldRefuseBadValuesWithTheirName() throws Exception {
        assertTrue(refused(serve.get("/api/v1/slice", "Authorization", BEARER), 400).get("error").asText().contains("uid="));
        refused(serve.get("/api/v1/slice?uid=a%0Ab", "Authorization", BEARER), 400);
        refused(serve.get("/api/v1/slice?uid=" + uid + "&format=erf", "Authorization", BEARER), 400);
        refused(serve.get("/api/v1/slice?community_id=1:nope", "Authorization", BEARER), 400);
        refused(serve.get("/api/v1/slice?flow=tcp%20nonsense", "Authorization", BEARER), 400);
        refused(serve.get("/api/v1/slice?flow=tcp%201.2.3.4:1%205.6.7.8:2&from=yesterday", "Authorization", BEARER), 400);
        refused(serve.get("/api/v1/slice?uid=" + uid + "&from=0", "Authorization", BEARER), 400);
        refused(serve.get("/api/v1/nothing", "Authorization", BEARER), 404);
    }

    @Test
    void shouldRefuseOtherMethods() throws Exception {
        final HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(serve.uri("/api/v1/slice?uid=" + uid))
            .header("Authorization", BEARER).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        refused(r, 405);
    }

    @Test
    void shouldRefuseAResponseLargerThanItsLimitBeforeSendingIt() throws Exception {
        try (ServeFixture small = new ServeFixture(List.of(dir.resolve("captures/trace.pcap")), dir.resolve("conn.log"), null, 8,
            100, 10)) {
            assertTrue(refused(small.get("/api/v1/slice?uid=" + uid), 413).get("error").asText().contains("100 bytes"));
        }
    }

    @Test
    void shouldRefuseToListenBeyondLoopbackWithoutAToken() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ServeSettings(List.of(dir),
            dir, new InetSocketAddress("0.0.0.0", 7373), null, 1, 1, Duration.ofSeconds(1), 1));
        assertTrue(e.getMessage().contains("--token-file"), e.getMessage());
        new ServeSettings(List.of(dir), dir, new InetSocketAddress("0.0.0.0", 7373), ServeFixture.TOKEN, 1, 1, Duration.ofSeconds(1), 1);
        new ServeSettings(List.of(dir), dir, new InetSocketAddress("::1", 7373), null, 1, 1, Duration.ofSeconds(1), 1);
    }

    @Test
    void shouldSayWhatIsWrongWithABindAddress() {
        assertEquals(7373, ServeSettings.parseBind("127.0.0.1:7373").getPort());
        assertEquals(8080, ServeSettings.parseBind("8080").getPort());
        assertTrue(ServeSettings.parseBind("[::1]:1").getAddress().isLoopbackAddress());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServeSettings.parseBind("localhost:http")).getMessage()
            .contains("port must be a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServeSettings.parseBind("127.0.0.1:70000")).getMessage()
            .contains("0-65535"));
    }

    @Test
    void shouldCompareTokensWhole() {
        final BearerToken t = new BearerToken(ServeFixture.TOKEN);
        assertTrue(t.accepts(BEARER));
        assertTrue(t.accepts("bearer " + BEARER.substring(7)));
        assertFalse(t.accepts(null));
        assertFalse(t.accepts("Bearer "));
        assertFalse(t.accepts(BEARER + "0"));
        assertFalse(t.accepts(BEARER.substring(0, BEARER.length() - 1)));
    }

}
