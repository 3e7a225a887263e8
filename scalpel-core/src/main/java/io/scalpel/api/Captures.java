package io.scalpel.api;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.Query;
import io.scalpel.extract.RunFiles;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.Tunnel;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a slice reads packets from: one capture file ({@link CaptureFile}) or a capture set, a
 * directory of rotated captures ({@link CaptureSet}). A file is a set of one: its selection has
 * one member, and everything above ({@link Slices}, the CLI) is one pipeline for both.
 *
 * <p>Selections are {@link CaptureSet.Selection}s: per query, the frames of each member.
 */
public interface Captures extends Closeable {

    /**
     * Opens {@code path}: a directory as a capture set, anything else as a capture file; builds or
     * extends the index as {@code options} say.
     */
    static Captures open(final Path path, final Scalpel.Options options) throws IOException {
        return Files.isDirectory(path) ? CaptureSet.open(path, options) : CaptureFile.open(path, options);
    }

    /** The file or directory, as given. */
    Path path();

    /** How the captures were opened, and how conn rows are joined. */
    Scalpel.Options options();

    /** One-line notes on what opening did or found (an index built or extended, a truncated last record, ...). */
    List<String> notes();

    /** The query for a conn.log row whose log's next row of the same key starts at {@code nextRowStart} (see {@link Scalpel#query(ConnRecord, long)}). */
    Query query(ConnRecord conn, long nextRowStart);

    /** The query for a tunnel of a tunnel.log (see {@link Scalpel#query(Tunnel)}). */
    Query query(Tunnel tunnel);

    /** The Community ID of a conn row's 5-tuple under the options' seed, or null (see {@link Scalpel#communityIdOf}). */
    String communityIdOf(ConnRecord conn);

    /** Selects the frames of each query. */
    CaptureSet.Selection selectQueries(List<? extends Query> queries) throws IOException;

    /** Each query's frames that {@code filter} accepts. */
    CaptureSet.Selection narrow(CaptureSet.Selection selection, BpfFilter filter) throws IOException;

    /** The format of query {@code query}'s extract (-1: of every query) when none is asked for. */
    CaptureFormat defaultFormat(CaptureSet.Selection selection, int query) throws IOException;

    /** Writes the frames of query {@code query} (-1: of every query, each frame once) as one capture file, atomically. */
    long write(CaptureSet.Selection selection, int query, ExtractOptions extract, Path output) throws IOException;

    /** As {@link #write(CaptureSet.Selection, int, ExtractOptions, Path)}, to a stream. */
    long write(CaptureSet.Selection selection, int query, ExtractOptions extract, OutputStream output) throws IOException;

    /**
     * Writes the frames of each query {@code i} to its own file {@code outputs[i]} (null: none), all
     * in {@code directory}, committed together: every file is written and synced under a temporary
     * name before any is renamed into place.
     *
     * @return frames written to each file
     */
    long[] writeEach(CaptureSet.Selection selection, Path[] outputs, Path directory, ExtractOptions extract) throws IOException;

    /**
     * Adds the pairs of each conn row with each of its query's packets to an Arrow file
     * ({@code rows.get(i)} for query {@code i}; null rows are left out).
     *
     * @return pairs added
     */
    long addPairs(CaptureSet.Selection selection, List<ConnRecord> rows, ArrowPairs.FileWriter writer) throws IOException;

    /** What a slice of these captures reads, which no output may replace. */
    RunFiles inputs() throws IOException;

    /** The earliest frame timestamp, ns (Long.MAX_VALUE without frames). */
    long firstTimestampNanos();

    /** The latest frame timestamp, ns (Long.MIN_VALUE without frames). */
    long lastTimestampNanos();
}
