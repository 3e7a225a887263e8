package io.scalpel.zeek;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The logs of one kind in a directory, read one after the other as one log: Zeek's rotated
 * files ({@code conn.2026-11-30-10-00-00.log.gz}, ZeekControl's {@code conn.10:00:00-11:00:00.log.gz})
 * and the live {@code conn.log}, in any format {@link ConnLogReader} reads (TSV, JSON lines,
 * gzip'd, zstd-compressed, Parquet). A file belongs to the log when its name starts with
 * {@code conn.} ({@code tunnel.} for tunnel.log); others (dns.*, conn-summary.*, hidden files,
 * subdirectories) are skipped.
 *
 * <p>Order: file names in ascending order (Unicode code points), which is time order for Zeek's
 * rotation names, then {@code conn.log} itself, the newest. Only one file is open at a time;
 * errors and skipped lines name the file they are in.
 */
final class RotatedLogs implements ConnLogReader.RowSource {
    private final List<Path> files;
    private final ConnLogListener listener;
    private final ZeekLogKind kind;
    private int nextFile;
    private ConnLogReader current;
    private long malformedInClosed;

    private RotatedLogs(final List<Path> files, final ConnLogListener listener, final ZeekLogKind kind) {
        this.files = files;
        this.listener = listener;
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

    /** The files of the log in {@code dir}, in reading order. */
    static List<Path> files(final Path dir, final ZeekLogKind kind) throws IOException {
        final String prefix = prefix(kind);
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                final String name = p.getFileName().toString();
                if (name.startsWith(prefix) && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString().equals(kind.logName))
            .thenComparing(p -> p.getFileName().toString()));
        return files;
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
            }
            final T row = current.next(converter);
            if (row != null) {
                return row;
            }
            closeCurrent();
        }
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
