package io.scalpel.api;

import io.scalpel.zeek.ConnLogFiles;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.ConnSelection;
import io.scalpel.zeek.SameKeyRows;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A conn.log's rows by uid and by connection key, kept in memory, so that a slice by uid finds its
 * rows without reading the log: what a long-running service keeps warm for the logs it was given.
 * A look-up through it ({@link Slices#run(Captures, SliceRequest, SliceListener, ConnLogIndex)},
 * {@link Connections#find(Captures, String, Collection, int, ConnLogIndex)}) gives exactly the rows
 * and the next rows of their keys that reading the log gives, so the extract is the same byte for
 * byte.
 *
 * <p>It is compact: a row of a plain-text log (Zeek TSV, a TSV or CSV with a header line, JSON
 * lines) is held as the hashes of its uid and of its connection key with the byte offset and line
 * number of its line, about 40 bytes; a look-up reads the few lines it needs again, after the
 * header lines that precede them, and parses them as the log's reader does. A gzip, zstd or Parquet
 * log cannot be read at an offset: its rows are held as they were read.
 *
 * <p>It follows the log: {@link #refresh()} (which its owner calls when it sees fit, in the
 * background) reads only what changed since the last refresh: the lines appended to a file that
 * grew (a last line without its line feed is read again once it has one), the whole of a file that
 * was replaced, truncated or rewritten, and the files that appeared in a directory of rotated logs.
 * A look-up first checks that the index is {@link #current()} (each file's size, modification time
 * and identity, and each directory's modification time, as of its refresh): when it is not, the
 * look-up answers null and the caller reads the log as without an index.
 *
 * <p>Malformed lines are counted when the index is built; a look-up through it reports none.
 * Thread-safe: look-ups run against the last refresh's immutable snapshot, refreshes run one at a
 * time.
 */
public final class ConnLogIndex {
    /** Bytes of a file read at a time while it is scanned for its lines. */
    private static final int SCAN_CHUNK = 1 << 20;
    /** Bytes of a file's start fingerprinted, to tell an append from a rewrite of the same file. */
    private static final int HEAD_BYTES = 4096;

    private final Path log;
    private final String source;
    private volatile Snapshot snapshot;
    private final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();

    private ConnLogIndex(final Path log) {
        this.log = log;
        this.source = log.toString();
    }

    /**
     * An index of {@code log}, empty until its first {@link #refresh()}.
     *
     * @param log a conn.log file or a directory of rotated conn logs, as {@link SliceRequest#conn()} names it
     * @return the index, not yet built
     */
    public static ConnLogIndex of(final Path log) {
        return new ConnLogIndex(Objects.requireNonNull(log, "log"));
    }

    /**
     * The log this indexes.
     *
     * @return the conn.log file or directory
     */
    public Path log() {
        return log;
    }

    /**
     * Whether the index was built at least once (it may be behind the log since: {@link #current()}).
     *
     * @return true after the first successful refresh
     */
    public boolean ready() {
        return snapshot != null;
    }

    /**
     * Rows indexed as of the last refresh.
     *
     * @return how many rows the log's files held (0 before the first refresh)
     */
    public long rows() {
        final Snapshot s = snapshot;
        return s == null ? 0 : s.rows;
    }

    /**
     * Files indexed as of the last refresh.
     *
     * @return how many files of the log were read (0 before the first refresh)
     */
    public int files() {
        final Snapshot s = snapshot;
        return s == null ? 0 : s.files.size();
    }

    /**
     * Look-ups the index answered (the others read the log, as it was not current or not built).
     *
     * @return how many look-ups found their rows through the index so far
     */
    public long answered() {
        return answered.get();
    }

    /**
     * Whether the index is as the log is now: no file grew, shrank, changed or was replaced, and no
     * directory of the log changed (a file added or removed), since the last refresh.
     *
     * @return false before the first refresh, or when a refresh is due
     * @throws IOException when a file's attributes cannot be read
     */
    public boolean current() throws IOException {
        final Snapshot s = snapshot;
        return s != null && s.current();
    }

    /**
     * Brings the index up to date with the log, reading only what changed: appended lines, new,
     * replaced or rewritten files. Refreshes run one at a time; look-ups meanwhile use the previous
     * snapshot (or read the log, when it is not current).
     *
     * @return true when the index changed
     * @throws IOException when the log cannot be read or is not a conn.log (as {@link ConnLogReader} says)
     */
    public synchronized boolean refresh() throws IOException {
        final Snapshot old = snapshot;
        final boolean directory = Files.isDirectory(log);
        final Map<Path, FileTime> dirs = directory ? directories(log) : Map.of(); // before the files: a later change shows
        final List<Path> paths = directory ? ConnLogFiles.of(log) : List.of(log);
        final List<LogFile> files = new ArrayList<>(paths.size());
        boolean changed = old == null || !old.dirs.equals(dirs) || old.files.size() != paths.size();
        for (Path p : paths) {
            final Stamp stamp = Stamp.of(p);
            final LogFile before = old == null ? null : old.byPath.get(p);
            final LogFile now;
            if (before != null && before.stamp.equals(stamp)) {
                now = before;
            } else {
                now = LogFile.read(p, stamp, before, source);
                changed = true;
            }
            files.add(now);
        }
        if (changed) {
            snapshot = new Snapshot(files, dirs);
        }
        return changed;
    }

    /**
     * The rows of {@code uids} and the rows of their keys, as {@link ConnSelection#read} finds them
     * in the log; null when the index is not current or {@code conn} is not its log (then the log is
     * read).
     */
    ConnSelection.Result select(final String conn, final Collection<String> uids, final Predicate<ConnRecord> vlanAware)
        throws IOException {
        final Snapshot s = snapshot;
        if (s == null || !source.equals(conn) || !s.current()) {
            return null;
        }
        try (Reads reads = new Reads()) {
            final ConnSelection.Result found = select(s, uids, vlanAware, reads);
            answered.incrementAndGet();
            return found;
        } catch (Stale e) {
            return null; // a file changed since the check: the log is read
        }
    }

    private ConnSelection.Result select(final Snapshot s, final Collection<String> uids, final Predicate<ConnRecord> vlanAware,
                                        final Reads reads) throws IOException {
        final List<Hit> hits = new ArrayList<>();
        for (String uid : new java.util.LinkedHashSet<>(uids)) {
            final Hit h = s.first(uid, reads);
            if (h != null) {
                hits.add(h);
            }
        }
        hits.sort((a, b) -> a.file != b.file ? Integer.compare(a.file, b.file) : Integer.compare(a.row, b.row));
        final Map<String, ConnRecord> rows = new LinkedHashMap<>();
        for (Hit h : hits) {
            rows.put(h.record.uid(), s.vlanKeyed ? h.record.withVlanKeyed(true) : h.record);
        }
        final boolean aware = rows.values().stream().anyMatch(vlanAware);
        final SameKeyRows next = new SameKeyRows(aware);
        final Set<Long> added = new HashSet<>();
        for (Hit h : hits) {
            final long key = keyHash(h.record);
            for (int f = 0; f < s.files.size(); f++) {
                final LogFile file = s.files.get(f);
                for (int i = file.firstKey(key); i >= 0 && i < file.rows && file.keyHash[i] == key; i++) {
                    if (added.add((long) f << 32 | file.keyRow[i])) {
                        next.add(file.row(file.keyRow[i], reads));
                    }
                }
            }
        }
        final Set<String> parents = new HashSet<>();
        for (String u : uids) {
            if (s.tunnelParents.contains(u) && !rows.containsKey(u)) {
                parents.add(u);
            }
        }
        return new ConnSelection.Result(rows, next, s.malformed, source, Set.copyOf(parents), s.vlanKeyed);
    }

    /**
     * The text of the log's first row of {@code uid}: its line after the lines it is read after in
     * its file (Zeek's {@code #} headers, a header line naming the columns), one line each, as the
     * log has them; for a column this index does not parse (Zeek's {@code service}, {@code history}).
     *
     * @param uid a uid
     * @return the lines, each ended by a line feed; null when the index is not current, no row has
     *         the uid, or its file is not plain text (gzip, zstd, Parquet)
     * @throws IOException when the log cannot be read
     */
    public String text(final String uid) throws IOException {
        final Snapshot s = snapshot;
        if (s == null || !s.current()) {
            return null;
        }
        try (Reads reads = new Reads()) {
            final Hit h = s.first(uid, reads);
            if (h == null || s.files.get(h.file).held != null) {
                return null;
            }
            return new String(s.files.get(h.file).text(h.row, reads), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Stale e) {
            return null;
        }
    }

    /** The directories of a log directory whose files are read (as {@link ConnLogFiles} walks them), with their times. */
    private static Map<Path, FileTime> directories(final Path dir) throws IOException {
        final Map<Path, FileTime> dirs = new HashMap<>();
        Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), ConnLogFiles.MAX_DEPTH + 1, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(final Path d, final BasicFileAttributes attrs) {
                if (!d.equals(dir) && d.getFileName().toString().startsWith(".")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                dirs.put(d, attrs.lastModifiedTime());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(final Path f, final IOException e) throws IOException {
                if (e instanceof FileSystemLoopException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return dirs;
    }

    /** A 64-bit hash of a uid: the one the conn.log batches sort by. */
    static long uidHash(final String uid) {
        return SameKeyRows.stringHash(uid);
    }

    /**
     * A 64-bit hash of a row's connection key, VLAN tags left out (the key of a VLAN-blind join,
     * which holds every row of a VLAN-aware key too), so that the rows it gathers hold every row
     * of the key: {@link SameKeyRows} then tells the key's rows apart exactly.
     */
    static long keyHash(final ConnRecord r) {
        return SameKeyRows.keyHash(r, false);
    }

    /** A file changed between the check that the index is current and the read of a line. */
    private static final class Stale extends IOException {
        private static final long serialVersionUID = 1L;

        Stale() {
            super("the conn.log changed during the look-up", null);
        }
    }

    /** A row found: which file, which row of it, and the row. */
    private record Hit(int file, int row, ConnRecord record) {
    }

    /** A file's size, modification time and identity (its inode, where the file system has one). */
    private record Stamp(long size, FileTime modified, Object key) {
        static Stamp of(final Path p) throws IOException {
            final BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        }
    }

    /** The files of one refresh, in reading order, and the directories they were found in. */
    private static final class Snapshot {
        final List<LogFile> files;
        final Map<Path, LogFile> byPath = new HashMap<>();
        final Map<Path, FileTime> dirs;
        final long rows;
        final long malformed;
        final boolean vlanKeyed;
        final Set<String> tunnelParents = new HashSet<>();

        Snapshot(final List<LogFile> files, final Map<Path, FileTime> dirs) {
            this.files = List.copyOf(files);
            this.dirs = Map.copyOf(dirs);
            long n = 0;
            long bad = 0;
            boolean keyed = false;
            for (LogFile f : files) {
                byPath.put(f.path, f);
                n += f.rows;
                bad += f.malformed;
                keyed |= f.vlanKeyed;
                tunnelParents.addAll(f.tunnelParents);
            }
            this.rows = n;
            this.malformed = bad;
            this.vlanKeyed = keyed;
        }

        boolean current() throws IOException {
            for (Map.Entry<Path, FileTime> d : dirs.entrySet()) {
                if (!Files.isDirectory(d.getKey()) || !Files.getLastModifiedTime(d.getKey()).equals(d.getValue())) {
                    return false;
                }
            }
            for (LogFile f : files) {
                final Stamp now;
                try {
                    now = Stamp.of(f.path);
                } catch (java.nio.file.NoSuchFileException e) {
                    return false;
                }
                if (!now.equals(f.stamp)) {
                    return false;
                }
            }
            return true;
        }

        /** The log's first row of {@code uid}, or null. */
        Hit first(final String uid, final Reads reads) throws IOException {
            final long h = uidHash(uid);
            for (int f = 0; f < files.size(); f++) {
                final LogFile file = files.get(f);
                for (int i = file.firstUid(h); i >= 0 && i < file.rows && file.uidHash[i] == h; i++) {
                    final ConnRecord r = file.row(file.uidRow[i], reads);
                    if (uid.equals(r.uid())) {
                        return new Hit(f, file.uidRow[i], r);
                    }
                }
            }
            return null;
        }
    }

    /** The files a look-up opened, closed together. */
    private static final class Reads implements AutoCloseable {
        private final Map<Path, FileChannel> open = new HashMap<>();

        FileChannel channel(final Path p) throws IOException {
            FileChannel c = open.get(p);
            if (c == null) {
                c = FileChannel.open(p, StandardOpenOption.READ);
                open.put(p, c);
            }
            return c;
        }

        @Override
        public void close() throws IOException {
            for (FileChannel c : open.values()) {
                c.close();
            }
        }
    }

    /**
     * One file of the log: its rows by uid hash and by key hash (sorted, with the row each entry is
     * of), and for each row its line's offset and number (a text file) or the row itself (gzip, zstd,
     * Parquet).
     */
    private static final class LogFile {
        /** Parsed rows of a text file kept for the look-ups that come back to them. */
        static final int PARSED_KEPT = 4096;
        final Path path;
        final Stamp stamp;
        final String source;
        final int rows;
        final long[] uidHash;
        final int[] uidRow;
        final long[] keyHash;
        final int[] keyRow;
        /** Text: where each row's line starts, and its 1-based number; else null. */
        final long[] offsets;
        final long[] lines;
        /** Not text: the rows; else null. */
        final ConnRecord[] held;
        /** Text: the lines a later line is read after (headers, a header line, comments), by offset. */
        final long[] prefixOffsets;
        final byte[][] prefixLines;
        /** Text: where the last line starts when it has no line feed yet (else the size), and the lines before it. */
        final long resume;
        final long linesBeforeResume;
        /** A hash of the first {@code headLength} bytes, to tell a file that grew from one rewritten. */
        final long headHash;
        final int headLength;
        final long malformed;
        final boolean vlanKeyed;
        final Set<String> tunnelParents;
        /** Text: rows parsed lately, by row ({@link #row}). */
        private final java.util.concurrent.ConcurrentHashMap<Integer, ConnRecord> parsed = new java.util.concurrent.ConcurrentHashMap<>();

        private LogFile(final Path path, final Stamp stamp, final String source, final Rows r, final long[] prefixOffsets,
                        final byte[][] prefixLines, final long resume, final long linesBeforeResume, final long headHash,
                        final int headLength) {
            this.path = path;
            this.stamp = stamp;
            this.source = source;
            this.rows = r.size;
            this.offsets = r.held == null ? Arrays.copyOf(r.offsets, r.size) : null;
            this.lines = r.held == null ? Arrays.copyOf(r.lines, r.size) : null;
            this.held = r.held == null ? null : r.held.toArray(new ConnRecord[0]);
            this.uidHash = Arrays.copyOf(r.uidHashes, r.size);
            this.uidRow = identity(r.size);
            PairSort.sort(uidHash, uidRow);
            this.keyHash = Arrays.copyOf(r.keyHashes, r.size);
            this.keyRow = identity(r.size);
            PairSort.sort(keyHash, keyRow);
            this.prefixOffsets = prefixOffsets;
            this.prefixLines = prefixLines;
            this.resume = resume;
            this.linesBeforeResume = linesBeforeResume;
            this.headHash = headHash;
            this.headLength = headLength;
            this.malformed = r.malformed;
            this.vlanKeyed = r.vlanKeyed;
            this.tunnelParents = Set.copyOf(r.tunnelParents);
        }

        private static int[] identity(final int n) {
            final int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = i;
            }
            return a;
        }

        int firstUid(final long h) {
            return lowerBound(uidHash, rows, h);
        }

        int firstKey(final long h) {
            return lowerBound(keyHash, rows, h);
        }

        private static int lowerBound(final long[] a, final int n, final long h) {
            int lo = 0;
            int hi = n;
            while (lo < hi) {
                final int mid = (lo + hi) >>> 1;
                if (a[mid] < h) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /**
         * Row {@code i}: held, or its line read again after the header lines before it and parsed. The
         * rows parsed last are kept ({@link #PARSED_KEPT} of them, then forgotten together): a uid asked
         * for again (the page lists a connection, then downloads it) is not read and parsed again. A
         * file that changes is a new {@code LogFile}, with nothing kept.
         */
        ConnRecord row(final int i, final Reads reads) throws IOException {
            if (held != null) {
                return held[i];
            }
            final ConnRecord kept = parsed.get(i);
            if (kept != null) {
                return kept;
            }
            try (ConnLogReader reader = ConnLogReader.open(new ByteArrayInputStream(text(i, reads)), source, ConnLogListener.IGNORE)) {
                final ConnRecord r = reader.next();
                if (r == null) {
                    throw new Stale();
                }
                final ConnRecord row = withLine(r, lines[i]);
                if (parsed.size() >= PARSED_KEPT) {
                    parsed.clear();
                }
                parsed.put(i, row);
                return row;
            }
        }

        /** Row {@code i}'s line after the lines it is read after, each ended by a line feed (a text file's row). */
        byte[] text(final int i, final Reads reads) throws IOException {
            final long at = offsets[i];
            final ByteArrayOutputStream text = new ByteArrayOutputStream(1024);
            for (int p = 0; p < prefixOffsets.length && prefixOffsets[p] < at; p++) {
                text.write(prefixLines[p]);
                text.write('\n');
            }
            text.write(line(reads.channel(path), at, stamp.size));
            text.write('\n');
            return text.toByteArray();
        }

        /**
         * Reads {@code path} (as of {@code stamp}): the lines after {@code before}'s when the file only
         * grew since (the same file, its first bytes unchanged), else the whole file.
         */
        static LogFile read(final Path path, final Stamp stamp, final LogFile before, final String source) throws IOException {
            if (!text(path)) {
                final Rows r = Rows.held();
                try (ConnLogReader reader = ConnLogReader.open(path, ConnLogListener.IGNORE)) {
                    ConnRecord c;
                    while ((c = reader.next()) != null) {
                        r.add(c, -1, -1);
                    }
                    r.malformed = reader.malformedLines();
                    r.vlanKeyed = reader.vlanKeyed();
                }
                return new LogFile(path, stamp, source, r, new long[0], new byte[0][], stamp.size, 0, 0, 0);
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                final boolean grew = before != null && before.held == null && Objects.equals(before.stamp.key(), stamp.key())
                    && stamp.size >= before.stamp.size && before.headHash == headHash(channel, before.headLength);
                return readText(path, channel, stamp, grew ? before : null, source);
            }
        }

        private static LogFile readText(final Path path, final FileChannel channel, final Stamp stamp, final LogFile before,
                                        final String source) throws IOException {
            final long from = before == null ? 0 : before.resume;
            final long firstLine = before == null ? 1 : before.linesBeforeResume + 1;
            final Rows r = Rows.text();
            final List<Long> prefixAt = new ArrayList<>();
            final List<byte[]> prefix = new ArrayList<>();
            if (before != null) {
                before.keepRowsBefore(from, r);
                for (int p = 0; p < before.prefixOffsets.length && before.prefixOffsets[p] < from; p++) {
                    prefixAt.add(before.prefixOffsets[p]);
                    prefix.add(before.prefixLines[p]);
                }
            }
            final LineStarts starts = LineStarts.scan(channel, from, stamp.size);
            final ByteArrayOutputStream prefixText = new ByteArrayOutputStream();
            for (byte[] p : prefix) {
                prefixText.write(p);
                prefixText.write('\n');
            }
            final int prefixCount = prefix.size();
            final InputStream in = new SequenceInputStream(new ByteArrayInputStream(prefixText.toByteArray()),
                new Bounded(Channels.newInputStream(channel.position(from)), stamp.size - from));
            long firstRow = Long.MAX_VALUE; // the index of the range's first row line
            try (ConnLogReader reader = ConnLogReader.open(in, source, ConnLogListener.IGNORE)) {
                ConnRecord c;
                while ((c = reader.next()) != null) {
                    final int k = (int) (c.line() - prefixCount - 1);
                    firstRow = Math.min(firstRow, k);
                    r.add(c, starts.start(k), firstLine + k);
                }
                r.malformed += reader.malformedLines();
                r.vlanKeyed |= reader.vlanKeyed();
            }
            // the lines a later line is read after: headers and comments (#), and before the first row, a header line
            for (int k = 0; k < starts.count; k++) {
                final boolean candidate = before == null && k < firstRow;
                final byte[] line = candidate || peek(channel, starts.start(k)) == '#' ? line(channel, starts.start(k), stamp.size)
                    : null;
                if (line != null && !blank(line) && (line[0] == '#' || candidate) && line.length <= ConnLogReader.MAX_LINE_LENGTH) {
                    prefixAt.add(starts.start(k));
                    prefix.add(line);
                }
            }
            final long resume = starts.lastComplete || starts.count == 0 ? stamp.size : starts.start(starts.count - 1);
            final long linesBefore = firstLine - 1 + (starts.lastComplete ? starts.count : starts.count - 1);
            final int headLength = (int) Math.min(HEAD_BYTES, stamp.size);
            return new LogFile(path, stamp, source, r, prefixAt.stream().mapToLong(Long::longValue).toArray(),
                prefix.toArray(new byte[0][]), resume, linesBefore, headHash(channel, headLength), headLength);
        }

        /** Adds this file's rows whose lines start before {@code end} to {@code r}, as they were read. */
        private void keepRowsBefore(final long end, final Rows r) {
            final long[] uidOf = new long[rows];
            final long[] keyOf = new long[rows];
            for (int i = 0; i < rows; i++) {
                uidOf[uidRow[i]] = uidHash[i];
                keyOf[keyRow[i]] = keyHash[i];
            }
            for (int i = 0; i < rows && offsets[i] < end; i++) {
                r.add(uidOf[i], keyOf[i], offsets[i], lines[i]);
            }
            r.malformed = malformed;
            r.vlanKeyed = vlanKeyed;
            r.tunnelParents.addAll(tunnelParents);
        }

        private static int peek(final FileChannel channel, final long at) throws IOException {
            final ByteBuffer b = ByteBuffer.allocate(1);
            return channel.read(b, at) == 1 ? b.get(0) : -1;
        }

        private static boolean text(final Path path) throws IOException {
            try (InputStream in = Files.newInputStream(path)) {
                final byte[] m = in.readNBytes(4);
                final boolean gzip = m.length >= 2 && (m[0] & 0xFF) == 0x1F && (m[1] & 0xFF) == 0x8B;
                final boolean zstd = m.length == 4 && (m[0] & 0xFF) == 0x28 && (m[1] & 0xFF) == 0xB5 && (m[2] & 0xFF) == 0x2F
                    && (m[3] & 0xFF) == 0xFD;
                final boolean parquet = m.length == 4 && m[0] == 'P' && m[1] == 'A' && m[2] == 'R' && m[3] == '1';
                return !gzip && !zstd && !parquet;
            }
        }

        private static boolean blank(final byte[] line) {
            for (byte b : line) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }

        /** A hash of the file's first {@code length} bytes. */
        private static long headHash(final FileChannel channel, final int length) throws IOException {
            final ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
                // reads until full or at the end
            }
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < b.position(); i++) {
                h ^= b.get(i);
                h *= 0x100000001b3L;
            }
            return h;
        }

        /** The line starting at {@code at} (without its line feed), read up to {@code size}. */
        private static byte[] line(final FileChannel channel, final long at, final long size) throws IOException {
            final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            final ByteBuffer b = ByteBuffer.allocate(8192);
            long pos = at;
            while (pos < size && out.size() <= ConnLogReader.MAX_LINE_LENGTH) {
                b.clear().limit((int) Math.min(b.capacity(), size - pos));
                final int n = channel.read(b, pos);
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (b.get(i) == '\n') {
                        out.write(b.array(), 0, i);
                        return out.toByteArray();
                    }
                }
                out.write(b.array(), 0, n);
                pos += n;
            }
            return out.toByteArray();
        }
    }

    /** {@code r} as found on line {@code line} of its file. */
    private static ConnRecord withLine(final ConnRecord r, final long line) {
        return line == r.line() ? r : new ConnRecord(r.uid(), line, r.tsNanos(), r.tsUncertaintyNanos(), r.durationNanos(),
            r.proto(), r.ipProto(), r.ipVersion(), r.origHi(), r.origLo(), r.origPort(), r.respHi(), r.respLo(), r.respPort(),
            r.vlan(), r.innerVlan(), r.vlanKeyed(), r.communityId(), r.tunnelParents(), r.origPkts(), r.respPkts());
    }

    /** The rows of a file as they are read, before they are sorted into its tables. */
    private static final class Rows {
        int size;
        long[] uidHashes = new long[1024];
        long[] keyHashes = new long[1024];
        long[] offsets;
        long[] lines;
        List<ConnRecord> held;
        long malformed;
        boolean vlanKeyed;
        final Set<String> tunnelParents = new HashSet<>();

        static Rows text() {
            final Rows r = new Rows();
            r.offsets = new long[1024];
            r.lines = new long[1024];
            return r;
        }

        static Rows held() {
            final Rows r = new Rows();
            r.held = new ArrayList<>();
            return r;
        }

        void add(final ConnRecord c, final long offset, final long line) {
            if (held != null) {
                held.add(c);
            }
            add(uidHash(c.uid()), keyHash(c), offset, line);
            tunnelParents.addAll(c.tunnelParents());
        }

        void add(final long uid, final long key, final long offset, final long line) {
            if (size == uidHashes.length) {
                uidHashes = Arrays.copyOf(uidHashes, size * 2);
                keyHashes = Arrays.copyOf(keyHashes, size * 2);
                if (offsets != null) {
                    offsets = Arrays.copyOf(offsets, size * 2);
                    lines = Arrays.copyOf(lines, size * 2);
                }
            }
            uidHashes[size] = uid;
            keyHashes[size] = key;
            if (offsets != null) {
                offsets[size] = offset;
                lines[size] = line;
            }
            size++;
        }
    }

    /** Where each line of a byte range starts, and whether its last line ends with a line feed. */
    private static final class LineStarts {
        long[] starts = new long[1024];
        int count;
        boolean lastComplete = true;

        long start(final int k) {
            return starts[k];
        }

        static LineStarts scan(final FileChannel channel, final long from, final long to) throws IOException {
            final LineStarts s = new LineStarts();
            final ByteBuffer b = ByteBuffer.allocate(SCAN_CHUNK);
            long pos = from;
            boolean atStart = true;
            while (pos < to) {
                b.clear().limit((int) Math.min(SCAN_CHUNK, to - pos));
                final int n = channel.read(b, pos);
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (atStart) {
                        s.add(pos + i);
                        atStart = false;
                    }
                    if (b.get(i) == '\n') {
                        atStart = true;
                    }
                }
                pos += n;
            }
            s.lastComplete = atStart;
            return s;
        }

        private void add(final long at) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count++] = at;
        }
    }

    /** The first {@code limit} bytes of a stream. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(final InputStream in, final long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            final int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            final int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** Sorts two parallel arrays by the first, then the second (a quicksort: no boxing, no extra memory). */
    private static final class PairSort {
        private PairSort() {
        }

        static void sort(final long[] a, final int[] b) {
            sort(a, b, 0, a.length - 1);
        }

        private static void sort(final long[] a, final int[] b, final int lo0, final int hi0) {
            int lo = lo0;
            int hi = hi0;
            while (hi - lo > 16) {
                final int m = (lo + hi) >>> 1;
                final long pa = a[m];
                final int pb = b[m];
                int i = lo;
                int j = hi;
                while (i <= j) {
                    while (less(a[i], b[i], pa, pb)) {
                        i++;
                    }
                    while (less(pa, pb, a[j], b[j])) {
                        j--;
                    }
                    if (i <= j) {
                        swap(a, b, i++, j--);
                    }
                }
                if (j - lo < hi - i) { // recurse into the smaller part: the stack stays shallow
                    sort(a, b, lo, j);
                    lo = i;
                } else {
                    sort(a, b, i, hi);
                    hi = j;
                }
            }
            for (int i = lo + 1; i <= hi; i++) {
                for (int j = i; j > lo && less(a[j], b[j], a[j - 1], b[j - 1]); j--) {
                    swap(a, b, j, j - 1);
                }
            }
        }

        private static boolean less(final long a1, final int b1, final long a2, final int b2) {
            return a1 < a2 || (a1 == a2 && b1 < b2);
        }

        private static void swap(final long[] a, final int[] b, final int i, final int j) {
            final long t = a[i];
            a[i] = a[j];
            a[j] = t;
            final int u = b[i];
            b[i] = b[j];
            b[j] = u;
        }
    }
}
