package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * What a selection keeps of its records for its extract is bounded by the heap: a sixteenth of
 * it, at most {@link Slicer#MAX_KEPT_BYTES}, so the commands' heap of about 72 MiB still suffices.
 */
class KeptBytesTest {
    @Test
    void shouldKeepASixteenthOfASmallHeapAndNoMoreThanTheBoundOfALargeOne() {
        assertEquals(72 * 1024 * 1024 / 16, Slicer.keptBytes(72L << 20));
        assertEquals(16 << 20, Slicer.keptBytes(256L << 20));
        assertEquals(16 << 20, Slicer.keptBytes(64L << 30));
    }
}
