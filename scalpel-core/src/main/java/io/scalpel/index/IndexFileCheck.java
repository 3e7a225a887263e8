package io.scalpel.index;

/**
 * What a check of every byte of an index ({@code scalpel index --verify}) found for one of its
 * files.
 *
 * @param file    the file, relative to the index directory ({@code manifest.json},
 *                {@code packets/part-00000.parquet}); for a capture set, relative to the set index
 *                ({@code members/a.pcap.scalpel/manifest.json}); the capture itself for the check
 *                that the index still describes it
 * @param bytes   its size (-1 when it could not be read)
 * @param problem what is wrong, with the byte offset where known; null when the file is intact
 */
public record IndexFileCheck(String file, long bytes, String problem) {
    public boolean intact() {
        return problem == null;
    }
}
