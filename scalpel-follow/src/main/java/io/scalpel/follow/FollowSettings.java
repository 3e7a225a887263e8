package io.scalpel.follow;

import io.scalpel.api.Scalpel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@link Follower} runs.
 *
 * @param capture        the capture file, or directory of rotated captures, being written
 * @param options        how the captures are opened (the index's place, tcp_close_delay)
 * @param splitDir       where each uid's extract is written
 * @param idleGrace      how long the capture may stay as it is before the records waiting for it
 *                       are written with the frames it has
 * @param captureGrace   how long a record may wait for the capture at most
 * @param maxPending     how many records may wait; then the source is paused
 * @param statusEvery    how often a status line is printed (zero: never)
 * @param exitIdle       stop once nothing was read, nothing waits and the capture stayed as it is
 *                       for this long (zero: run until stopped)
 * @param batch          the most extracts written (and synced) together
 */
public record FollowSettings(Path capture, Scalpel.Options options, Path splitDir, Duration idleGrace, Duration captureGrace,
                             int maxPending, Duration statusEvery, Duration exitIdle, int batch) {
    /** The checks of the command line's values. */
    public FollowSettings {
        if (idleGrace.isNegative() || captureGrace.isNegative() || statusEvery.isNegative() || exitIdle.isNegative()) {
            throw new IllegalArgumentException("a time must not be negative");
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException("--max-pending must be at least 1, was " + maxPending);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, was " + batch);
        }
    }
}
