package io.scalpel.index;

import io.scalpel.capture.CaptureChangedException;
import io.scalpel.capture.CaptureFormatException;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.PcapngReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a build does with the index already in place: keep it when it describes the capture as it
 * is, extend it when the capture only grew (its indexed prefix, last record included, unchanged,
 * and not compressed), else build a new one, saying why the old one is replaced. An index is kept
 * or extended only after every byte of it was checked: a damaged part must not pass for an index
 * that is up to date, nor be carried into the next one.
 *
 * @param action   what to do
 * @param previous the manifest of the index in place, for {@link Action#KEEP} and {@link Action#EXTEND}
 * @param replaced for {@link Action#REBUILD}, why the index in place is not kept or extended (its
 *                 refusal's text), or null when a rebuild was asked for or the index is stale for
 *                 no reason the build reports
 */
record IndexUpdate(Action action, IndexManifest previous, String replaced) {
    /** What a build does. */
    enum Action {
        /** There is no index: build one. */
        BUILD,
        /** Replace the index with one built from the start of the capture. */
        REBUILD,
        /** The capture grew: scan only what was added. */
        EXTEND,
        /** The index describes the capture as it is: nothing to do. */
        KEEP
    }

    /**
     * Decides for the index of {@code capture} in {@code live} (its resolved directory);
     * {@code rebuild}: the caller asks for a build from the start.
     *
     * @throws CaptureChangedException when the capture changes while its last indexed record is read again
     */
    static IndexUpdate decide(final Path capture, final Path live, final boolean rebuild, final long segmentSize)
        throws IOException {
        if (!Files.isRegularFile(live.resolve(IndexSchema.MANIFEST_FILE))) {
            return new IndexUpdate(Action.BUILD, null, null);
        }
        if (rebuild) {
            return new IndexUpdate(Action.REBUILD, null, null);
        }
        IndexManifest previous = null;
        CaptureFingerprint.Match match = null;
        String replaced = null;
        try {
            final PacketIndex current = PacketIndex.open(capture, live);
            current.verifyAll();
            previous = current.manifest();
            match = current.captureMatch();
        } catch (IndexException e) {
            // stale, another version, damaged or unreadable: built anew
            replaced = e.problem();
        }
        if (match == CaptureFingerprint.Match.SAME) {
            return new IndexUpdate(Action.KEEP, previous, null);
        }
        if (match == CaptureFingerprint.Match.GROWN) {
            // a compressed capture that grew is indexed anew (its stream is not resumed mid-way)
            if (previous.compression() == null && lastRecordUnchanged(capture, previous, segmentSize)) {
                return new IndexUpdate(Action.EXTEND, previous, null);
            }
            replaced = "the capture grew, and it cannot be extended";
        }
        return new IndexUpdate(Action.REBUILD, null, replaced);
    }

    /**
     * Whether the last record the index holds is still at its offset, with its timestamp and
     * captured length: with the fingerprint's head and tail hashes, the check that the capture
     * only grew (the tail hash alone misses the header of a last record longer than its sample).
     */
    private static boolean lastRecordUnchanged(final Path capture, final IndexManifest previous, final long segmentSize)
        throws IOException {
        final IndexManifest.LastRecord last = previous.resume().lastRecord();
        if (last == null) {
            return true;
        }
        try (CaptureReader reader = CaptureReader.open(capture, previous.resume().offset(), segmentSize)) {
            if (reader instanceof PcapngReader ng) {
                ng.layout(previous.pcapngBlocks());
            }
            final Frame f = new Frame();
            return CaptureChangedException.read(reader.file(), () -> {
                reader.readAt(last.offset(), f);
                return f.capturedLength() == last.capturedLength()
                    && (!f.timestampKnown() || f.timestampNanos() == last.timestampNanos());
            });
        } catch (CaptureChangedException e) {
            throw e;
        } catch (CaptureFormatException e) {
            return false;
        }
    }
}
