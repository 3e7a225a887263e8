package io.scalpel.api;

/**
 * Receives what a slice has to say as it goes ({@link Slices#run}): warnings (malformed log lines,
 * rows whose community_id is not their 5-tuple's, ...) and notes (how the log is keyed, a uid that
 * is unknown or has no packets, ...), each one line. The CLI prints them on stderr.
 */
public interface SliceListener {
    /** Says nothing. */
    SliceListener QUIET = new SliceListener() {
        @Override
        public void warning(final String message) {
        }

        @Override
        public void note(final String message) {
        }
    };

    /**
     * Something the user should know that did not stop the slice.
     *
     * @param message one line
     */
    void warning(String message);

    /**
     * What the slice found or decided.
     *
     * @param message one line
     */
    void note(String message);
}
