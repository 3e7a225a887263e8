package io.scalpel.index;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Where an index lives and how it is replaced atomically.
 *
 * <p>An index is a directory ({@code capture.pcap.scalpel} beside the capture by default)
 * holding {@code manifest.json} and the part files of its two tables under {@code packets/} and
 * {@code flows/}. A new index, or an extended one, is written into {@code NAME.tmp-XXXX} beside it, synced, and moved into place: the old
 * directory is first renamed to {@code NAME.old-XXXX}, the new one renamed to {@code NAME}, then
 * the old one removed. A run killed at any point leaves either the previous index or the new
 * one under {@code NAME}; in the instant between the two renames, {@link #resolve} finds the
 * previous index under its {@code .old} name and puts it back.
 *
 * <p>An index is never changed in place. Extending one stages a new directory that holds hard
 * links to the previous index's part files (copies where the file system has no hard links),
 * the new parts and a new manifest, and swaps it in the same way: until the swap, the previous
 * index is whole and readable.
 */
public final class IndexDirectory {
    private static final String TMP_MARK = ".tmp-";
    private static final String OLD_MARK = ".old-";
    /** Moves of a new index into place tried while other builds of it keep taking the name first. */
    private static final int COMMIT_ATTEMPTS = 8;

    private IndexDirectory() {
    }

    /** The default index location of a capture: {@code CAPTURE.scalpel} beside it. */
    public static Path defaultFor(final Path capture) {
        final Path abs = capture.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + IndexSchema.INDEX_SUFFIX);
    }

    /**
     * Returns {@code index} as it should be read: restores a previous index left under an
     * {@code .old} name by a run killed between its two renames.
     */
    public static Path resolve(final Path index) throws IOException {
        if (Files.isDirectory(index)) {
            return index;
        }
        final Path parent = index.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return index;
        }
        final String prefix = index.getFileName() + OLD_MARK;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path old : ds) {
                if (Files.isRegularFile(old.resolve(IndexSchema.MANIFEST_FILE))) {
                    Files.move(old, index, StandardCopyOption.ATOMIC_MOVE);
                    return index;
                }
            }
        }
        return index;
    }

    /** Starts writing a new index for {@code target}. */
    static Staging stage(final Path target) throws IOException {
        final Path abs = target.toAbsolutePath();
        final Path parent = abs.getParent();
        Files.createDirectories(parent);
        if (Files.exists(abs) && !Files.isRegularFile(abs.resolve(IndexSchema.MANIFEST_FILE))
            && !(Files.isDirectory(abs) && isEmpty(abs))) {
            throw new FileAlreadyExistsException(abs.toString(), null, "exists and is not a scalpel index; not replacing it");
        }
        final Path tmp = parent.resolve(abs.getFileName() + TMP_MARK + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createDirectory(tmp);
        final Staging staging = new Staging(abs, tmp);
        try {
            Files.createDirectory(tmp.resolve(IndexSchema.PACKETS_DIR));
            Files.createDirectory(tmp.resolve(IndexSchema.FLOWS_DIR));
        } catch (IOException | RuntimeException e) {
            staging.close();
            throw e;
        }
        return staging;
    }

    /** Bytes of the files of an index directory. */
    static long size(final Path dir) throws IOException {
        long bytes = 0;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    bytes += Files.size(p);
                }
            }
        }
        return bytes;
    }

    private static boolean isEmpty(final Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** A new index being written; deleted on close unless committed. */
    static final class Staging implements Closeable {
        private final Path target;
        private final Path tmp;
        private boolean committed;

        Staging(final Path target, final Path tmp) {
            this.target = target;
            this.tmp = tmp;
        }

        Path directory() {
            return tmp;
        }

        void write(final String name, final byte[] bytes) throws IOException {
            Files.write(tmp.resolve(name), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }

        /**
         * Puts the file {@code relative} of the index {@code from} into the new index: a hard link
         * (the part files of an index are never written again), or a copy where links are refused.
         */
        void carry(final Path from, final String relative) throws IOException {
            final Path source = from.resolve(relative);
            final Path target = tmp.resolve(relative);
            if (!Files.isRegularFile(source)) {
                throw new IndexException(IndexException.Kind.CORRUPT, source + " is missing; re-run `scalpel index`");
            }
            try {
                Files.createLink(target, source);
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }

        /** Removes a file written into the new index (e.g. a part that received no rows). */
        void discard(final String relative) throws IOException {
            Files.deleteIfExists(tmp.resolve(relative));
        }

        /** Syncs the new index and moves it into place; returns its size in bytes. */
        long commit() throws IOException {
            long bytes = 0;
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isDirectory(f)) {
                        continue;
                    }
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        ch.force(true);
                        bytes += ch.size();
                    }
                }
            }
            syncDirectory(tmp.resolve(IndexSchema.PACKETS_DIR));
            syncDirectory(tmp.resolve(IndexSchema.FLOWS_DIR));
            syncDirectory(tmp);
            // Another build of the same index (another thread or process) may put its own in place
            // between setting the previous one aside and the move: it is set aside in turn and
            // this one, as complete, takes the name. Each build deletes only what it set aside.
            final List<Path> olds = new ArrayList<>(1);
            for (int attempt = 1; ; attempt++) {
                if (Files.exists(target)) {
                    final Path old = target.resolveSibling(target.getFileName() + OLD_MARK
                        + Long.toHexString(ThreadLocalRandom.current().nextLong()));
                    try {
                        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                        olds.add(old);
                    } catch (NoSuchFileException setAsideByAnother) {
                        // the other build set it aside first
                    }
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                    break;
                } catch (IOException e) {
                    if (attempt == COMMIT_ATTEMPTS || !Files.exists(target)) {
                        throw e;
                    }
                }
            }
            committed = true;
            syncDirectory(target.getParent());
            for (Path old : olds) {
                deleteTree(old);
            }
            return bytes;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                deleteTree(tmp);
            }
        }
    }

    private static void syncDirectory(final Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not every file system syncs directories; the rename is still atomic.
        }
    }

    static void deleteTree(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException ignored) {
                    // already gone
                }
            }
        }
    }
}
