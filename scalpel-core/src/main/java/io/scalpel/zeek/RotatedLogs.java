package io.scalpel.zeek;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;

/**
 * The logs of one kind in a directory and its subdirectories, read one after the other as one
 * log: Zeek's rotated files ({@code conn.2026-11-30-10-00-00.log.gz}), ZeekControl's archive
 * ({@code logs/2026-11-30/conn.10:00:00-11:00:00.log.gz}, with {@code logs/current/conn.log} the
 * live log) and the live {@code conn.log}, in any form {@link ConnLogReader} reads. A file belongs
 * to the log when its name starts with {@code conn.} ({@code tunnel.} for tunnel.log); others
 * (dns.*, conn-summary.*, hidden files and directories) are skipped. Symbolic links are followed
 * (ZeekControl's {@code current}), a link back up the tree is not; the search goes
 * {@value #MAX_DEPTH} directories deep.
 *
 * <p>Order: directories by name (the archive's dates in time order, {@code current} after them),
 * a directory's own files before its subdirectories; in a directory, file names in ascending order
 * (Unicode code points), which is time order for Zeek's rotation names, then {@code conn.log}
 * itself, the newest. Only one file is open at a time; errors and skipped lines name the file
 * they are in.
 */
final class RotatedLogs implements ConnLogReader.RowSource {
    /** How deep below the directory logs are looked for ({@code logs/2026-11-30/conn.*} is 1). */
    static final int MAX_DEPTH = 4;

    private final List<Path> files;
    private final ConnLogListener listener;
    private final ZeekLogKind kind;
    private int nextFile;
    private ConnLogReader current;
    private long malformedInClosed;
    private boolean vlanKeyed;
    private LineSieve sieve;

    private RotatedLogs(final List<Path> files, final ConnLogListener listener, final ZeekLogKind kind) {
        this.files = files;
        this.listener = new ConnLogListener() {
            private boolean noticed;

            @Override
            public void malformedLine(final String source, final long line, final String message) {
                listener.malformedLine(source, line, message);
            }

            @Override
            public void notice(final String source, final long line, final String message) {
                if (!noticed) { // once for the directory, naming the first file it applies to
                    noticed = true;
                    listener.notice(source, line, message);
                }
            }
        };
        this.kind = kind;
    }

    /**
     * @throws ConnLogFormatException when the directory holds no log of this kind
     */
    static RotatedLogs open(final Path dir, final String source, final ZeekLogKind kind, final ConnLogListener listener)
        throws IOException {
        final List<Path> files = files(dir, kind);
        if (files.isEmpty()) {
            final String prefix = prefix(kind);
            throw new ConnLogFormatException(source, 0, "directory holds no " + kind.logName + " (files named " + prefix
                + "*, like " + kind.logName + ", " + prefix + "2026-11-30-10-00-00.log.gz or " + prefix + "parquet)");
        }
        return new RotatedLogs(files, listener, kind);
    }

    /** The files of the log in {@code dir} and below, in reading order. */
    static List<Path> files(final Path dir, final ZeekLogKind kind) throws IOException {
        final String prefix = prefix(kind);
        final List<Path> files = new ArrayList<>();
        Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), MAX_DEPTH + 1, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(final Path d, final BasicFileAttributes attrs) {
                return d.equals(dir) || !d.getFileName().toString().startsWith(".") ? FileVisitResult.CONTINUE
                    : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(final Path f, final BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && f.getFileName().toString().startsWith(prefix)) {
                    files.add(f);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(final Path f, final IOException e) throws IOException {
                if (e instanceof FileSystemLoopException) {
                    return FileVisitResult.CONTINUE; // a link back to a directory above: its logs are read once
                }
                throw e;
            }
        });
        files.sort(Comparator.comparing((Path p) -> dir.relativize(p), RotatedLogs::compareDirectories)
            .thenComparing(p -> p.getFileName().toString().equals(kind.logName))
            .thenComparing(p -> p.getFileName().toString()));
        return files;
    }

    /** Orders two files (relative paths) by their directories, name by name; a directory's own files first. */
    private static int compareDirectories(final Path a, final Path b) {
        final int dirsA = a.getNameCount() - 1;
        final int dirsB = b.getNameCount() - 1;
        for (int i = 0; i < Math.min(dirsA, dirsB); i++) {
            final int c = a.getName(i).toString().compareTo(b.getName(i).toString());
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(dirsA, dirsB);
    }

    private static String prefix(final ZeekLogKind kind) {
        return kind.logName.substring(0, kind.logName.indexOf('.') + 1);
    }

    @Override
    public <T> T next(final ConnLogReader.RowConverter<T> converter, final Predicate<ConnRow> rowFilter) throws IOException {
        while (true) {
            if (current == null) {
                if (nextFile == files.size()) {
                    return null;
                }
                current = ConnLogReader.open(files.get(nextFile++), listener, kind);
                current.filter(rowFilter);
                current.sieve(sieve);
            }
            final T row = current.next(converter);
            vlanKeyed |= current.vlanKeyed();
            if (row != null) {
                return row;
            }
            closeCurrent();
        }
    }

    @Override
    public void sieve(final LineSieve sieve) {
        this.sieve = sieve;
        if (current != null) {
            current.sieve(sieve);
        }
    }

    @Override
    public boolean vlanKeyed() {
        return vlanKeyed;
    }

    @Override
    public boolean mayStopHere() {
        return false; // a later file may be keyed, or cut short
    }

    @Override
    public long malformedLines() {
        return malformedInClosed + (current == null ? 0 : current.malformedLines());
    }

    @Override
    public void close() throws IOException {
        closeCurrent();
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            malformedInClosed += current.malformedLines();
            final ConnLogReader r = current;
            current = null;
            r.close();
        }
    }
}
