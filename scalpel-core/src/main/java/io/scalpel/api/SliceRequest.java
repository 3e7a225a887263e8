package io.scalpel.api;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a slice selects and where it writes ({@link Slices#run}). Select one of: the rows of a
 * conn.log (and the tunnels of a tunnel.log) by uid or all of them; flows; Community IDs; or a
 * time window alone. Write to one capture (a file or a stream), one capture per uid in a
 * directory, and/or an Arrow file pairing conn.log rows with their packets. A query expression
 * ({@code query}) selects without a log. Build it with
 * {@link #builder()}.
 *
 * @param conn         conn.log: a file, a directory of rotated logs, or {@code -} for standard input; null for none
 * @param tunnelLog    tunnel.log, as {@code conn}; null for none
 * @param uids         the uids to slice (in order, each once); empty with {@code all}
 * @param all          every uid of the logs
 * @param flows        flows as {@code 'PROTO ADDR:PORT ADDR:PORT'}
 * @param communityIds Community IDs v1
 * @param query        a query expression (docs/cli.md, "Query expressions"), or null
 * @param nowNanos     the time a query's relative times ({@code 15m ago}) count back from, ns
 * @param from         window start, ns (Long.MIN_VALUE: unbounded); with a conn.log it narrows every row's window
 * @param to           window end, ns (Long.MAX_VALUE: unbounded)
 * @param bpf          a libpcap filter expression every written packet must pass, or null
 * @param write        one capture file holding every selected packet, or null
 * @param writeStream  one capture written to a stream (standard output), or null
 * @param splitDir     one capture per uid in this directory, or null
 * @param arrow        an Arrow IPC file pairing conn.log rows with their packets, or null
 * @param arrowStream  the Arrow file written to a stream, or null
 * @param format       {@code pcap}, {@code pcapng}, or null for the capture's own
 * @param keepSecrets  pcapng: keep the TLS key-log lines of the extract's own ClientHellos
 * @param batchRows    rows of the conn.log sliced at a time with {@code all} (memory is bounded by a batch)
 */
public record SliceRequest(String conn, String tunnelLog, Set<String> uids, boolean all, List<String> flows,
                           List<String> communityIds, String query, long nowNanos, long from, long to, String bpf, Path write, OutputStream writeStream,
                           Path splitDir, Path arrow, OutputStream arrowStream, String format, boolean keepSecrets,
                           int batchRows) {

    /** What a request selects by. */
    public enum Kind {
        /** The uids of a conn.log (or every uid), and the tunnels of a tunnel.log. */
        UIDS,
        /** Community IDs, in the window. */
        COMMUNITY_IDS,
        /** Flows given as {@code 'PROTO ADDR:PORT ADDR:PORT'}, in the window. */
        FLOWS,
        /** The frames a query expression accepts, in the window. */
        QUERY,
        /** Every frame of the window. */
        WINDOW
    }

    /**
     * Checks and normalises a request: uids in order and each once, the format in lower case. The
     * components are those of the record's description.
     *
     * @param conn         as {@link #conn()}
     * @param tunnelLog    as {@link #tunnelLog()}
     * @param uids         as {@link #uids()}
     * @param all          as {@link #all()}
     * @param flows        as {@link #flows()}
     * @param communityIds as {@link #communityIds()}
     * @param query        as {@link #query()}
     * @param nowNanos     as {@link #nowNanos()}
     * @param from         as {@link #from()}
     * @param to           as {@link #to()}
     * @param bpf          as {@link #bpf()}
     * @param write        as {@link #write()}
     * @param writeStream  as {@link #writeStream()}
     * @param splitDir     as {@link #splitDir()}
     * @param arrow        as {@link #arrow()}
     * @param arrowStream  as {@link #arrowStream()}
     * @param format       as {@link #format()}
     * @param keepSecrets  as {@link #keepSecrets()}
     * @param batchRows    as {@link #batchRows()}
     * @throws IllegalArgumentException when the format is neither pcap nor pcapng, or a batch has fewer than one row
     */
    public SliceRequest {
        uids = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(uids)); // in order, each once
        flows = List.copyOf(flows);
        communityIds = List.copyOf(communityIds);
        if (batchRows < 1) {
            throw new IllegalArgumentException("batches of " + batchRows + " rows");
        }
        if (format != null) {
            format = format.toLowerCase(Locale.ROOT);
            if (!format.equals("pcap") && !format.equals("pcapng")) {
                throw new IllegalArgumentException("--format must be pcap or pcapng, not '" + format + "'");
            }
        }
    }

    /**
     * What this request selects by.
     *
     * @return uids when a log is given, else Community IDs when some are, else a query when one is,
     *         else flows when some are, else a window
     */
    public Kind kind() {
        if (conn != null || tunnelLog != null) {
            return Kind.UIDS;
        }
        if (!communityIds.isEmpty()) {
            return Kind.COMMUNITY_IDS;
        }
        if (query != null) {
            return Kind.QUERY;
        }
        return flows.isEmpty() ? Kind.WINDOW : Kind.FLOWS;
    }

    /**
     * Whether {@code id} is a Community ID v1: {@code 1:} and 28 base64 characters.
     *
     * @param id the text to check
     * @return true when it is one
     */
    public static boolean isCommunityId(final String id) {
        return io.scalpel.decode.CommunityId.isWellFormed(id);
    }

    /**
     * The time {@code text} names, in nanoseconds since 1970: ISO-8601 (UTC unless an offset is
     * given), epoch seconds with an optional fraction, or {@code N{s,m,h,d} ago} counted back from
     * {@code nowNanos}: the forms of {@code --from}, {@code --to} and a query's {@code after} and
     * {@code before}.
     *
     * @param text the time's text
     * @param nowNanos now, ns, for relative times
     * @return the time, ns
     * @throws IllegalArgumentException saying which forms are understood, or that the time is out of range
     */
    public static long time(final String text, final long nowNanos) {
        return io.scalpel.slice.expr.TimeText.parse(text, nowNanos);
    }

    /**
     * The current time, ns since 1970, as relative times count back from it.
     *
     * @return now, ns
     */
    public static long currentNanos() {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * A builder of an empty request: nothing selected, nothing written, an unbounded window.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link SliceRequest}. */
    public static final class Builder {
        private String conn;
        private String tunnelLog;
        private final Set<String> uids = new LinkedHashSet<>();
        private boolean all;
        private final List<String> flows = new ArrayList<>();
        private final List<String> communityIds = new ArrayList<>();
        private String query;
        private long nowNanos = currentNanos();
        private long from = Long.MIN_VALUE;
        private long to = Long.MAX_VALUE;
        private String bpf;
        private Path write;
        private OutputStream writeStream;
        private Path splitDir;
        private Path arrow;
        private OutputStream arrowStream;
        private String format;
        private boolean keepSecrets;
        private int batchRows = io.scalpel.zeek.ConnLogBatches.DEFAULT_BATCH_ROWS;

        /**
         * Selects by the uids of a conn.log.
         *
         * @param log a file, a directory of rotated logs, or {@code -} for standard input
         * @return this builder
         */
        public Builder conn(final String log) {
            this.conn = log;
            return this;
        }

        /**
         * Selects by the uids of a tunnel.log too (GRE, ERSPAN and IP-in-IP parents).
         *
         * @param log a file, a directory of rotated logs, or {@code -} for standard input
         * @return this builder
         */
        public Builder tunnelLog(final String log) {
            this.tunnelLog = log;
            return this;
        }

        /**
         * Adds uids to slice.
         *
         * @param u the uids, in order
         * @return this builder
         */
        public Builder uids(final java.util.Collection<String> u) {
            uids.addAll(u);
            return this;
        }

        /**
         * Slices every uid of the logs, or only those given.
         *
         * @param a every uid
         * @return this builder
         */
        public Builder all(final boolean a) {
            this.all = a;
            return this;
        }

        /**
         * Adds flows to slice.
         *
         * @param f flows as {@code 'PROTO ADDR:PORT ADDR:PORT'}
         * @return this builder
         */
        public Builder flows(final java.util.Collection<String> f) {
            flows.addAll(f);
            return this;
        }

        /**
         * Adds Community IDs to slice.
         *
         * @param ids Community IDs v1
         * @return this builder
         */
        public Builder communityIds(final java.util.Collection<String> ids) {
            communityIds.addAll(ids);
            return this;
        }

        /**
         * Selects the frames a query expression accepts (docs/cli.md, "Query expressions").
         *
         * @param expression the expression, or null for none
         * @return this builder
         */
        public Builder query(final String expression) {
            this.query = expression;
            return this;
        }

        /**
         * The time a query's relative times count back from (by default, when the builder was made).
         *
         * @param now now, ns since 1970
         * @return this builder
         */
        public Builder now(final long now) {
            this.nowNanos = now;
            return this;
        }

        /**
         * The window, ns (MIN/MAX_VALUE: unbounded): of flows, Community IDs, a query or a window
         * alone; with a conn.log, what narrows every row's window.
         *
         * @param fromNanos the window's start, ns
         * @param toNanos the window's end, ns
         * @return this builder
         */
        public Builder window(final long fromNanos, final long toNanos) {
            this.from = fromNanos;
            this.to = toNanos;
            return this;
        }

        /**
         * Writes only the packets a libpcap filter accepts.
         *
         * @param expression a libpcap filter expression, or null for none
         * @return this builder
         */
        public Builder bpf(final String expression) {
            this.bpf = expression;
            return this;
        }

        /**
         * Writes every selected packet to one capture file, atomically.
         *
         * @param file the capture file, or null for none
         * @return this builder
         */
        public Builder write(final Path file) {
            this.write = file;
            return this;
        }

        /**
         * Writes every selected packet to a stream as one capture.
         *
         * @param stream the stream (standard output), or null for none
         * @return this builder
         */
        public Builder write(final OutputStream stream) {
            this.writeStream = stream;
            return this;
        }

        /**
         * Writes one capture per uid into a directory, the files committed together.
         *
         * @param dir the directory, or null for none
         * @return this builder
         */
        public Builder splitDir(final Path dir) {
            this.splitDir = dir;
            return this;
        }

        /**
         * Writes an Arrow IPC file pairing conn.log rows with their packets.
         *
         * @param file the Arrow file, or null for none
         * @return this builder
         */
        public Builder arrow(final Path file) {
            this.arrow = file;
            return this;
        }

        /**
         * Writes the Arrow IPC file of pairs to a stream.
         *
         * @param stream the stream, or null for none
         * @return this builder
         */
        public Builder arrow(final OutputStream stream) {
            this.arrowStream = stream;
            return this;
        }

        /**
         * {@code pcap} or {@code pcapng}; null for the capture's own.
         *
         * @param f the format's name
         * @return this builder
         */
        public Builder format(final String f) {
            this.format = f;
            return this;
        }

        /**
         * Keeps in a pcapng extract the TLS key-log lines of its own sessions, or drops every secret.
         *
         * @param k keep the extract's own secrets
         * @return this builder
         */
        public Builder keepSecrets(final boolean k) {
            this.keepSecrets = k;
            return this;
        }

        /**
         * How many rows of the conn.log are sliced at a time with {@code all}: memory is bounded by a batch.
         *
         * @param rows rows per batch, at least 1
         * @return this builder
         */
        public Builder batchRows(final int rows) {
            this.batchRows = rows;
            return this;
        }

        /**
         * The request built.
         *
         * @throws IllegalArgumentException when a value is invalid (the format, the batch size)
         * @return the request
         */
        public SliceRequest build() {
            return new SliceRequest(conn, tunnelLog, uids, all, flows, communityIds, query, nowNanos, from, to, bpf, write, writeStream, splitDir,
                arrow, arrowStream, format, keepSecrets, batchRows);
        }
    }
}
