package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed position moves only over a run of done records from the oldest on, partition by partition. */
class DeliveriesTest {
    private static Arrival at(final String partition, final long offset) {
        return new Arrival(partition, offset, offset + 1, null, 0, 0);
    }

    @Test
    void shouldCommitOnlyPastRecordsThatAreAllDone() {
        final Deliveries d = new Deliveries();
        final Deliveries.Slot a = d.track(at("t-0", 10));
        final Deliveries.Slot b = d.track(at("t-0", 11));
        final Deliveries.Slot c = d.track(at("t-0", 12));
        d.done(b);
        d.done(c);
        assertEquals(Map.of(), d.takeMoved(), "the oldest (10) is not done: nothing may be committed");
        d.done(a);
        assertEquals(Map.of("t-0", 13L), d.takeMoved());
        assertEquals(Map.of(), d.takeMoved(), "told once");
        assertEquals(0, d.outstanding());
    }

    @Test
    void shouldKeepPartitionsApart() {
        final Deliveries d = new Deliveries();
        final Deliveries.Slot a0 = d.track(at("t-0", 5));
        d.track(at("t-1", 7));
        d.done(a0);
        assertEquals(Map.of("t-0", 6L), d.takeMoved());
        assertEquals(1, d.outstanding());
    }

    @Test
    void shouldDropAPartitionTakenAwayAndCommitNothingOfIt() {
        final Deliveries d = new Deliveries();
        final Deliveries.Slot a = d.track(at("t-0", 1));
        d.drop("t-0");
        assertTrue(a.dropped());
        d.done(a);
        assertEquals(Map.of(), d.takeMoved());
    }
}
