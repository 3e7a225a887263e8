package io.scalpel.api;

import java.util.List;
import java.util.Map;

/**
 * What a slice did ({@link Slices#run}).
 *
 * @param kind                  what the request selected by
 * @param status                how it ended
 * @param packets               packets written to the one capture or the per-uid captures
 * @param captureFiles          the captures written: the one capture ({@code <stdout>} for a stream), or each per-uid file
 * @param arrowFile             the Arrow file written ({@code <stdout>} for a stream), or null
 * @param matched               uids (or Community IDs, flows, the window) with packets
 * @param requested             uids asked for (every uid of the logs with {@code all}), IDs, flows, or 1 window
 * @param unknown               uids asked for that no log has; -1 when not slicing by uid
 * @param problems              what kept a uid (or ID) from being written, one line each (reported already)
 * @param communityIdMismatches conn.log rows whose community_id is not their 5-tuple's; -1 without a conn.log
 * @param arrowRows             pairs written to the Arrow file; -1 without one
 * @param vlanAware             whether conn rows were joined VLAN-aware
 * @param vlanAwareReason       why, in a few words
 * @param filesOpened           a capture set's member files opened; null for a capture file
 * @param compression           a compressed capture's codec and what was decompressed (a JSON object); null otherwise
 */
public record SliceOutcome(SliceRequest.Kind kind, Status status, long packets, List<String> captureFiles, String arrowFile,
                           int matched, int requested,
                           int unknown, List<String> problems, long communityIdMismatches, long arrowRows, boolean vlanAware,
                           String vlanAwareReason, List<String> filesOpened, Map<String, Object> compression) {

    /**
     * Every file written: the captures, then the Arrow file.
     *
     * @return the files' paths, in order
     */
    public List<String> files() {
        if (arrowFile == null) {
            return captureFiles;
        }
        final List<String> all = new java.util.ArrayList<>(captureFiles);
        all.add(arrowFile);
        return List.copyOf(all);
    }

    /** How a slice ended. */
    public enum Status {
        /** Everything asked for was written. */
        OK,
        /** Some uids (or IDs) were unknown or had no packets; the rest were written. */
        PARTIAL,
        /** Nothing asked for matched a packet. */
        NOTHING_FOUND
    }
}
