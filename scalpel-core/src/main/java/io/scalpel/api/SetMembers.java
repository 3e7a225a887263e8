package io.scalpel.api;

import io.scalpel.index.CaptureSetManifest;
import io.scalpel.index.IndexException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of an open capture set: which of them a time window meets, by the time range the
 * set index gives (a member whose size changed since it was indexed always meets it: its range is
 * no longer known), and each opened once, when a selection first needs it, and kept open until
 * {@link #close()}; opened under this object's lock, so that a set serves several threads at once.
 * A member's index refused is told with what rebuilds it: {@code scalpel index
 * DIR}, the set.
 */
final class SetMembers implements Closeable {
    private final Path directory;
    private final Path indexDirectory;
    private final Scalpel.Options options;
    private final Map<String, Scalpel> opened = new LinkedHashMap<>();

    /** The members of the set {@code directory} with its index in {@code indexDirectory}, opened with {@code options}. */
    SetMembers(final Path directory, final Path indexDirectory, final Scalpel.Options options) {
        this.directory = directory;
        this.indexDirectory = indexDirectory;
        this.options = options;
    }

    /** Member {@code m}, opened on first use with its index in the set index ({@link Scalpel#open}). */
    synchronized Scalpel open(final CaptureSetManifest.Member m) throws IOException {
        Scalpel s = opened.get(m.file());
        if (s == null) {
            try {
                s = Scalpel.open(directory.resolve(m.file()), options.withIndex(indexDirectory.resolve(m.index())));
            } catch (IndexException e) {
                throw inSet(e);
            }
            opened.put(m.file(), s);
        }
        return s;
    }

    /**
     * A member's index refused: what rebuilds it is {@code scalpel index DIR} (the set), not the
     * command the member's own index would name.
     */
    IndexException inSet(final IndexException e) {
        return e.advice() == null ? e : e.withAdvice(CaptureSetManifest.rebuildAdvice(directory, options.index()));
    }

    /** Whether a frame of {@code m} can join a query window [{@code from}, {@code to}]. */
    boolean meets(final CaptureSetManifest.Member m, final long from, final long to) throws IOException {
        return changed(m) || m.overlaps(from, to);
    }

    /** Whether a frame of {@code m} can have a timestamp in [{@code from}, {@code to}]. */
    boolean meetsFrames(final CaptureSetManifest.Member m, final long from, final long to) throws IOException {
        return changed(m) || (m.packets() > 0 && m.firstTimestampNanos() <= to && m.lastTimestampNanos() >= from);
    }

    /** No frame of {@code m} is earlier than this: its first time as indexed, {@link Long#MIN_VALUE} when its size changed since. */
    long earliestFrame(final CaptureSetManifest.Member m) throws IOException {
        return changed(m) ? Long.MIN_VALUE : m.packets() > 0 ? m.firstTimestampNanos() : Long.MAX_VALUE;
    }

    /** Whether the member's size differs from the one indexed (a stat, the file is not opened). */
    private boolean changed(final CaptureSetManifest.Member m) throws IOException {
        final Path p = directory.resolve(m.file());
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null,
                "member of the capture set index " + indexDirectory + " is gone; re-run `scalpel index " + directory + "`");
        }
        return Files.size(p) != m.size();
    }

    /** The member files opened so far, in the order they were opened. */
    synchronized List<String> filesOpened() {
        return List.copyOf(opened.keySet());
    }

    /** Closes every member opened; throws the first failure after trying them all. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Scalpel s : opened.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        opened.clear();
        if (first != null) {
            throw first;
        }
    }
}
