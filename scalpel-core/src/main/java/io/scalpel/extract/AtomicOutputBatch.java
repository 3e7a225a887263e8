package io.scalpel.extract;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Many output files in one directory that appear under their names only when complete, committed
 * together: each is written to its hidden temporary file ({@link AtomicOutput}); they are synced
 * {@link #SYNC_GROUP} at a time, once the group is written, and {@link #commit()} renames each over
 * its target, then syncs the directory once.
 *
 * <p>The guarantee is that of {@link AtomicOutput} for each file: a target name only ever holds a
 * complete, synced file. Syncing a group of files after they are all written, instead of each as
 * it is written, lets the file system write them back together: the first sync's journal commit
 * takes the data of the whole group, and the others find little left to do. A run that fails
 * deletes the temporary files not yet renamed (files renamed before the failure stay, complete);
 * a killed run leaves hidden temporary files behind and no target half-written.
 */
public final class AtomicOutputBatch implements AutoCloseable {
    /** Write buffer of each file: many small extracts. */
    static final int BUFFER = 16 * 1024;
    /** Files written before the group is synced and closed (each holds a file descriptor until then). */
    static final int SYNC_GROUP = 256;
    /** Threads that sync a group. */
    static final int SYNC_THREADS = 16;

    private final Path directory;
    /** Written, not synced yet: open. */
    private final List<AtomicOutput> open = new ArrayList<>();
    /** Synced and closed, under their temporary names. */
    private final List<AtomicOutput.Closed> closed = new ArrayList<>();
    private boolean committed;
    /** Files renamed into place so far. */
    private int renamed;
    private java.util.concurrent.ExecutorService syncers;

    public AtomicOutputBatch(final Path directory) {
        this.directory = directory;
    }

    /** Opens the next file; write it through {@link AtomicOutput#stream()}, then call {@link #done}. */
    public AtomicOutput open(final Path target) throws OutputException {
        return AtomicOutput.open(target, BUFFER);
    }

    /** The file is complete: it is synced with its group and renamed by {@link #commit()}. */
    public void done(final AtomicOutput out) throws IOException {
        out.stream().flush();
        open.add(out);
        if (open.size() >= SYNC_GROUP) {
            syncOpen();
        }
    }

    /**
     * Syncs and closes the open files from {@link #SYNC_THREADS} threads at once: the file system
     * commits concurrent syncs together (one journal commit for many files), where syncs one after
     * the other cost one commit each.
     */
    private void syncOpen() throws OutputException {
        if (open.isEmpty()) {
            return;
        }
        if (syncers == null) {
            syncers = java.util.concurrent.Executors.newFixedThreadPool(SYNC_THREADS, r -> {
                final Thread t = new Thread(r, "scalpel-sync");
                t.setDaemon(true);
                return t;
            });
        }
        final List<java.util.concurrent.Future<AtomicOutput.Closed>> syncs = new ArrayList<>(open.size());
        for (AtomicOutput out : open) {
            syncs.add(syncers.submit(out::syncAndClose));
        }
        OutputException failure = null;
        for (int i = 0; i < syncs.size(); i++) {
            try {
                closed.add(syncs.get(i).get());
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof OutputException o ? o
                        : new OutputException("cannot write " + open.get(i).target() + ": " + e.getCause(), e.getCause());
                }
                open.get(i).close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new OutputException("interrupted while syncing " + open.get(i).target(), null);
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** Syncs the files not synced yet, renames each into place, and syncs the directory. */
    public void commit() throws OutputException {
        syncOpen();
        for (int i = 0; i < closed.size(); i++) {
            closed.get(i).rename();
            renamed = i + 1;
        }
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; every file is synced and renamed.
        }
        committed = true;
    }

    /** Deletes the temporary files of a batch that was not committed. */
    @Override
    public void close() {
        if (syncers != null) {
            syncers.shutdownNow();
        }
        if (!committed) {
            for (AtomicOutput out : open) {
                out.close();
            }
            for (int i = renamed; i < closed.size(); i++) {
                closed.get(i).discard();
            }
        }
    }
}
