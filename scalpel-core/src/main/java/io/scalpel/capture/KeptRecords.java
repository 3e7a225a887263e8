package io.scalpel.capture;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Records of a capture, their bytes kept by their offset for one more read: a slice's
 * confirmation keeps the records of the frames it selects, and the extract that writes them reads
 * them from here ({@link CaptureSource#scattered(KeptRecords)}) instead of from the file again.
 * The bytes are the file's at their offset, as a read of the file would give them: which reads
 * they serve does not change what is read, only how often the file is.
 *
 * <p>Bounded: records beyond {@code maxBytes} in all are not kept (they are read again). Filled by
 * one thread; once handed to other threads through a volatile field (or the thread that filled
 * it), it is only read.
 */
public final class KeptRecords {
    private static final int FIRST_ARENA = 16 * 1024;
    private static final int FIRST_SLOTS = 64;
    private static final long EMPTY = -1;

    private final int maxBytes;
    private byte[] arena = new byte[FIRST_ARENA];
    private int used;
    /** Open addressing: each record's offset, and where its bytes are in the arena and how many. */
    private long[] offsets = emptySlots(FIRST_SLOTS);
    private int[] starts = new int[FIRST_SLOTS];
    private int[] lengths = new int[FIRST_SLOTS];
    private int count;

    /** Keeps records of at most {@code maxBytes} bytes in all. */
    public KeptRecords(final int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Keeps the {@code length} bytes of the record at {@code offset} of {@code file}, which a reader
     * has just read (they are in its view): false when the bound leaves no room for them.
     *
     * @throws CaptureFormatException when the compressed bytes are corrupt or cut short
     */
    public boolean keep(final CaptureSource file, final long offset, final int length) throws CaptureFormatException {
        if (length > maxBytes - used || slot(offset) >= 0) {
            return false;
        }
        if (used + length > arena.length) {
            arena = Arrays.copyOf(arena, (int) Math.min(maxBytes, Math.max((long) arena.length * 2, used + (long) length)));
        }
        file.get(offset, arena, used, length);
        if ((count + 1) * 2 > offsets.length) {
            grow();
        }
        put(offset, used, length);
        used += length;
        return true;
    }

    /**
     * Copies the record kept at {@code from} into {@code window} (from its index 0) when it covers
     * {@code [from, to)}; returns its length, or -1 (nothing copied) when no such record is kept or
     * it does not fit into the window.
     */
    int copy(final long from, final long to, final ByteBuffer window) {
        final int s = slot(from);
        if (s < 0 || from + lengths[s] < to || lengths[s] > window.capacity()) {
            return -1;
        }
        window.put(0, arena, starts[s], lengths[s]);
        return lengths[s];
    }

    /** Records kept. */
    public int size() {
        return count;
    }

    /** Bytes kept. */
    public int bytes() {
        return used;
    }

    private int slot(final long offset) {
        final int mask = offsets.length - 1;
        for (int i = hash(offset) & mask; ; i = (i + 1) & mask) {
            if (offsets[i] == offset) {
                return i;
            }
            if (offsets[i] == EMPTY) {
                return -1;
            }
        }
    }

    private void put(final long offset, final int start, final int length) {
        final int mask = offsets.length - 1;
        int i = hash(offset) & mask;
        while (offsets[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        offsets[i] = offset;
        starts[i] = start;
        lengths[i] = length;
        count++;
    }

    private void grow() {
        final long[] o = offsets;
        final int[] s = starts;
        final int[] l = lengths;
        offsets = emptySlots(o.length * 2);
        starts = new int[o.length * 2];
        lengths = new int[o.length * 2];
        count = 0;
        for (int i = 0; i < o.length; i++) {
            if (o[i] != EMPTY) {
                put(o[i], s[i], l[i]);
            }
        }
    }

    private static long[] emptySlots(final int n) {
        final long[] slots = new long[n];
        Arrays.fill(slots, EMPTY);
        return slots;
    }

    private static int hash(final long offset) {
        final long h = offset * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
