package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.api.Captures;
import io.scalpel.api.GrowingCaptures;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture that grows while it is served is extended in the background: its state goes from
 * {@code growing} to {@code fresh}, and then every uid's extract is the API's extract of the whole
 * capture, with the generator's frames. A slice that began on the captures as they were keeps them
 * open until it ends, while the next request gets the extended ones.
 */
class GrowingCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldExtendAGrowingCaptureAndAnswerEveryUidFromTheWholeCaptureAfterwards() throws Exception {
        final Path whole = dir.resolve("whole.pcap");
        final Path log = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(48), whole, log);
        final Path served = Files.createDirectories(dir.resolve("served")).resolve("trace.pcap");
        final byte[] bytes = Files.readAllBytes(whole);
        final int half = recordBoundaryNear(bytes, bytes.length / 2);
        Files.write(served, java.util.Arrays.copyOf(bytes, half));
        try (ServeFixture serve = new ServeFixture(List.of(served), log, null, 8, 1L << 30, 1000, -1, 100)) {
            assertEquals("fresh", await(serve, "fresh"));
            final TruthConn early = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).findFirst().orElseThrow();
            assertEquals(200, serve.get("/api/v1/slice?uid=" + early.uid()).statusCode(), "answered before the growth");
            // the rest arrives in pieces, a record cut across two writes
            final int quarter = half + (bytes.length - half) / 2 + 7;
            Files.write(served, java.util.Arrays.copyOfRange(bytes, half, quarter), StandardOpenOption.APPEND);
            assertEquals(200, serve.get("/api/v1/slice?uid=" + early.uid()).statusCode(), "answered while it grows");
            Files.write(served, java.util.Arrays.copyOfRange(bytes, quarter, bytes.length), StandardOpenOption.APPEND);
            assertEquals("fresh", await(serve, "fresh"));
            final int checked = serve.sliceEveryUid(truth, whole, log, dir, (conn, api, r) -> {
                assertArrayEquals(api, r.body(), conn.uid() + ": the whole capture's extract");
                assertEquals(truth.framesOf(conn.uid()).size(), ServeFixture.pcapRecords(r.body()), conn.uid());
            });
            assertTrue(checked > 10, "uids checked: " + checked);
        }
    }

    @Test
    void shouldKeepTheCapturesASliceUsesOpenUntilItEndsWhenAnExtensionReplacesThem() throws Exception {
        final Path whole = dir.resolve("whole.pcap");
        final Path log = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(49), whole, log);
        final Path served = dir.resolve("trace.pcap");
        final byte[] bytes = Files.readAllBytes(whole);
        final int half = recordBoundaryNear(bytes, bytes.length / 2);
        Files.write(served, java.util.Arrays.copyOf(bytes, half));
        final String uid = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).findFirst().orElseThrow().uid();
        final CaptureRoots.Opening o = new CaptureRoots.Opening("trace.pcap", served);
        o.opened = CaptureRoots.FileStamp.of(served);
        o.open(new GrowingCaptures(served, Scalpel.Options.defaults()));
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            final CountDownLatch using = new CountDownLatch(1);
            final CountDownLatch extended = new CountDownLatch(1);
            final Future<Captures> slicing = pool.submit(() -> o.use(System.nanoTime() + 60_000_000_000L, c -> {
                using.countDown();
                extended.await();
                final ByteArrayOutputStream out = new ByteArrayOutputStream();
                Slices.run(c, SliceRequest.builder().conn(log.toString()).uids(List.of(uid)).write(out).build(), SliceListener.QUIET);
                assertTrue(out.size() > 24, "the old captures still slice");
                return c;
            }));
            using.await();
            final Captures before = o.latest();
            Files.write(served, java.util.Arrays.copyOfRange(bytes, half, bytes.length), StandardOpenOption.APPEND);
            assertEquals("growing", o.state());
            o.extend();
            assertEquals("fresh", o.state());
            assertNotSame(before, o.latest(), "the next request gets the extended captures");
            assertEquals(truth.lastTsNanos(), o.latest().lastTimestampNanos());
            extended.countDown();
            assertNotSame(o.latest(), slicing.get(), "the slice that began kept its captures");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldPassOverACaptureThatCouldNotBeOpenedWhenExtending() throws Exception {
        final CaptureRoots.Opening failed = new CaptureRoots.Opening("x.pcap", Files.writeString(dir.resolve("x.pcap"), "no capture"));
        failed.captures.completeExceptionally(new java.io.IOException("x.pcap: not a capture"));
        failed.extend(); // an exception here would end the extending thread's schedule, for every capture
        assertEquals("failed", failed.state());
        final CaptureRoots.Opening building = new CaptureRoots.Opening("y.pcap", dir.resolve("y.pcap"));
        building.extend();
        assertEquals("building", building.state());
    }

    /** The offset of the first pcap record that starts at or after {@code near}. */
    private static int recordBoundaryNear(final byte[] pcap, final int near) {
        return java.util.Arrays.stream(ServeFixture.pcapRecordOffsets(pcap)).filter(at -> at >= near).findFirst().orElse(pcap.length);
    }

    private static String await(final ServeFixture serve, final String wanted) throws Exception {
        String s = null;
        for (int i = 0; i < 600; i++) {
            final JsonNode c = JSON.readTree(serve.get("/api/v1/captures").body()).get("captures").get(0);
            s = c.get("state").asText();
            if (s.equals(wanted) && c.get("last_ts") != null) {
                return s;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the capture is " + s + ", not " + wanted + ", after a minute");
    }
}
