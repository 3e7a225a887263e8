package io.scalpel.api;

/** Receives how far an index scan has got, in bytes of capture; called from the scanning thread. */
@FunctionalInterface
public interface Progress {
    /** Reports nothing. */
    Progress NONE = (done, total) -> { };

    /**
     * @param bytesScanned bytes of capture scanned so far
     * @param bytesTotal   bytes of capture to scan in all
     */
    void update(long bytesScanned, long bytesTotal);
}
