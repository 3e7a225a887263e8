package io.scalpel.follow;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.Captures;
import io.scalpel.api.Failure;
import io.scalpel.api.Progress;
import io.scalpel.api.Scalpel;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * A capture file that grows, or a directory that gains rotated files, kept open with an index
 * that covers it: {@link #refresh()} looks at the files' sizes and times, and when they changed
 * opens the captures anew, which extends the index by the new records of a grown file; a
 * directory's set index is brought up to date first ({@link CaptureSet#index}: the new member
 * indexed, the grown one extended), as {@code scalpel index DIR} would. {@link #coveredNanos()} is the
 * time of the last frame indexed; {@link #lastChangeNanos()} when the files were last seen to change.
 */
final class GrowingCaptures implements Closeable {
    private final Path path;
    private final Scalpel.Options options;
    private Captures captures;
    /** The files as they were when last opened. */
    private List<String> stamp;
    /** The files as they were when last looked at. */
    private List<String> seen;
    private long lastChangeNanos;
    private long opened;

    GrowingCaptures(final Path path, final Scalpel.Options options) throws IOException {
        this.path = path;
        this.options = options;
        this.stamp = stamp();
        this.seen = stamp;
        this.captures = open();
        this.lastChangeNanos = System.nanoTime();
    }

    /**
     * Looks at the files (their sizes and times, nothing more): when they changed since last
     * looked at, {@link #lastChangeNanos()} is now.
     *
     * @return whether they differ from the captures as opened
     * @throws IOException when the files cannot be listed
     */
    boolean look() throws IOException {
        final List<String> now = stamp();
        if (!now.equals(seen)) {
            seen = now;
            lastChangeNanos = System.nanoTime();
        }
        return !now.equals(stamp);
    }

    /**
     * Opens the captures anew when they changed since they were last opened.
     *
     * @return whether they changed
     * @throws IOException when a capture or its index cannot be read or written
     */
    boolean refresh() throws IOException {
        if (!look()) {
            return false;
        }
        // Taken before the open: what grows meanwhile is seen as a change next time.
        final List<String> now = seen;
        final Captures fresh = open();
        final Captures old = captures;
        captures = fresh;
        stamp = now;
        old.close();
        return true;
    }

    /** The captures as last opened. */
    Captures captures() {
        return captures;
    }

    /** The time of the last frame the index covers, ns (Long.MIN_VALUE: no frame yet). */
    long coveredNanos() {
        return captures.lastTimestampNanos();
    }

    /** When the files were last seen to change, {@link System#nanoTime()}. */
    long lastChangeNanos() {
        return lastChangeNanos;
    }

    /** How many times the captures were opened (each an index extension or a check). */
    long opened() {
        return opened;
    }

    Path path() {
        return path;
    }

    private Captures open() throws IOException {
        opened++;
        try {
            if (Files.isDirectory(path)) {
                // An open reads the set index as it is: bring it up to date first, as `scalpel index DIR`
                // does (new members indexed, grown ones extended), so that the set's time range is known.
                CaptureSet.index(path, options.index(), Progress.NONE, false);
            }
            return Captures.open(path, options);
        } catch (IOException e) {
            throw Failure.forIndex(path, options.index(), e, false);
        }
    }

    /** What tells a change: each file's name, size and modification time. */
    private List<String> stamp() throws IOException {
        final List<String> s = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(path)) {
                for (Path f : files) {
                    final String name = String.valueOf(f.getFileName());
                    if (!name.startsWith(".") && Files.isRegularFile(f)) {
                        s.add(entry(name, f));
                    }
                }
            }
            s.sort(null);
        } else {
            s.add(entry("", path));
        }
        return s;
    }

    private static String entry(final String name, final Path f) throws IOException {
        final BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        return name + '/' + a.size() + '/' + a.lastModifiedTime().toMillis();
    }

    @Override
    public void close() throws IOException {
        captures.close();
    }
}
