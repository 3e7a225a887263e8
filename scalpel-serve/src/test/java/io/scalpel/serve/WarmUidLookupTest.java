package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * uids looked up through the conn.log index the server keeps warm: every uid's extract over HTTP is
 * the API's (which reads the log) byte for byte and holds the generator's frames, with the index
 * current and answering, and again after the log grew by the rest of its rows (some of which are
 * the next connections of earlier rows' reused 5-tuples, so their TCP tails change).
 */
class WarmUidLookupTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldServeEveryUidThroughTheWarmIndexAsTheApiDoesBeforeAndAfterTheLogGrows() throws Exception {
        final Path capture = dir.resolve("trace.pcap");
        final Path full = dir.resolve("full.conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(23).withReuseTuples(true), capture, full);
        final byte[] whole = Files.readAllBytes(full);
        int half = whole.length / 2;
        while (whole[half - 1] != '\n') {
            half++;
        }
        final Path log = dir.resolve("conn.log");
        Files.write(log, Arrays.copyOf(whole, half));
        try (ServeFixture serve = new ServeFixture(capture, log)) {
            final long before = awaitCurrent(serve, -1);
            assertEveryUidAsTheApi(serve, truth, capture, log, false);
            assertTrue(serve.server.logIndex().index().answered() > before, "the index answered");

            final FileTime t = Files.getLastModifiedTime(log);
            Files.write(log, Arrays.copyOfRange(whole, half, whole.length), StandardOpenOption.APPEND);
            Files.setLastModifiedTime(log, FileTime.fromMillis(t.toMillis() + 2000));
            final long grown = awaitCurrent(serve, truth.conns().size());
            assertEveryUidAsTheApi(serve, truth, capture, log, true);
            assertTrue(serve.server.logIndex().index().answered() > grown, "the index answered after the log grew");
        }
    }

    /** Waits (polling /api/v1/captures) until the index is current with {@code rows} rows (-1: any); its look-ups so far. */
    private static long awaitCurrent(final ServeFixture serve, final long rows) throws Exception {
        for (int i = 0; i < 600; i++) {
            final JsonNode index = JSON.readTree(serve.get("/api/v1/captures").body()).get("conn_log_index");
            if (index.get("state").asText().equals("current") && (rows < 0 || index.get("rows").asLong() == rows)) {
                return index.get("lookups").asLong();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the conn.log index did not become current within a minute");
    }

    private static void assertEveryUidAsTheApi(final ServeFixture serve, final Generated truth, final Path capture, final Path log,
                                               final boolean everyRow) throws Exception {
        final int served = serve.sliceEveryUid(truth, capture, log, serve.logs.getParent(), (conn, api, r) -> {
            assertArrayEquals(api, r.body(), conn.uid());
            if (everyRow) { // with half the log, a reused 5-tuple's next row may be missing: its tail runs on, as the API's does
                assertEquals(truth.framesOf(conn.uid()).size(), ServeFixture.pcapRecords(r.body()), conn.uid());
            }
        });
        assertTrue(served >= (everyRow ? truth.conns().size() * 3 / 4 : truth.conns().size() / 3), "served " + served);
    }
}
