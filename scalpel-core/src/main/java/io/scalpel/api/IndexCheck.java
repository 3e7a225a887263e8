package io.scalpel.api;

import io.scalpel.index.IndexFileCheck;
import java.nio.file.Path;
import java.util.List;

/**
 * What a check of every byte of an index found ({@link Scalpel#verify}, {@link CaptureSet#verify}):
 * one entry per file, and what rebuilds the index when one is damaged.
 *
 * @param capture        the capture or capture set
 * @param indexDirectory the index directory checked (absolute)
 * @param files          each file checked, in order
 * @param rebuildAdvice  the command that rebuilds this index
 */
public record IndexCheck(Path capture, Path indexDirectory, List<File> files, String rebuildAdvice) {

    /**
     * One file of the index.
     *
     * @param file    the file, relative to the index directory; for a capture set, relative to the
     *                set index; the capture itself for the check that the index still describes it
     * @param bytes   its size (-1 when it could not be read)
     * @param problem what is wrong, with the byte offset where known; null when intact
     */
    public record File(String file, long bytes, String problem) {
        /**
         * Whether nothing is wrong with this file.
         *
         * @return true when it has no problem
         */
        public boolean intact() {
            return problem == null;
        }
    }

    /**
     * Whether every file is intact.
     *
     * @return true when no file has a problem
     */
    public boolean intact() {
        return files.stream().allMatch(File::intact);
    }

    /**
     * The damaged files, in order.
     *
     * @return the files with a problem
     */
    public List<File> damaged() {
        return files.stream().filter(f -> !f.intact()).toList();
    }

    static IndexCheck of(final Path capture, final Path indexDirectory, final List<IndexFileCheck> checks, final String advice) {
        return new IndexCheck(capture, indexDirectory,
            checks.stream().map(c -> new File(c.file(), c.bytes(), c.problem())).toList(), advice);
    }
}
