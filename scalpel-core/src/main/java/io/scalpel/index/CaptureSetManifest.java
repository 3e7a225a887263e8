package io.scalpel.index;

import java.nio.file.Path;
import java.util.List;

/**
 * The versioned description of a capture set's index ({@code set.json} in the set index
 * directory, written last, atomically): the member captures of the directory, in name order,
 * each with its identity, its time range and the name of its own ordinary index
 * ({@code members/NAME.scalpel}).
 *
 * @param format  always {@link #FORMAT}
 * @param version {@link #VERSION}
 * @param writer  the scalpel version that wrote it
 * @param members the member captures, sorted by file name
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record CaptureSetManifest(String format, int version, String writer, List<Member> members)
    implements ManifestText.Versioned {

    public static final String FORMAT = "scalpel-capture-set";
    /**
     * 1: members with fingerprint, size, time range, fragment lag, link types and index directory.
     * 2: a digest of the file itself ({@code manifest_sha256}), and members' indexes of index format 4.
     */
    public static final int VERSION = 2;
    /** The manifest's file name in the set index directory. */
    public static final String MANIFEST_FILE = "set.json";
    /** The directory of the members' indexes in the set index directory. */
    public static final String MEMBERS_DIR = "members";

    /**
     * One member capture.
     *
     * @param file                file name in the set's directory
     * @param captureFormat       pcap or pcapng
     * @param size                file size when indexed (a different size now: the member changed or grew)
     * @param fingerprint         what its index describes (as in its own manifest)
     * @param packets             frames indexed
     * @param firstTimestampNanos smallest frame timestamp (Long.MAX_VALUE if no frames)
     * @param lastTimestampNanos  largest frame timestamp (Long.MIN_VALUE if no frames)
     * @param maxFragmentLagNanos how much later than its frame a fragment's join time can be
     * @param linkTypes           every link type seen
     * @param index               its index directory, relative to the set index directory
     */
    public record Member(String file, String captureFormat, long size, CaptureFingerprint fingerprint, long packets,
                         long firstTimestampNanos, long lastTimestampNanos, long maxFragmentLagNanos,
                         List<Integer> linkTypes, String index) {

        /** Whether a frame of this member can have a join time in [{@code from}, {@code to}]. */
        public boolean overlaps(final long from, final long to) {
            if (packets == 0) {
                return false;
            }
            final long last = lastTimestampNanos > Long.MAX_VALUE - maxFragmentLagNanos
                ? Long.MAX_VALUE : lastTimestampNanos + maxFragmentLagNanos;
            return firstTimestampNanos <= to && last >= from;
        }
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    /**
     * Reads and checks a set manifest.
     *
     * @throws IndexException when it is unreadable, of another format or of an unknown version
     */
    public static CaptureSetManifest read(final Path file) throws IndexException {
        return read(file, "rebuild it with `scalpel index DIR`");
    }

    /** Reads and checks a set manifest; refusals end with {@code advice} (what rebuilds the set index). */
    public static CaptureSetManifest read(final Path file, final String advice) throws IndexException {
        final CaptureSetManifest m = ManifestText.read(file, CaptureSetManifest.class, "capture set manifest",
            advice, FORMAT, VERSION, "capture set format");
        if (m.members() == null) {
            throw new IndexException(IndexException.Kind.CORRUPT, file + ": capture set manifest lacks members", advice);
        }
        for (Member member : m.members()) {
            if (member == null || member.file() == null || member.index() == null || member.fingerprint() == null
                || member.linkTypes() == null || member.file().contains("/") || member.index().contains("..")) {
                throw new IndexException(IndexException.Kind.CORRUPT, file + ": capture set member "
                    + (member == null ? null : IndexException.printable(String.valueOf(member.file())))
                    + " lacks its file, index, fingerprint or link types", advice);
            }
        }
        return m;
    }

    /** What rebuilds the set index of {@code directory} in {@code indexDirectory} (null: the default), for messages. */
    public static String rebuildAdvice(final Path directory, final Path indexDirectory) {
        final boolean atDefault = indexDirectory == null
            || indexDirectory.toAbsolutePath().normalize().equals(CaptureSetBuilder.defaultFor(directory).normalize());
        return "rebuild it with `scalpel index " + (atDefault ? "" : "--index " + indexDirectory + " ") + directory
            + "` (or slice with --reindex)";
    }
}
