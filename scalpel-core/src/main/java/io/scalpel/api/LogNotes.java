package io.scalpel.api;

import io.scalpel.zeek.ConnSelection;
import java.time.Instant;

/**
 * What a slice by uid tells about the conn.log beyond its packets: why a uid is unknown, and a
 * log of another time than the capture.
 */
final class LogNotes {
    private LogNotes() {
    }

    /** Why {@code uid} is not in the logs: "not in LOGS", with a hint when the conn.log names it as a tunnel. */
    static String unknownUid(final String uid, final String logs, final ConnSelection.Result read, final boolean tunnelLogGiven) {
        if (read != null && !tunnelLogGiven && read.tunnelParents().contains(uid)) {
            return uid + " (not in " + logs + ", whose rows name it as their tunnel: a GRE, ERSPAN or IP-in-IP tunnel's row is"
                + " only in Zeek's tunnel.log; give it with --tunnel-log)";
        }
        return uid + " (not in " + logs + ")";
    }

    /**
     * When nothing was found, says so if the rows' time range ({@code first} to {@code last}) and
     * the capture's do not overlap (a log of another capture, or of another day). Times in UTC.
     */
    static void noOverlap(final SliceListener listener, final long first, final long last, final String capture,
                          final long captureFirst, final long captureLast) {
        if (first == Long.MAX_VALUE || captureFirst > captureLast || (first <= captureLast && last >= captureFirst)) {
            return;
        }
        listener.note("the conn.log rows span " + time(first) + " to " + time(last) + " but " + capture + " spans "
            + time(captureFirst) + " to " + time(captureLast) + ": they do not overlap (a log of another capture?)");
    }

    private static String time(final long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }
}
