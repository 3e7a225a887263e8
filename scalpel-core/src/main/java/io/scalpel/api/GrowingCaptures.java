package io.scalpel.api;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A capture file that grows, or a directory that gains rotated files, kept open with an index
 * that covers it: {@link #refresh()} looks at the files' sizes and times, and when they changed
 * opens the captures anew, which extends the index by the new records of a grown file; a
 * directory's set index is brought up to date first ({@link CaptureSet#index}: the new member
 * indexed, the grown one extended), as {@code scalpel index DIR} would. {@link #coveredNanos()} is the
 * time of the last frame indexed; {@link #lastChangeNanos()} when the files were last seen to change.
 *
 * <p>One thread looks and refreshes; any thread may read {@link #captures()} meanwhile, and gets
 * the captures as last opened: the old ones until the new ones are in place. What becomes of the
 * old ones is the caller's ({@link #refresh(Consumer)}): closed at once, or when the readers that
 * still use them are done.
 */
public final class GrowingCaptures implements Closeable {
    private final Path path;
    private final Scalpel.Options options;
    private volatile Captures captures;
    /** The files as they were when last opened. */
    private List<String> stamp;
    /** The files as they were when last looked at. */
    private List<String> seen;
    private volatile long lastChangeNanos;
    private volatile long opened;

    /**
     * Opens a capture file or a capture set with its index (built, extended or kept, as
     * {@code options} say).
     *
     * @param path    a capture file, or a directory of captures (a capture set)
     * @param options how its index is opened
     * @throws IOException when a capture or its index cannot be read or written (as {@link Failure#forIndex} says)
     */
    public GrowingCaptures(final Path path, final Scalpel.Options options) throws IOException {
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
    public boolean look() throws IOException {
        final List<String> now = stamp();
        if (!now.equals(seen)) {
            seen = now;
            lastChangeNanos = System.nanoTime();
        }
        return !now.equals(stamp);
    }

    /**
     * Opens the captures anew when they changed since they were last opened, and closes the old ones.
     *
     * @return whether they changed
     * @throws IOException when a capture or its index cannot be read or written
     */
    public boolean refresh() throws IOException {
        return refresh(GrowingCaptures::closeQuietly);
    }

    /**
     * Opens the captures anew when they changed since they were last opened; the old ones are
     * handed to {@code retire} once the new ones are in place (readers of {@link #captures()} may
     * still be using them). When opening fails, the old ones stay in place.
     *
     * @param retire what becomes of the captures replaced, e.g. closed when their readers are done
     * @return whether they changed
     * @throws IOException when a capture or its index cannot be read or written
     */
    public boolean refresh(final Consumer<Captures> retire) throws IOException {
        if (!look()) {
            return false;
        }
        // Taken before the open: what grows meanwhile is seen as a change next time.
        final List<String> now = seen;
        final Captures fresh = open();
        final Captures old = captures;
        captures = fresh;
        stamp = now;
        retire.accept(old);
        return true;
    }

    /**
     * The captures as last opened.
     *
     * @return the captures
     */
    public Captures captures() {
        return captures;
    }

    /**
     * The time of the last frame the index covers.
     *
     * @return nanoseconds since the epoch, {@link Long#MIN_VALUE} when there is no frame yet
     */
    public long coveredNanos() {
        return captures.lastTimestampNanos();
    }

    /**
     * When the files were last seen to change.
     *
     * @return a {@link System#nanoTime()}
     */
    public long lastChangeNanos() {
        return lastChangeNanos;
    }

    /**
     * How many times the captures were opened (each an index extension or a check).
     *
     * @return the opens, the first included
     */
    public long opened() {
        return opened;
    }

    /**
     * The capture file or directory.
     *
     * @return the path given
     */
    public Path path() {
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

    private static void closeQuietly(final Captures c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing read-only captures: nothing to lose
        }
    }

    /**
     * Closes the captures as last opened.
     *
     * @throws IOException as {@link Captures#close()}
     */
    @Override
    public void close() throws IOException {
        captures.close();
    }
}
