package io.scalpel.capture;

import java.io.IOException;

/**
 * A capture still being written can, for a moment, look modified in place: a write sets the
 * file's modification time before its size, so a look between the two sees a newer time at the
 * old size. Before such a file is called modified, it is watched for {@value #MILLIS} ms for the
 * write to land.
 */
public final class Settling {
    /** How long a file whose time changed at the same size is watched for a write still landing. */
    public static final long MILLIS = 200;

    private Settling() {
    }

    /** A check of whether a file grew. */
    @FunctionalInterface
    public interface Grown {
        /**
         * @return whether the file is now longer than it was
         * @throws IOException when its size cannot be read
         */
        boolean grew() throws IOException;
    }

    /**
     * Whether a file stays at its size for {@value #MILLIS} ms.
     *
     * @param grown tells whether the file grew
     * @return true when it did not grow (it was modified in place), false as soon as it grew
     * @throws IOException when its size cannot be read
     */
    public static boolean settles(final Grown grown) throws IOException {
        final long end = System.nanoTime() + MILLIS * 1_000_000L;
        do {
            if (grown.grew()) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        } while (System.nanoTime() < end);
        return !grown.grew();
    }
}
