package io.scalpel.follow;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which records of each partition are done, and so how far the source may commit: the position
 * after the longest run of done records from the oldest one on. A record is done when its extract
 * was written and synced (or it needs none: another log, a bad record, no packets). Records are
 * done out of order (a short connection before a long one logged earlier); the committed position
 * only moves over a run of done ones, so a restart never skips a record whose extract is not
 * durable (at least once).
 */
final class Deliveries {
    /** One record: done or not, and the position after it. */
    static final class Slot {
        private final String partition;
        private final long next;
        private boolean done;
        private boolean dropped;

        private Slot(final String partition, final long next) {
            this.partition = partition;
            this.next = next;
        }

        /** The partition the record is in. */
        String partition() {
            return partition;
        }

        /** Whether its partition was taken away (its record is no longer ours to write). */
        boolean dropped() {
            return dropped;
        }
    }

    private final Map<String, ArrayDeque<Slot>> open = new HashMap<>();
    private final Map<String, Long> moved = new LinkedHashMap<>();

    /** Starts tracking a record read from the source; the records of a partition arrive in order. */
    Slot track(final Arrival a) {
        final Slot s = new Slot(a.partition(), a.next());
        open.computeIfAbsent(a.partition(), p -> new ArrayDeque<>()).add(s);
        return s;
    }

    /** The record of {@code slot} is done. */
    void done(final Slot slot) {
        slot.done = true;
        final ArrayDeque<Slot> q = open.get(slot.partition);
        if (q == null) {
            return;
        }
        Slot last = null;
        while (!q.isEmpty() && q.peekFirst().done) {
            last = q.pollFirst();
        }
        if (last != null) {
            moved.put(slot.partition, last.next);
        }
    }

    /** Forgets a partition taken away: its slots are dropped, nothing of it is committed any more. */
    void drop(final String partition) {
        final ArrayDeque<Slot> q = open.remove(partition);
        if (q != null) {
            q.forEach(s -> s.dropped = true);
        }
        moved.remove(partition);
    }

    /** The positions that moved since the last call, by partition (what to commit). */
    Map<String, Long> takeMoved() {
        if (moved.isEmpty()) {
            return Map.of();
        }
        final Map<String, Long> m = new LinkedHashMap<>(moved);
        moved.clear();
        return m;
    }

    /** Records read and not done yet, over every partition. */
    long outstanding() {
        long n = 0;
        for (ArrayDeque<Slot> q : open.values()) {
            n += q.size();
        }
        return n;
    }
}
