package io.scalpel.capture;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * What a capture file was when it was opened (size, modification time, identity), to tell later
 * whether it changed under its readers ({@link CaptureSource#change()}).
 *
 * @param size        bytes of the open file
 * @param mtimeMillis its modification time
 * @param key         its identity on the file system (inode), or null where there is none
 */
record FileState(long size, long mtimeMillis, Object key) {
    static FileState of(final Path path, final FileChannel channel) throws IOException {
        // The size and the modification time must be one snapshot: a capture still being written
        // that grows between a size read and a time read would otherwise leave the size after a
        // write beside the time before it, and look modified in place once it stops growing. The
        // file's attributes are that snapshot; their size lies between two reads of the channel's
        // when the name is still the open file.
        final long before = channel.size();
        final BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        final long after = channel.size();
        final long size = a.size() >= before && a.size() <= after ? a.size() : after;
        return new FileState(size, a.lastModifiedTime().toMillis(), a.fileKey());
    }

    /**
     * How the open file changed since this state, or null: it is now shorter than the {@code read}
     * bytes its readers rely on, or, at the size it had, the file under its name (the same file) has
     * another modification time.
     */
    String change(final Path path, final FileChannel channel, final long read) throws IOException {
        if (!channel.isOpen()) {
            return null; // closed by its owner (a mapping outlives its channel): nothing to tell any more
        }
        final long now = channel.size();
        if (now < read) {
            return "it is " + now + " bytes now, but was " + read + " when it was opened";
        }
        if (now != size) {
            return null; // it grew: a capture still being written
        }
        final BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null; // removed, but the open file is still there as it was
        }
        if (!Objects.equals(a.fileKey(), key)) {
            return null; // another file under its name now; the open one is still the one read
        }
        if (a.lastModifiedTime().toMillis() == mtimeMillis || grows(channel, size)) {
            return null;
        }
        return "it was modified in place: same size, modification time " + a.lastModifiedTime() + " instead of "
            + java.nio.file.attribute.FileTime.fromMillis(mtimeMillis);
    }

    /** Whether a file that seemed touched was a growing one with a write still landing ({@link Settling}). */
    private static boolean grows(final FileChannel channel, final long size) throws IOException {
        return !Settling.settles(() -> channel.size() != size);
    }
}
