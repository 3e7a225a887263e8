package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.FlowKey;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fragment tracker gives up datagrams that never complete in constant work per fragment:
 * the oldest first when too many are open, those idle past the timeout, those holding rows a
 * chunk must write. The expectations are the test's own bookkeeping of what it fed in (which
 * rows, at which times), not the tracker's.
 */
class FragmentTrackerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 1_700_000_000L * SECOND;

    /** Records what the tracker resolves: each datagram's rows and time, in order. */
    private static final class Sink implements FragmentTracker.Resolution {
        final List<long[]> rows = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        long resolvedRows;

        @Override
        public void resolved(final long[] r, final int count, final long flow, final FlowKey key, final int outerVlan,
                             final int innerVlan, final int depth, final long datagramTs, final int bytes) {
            rows.add(java.util.Arrays.copyOf(r, count));
            times.add(datagramTs);
            resolvedRows += count;
        }

        @Override
        public long copyRow(final long row) {
            throw new AssertionError("no datagram here carries a tunnel");
        }
    }

    /** A middle fragment (offset 8, more to come) of datagram {@code n}: it never completes and never has its first fragment. */
    private static FlowKey middleFragment(final int n) {
        final FlowKey k = new FlowKey();
        k.setIpv4(0x0A00_0000 | (n >>> 16), 0x0A01_0001, FlowKey.PROTO_UDP);
        k.setFragment(n & 0xFFFF, 8, true);
        k.setFragmentPayloadLength(8);
        return k;
    }

    @Test
    void shouldDoConstantWorkPerFragmentForAFloodOfDatagramsThatNeverComplete() {
        final Sink sink = new Sink();
        final FragmentTracker tracker = new FragmentTracker(sink);
        final int fragments = FragmentTracker.MAX_OPEN * 3 / 2;

        for (int i = 0; i < fragments; i++) {
            final long ts = T0 + i * 1_000L;
            tracker.add(middleFragment(i), 0, 0, i, ts, 60);
            // what the index scan does between frames: look at the oldest pending row, expire now and then
            tracker.firstPendingRow();
            if ((i & 4095) == 0) {
                tracker.expire(ts);
            }
        }
        tracker.resolveAll();

        assertEquals(fragments, sink.resolvedRows, "every fragment resolved once");
        assertEquals(fragments, tracker.incomplete(), "every datagram given up as incomplete");
        assertTrue(tracker.visited() <= 4L * fragments,
            "datagrams looked at by the tracker's bookkeeping: " + tracker.visited() + " for " + fragments + " fragments");
    }

    @Test
    void shouldGiveUpTheOldestDatagramsFirstWhenTooManyAreOpen() {
        final Sink sink = new Sink();
        final FragmentTracker tracker = new FragmentTracker(sink);
        final int extra = 5;

        for (int i = 0; i < FragmentTracker.MAX_OPEN + extra; i++) {
            tracker.add(middleFragment(i), 0, 0, 10L * i, T0 + i, 60);
        }

        assertEquals(extra, sink.rows.size(), "datagrams given up to make room");
        for (int i = 0; i < extra; i++) {
            assertEquals(10L * i, sink.rows.get(i)[0], "the " + i + "th datagram given up");
        }
        assertEquals(10L * extra, tracker.firstPendingRow(), "the oldest datagram still open");
    }

    @Test
    void shouldGiveUpOnlyTheDatagramsIdleLongerThanTheTimeout() {
        final Sink sink = new Sink();
        final FragmentTracker tracker = new FragmentTracker(sink);
        final long idle = FragmentTracker.TIMEOUT_NANOS;
        // a: first seen at 0 s, seen again at 50 s; b: seen once, at 30 s
        tracker.add(middleFragment(1), 0, 0, 0, T0, 60);
        tracker.add(middleFragment(2), 0, 0, 1, T0 + 30 * SECOND, 60);
        final FlowKey aAgain = middleFragment(1);
        aAgain.setFragment(1, 16, true);
        tracker.add(aAgain, 0, 0, 2, T0 + 50 * SECOND, 60);

        tracker.expire(T0 + 30 * SECOND + idle + 1);

        assertEquals(1, sink.rows.size(), "only b was idle for longer than the timeout");
        assertEquals(List.of(1L), toList(sink.rows.get(0)));
        assertEquals(T0 + 30 * SECOND, sink.times.get(0), "an incomplete datagram's time is its last fragment's");
        assertEquals(0, tracker.firstPendingRow(), "a is still open");

        tracker.expire(T0 + 50 * SECOND + idle + 1);

        assertEquals(2, sink.rows.size());
        assertEquals(List.of(0L, 2L), toList(sink.rows.get(1)));
        assertEquals(Long.MAX_VALUE, tracker.firstPendingRow(), "nothing open");
    }

    @Test
    void shouldResolveExactlyTheDatagramsHoldingARowBeforeTheGivenOne() {
        final Sink sink = new Sink();
        final FragmentTracker tracker = new FragmentTracker(sink);
        // datagram n has rows n and n + 10
        for (int n = 0; n < 10; n++) {
            tracker.add(middleFragment(n), 0, 0, n, T0 + n, 60);
        }
        for (int n = 0; n < 10; n++) {
            final FlowKey again = middleFragment(n);
            again.setFragment(n, 16, true);
            tracker.add(again, 0, 0, n + 10, T0 + 10 + n, 60);
        }

        tracker.resolveRowsBefore(4);

        assertEquals(4, sink.rows.size());
        for (int n = 0; n < 4; n++) {
            assertEquals(List.of((long) n, n + 10L), toList(sink.rows.get(n)), "datagram " + n);
        }
        assertEquals(4, tracker.firstPendingRow());
        final long[] pending = tracker.pendingRows();
        assertEquals(12, pending.length);
        for (int i = 0; i < 6; i++) {
            assertEquals(4 + i, pending[i]);
            assertEquals(14 + i, pending[6 + i]);
        }
    }

    private static List<Long> toList(final long[] rows) {
        final List<Long> l = new ArrayList<>();
        for (long r : rows) {
            l.add(r);
        }
        return l;
    }
}
