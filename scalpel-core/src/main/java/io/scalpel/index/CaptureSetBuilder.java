package io.scalpel.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds or updates the index of a capture set: one directory of captures (rotated files such as
 * {@code tcpdump -G}/{@code -C} output) under one index.
 *
 * <p>The members are the directory's regular files (symbolic links followed, no recursion) whose
 * name does not start with a dot and whose first four bytes are a pcap magic number (either byte
 * order, micro- or nanosecond) or a pcapng section header block type, sorted by file name; other
 * files (a conn.log beside the captures, the set index itself) are skipped. Each member gets an
 * ordinary index ({@link IndexBuilder}) in {@code SETINDEX/members/NAME.scalpel}, so the
 * per-file rules apply to each: a member indexed before and unchanged is kept (only its
 * fingerprint is read), one that grew is extended, one that changed is rebuilt. A member no
 * longer in the directory is dropped with its index. {@code SETINDEX/set.json}
 * ({@link CaptureSetManifest}) is written last, atomically.
 */
public final class CaptureSetBuilder {
    /** The default set index of a directory: {@code DIR/.scalpel}. */
    public static final String DEFAULT_INDEX_NAME = ".scalpel";
    private static final int MAGIC_LENGTH = 4;
    private static final int PCAP_MICROS = 0xA1B2C3D4;
    private static final int PCAP_NANOS = 0xA1B23C4D;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;

    /** What a run did to one member. */
    public record MemberResult(String file, IndexBuilder.Result result) {
    }

    /**
     * What a run did.
     *
     * @param indexDirectory the set index directory
     * @param manifest       the set manifest written
     * @param members        each member's index run, in name order
     * @param removed        members of the previous set manifest no longer in the directory
     */
    public record Result(Path indexDirectory, CaptureSetManifest manifest, List<MemberResult> members, List<String> removed) {
    }

    private final Path directory;
    private final Path indexDirectory;
    private IndexBuilder.Progress progress = IndexBuilder.Progress.NONE;
    private boolean rebuild;
    private int writerThreads = IndexBuilder.DEFAULT_WRITER_THREADS;

    /** @param indexDirectory the set index directory; null for {@code DIR/.scalpel} */
    public CaptureSetBuilder(final Path directory, final Path indexDirectory) {
        this.directory = directory;
        this.indexDirectory = indexDirectory != null ? indexDirectory : defaultFor(directory);
    }

    /** The default set index of {@code directory}. */
    public static Path defaultFor(final Path directory) {
        return directory.toAbsolutePath().resolve(DEFAULT_INDEX_NAME);
    }

    public CaptureSetBuilder progress(final IndexBuilder.Progress p) {
        this.progress = p;
        return this;
    }

    /** With {@code true}, rebuild every member's index from the start of its capture. */
    public CaptureSetBuilder rebuild(final boolean r) {
        this.rebuild = r;
        return this;
    }

    /** Builds each member with {@code n} writer threads (see {@link IndexBuilder#writerThreads}). */
    public CaptureSetBuilder writerThreads(final int n) {
        this.writerThreads = IndexBuilder.checkWriterThreads(n);
        return this;
    }

    /** The member captures of {@code directory}, sorted by name (see the class comment). */
    public static List<Path> members(final Path directory, final Path indexDirectory) throws IOException {
        final List<Path> found = new ArrayList<>();
        final Path index = indexDirectory == null ? null : indexDirectory.toAbsolutePath().normalize();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                final String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(p) || (index != null && p.toAbsolutePath().normalize().equals(index))) {
                    continue;
                }
                if (isCapture(p)) {
                    found.add(p);
                }
            }
        }
        found.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return found;
    }

    /** Whether the file starts with a pcap or pcapng magic number. */
    static boolean isCapture(final Path file) throws IOException {
        final ByteBuffer magic = ByteBuffer.allocate(MAGIC_LENGTH);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (magic.hasRemaining() && ch.read(magic) > 0) {
                // read the first four bytes
            }
        }
        if (magic.hasRemaining()) {
            return false;
        }
        final int be = magic.getInt(0);
        final int le = Integer.reverseBytes(be);
        return be == PCAP_MICROS || be == PCAP_NANOS || le == PCAP_MICROS || le == PCAP_NANOS || be == PCAPNG_SHB;
    }

    /** Indexes the new and changed members, drops the removed ones, and writes the set manifest. */
    public Result build() throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new java.nio.file.NoSuchFileException(directory.toString(), null, "not a directory");
        }
        final Path setIndex = indexDirectory.toAbsolutePath();
        final Path manifestFile = setIndex.resolve(CaptureSetManifest.MANIFEST_FILE);
        CaptureSetManifest previous = null;
        if (Files.isRegularFile(manifestFile)) {
            try {
                previous = CaptureSetManifest.read(manifestFile);
            } catch (IndexException e) {
                // unreadable or of another version: the members are indexed again below
            }
        }
        final Path membersDir = setIndex.resolve(CaptureSetManifest.MEMBERS_DIR);
        Files.createDirectories(membersDir);
        final List<MemberResult> results = new ArrayList<>();
        final List<CaptureSetManifest.Member> members = new ArrayList<>();
        final Map<String, Boolean> present = new HashMap<>();
        for (Path capture : members(directory, setIndex)) {
            final String name = capture.getFileName().toString();
            final String relative = CaptureSetManifest.MEMBERS_DIR + "/" + name + IndexSchema.INDEX_SUFFIX;
            final IndexBuilder.Result r = new IndexBuilder(capture, setIndex.resolve(relative))
                .progress(progress).rebuild(rebuild).writerThreads(writerThreads).build();
            final IndexManifest m = r.manifest();
            results.add(new MemberResult(name, r));
            present.put(name, Boolean.TRUE);
            members.add(new CaptureSetManifest.Member(name, m.captureFormat(), Files.size(capture), m.fingerprint(), m.packets(),
                m.firstTimestampNanos(), m.lastTimestampNanos(), m.maxFragmentLagNanos(), m.linkTypes(), relative));
        }
        final CaptureSetManifest manifest = new CaptureSetManifest(CaptureSetManifest.FORMAT, CaptureSetManifest.VERSION,
            Version.WRITER, members);
        write(manifestFile, manifest.toJson());
        final List<String> removed = new ArrayList<>();
        if (previous != null) {
            for (CaptureSetManifest.Member old : previous.members()) {
                if (!present.containsKey(old.file())) {
                    removed.add(old.file());
                }
            }
        }
        // Indexes of members no longer in the directory (and leftovers of interrupted runs) go.
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(membersDir)) {
            for (Path p : ds) {
                final String n = p.getFileName().toString();
                final boolean member = n.endsWith(IndexSchema.INDEX_SUFFIX)
                    && present.containsKey(n.substring(0, n.length() - IndexSchema.INDEX_SUFFIX.length()));
                if (!member && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    IndexDirectory.deleteTree(p);
                }
            }
        }
        return new Result(setIndex, manifest, results, removed);
    }

    private static void write(final Path file, final byte[] bytes) throws IOException {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
