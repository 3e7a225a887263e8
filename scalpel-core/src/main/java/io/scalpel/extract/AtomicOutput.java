package io.scalpel.extract;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An output file that appears under its name only when complete: bytes go to
 * {@code .NAME.tmp-XXXX}, created new ({@code CREATE_NEW}) in the same directory, which
 * {@link #commit()} renames over the target; {@link #close()} without commit deletes it.
 *
 * <p>The rename replaces whatever the name held: an existing file (its old bytes are never
 * overwritten, only unlinked), or a symbolic link, replaced as a name and never followed, so the
 * file it pointed to keeps its bytes. Only a stream is written in place: a device such as
 * /dev/full or a named pipe, named directly or through symbolic links (/dev/stdout). A directory,
 * or a link to one, is refused. Every write failure surfaces as an {@link OutputException}
 * naming the target.
 */
public final class AtomicOutput implements AutoCloseable {
    private static final int BUFFER = 1 << 20;

    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean committed;

    private AtomicOutput(final Path target, final Path temporary, final FileChannel channel, final int buffer) {
        this.target = target;
        this.temporary = temporary;
        this.channel = channel;
        this.stream = new Guarded(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), buffer), target);
    }

    public static AtomicOutput open(final Path target) throws OutputException {
        return open(target, BUFFER);
    }

    /** As {@link #open(Path)}, with a write buffer of {@code buffer} bytes (many small outputs: a small one). */
    public static AtomicOutput open(final Path target, final int buffer) throws OutputException {
        try {
            // What the name holds, and what it leads to (null: nothing, or a dangling link).
            final BasicFileAttributes own = attributes(target, LinkOption.NOFOLLOW_LINKS);
            final BasicFileAttributes followed = own != null && own.isSymbolicLink() ? attributes(target) : own;
            if (followed != null && followed.isDirectory()) {
                throw new OutputException(target + ": is a directory", null);
            }
            if (followed != null && followed.isOther()) {
                return new AtomicOutput(target, null, FileChannel.open(target, StandardOpenOption.WRITE), buffer);
            }
            final Path dir = target.toAbsolutePath().getParent();
            final Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            return new AtomicOutput(target, tmp, FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), buffer);
        } catch (OutputException e) {
            throw e;
        } catch (IOException e) {
            throw new OutputException("cannot write " + target + ": " + describe(target, e), e);
        }
    }

    /** The attributes of {@code path}, or null when nothing is there. */
    private static BasicFileAttributes attributes(final Path path, final LinkOption... options) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, options);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    public OutputStream stream() {
        return stream;
    }

    public Path target() {
        return target;
    }

    /** Flushes, syncs and renames the file into place. */
    public void commit() throws OutputException {
        try {
            stream.flush();
            if (temporary != null) {
                channel.force(false);
            }
            channel.close();
            if (temporary != null) {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
        } catch (OutputException e) {
            throw e;
        } catch (IOException e) {
            throw new OutputException("cannot write " + target + ": " + describe(target, e), e);
        }
    }

    /** A file closed by {@link #syncAndClose()}: synced, still under its temporary name (null: written in place). */
    record Closed(Path temporary, Path target) {
        /** Renames the temporary file over the target. */
        void rename() throws OutputException {
            if (temporary == null) {
                return;
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new OutputException("cannot write " + target + ": " + describe(target, e), e);
            }
        }

        /** Deletes the temporary file, if it is still there. */
        void discard() {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    /**
     * The first half of {@link #commit()}, for outputs committed together ({@link AtomicOutputBatch}):
     * flushes, syncs and closes the file, which keeps its temporary name. The caller then owns
     * the temporary file ({@link #close()} no longer deletes it).
     */
    Closed syncAndClose() throws OutputException {
        try {
            stream.flush();
            if (temporary != null) {
                channel.force(false);
            }
            channel.close();
            committed = true;
            return new Closed(temporary, target);
        } catch (OutputException e) {
            throw e;
        } catch (IOException e) {
            throw new OutputException("cannot write " + target + ": " + describe(target, e), e);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the write already failed; the temporary file goes
            }
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    /**
     * Why writing {@code target} failed, in a few words. "No such file" when creating a file means
     * a missing directory, unless the directory is there: then its file system takes no new files
     * (/proc, /sys).
     */
    static String describe(final Path target, final IOException e) {
        final String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            final Path dir = target.toAbsolutePath().getParent();
            return dir != null && Files.isDirectory(dir)
                ? "cannot create a file in the directory " + dir + " (the file system answered: no such file or directory)"
                : "no such directory";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** Wraps every failure of the underlying stream as an OutputException. */
    static final class Guarded extends FilterOutputStream {
        private final Path name;

        Guarded(final OutputStream out, final Path name) {
            super(out);
            this.name = name;
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new OutputException("cannot write " + name + ": " + describe(name, e), e);
            }
        }

        @Override
        public void write(final int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new OutputException("cannot write " + name + ": " + describe(name, e), e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new OutputException("cannot write " + name + ": " + describe(name, e), e);
            }
        }
    }

    /**
     * A stream (e.g. stdout, or an HTTP response) with failures reported as OutputException, buffered as a
     * file is, through a buffer that grows only as the output needs ({@link GrowingBuffer}).
     */
    public static OutputStream guard(final OutputStream out, final String name) {
        return new Guarded(new GrowingBuffer(out, BUFFER), Path.of(name));
    }
}
