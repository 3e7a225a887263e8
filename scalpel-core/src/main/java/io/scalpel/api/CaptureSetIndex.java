package io.scalpel.api;

import io.scalpel.extract.RunFiles;
import io.scalpel.index.CaptureSetBuilder;
import io.scalpel.index.CaptureSetManifest;
import io.scalpel.index.IndexException;
import io.scalpel.index.IndexFileCheck;
import io.scalpel.index.PacketIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The index of a capture set, as the API finds or makes it: an open ({@link CaptureSet#open})
 * reads its {@code set.json}, indexes the set when there is none (as
 * {@link Scalpel.Options#buildIfMissing()} allows) and rebuilds it when it cannot be read (as
 * {@link Scalpel.Options#reindex()} asks); {@code scalpel index DIR} brings it up to date
 * ({@link #build}) and {@code index --verify} checks every byte of it and of each member's index
 * ({@link #verify}).
 */
final class CaptureSetIndex {
    /**
     * The set index an open uses.
     *
     * @param directory the set index directory, absolute
     * @param manifest  what it lists
     * @param built     what the open indexed; null when the set index was used as it was
     */
    record Opened(Path directory, CaptureSetManifest manifest, CaptureSetBuilder.Result built) {
    }

    private CaptureSetIndex() {
    }

    /** The set index of {@code directory}: {@code indexDirectory}, or when null {@code DIR/.scalpel}; absolute. */
    static Path directoryOf(final Path directory, final Path indexDirectory) {
        return (indexDirectory != null ? indexDirectory : CaptureSetBuilder.defaultFor(directory)).toAbsolutePath();
    }

    /** Opens the set index of {@code directory} as {@code options} say (index if missing, rebuild if unreadable). */
    static Opened open(final Path directory, final Scalpel.Options options) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new NoSuchFileException(directory.toString(), null, "not a directory");
        }
        final Path dir = directoryOf(directory, options.index());
        final Path manifestFile = dir.resolve(CaptureSetManifest.MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            if (!options.buildIfMissing()) {
                throw missing(directory, dir);
            }
            final CaptureSetBuilder.Result built = build(directory, dir, options.progress(), false);
            return new Opened(dir, built.manifest(), built);
        }
        try {
            return new Opened(dir, CaptureSetManifest.read(manifestFile, CaptureSetManifest.rebuildAdvice(directory, options.index())),
                null);
        } catch (IndexException e) {
            if (!options.reindex()) {
                throw e;
            }
            final CaptureSetBuilder.Result built = build(directory, dir, options.progress(), false);
            return new Opened(dir, built.manifest(), built);
        }
    }

    /** Indexes new members, extends grown ones, rebuilds changed ones (every one with {@code rebuild}), drops removed ones. */
    static CaptureSetBuilder.Result build(final Path directory, final Path indexDirectory, final Progress progress,
                                          final boolean rebuild) throws IOException {
        return build(directory, indexDirectory, progress, IndexOptions.defaults().withRebuild(rebuild));
    }

    /** Brings the set index up to date as {@code options} say (from the start or not, with how many writer threads). */
    static CaptureSetBuilder.Result build(final Path directory, final Path indexDirectory, final Progress progress,
                                          final IndexOptions options) throws IOException {
        return new CaptureSetBuilder(directory, indexDirectory).progress(IndexReport.internal(progress))
            .rebuild(options.rebuild()).writerThreads(options.writerThreads()).build();
    }

    /** Checks every byte of the set index, writing nothing (see {@link CaptureSet#verify}). */
    static IndexCheck verify(final Path directory, final Path indexDirectory) throws IOException {
        return IndexCheck.of(directory, directoryOf(directory, indexDirectory), checks(directory, indexDirectory),
            CaptureSetManifest.rebuildAdvice(directory, indexDirectory));
    }

    /** {@code set.json}, then each member's index file by file, named relative to the set index. */
    private static List<IndexFileCheck> checks(final Path directory, final Path indexDirectory) throws IOException {
        final Path dir = directoryOf(directory, indexDirectory);
        final Path manifestFile = dir.resolve(CaptureSetManifest.MANIFEST_FILE);
        final String advice = CaptureSetManifest.rebuildAdvice(directory, indexDirectory);
        if (!Files.isRegularFile(manifestFile)) {
            throw missing(directory, dir);
        }
        final List<IndexFileCheck> checks = new ArrayList<>();
        final CaptureSetManifest manifest;
        try {
            manifest = CaptureSetManifest.read(manifestFile, advice);
            checks.add(new IndexFileCheck(CaptureSetManifest.MANIFEST_FILE, Files.size(manifestFile), null));
        } catch (IndexException e) {
            checks.add(new IndexFileCheck(CaptureSetManifest.MANIFEST_FILE, Files.size(manifestFile), e.problem()));
            return checks;
        }
        for (CaptureSetManifest.Member m : manifest.members()) {
            final Path capture = directory.resolve(m.file());
            try {
                for (IndexFileCheck c : PacketIndex.verify(capture, dir.resolve(m.index()))) {
                    checks.add(c.file().equals(capture.toString()) ? c
                        : new IndexFileCheck(m.index() + "/" + c.file(), c.bytes(), c.problem()));
                }
            } catch (IndexException e) {
                checks.add(new IndexFileCheck(m.index(), -1, e.problem()));
            }
        }
        return checks;
    }

    private static IndexException missing(final Path directory, final Path dir) {
        return new IndexException(IndexException.Kind.MISSING, directory + ": no capture set index in " + dir
            + "; run `scalpel index " + directory + "`");
    }

    /**
     * What a slice of the capture set {@code directory} reads, which no output may replace or be
     * written into: the directory, each file it lists and the set index ({@code indexDirectory},
     * null: {@code DIR/.scalpel}).
     */
    static RunFiles inputsOf(final Path directory, final Path indexDirectory) throws IOException {
        return new RunFiles().inputDirectory(directory, "the capture set directory", "the capture set member")
            .inputDirectory(indexDirectory != null ? indexDirectory : CaptureSetBuilder.defaultFor(directory), "the capture set index");
    }
}
