package io.scalpel.zeek;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a Zeek tunnel.log one row at a time, in constant memory, like {@link ConnLogReader} reads
 * a conn.log: Zeek TSV or JSON lines, optionally gzip'd, recognised from the content. Rows need
 * {@code uid}, {@code id.orig_h}, {@code id.orig_p}, {@code id.resp_h}, {@code id.resp_p},
 * {@code tunnel_type} and {@code action}; {@code ts} may be absent, unset or masked.
 *
 * <p>A row that cannot be parsed is reported to the {@link ConnLogListener} and skipped; content
 * that is no tunnel.log throws {@link ConnLogFormatException}.
 */
public final class TunnelLogReader implements Closeable {
    private final ConnLogReader lines;

    private TunnelLogReader(final ConnLogReader lines) {
        this.lines = lines;
    }

    /** Opens a tunnel.log file (plain or gzip'd, TSV or JSON lines). */
    public static TunnelLogReader open(final Path path, final ConnLogListener listener) throws IOException {
        return new TunnelLogReader(ConnLogReader.open(path, listener, ZeekLogKind.TUNNEL));
    }

    /** Reads a tunnel.log from a stream, which the reader then owns. */
    public static TunnelLogReader open(final InputStream in, final String displayName, final ConnLogListener listener)
        throws IOException {
        return new TunnelLogReader(ConnLogReader.open(in, displayName, listener, ZeekLogKind.TUNNEL));
    }

    /** The next row, or null at the end of the log. */
    public TunnelRecord next() throws IOException {
        return lines.next((row, line) -> row.toTunnelRecord(line.get()));
    }

    /**
     * Reads the rest of the log and joins each uid's rows into one {@link Tunnel}, in the order
     * the uids first appear.
     */
    public Map<String, Tunnel> tunnels() throws IOException {
        final Map<String, Tunnel> tunnels = new LinkedHashMap<>();
        TunnelRecord r;
        while ((r = next()) != null) {
            final TunnelRecord row = r;
            tunnels.compute(r.uid(), (uid, known) -> known == null ? Tunnel.of(row) : known.with(row));
        }
        return tunnels;
    }

    /** How many lines were reported to the listener so far. */
    public long malformedLines() {
        return lines.malformedLines();
    }

    /** The log's display name as used in messages. */
    public String source() {
        return lines.source();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
