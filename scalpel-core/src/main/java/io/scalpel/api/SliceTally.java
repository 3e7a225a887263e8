package io.scalpel.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a slice found, counted selection by selection, and the {@link SliceOutcome} made of it: the
 * queries selected, those with packets, those without (with {@code --all} the first
 * {@value Slices#SHOWN} named in one note, otherwise each a problem), and the problems reported
 * on the way.
 */
final class SliceTally {
    private final SliceListener listener;
    private final boolean all;
    private final List<String> problems = new ArrayList<>();
    private final List<String> empty = new ArrayList<>();
    private long emptyCount;
    private int matched;
    private int selected;

    /** Tells {@code listener} what is reported; {@code all}: a slice of every uid of the logs. */
    SliceTally(final SliceListener listener, final boolean all) {
        this.listener = listener;
        this.all = all;
    }

    /** A problem: a uid unknown, refused or without packets, an ID or flow without packets. */
    void report(final String problem) {
        problems.add(problem);
        listener.note(problem);
    }

    /** Counts the queries of one selection, with and without packets. */
    void count(final CaptureSet.Selection selection) {
        for (int i = 0; i < selection.size(); i++) {
            selected++;
            if (selection.frames(i) > 0) {
                matched++;
            } else if (emptyCount++ < Slices.SHOWN || !all) {
                empty.add(selection.queries().get(i).label());
            }
        }
    }

    /** The queries that had packets. */
    int matched() {
        return matched;
    }

    /**
     * Says which uids had no packets ({@code noPacketsIn}: where, in words): with {@code --all} in
     * one note, otherwise as a problem each.
     */
    void uidsWithoutPackets(final String noPacketsIn) {
        if (emptyCount > 0 && all) {
            listener.note(emptyCount + " of " + selected + " uids have " + noPacketsIn
                + (emptyCount <= Slices.SHOWN ? ": " + String.join(", ", empty) : ""));
        }
        for (String uid : all ? List.<String>of() : empty) {
            report("uid " + uid + " (" + noPacketsIn + ")");
        }
    }

    /**
     * The outcome, once {@code outputs} are finished.
     *
     * @param requested     the queries asked for
     * @param unknown       the uids in no log (-1: not a slice by uid)
     * @param mismatchCount the rows that failed the Community ID audit (-1: no conn.log)
     */
    SliceOutcome outcome(final SliceRequest request, final Captures captures, final SliceOutputs outputs, final VlanKeying vlan,
                         final int requested, final int unknown, final long mismatchCount) throws IOException {
        final long arrowRows = outputs.finish();
        final SliceOutcome.Status status = matched == 0 ? SliceOutcome.Status.NOTHING_FOUND
            : problems.isEmpty() ? SliceOutcome.Status.OK : SliceOutcome.Status.PARTIAL;
        return new SliceOutcome(request.kind(), status, outputs.packets(), outputs.captureFiles(), outputs.arrowFile(), matched,
            requested, unknown, List.copyOf(problems), mismatchCount, arrowRows, vlan.aware(), vlan.reason(),
            captures instanceof CaptureSet set ? set.filesOpened() : null,
            captures instanceof CaptureFile file ? file.compression() : null);
    }
}
