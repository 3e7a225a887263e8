package io.scalpel.api;

import io.scalpel.extract.RunFiles;
import io.scalpel.index.CaptureFingerprint;
import io.scalpel.index.IndexBuilder;
import io.scalpel.index.IndexDirectory;
import io.scalpel.index.IndexException;
import io.scalpel.index.PacketIndex;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The index of one capture file, as the API finds or makes it: an open ({@link Scalpel#open})
 * uses it as it is, builds it when there is none, rebuilds it when it cannot be used and a
 * rebuild is asked for, and extends it when the capture grew ({@link Scalpel.Options});
 * {@code scalpel index} brings it up to date ({@link #update}) and {@code index --verify} checks
 * every byte of it ({@link #verify}).
 */
final class CaptureFileIndex {
    /**
     * The index an open uses.
     *
     * @param index the index, open
     * @param built what the open built, rebuilt or extended; null when the index was used as it was
     */
    record Opened(PacketIndex index, IndexReport built) {
    }

    private CaptureFileIndex() {
    }

    /** The index directory of {@code capture}: {@code indexDirectory}, or when null the default beside the capture. */
    static Path directoryOf(final Path capture, final Path indexDirectory) {
        return indexDirectory != null ? indexDirectory : IndexDirectory.defaultFor(capture);
    }

    /** Opens the index of {@code capture} as {@code options} say (build if missing, rebuild, extend). */
    static Opened open(final Path capture, final Scalpel.Options options) throws IOException {
        final Path dir = directoryOf(capture, options.index());
        IndexReport built = null;
        PacketIndex index;
        try {
            index = PacketIndex.open(capture, dir);
            if (options.reindex() && index.captureMatch() == CaptureFingerprint.Match.SAME) {
                // Asked to rebuild what cannot be used: every byte is checked first, so that a damaged
                // part is rebuilt now rather than refused in the middle of the slice.
                index.verifyAll();
            }
        } catch (IndexException e) {
            final boolean rebuild = (e.kind() == IndexException.Kind.MISSING && options.buildIfMissing())
                || (e.kind() != IndexException.Kind.MISSING && options.reindex());
            if (!rebuild) {
                throw e;
            }
            // A stale index is rebuilt from scratch, never extended: its prefix is not the capture's.
            built = update(capture, dir, options.progress(), e.kind() != IndexException.Kind.MISSING);
            index = PacketIndex.open(capture, dir);
        }
        if (index.captureMatch() == CaptureFingerprint.Match.GROWN && options.buildIfMissing()) {
            // The capture grew: index the records added since (the prefix is not scanned again).
            built = update(capture, dir, options.progress(), false);
            index = PacketIndex.open(capture, dir);
        }
        return new Opened(index, built);
    }

    /** Extends, keeps or builds anew the index (see {@link Scalpel#index(Path, Path, Progress, boolean)}). */
    static IndexReport update(final Path capture, final Path indexDirectory, final Progress progress, final boolean rebuild)
        throws IOException {
        return update(capture, indexDirectory, progress, IndexOptions.defaults().withRebuild(rebuild));
    }

    /** Extends, keeps or builds anew the index as {@code options} say (see {@link Scalpel#index(Path, Path, Progress, IndexOptions)}). */
    static IndexReport update(final Path capture, final Path indexDirectory, final Progress progress, final IndexOptions options)
        throws IOException {
        final Path dir = directoryOf(capture, indexDirectory);
        return IndexReport.of(capture, new IndexBuilder(capture, dir).progress(IndexReport.internal(progress))
            .rebuild(options.rebuild()).writerThreads(options.writerThreads()).build());
    }

    /** Checks every byte of the index, writing nothing (see {@link Scalpel#verify}). */
    static IndexCheck verify(final Path capture, final Path indexDirectory) throws IOException {
        final Path dir = directoryOf(capture, indexDirectory).toAbsolutePath();
        return IndexCheck.of(capture, dir, PacketIndex.verify(capture, dir), PacketIndex.rebuildAdvice(capture, dir));
    }

    /** What a slice of {@code capture} reads: the capture and its index ({@code indexDirectory}, null: beside the capture). */
    static RunFiles inputsOf(final Path capture, final Path indexDirectory) {
        return new RunFiles().input(capture, "the capture").inputDirectory(directoryOf(capture, indexDirectory), "the index");
    }
}
