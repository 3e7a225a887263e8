package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The out-of-memory message names the heap the JVM had (what {@code Runtime.maxMemory()} says) and
 * advises a larger one than that, never the heap already in use. The child-JVM case (a real
 * OutOfMemoryError under {@code -Xmx40m}) is in {@link ErrorTableTest}.
 */
class OutOfMemoryMessageTest {
    private static final long MIB = 1L << 20;

    @Test
    void shouldAdviseTwiceTheHeapInUseWhenItIsTheDocumentedOne() {
        final String m = ScalpelCommand.outOfMemoryMessage(256 * MIB);

        assertTrue(m.startsWith("scalpel: out of memory: the Java heap of 256 MiB is too small for this command;"), m);
        assertTrue(m.contains("java -Xmx512m -jar scalpel.jar"), m);
        assertFalse(m.contains("-Xmx256m"), "advises the heap in use: " + m);
        assertEquals(1, m.lines().count(), m);
    }

    @Test
    void shouldAdviseAtLeastTheDocumentedHeapForASmallerOne() {
        final String m = ScalpelCommand.outOfMemoryMessage(40 * MIB);

        assertTrue(m.contains("the Java heap of 40 MiB"), m);
        assertTrue(m.contains("java -Xmx256m -jar scalpel.jar"), m);
    }

    @Test
    void shouldNameALargeHeapInMiB() {
        final String m = ScalpelCommand.outOfMemoryMessage(3L << 30);

        assertTrue(m.contains("the Java heap of 3072 MiB"), m);
        assertTrue(m.contains("-Xmx6144m"), m);
    }
}
