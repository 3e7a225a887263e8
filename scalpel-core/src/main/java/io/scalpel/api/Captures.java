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
     *
     * @param path a capture file, or a directory of captures
     * @param options where the index is, whether it is built or rebuilt, how rows are joined
     * @return the open captures
     * @throws IOException when a capture cannot be read, or its index cannot be used or built
     */
    static Captures open(final Path path, final Scalpel.Options options) throws IOException {
        return Files.isDirectory(path) ? CaptureSet.open(path, options) : CaptureFile.open(path, options);
    }

    /**
     * The file or directory, as given.
     *
     * @return the path given to {@link #open}
     */
    Path path();

    /**
     * How the captures were opened, and how conn rows are joined.
     *
     * @return the options given to {@link #open}
     */
    Scalpel.Options options();

    /**
     * One-line notes on what opening did or found (an index built or extended, a truncated last record, ...).
     *
     * @return the notes, in order
     */
    List<String> notes();

    /**
     * The query for a conn.log row whose log's next row of the same key starts at {@code nextRowStart} (see {@link Scalpel#query(ConnRecord, long)}).
     *
     * @param conn a conn.log row
     * @param nextRowStart the start of the log's next row with the same key, ns
     * @return its query
     */
    Query query(ConnRecord conn, long nextRowStart);

    /**
     * The query for a tunnel of a tunnel.log (see {@link Scalpel#query(Tunnel)}).
     *
     * @param tunnel a tunnel of a tunnel.log
     * @return its query
     */
    Query query(Tunnel tunnel);

    /**
     * The Community ID of a conn row's 5-tuple under the options' seed, or null (see {@link Scalpel#communityIdOf}).
     *
     * @param conn a conn.log row
     * @return its Community ID, or null
     */
    String communityIdOf(ConnRecord conn);

    /**
     * Selects the frames of each query.
     *
     * @param queries the queries
     * @return the frames of each query, member by member
     * @throws IOException when an index or a capture cannot be read
     */
    CaptureSet.Selection selectQueries(List<? extends Query> queries) throws IOException;

    /**
     * Each query's frames that {@code filter} accepts.
     *
     * @param selection what a selection found
     * @param filter the compiled filter expression
     * @return the same queries with the frames it accepts
     * @throws IOException when a capture cannot be read
     */
    CaptureSet.Selection narrow(CaptureSet.Selection selection, BpfFilter filter) throws IOException;

    /**
     * The format of query {@code query}'s extract (-1: of every query) when none is asked for.
     *
     * @param selection what a selection found
     * @param query the query's position, or -1 for every query
     * @return pcap when every frame can be written as pcap, else pcapng
     * @throws IOException when a capture cannot be read
     */
    CaptureFormat defaultFormat(CaptureSet.Selection selection, int query) throws IOException;

    /**
     * Writes the frames of query {@code query} (-1: of every query, each frame once) as one capture file, atomically.
     *
     * @param selection what a selection found
     * @param query the query's position, or -1 for every query
     * @param extract the format, the secrets kept, where warnings go
     * @param output the capture file to write
     * @return the frames written
     * @throws IOException when a capture cannot be read or the output cannot be written
     */
    long write(CaptureSet.Selection selection, int query, ExtractOptions extract, Path output) throws IOException;

    /**
     * As {@link #write(CaptureSet.Selection, int, ExtractOptions, Path)}, to a stream.
     *
     * @param selection what a selection found
     * @param query the query's position, or -1 for every query
     * @param extract the format, the secrets kept, where warnings go
     * @param output the stream to write to
     * @return the frames written
     * @throws IOException when a capture cannot be read or the output cannot be written
     */
    long write(CaptureSet.Selection selection, int query, ExtractOptions extract, OutputStream output) throws IOException;

    /**
     * Writes the frames of each query {@code i} to its own file {@code outputs[i]} (null: none), all
     * in {@code directory}, committed together: every file is written and synced under a temporary
     * name before any is renamed into place.
     *
     * @return frames written to each file
     * @param selection what a selection found
     * @param outputs each query's file in {@code directory}, or null for none
     * @param directory the directory every file is written to
     * @param extract the format, the secrets kept, where warnings go
     * @throws IOException when a capture cannot be read or a file cannot be written (then none is committed)
     */
    long[] writeEach(CaptureSet.Selection selection, Path[] outputs, Path directory, ExtractOptions extract) throws IOException;

    /**
     * Adds the pairs of each conn row with each of its query's packets to an Arrow file
     * ({@code rows.get(i)} for query {@code i}; null rows are left out).
     *
     * @return pairs added
     * @param selection what a selection found
     * @param rows each query's conn.log row, or null
     * @param writer the Arrow file being written
     * @throws IOException when a capture cannot be read or the file cannot be written
     */
    long addPairs(CaptureSet.Selection selection, List<ConnRecord> rows, ArrowPairs.FileWriter writer) throws IOException;

    /**
     * What a slice of these captures reads, which no output may replace.
     *
     * @return the captures, their index and its members' indexes
     * @throws IOException when an input cannot be located
     */
    RunFiles inputs() throws IOException;

    /**
     * The earliest frame timestamp, ns (Long.MAX_VALUE without frames).
     *
     * @return the earliest timestamp, ns
     */
    long firstTimestampNanos();

    /**
     * The latest frame timestamp, ns (Long.MIN_VALUE without frames).
     *
     * @return the latest timestamp, ns
     */
    long lastTimestampNanos();
}
