package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link SlicingThreads}' turns: with one turn, the slices admitted wait for it in the order they
 * asked; a slice away from its turn (writing to the network) lets the next one compute; a turn that
 * does not come before the request's deadline ends the slice with a 504 without running it.
 */
class SlicingTurnsTest {
    @Test
    void shouldRunTheWaitingSlicesInTheOrderTheyAskedForATurn() throws Exception {
        final ExecutorService pool = Executors.newCachedThreadPool();
        try {
            final SlicingThreads threads = new SlicingThreads(pool, 4, 1, new ServiceMetrics());
            final CountDownLatch release = new CountDownLatch(1);
            final CountDownLatch started = new CountDownLatch(1);
            final List<String> ran = new CopyOnWriteArrayList<>();
            final Future<String> first = threads.submit(() -> {
                started.countDown();
                release.await();
                ran.add("first");
                return "first";
            });
            assertTrue(started.await(10, TimeUnit.SECONDS), "the first has the turn");
            final Future<String> second = threads.submit(() -> ran.add("second") ? "second" : "");
            awaitWaiting(threads, 1);
            final Future<String> third = threads.submit(() -> ran.add("third") ? "third" : "");
            awaitWaiting(threads, 2);
            assertFalse(second.isDone() || third.isDone(), "one turn: the others wait");
            release.countDown();
            assertEquals("third", third.get(10, TimeUnit.SECONDS));
            assertEquals("first", first.get());
            assertEquals("second", second.get());
            assertEquals(List.of("first", "second", "third"), ran);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldLetAnotherSliceComputeWhileOneIsAwayFromItsTurn() throws Exception {
        final ExecutorService pool = Executors.newCachedThreadPool();
        try {
            final SlicingThreads threads = new SlicingThreads(pool, 4, 1, new ServiceMetrics());
            final CountDownLatch away = new CountDownLatch(1);
            final CountDownLatch otherDone = new CountDownLatch(1);
            final Future<Boolean> writer = threads.submit(() -> {
                final boolean[] sawOther = new boolean[1];
                SlicingThreads.awayFromTurn(() -> {
                    away.countDown();
                    try {
                        sawOther[0] = otherDone.await(10, TimeUnit.SECONDS); // a slow client: the other slice computes meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                return sawOther[0];
            });
            assertTrue(away.await(10, TimeUnit.SECONDS));
            final Future<String> other = threads.submit(() -> "other");
            assertEquals("other", other.get(10, TimeUnit.SECONDS));
            otherDone.countDown();
            assertTrue(writer.get(10, TimeUnit.SECONDS), "the other slice ran while the first was away from its turn");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldEndASliceWhoseTurnDoesNotComeBeforeItsDeadlineWith504() throws Exception {
        final ExecutorService pool = Executors.newCachedThreadPool();
        try {
            final SlicingThreads threads = new SlicingThreads(pool, 4, 1, new ServiceMetrics());
            final CountDownLatch release = new CountDownLatch(1);
            final Future<String> holding = threads.submit(() -> {
                release.await();
                return "held";
            });
            final boolean[] ran = new boolean[1];
            final Future<String> late = threads.submit(() -> {
                ran[0] = true;
                return "never";
            }, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
            final ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS));
            final ApiError refusal = assertInstanceOf(ApiError.class, e.getCause());
            assertEquals(504, refusal.status());
            assertTrue(refusal.getMessage().startsWith("the slice waited for its turn longer than the request time limit"),
                refusal.getMessage());
            assertFalse(ran[0], "a slice given up on does not run");
            release.countDown();
            assertEquals("held", holding.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitWaiting(final SlicingThreads threads, final int n) throws InterruptedException {
        for (int i = 0; i < 1000 && threads.waiting() != n; i++) {
            Thread.sleep(5);
        }
        assertEquals(n, threads.waiting(), "slices waiting for a turn");
    }
}
