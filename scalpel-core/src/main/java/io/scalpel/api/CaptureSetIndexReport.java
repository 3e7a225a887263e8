package io.scalpel.api;

import io.scalpel.index.CaptureSetBuilder;
import java.nio.file.Path;
import java.util.List;

/**
 * What bringing a capture set's index up to date did ({@link CaptureSet#index}).
 *
 * @param directory      the capture set (a directory of captures)
 * @param indexDirectory the set index directory
 * @param members        each member's run, in name order
 * @param removed        members of the previous set index no longer in the directory
 */
public record CaptureSetIndexReport(Path directory, Path indexDirectory, List<Member> members, List<String> removed) {

    /**
     * One member's run.
     *
     * @param file   its file name in the set
     * @param report what its index run did
     */
    public record Member(String file, IndexReport report) {
    }

    /**
     * Packets the set index now holds.
     *
     * @return the packets of every member
     */
    public long packets() {
        return members.stream().mapToLong(m -> m.report().packets()).sum();
    }

    static CaptureSetIndexReport of(final Path directory, final CaptureSetBuilder.Result r) {
        return new CaptureSetIndexReport(directory, r.indexDirectory(),
            r.members().stream().map(m -> new Member(m.file(), IndexReport.of(directory.resolve(m.file()), m.result()))).toList(),
            List.copyOf(r.removed()));
    }
}
