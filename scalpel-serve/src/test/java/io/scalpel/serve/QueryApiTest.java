package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.api.Captures;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query=EXPR} on {@code /api/v1/slice} and {@code /api/v1/connections}: the extract is the
 * API's byte for byte and holds the generator's frames of the connection the expression names; the
 * connection is listed with the generator's packets and a flow that slices them; an expression that
 * cannot be read is a 400 whose JSON points at its column.
 */
class QueryApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Generated truth;
    static Path capture;
    static ServeFixture serve;

    @BeforeAll
    static void start() throws Exception {
        capture = dir.resolve("trace.pcap");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(31), capture, dir.resolve("conn.log"));
        serve = new ServeFixture(capture, dir.resolve("conn.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        serve.close();
    }

    @Test
    void shouldSliceWhatAQueryNamesAsTheApiDoes() throws Exception {
        int checked = 0;
        for (TruthConn c : truth.conns()) {
            if (!c.proto().equals("tcp") || truth.framesOf(c.uid()).isEmpty()) {
                continue;
            }
            final String query = expression(c);
            final HttpResponse<byte[]> r = serve.get("/api/v1/slice?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), ServeFixture.text(r));
            assertEquals("attachment; filename=\"scalpel-query.pcap\"", r.headers().firstValue("Content-Disposition").orElse(""));
            assertArrayEquals(apiExtract(query), r.body(), query);
            assertEquals(truth.framesOf(c.uid()).size(), ServeFixture.pcapRecords(r.body()), query + ": the generator's frames");
            checked++;
        }
        assertTrue(checked > 3, "tcp connections checked: " + checked);
    }

    @Test
    void shouldListTheConnectionsOfAQueryWithAFlowThatSlicesThem() throws Exception {
        final TruthConn c = truth.conns().stream().filter(t -> t.proto().equals("tcp") && !truth.framesOf(t.uid()).isEmpty())
            .findFirst().orElseThrow();
        final HttpResponse<byte[]> r = serve.get("/api/v1/connections?query=" + URLEncoder.encode(expression(c), StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), ServeFixture.text(r));
        final JsonNode body = JSON.readTree(r.body());
        assertEquals(1, body.get("connections").size(), body.toString());
        final JsonNode row = body.get("connections").get(0);
        assertEquals(truth.framesOf(c.uid()).size(), row.get("packets").asLong());
        assertEquals("trace.pcap", row.get("capture").asText());
        assertTrue(row.get("uid").isNull());
        assertTrue(!body.get("truncated").asBoolean());
        final HttpResponse<byte[]> slice = serve.get("/api/v1/slice?flow=" + URLEncoder.encode(row.get("flow").asText(), StandardCharsets.UTF_8)
            + "&from=" + row.get("from").asText() + "&to=" + row.get("to").asText());
        assertEquals(200, slice.statusCode(), ServeFixture.text(slice));
        assertEquals(truth.framesOf(c.uid()).size(), ServeFixture.pcapRecords(slice.body()), "the generator's frames");
    }

    @Test
    void shouldAnswer400AtTheColumnOfAQueryThatCannotBeRead() throws Exception {
        for (String route : new String[] {"/api/v1/slice", "/api/v1/connections"}) {
            final HttpResponse<byte[]> r = serve.get(route + "?query=" + URLEncoder.encode("tcp and prot 80", StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode());
            final JsonNode body = JSON.readTree(r.body());
            assertEquals(9, body.get("column").asInt(), body.toString());
            assertTrue(body.get("error").asText().startsWith("query=\"tcp and prot 80\": column 9: "), body.toString());
        }
        final HttpResponse<byte[]> both = serve.get("/api/v1/slice?query=tcp&uid=" + truth.conns().get(0).uid());
        assertEquals(400, both.statusCode());
        assertTrue(ServeFixture.text(both).contains("several given"), ServeFixture.text(both));
    }

    /** The expression naming {@code c}'s 5-tuple. */
    private static String expression(final TruthConn c) {
        return "tcp and host " + c.origH() + " and port " + c.origP() + " and host " + c.respH() + " and port " + c.respP();
    }

    private static byte[] apiExtract(final String query) throws Exception {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Captures c = Captures.open(capture, Scalpel.Options.defaults())) {
            Slices.run(c, SliceRequest.builder().query(query).write(out).build(), SliceListener.QUIET);
        }
        return out.toByteArray();
    }
}
