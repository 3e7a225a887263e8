package io.scalpel.cli;

import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.ConnSelection;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Collection;

/**
 * What a slice by uid tells the analyst about the conn.log beyond its packets: why a uid is
 * unknown, rows whose windows cannot separate connections, a log of another time than the
 * capture. Shared by file and capture-set slices.
 */
final class ConnLogNotes {
    private ConnLogNotes() {
    }

    /** Why {@code uid} is not in the logs: "not in LOGS", with a hint when the conn.log names it as a tunnel. */
    static String unknownUid(final String uid, final String logs, final ConnSelection.Result read, final boolean tunnelLogGiven) {
        if (read != null && !tunnelLogGiven && read.tunnelParents().contains(uid)) {
            return uid + " (not in " + logs + ", whose rows name it as their tunnel: a GRE, ERSPAN or IP-in-IP tunnel's row is"
                + " only in Zeek's tunnel.log; give it with --tunnel-log)";
        }
        return uid + " (not in " + logs + ")";
    }

    /** Warns once when rows have no usable ts (unset or masked like Zeek's test baselines). */
    static void warnWithoutTimestamps(final PrintWriter err, final ConnSelection.Result read) {
        final long n = read.withoutTimestamp();
        if (n > 0) {
            err.println("scalpel: warning: " + read.source() + ": " + n + " of " + read.rows().size() + " rows have no usable ts"
                + " (unset or masked): each takes every frame of its 5-tuple, as no time window can tell apart the"
                + " connections that reused it");
        }
    }

    /**
     * When nothing was found, says so if the rows' time range and the capture's do not overlap
     * (a log of another capture, or of another day). Times are shown in UTC.
     */
    static void noOverlap(final PrintWriter err, final Collection<ConnRecord> rows, final String capture,
                          final long captureFirst, final long captureLast) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (ConnRecord r : rows) {
            if (r.hasTimestamp()) {
                first = Math.min(first, r.tsNanos());
                last = Math.max(last, r.tsNanos() + Math.max(0, r.durationNanos()));
            }
        }
        if (first == Long.MAX_VALUE || captureFirst > captureLast || (first <= captureLast && last >= captureFirst)) {
            return;
        }
        err.println("scalpel: the conn.log rows span " + time(first) + " to " + time(last) + " but " + capture + " spans "
            + time(captureFirst) + " to " + time(captureLast) + ": they do not overlap (a log of another capture?)");
    }

    private static String time(final long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }
}
