package io.scalpel.api;

import io.scalpel.index.CaptureFingerprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What opening captures did or found, as the one-line notes of {@link Captures#notes()}: an index
 * built, rebuilt or extended, a compressed capture, a last record cut short, a capture that grew
 * past its index; a capture set indexed.
 */
final class OpenNotes {
    private OpenNotes() {
    }

    /** What the index build did and what the capture's index says about it, as the CLI prints it. */
    static List<String> ofFile(final Path capture, final Scalpel s) {
        final List<String> notes = new ArrayList<>();
        final IndexReport built = s.indexBuild();
        if (built != null) {
            switch (built.mode()) {
                case EXTENDED -> notes.add(capture + " grew since it was indexed: indexed its " + built.recordsScanned()
                    + " new packets from byte " + built.scannedFrom() + " into " + built.indexDirectory());
                case REBUILT -> notes.add("reindexed " + capture + " (" + s.manifest().packets() + " packets) into "
                    + built.indexDirectory());
                default -> notes.add("no index for " + capture + ": indexed " + capture + " (" + s.manifest().packets()
                    + " packets) into " + built.indexDirectory());
            }
        }
        if (s.compression() != null) {
            notes.add(capture.getFileName() + ": " + s.compression().describe());
        }
        if (s.manifest().truncatedTailOffset() >= 0) {
            notes.add("warning: " + capture + ": byte offset " + s.manifest().truncatedTailOffset()
                + ": last record is incomplete; only whole records are sliced");
        }
        if (s.index().captureMatch() == CaptureFingerprint.Match.GROWN) {
            notes.add("warning: " + capture + " grew since it was indexed; packets after byte "
                + s.manifest().fingerprint().length() + " are not sliced (re-run `scalpel index` to add them)");
        }
        return List.copyOf(notes);
    }

    /** What opening the capture set {@code directory} did: its {@code members} indexed into {@code indexDirectory}, or nothing. */
    static List<String> ofSet(final Path directory, final boolean indexed, final int members, final Path indexDirectory) {
        return !indexed ? List.of() : List.of("no capture set index for " + directory + ": indexed its "
            + members + " member files into " + indexDirectory);
    }
}
