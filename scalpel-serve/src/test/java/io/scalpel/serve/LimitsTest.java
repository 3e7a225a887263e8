package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits, each provoked: slices at once (429), bytes of a response (413), its time (504), a build (503). */
class LimitsTest {
    @TempDir
    Path dir;

    @Test
    void shouldRefuseASliceBeyondTheLimitAtOnceAndTakeOneWhenASlotFrees() throws Exception {
        final ExecutorService pool = Executors.newCachedThreadPool();
        try {
            final SlicingThreads threads = new SlicingThreads(pool, 1, new ServiceMetrics());
            final CountDownLatch release = new CountDownLatch(1);
            final Future<String> first = threads.submit(() -> {
                release.await();
                return "first";
            });
            final ApiError e = assertThrows(ApiError.class, () -> threads.submit(() -> "second"));
            assertEquals(429, e.status());
            assertEquals(1, e.retryAfterSeconds());
            release.countDown();
            assertEquals("first", first.get());
            Future<String> third = null;
            for (int attempt = 0; third == null && attempt < 1000; attempt++) { // the slot is released just after the result
                try {
                    third = threads.submit(() -> "third");
                } catch (ApiError busy) {
                    Thread.sleep(5);
                }
            }
            assertEquals("third", third.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldStopAWriteBeyondTheByteLimitWithA413() {
        final SliceBody body = new SliceBody(null, "x", 10, System.nanoTime() + 60_000_000_000L);
        assertThrows(IOException.class, () -> body.write(new byte[11], 0, 11));
        assertEquals(413, body.refusal().status());
        assertFalse(body.committed());
    }

    @Test
    void shouldStopAWritePastTheDeadlineWithA504() throws Exception {
        final SliceBody body = new SliceBody(null, "x", 1000, System.nanoTime() - 1);
        assertThrows(IOException.class, () -> body.write(new byte[1], 0, 1));
        assertEquals(504, body.refusal().status());
        final SliceBody expired = new SliceBody(null, "x", 1000, System.nanoTime() + 60_000_000_000L);
        expired.write(new byte[4], 0, 4);
        expired.expire();
        assertThrows(IOException.class, () -> expired.write(new byte[1], 0, 1));
        assertEquals(504, expired.refusal().status());
        assertFalse(expired.committed());
    }

    @Test
    void shouldKeepTheFirstRefusalOfARequest() throws Exception {
        final SliceBody body = new SliceBody(null, "x", 100, System.nanoTime() + 60_000_000_000L);
        body.write(new byte[60], 0, 60);
        assertEquals(60, body.written());
        body.refuse(new ApiError(413, "the extracts are larger than the limit"));
        body.expire();
        assertEquals(413, body.refusal().status(), "the first refusal stands");
        assertThrows(IOException.class, () -> body.write(new byte[1], 0, 1));
        assertFalse(body.committed());
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileACapturesIndexIsBuilt() throws Exception {
        final CaptureRoots.Opening building = new CaptureRoots.Opening("trace.pcap", dir.resolve("trace.pcap"));
        assertEquals("building", building.state());
        final ApiError e = assertThrows(ApiError.class, () -> CaptureRoots.await(building, System.nanoTime()));
        assertEquals(503, e.status());
        assertTrue(e.retryAfterSeconds() > 0);
        building.captures.completeExceptionally(new IOException("trace.pcap: not a capture"));
        final ApiError failed = assertThrows(ApiError.class, () -> CaptureRoots.await(building, System.nanoTime()));
        assertEquals(500, failed.status());
        assertTrue(failed.getMessage().contains("not a capture"), failed.getMessage());
        assertEquals("failed", building.state());
    }

    @Test
    void shouldTakeTurnsOnACompressedCaptureAndAnswer504WhenTheTurnDoesNotCome() throws Exception {
        final Path gz = dir.resolve("trace.pcap.gz");
        try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(gz))) {
            out.write(new byte[24]);
        }
        final CaptureRoots.Opening compressed = new CaptureRoots.Opening("trace.pcap.gz", gz);
        assertTrue(compressed.oneAtATime, "a gzip capture is decompressed into one window: one slice at a time");
        assertTrue(new CaptureRoots.Opening("x", dir).oneAtATime, "nor a directory holding one");
        final Path plain = java.nio.file.Files.createDirectories(dir.resolve("plain"));
        java.nio.file.Files.write(plain.resolve("a.pcap"), new byte[24]);
        assertFalse(new CaptureRoots.Opening("plain", plain).oneAtATime, "a directory of plain captures serves several at once");
        compressed.open(null); // opened: what matters here is the turn
        compressed.turn.acquire(); // another slice has the turn
        final ApiError e = assertThrows(ApiError.class, () -> compressed.use(System.nanoTime(), c -> "never"));
        assertEquals(504, e.status());
        compressed.turn.release();
        assertEquals("ran", compressed.use(System.nanoTime() + 60_000_000_000L, c -> "ran"));
    }
}
