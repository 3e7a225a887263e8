package io.scalpel.follow;

/**
 * What a run of {@code scalpel follow} counted so far, for its status lines. Written by the one
 * thread that follows; read by it too.
 */
final class FollowCounters {
    /** Records read from the source (conn records, other logs, bad records). */
    long read;
    /** Conn records read. */
    long conns;
    /** Records of other logs (dns, http, ...), ignored. */
    long otherLogs;
    /** Records that are no Zeek record or no conn.log row, skipped. */
    long bad;
    /** Extracts written (a uid written again after a restart counts again). */
    long extracts;
    /** Packets in them. */
    long packets;
    /** Conn records whose connection had no packets in the capture. */
    long noPackets;
    /** Conn records whose uid cannot be a file name, refused. */
    long refused;
    /** Conn records written before the capture reached their end (it stayed idle, or they waited too long). */
    long early;
}
