package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.GeneratorSpec;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document is a static file: it names every route of {@link Routes} and no other, each
 * route it names is answered (not "no route"), and the parameters of the slice are those
 * {@link SliceParameters} reads.
 */
class OpenApiRoutesTest {
    @TempDir
    Path dir;

    @Test
    void shouldDescribeEveryRouteAndNoOther() throws Exception {
        CaptureGenerator.generate(GeneratorSpec.defaults(3), dir.resolve("t.pcap"), dir.resolve("conn.log"));
        try (ServeFixture serve = new ServeFixture(dir.resolve("t.pcap"), dir.resolve("conn.log"))) {
            final JsonNode doc = new ObjectMapper().readTree(serve.get("/api/v1/openapi.json").body());
            assertTrue(doc.get("openapi").asText().startsWith("3."));
            final Set<String> documented = new TreeSet<>();
            doc.get("paths").fieldNames().forEachRemaining(documented::add);
            assertEquals(new TreeSet<>(Routes.API_ROUTES), documented);
            for (String path : documented) {
                final String answer = ServeFixture.text(serve.get(path));
                assertFalse(answer.contains("no route"), path + ": " + answer);
            }
            final Set<String> parameters = new TreeSet<>();
            doc.get("components").get("parameters").forEach(p -> parameters.add(p.get("name").asText()));
            assertEquals(new TreeSet<>(Set.of("uid", "flow", "community_id", "query", "from", "to", "format", "capture")), parameters);
            for (String p : parameters) {
                if (!p.equals("capture")) { // a bad value of each named parameter is refused by name: it is read
                    final String answer = ServeFixture.text(serve.get("/api/v1/slice?uid=Cx&" + p + "=%00bad%00"));
                    assertTrue(answer.contains(p + "=") || answer.contains("one of"), p + ": " + answer);
                }
            }
            // each route's parameters are those it reads: connections reads query=, from= and to= too
            final Set<String> ofConnections = new TreeSet<>();
            doc.get("paths").get("/api/v1/connections").get("get").get("parameters")
                .forEach(p -> ofConnections.add(p.get("$ref").asText().replace("#/components/parameters/", "")));
            assertEquals(new TreeSet<>(Set.of("uid", "query", "from", "to", "capture")), ofConnections);
            final String badQuery = ServeFixture.text(serve.get("/api/v1/connections?query=tcp%20andd"));
            assertTrue(badQuery.contains("query=") && badQuery.contains("\"column\":"), badQuery);
            assertTrue(doc.get("paths").get("/api/v1/slice").get("get").get("responses").has("409"), "the merge's refusal");
        }
    }
}
