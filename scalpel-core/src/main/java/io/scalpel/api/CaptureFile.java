package io.scalpel.api;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.CompressedLayout;
import io.scalpel.index.CaptureSetManifest;
import io.scalpel.index.IndexManifest;
import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.Query;
import io.scalpel.extract.RunFiles;
import io.scalpel.slice.Slicer;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One capture file as {@link Captures}: a capture set of one member, whose index lies beside it
 * (or where {@link Scalpel.Options#index()} says). Its selections have that one member; its
 * extracts are the single-capture extracts of {@link Scalpel}.
 */
public final class CaptureFile implements Captures {
    private final Path path;
    private final Scalpel scalpel;
    private final CaptureSetManifest.Member member;
    private final List<String> notes;

    private CaptureFile(final Path path, final Scalpel scalpel) throws IOException {
        this.path = path;
        this.scalpel = scalpel;
        final IndexManifest m = scalpel.manifest();
        this.member = new CaptureSetManifest.Member(String.valueOf(path.getFileName()), scalpel.captureFormat().extension(),
            m.fingerprint().length(), m.fingerprint(), m.packets(), m.firstTimestampNanos(), m.lastTimestampNanos(),
            m.maxFragmentLagNanos(), m.linkTypes(), scalpel.index().directory().toString());
        this.notes = OpenNotes.ofFile(path, scalpel);
    }

    /**
     * Opens a capture file (a regular file) with its index, building or extending the index as
     * {@code options} say.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such file
     * @param capture the capture file
     * @param options where the index is, whether it is built or rebuilt, how rows are joined
     * @return the open capture file
     * @throws IOException when the capture cannot be read, or its index cannot be used or built
     */
    public static CaptureFile open(final Path capture, final Scalpel.Options options) throws IOException {
        CaptureReader.requireRegularFile(capture);
        final Scalpel s = Scalpel.open(capture, options);
        try {
            return new CaptureFile(capture, s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The capture's own engine, for what only a single file offers (visiting frames, its index).
     *
     * @return the open capture
     */
    public Scalpel scalpel() {
        return scalpel;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Scalpel.Options options() {
        return scalpel.options();
    }

    @Override
    public List<String> notes() {
        return notes;
    }

    @Override
    public Query query(final ConnRecord conn, final long nextRowStart) {
        return scalpel.query(conn, nextRowStart);
    }

    @Override
    public Query query(final Tunnel tunnel) {
        return scalpel.query(tunnel);
    }

    @Override
    public String communityIdOf(final ConnRecord conn) {
        return scalpel.communityIdOf(conn);
    }

    @Override
    public CaptureSet.Selection selectQueries(final List<? extends Query> queries) throws IOException {
        return of(scalpel.selectQueries(queries));
    }

    private CaptureSet.Selection of(final Scalpel.Selection s) {
        return new CaptureSet.Selection(s.queries(), List.of(new CaptureSet.MemberSelection(member, scalpel, s.offsets())));
    }

    private static long[][] offsets(final CaptureSet.Selection s) {
        return s.members().isEmpty() ? new long[s.size()][0] : s.members().get(0).offsets();
    }

    private static long[] offsets(final CaptureSet.Selection s, final int query) {
        final long[][] all = offsets(s);
        return query >= 0 ? all[query] : Slicer.union(all);
    }

    @Override
    public CaptureSet.Selection narrow(final CaptureSet.Selection selection, final BpfFilter filter) throws IOException {
        return of(scalpel.narrow(new Scalpel.Selection(selection.queries(), offsets(selection)), filter));
    }

    @Override
    public CaptureFormat defaultFormat(final CaptureSet.Selection selection, final int query) throws IOException {
        return scalpel.captureFormat();
    }

    @Override
    public long write(final CaptureSet.Selection selection, final int query, final ExtractOptions extract, final Path output)
        throws IOException {
        return scalpel.write(offsets(selection, query), extract, output);
    }

    @Override
    public long write(final CaptureSet.Selection selection, final int query, final ExtractOptions extract, final OutputStream output)
        throws IOException {
        return scalpel.write(offsets(selection, query), extract, output);
    }

    @Override
    public long[] writeEach(final CaptureSet.Selection selection, final Path[] outputs, final Path directory,
                            final ExtractOptions extract) throws IOException {
        return scalpel.writeEach(offsets(selection), outputs, directory, extract);
    }

    @Override
    public long addPairs(final CaptureSet.Selection selection, final List<ConnRecord> rows, final ArrowPairs.FileWriter writer)
        throws IOException {
        return writer.add(scalpel, rows, offsets(selection));
    }

    @Override
    public RunFiles inputs() {
        return scalpel.inputs();
    }

    @Override
    public long firstTimestampNanos() {
        return scalpel.manifest().firstTimestampNanos();
    }

    @Override
    public long lastTimestampNanos() {
        return scalpel.manifest().lastTimestampNanos();
    }

    /**
     * The gzip or zstd capture's codec and seek table, and what slicing it so far decompressed, as
     * the {@code compression} object of a JSON summary; null for a plain capture.
     *
     * @return the object's fields, or null
     */
    public Map<String, Object> compression() {
        final CompressedLayout layout = scalpel.compression();
        if (layout == null) {
            return null;
        }
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("codec", layout.codec());
        m.put("seekable", layout.seekable());
        m.put("members", layout.units());
        m.put("seek_points", layout.seekTable() == null ? 0 : layout.seekTable().size());
        m.put("decompressed_bytes", layout.decompressedSize());
        m.put("members_read", scalpel.compressedUnitsRead());
        return m;
    }

    @Override
    public void close() throws IOException {
        scalpel.close();
    }
}
