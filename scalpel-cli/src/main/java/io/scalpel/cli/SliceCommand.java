package io.scalpel.cli;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.Scalpel;
import io.scalpel.capture.CaptureFormat;
import io.scalpel.decode.CommunityId;
import io.scalpel.slice.AtomicOutput;
import io.scalpel.slice.BpfFilter;
import io.scalpel.slice.BpfFilterException;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.OutputException;
import io.scalpel.slice.RunFiles;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnSelection;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.SafeText;
import io.scalpel.zeek.Tunnel;
import io.scalpel.zeek.TunnelLogReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scalpel slice CAPTURE ...}: writes the packets of Zeek connections (or of a flow or a time range). */
@Command(name = "slice", mixinStandardHelpOptions = true,
    versionProvider = ScalpelCommand.VersionProvider.class,
    description = {
        "Write exactly the packets of Zeek connections, flows, Community IDs or a time range.",
        "Connections are given by uid from a conn.log; the packets are written in the capture's own format.",
        "Builds the index first when the capture has none."})
final class SliceCommand implements Callable<Integer> {
    /** A uid usable as a file name: Zeek's uids are letters and digits. */
    static final Pattern SAFE_UID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final int MALFORMED_SHOWN = 10;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @CommandLine.ParentCommand
    ScalpelCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CAPTURE", description = "pcap or pcapng file, or a directory of them (a capture set)")
    Path capture;

    @Option(names = "--conn", paramLabel = "LOG", description = "Zeek conn.log: TSV or JSON lines (optionally gzip'd or zstd'd), Parquet,"
        + " or a directory of rotated conn.* logs; - for stdin")
    String conn;

    @Option(names = "--tunnel-log", paramLabel = "LOG", description = "Zeek tunnel.log: TSV or JSON lines (optionally gzip'd or zstd'd), Parquet,"
        + " or a directory of rotated tunnel.* logs; - for stdin."
        + " Its GRE, ERSPAN and IP-in-IP tunnel uids can then be sliced like conn.log uids")
    String tunnelLog;

    @Option(names = "--uid", paramLabel = "UID", split = ",", description = "uid(s) to slice (comma-separated, repeatable)")
    List<String> uids = new ArrayList<>();

    @Option(names = "--uids-from", paramLabel = "FILE", description = "uids to slice from a file, one per line or the first"
        + " column of zeek-cut/TSV/CSV output (a header line naming uid is skipped); - for stdin")
    String uidsFrom;

    @Option(names = "--all", description = "slice every uid of the conn.log (and of the tunnel.log)")
    boolean all;

    @Option(names = "--flow", paramLabel = "FLOW", description = "a flow instead of a conn.log: 'PROTO ADDR:PORT ADDR:PORT' ([ADDR]:PORT for IPv6)")
    String flow;

    @Option(names = "--community-id", paramLabel = "ID", split = ",",
        description = "Community ID(s) v1 instead of a conn.log, e.g. 1:wCb3OG7yAFWelaUydu0D+125CLM= (comma-separated, repeatable)")
    List<String> communityIds = new ArrayList<>();

    @Option(names = "--community-id-seed", paramLabel = "N",
        description = "seed of the Community IDs given or logged (Zeek's CommunityID::seed; default 0)")
    int communityIdSeed = CommunityId.DEFAULT_SEED;

    @Option(names = "--from", paramLabel = "TIME", description = "window start: ISO-8601 (UTC unless an offset is given) or epoch seconds")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "window end: ISO-8601 or epoch seconds")
    String to;

    @Option(names = "--bpf", paramLabel = "EXPR", description = "keep only the selected packets this libpcap filter accepts,"
        + " e.g. 'tcp port 80' (needs the native libpcap)")
    String bpf;

    /** The compiled --bpf, or null. */
    private BpfFilter filter;

    /** Optional because --arrow may be the only output; {@link #validate()} asks for one of the three. */
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Output output;

    static final class Output {
        @Option(names = {"-w", "--write"}, paramLabel = "OUT", required = true, description = "one capture holding every selected packet; - for stdout")
        String write;

        @Option(names = "--split-dir", paramLabel = "DIR", required = true, description = "one capture per uid: DIR/<uid>.pcap or .pcapng")
        Path splitDir;
    }

    @Option(names = "--arrow", paramLabel = "FILE", description = "also or only: an Arrow IPC file with one row per packet of each"
        + " conn.log row (the row's columns, the packet's timestamp, lengths and bytes); - for stdout. Needs --conn")
    Path arrow;

    @Option(names = "--format", paramLabel = "FMT", description = "output format: pcap or pcapng (default: the capture's own)")
    String format;

    @Option(names = "--keep-secrets", description = "pcapng: keep the TLS key-log lines of the extract's own ClientHellos (decryption secrets are dropped otherwise)")
    boolean keepSecrets;

    @Option(names = "--vlan-aware", description = "match the conn.log's vlan/inner_vlan against the frames' tags ('-' = untagged)")
    boolean vlanAware;

    @Option(names = "--vlan-blind", description = "ignore VLAN tags, even for a conn.log written with Zeek's VLAN-aware key"
        + " (id.ctx.vlan columns), which is otherwise joined VLAN-aware")
    boolean vlanBlind;

    /** Whether conn rows are joined VLAN-aware, and why. */
    VlanKeying vlanKeying;

    @Option(names = "--tcp-close-delay", paramLabel = "SECONDS", converter = SecondsConverter.class,
        description = "Zeek's tcp_close_delay on the sensor (default 5): how long a TCP connection still takes packets"
            + " after both endpoints closed")
    long tcpCloseDelayNanos = io.scalpel.slice.TcpEnding.DEFAULT_CLOSE_DELAY_NANOS;

    @Option(names = "--index", paramLabel = "DIR", description = "index directory (default CAPTURE.scalpel)")
    Path index;

    @Option(names = "--reindex", description = "rebuild the index when the capture changed since it was indexed (otherwise refuse it)")
    boolean reindex;

    @Option(names = "--json", description = "print a JSON summary on stdout (not with -w -)")
    boolean json;

    /** What this run reads and writes: no output may be an input (see {@link SliceFiles}). */
    RunFiles files;

    /** Rows written to the --arrow file, for the JSON summary. */
    private long arrowRows = -1;

    @Override
    public Integer call() throws IOException {
        final PrintWriter err = spec.commandLine().getErr();
        final CaptureFormat outFormat = parseFormat();
        validate();
        if (uidsFrom != null) {
            uids.addAll(UidList.read(uidsFrom, System.in));
        }
        files = SliceFiles.of(this);
        filter = compileBpf();
        vlanKeying = new VlanKeying(vlanAware, vlanBlind);
        final Scalpel.Options options = Scalpel.Options.defaults().withIndex(index).withVlanKey(vlanKeying.choice())
            .withReindex(reindex).withCommunityIdSeed(communityIdSeed).withTcpCloseDelayNanos(tcpCloseDelayNanos);
        if (Files.isDirectory(capture)) {
            if (arrow != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--arrow pairs the conn.log rows of one capture file,"
                    + " not of a capture set (" + capture + " is a directory)");
            }
            return new CaptureSetSlice(this, options, outFormat, err).call();
        }
        try (ProgressDisplay progress = ProgressDisplay.start("index " + capture.getFileName(), !json);
             Scalpel scalpel = openAnnounced(options.withProgress(progress), err)) {
            if (conn != null || tunnelLog != null) {
                return sliceConnections(scalpel, outFormat, err);
            }
            return sliceQuery(scalpel, outFormat, err);
        } finally {
            if (filter != null) {
                filter.close();
            }
        }
    }

    /** The capture being sliced, once opened (for the --json summary of a compressed one). */
    private Scalpel opened;

    private BpfFilter compileBpf() {
        if (bpf == null) {
            return null;
        }
        try {
            return BpfFilter.compile(bpf);
        } catch (BpfFilterException e) {
            throw bpfFailure(e);
        }
    }

    private RuntimeException bpfFailure(final BpfFilterException e) {
        if (e.libpcapMissing()) {
            return new CliException(ExitCode.USAGE, "--bpf: " + e.getMessage());
        }
        return new CommandLine.ParameterException(spec.commandLine(), "--bpf " + e.getMessage().replaceFirst("^BPF expression ", ""));
    }

    /** The selected frames that --bpf accepts (all without it). */
    private long[] narrowed(final Scalpel scalpel, final long[] offsets) throws IOException {
        try {
            return filter == null ? offsets : scalpel.narrow(offsets, filter);
        } catch (BpfFilterException e) {
            throw bpfFailure(e);
        }
    }

    private Scalpel.Selection narrowed(final Scalpel scalpel, final Scalpel.Selection selection) throws IOException {
        try {
            return filter == null ? selection : scalpel.narrow(selection, filter);
        } catch (BpfFilterException e) {
            throw bpfFailure(e);
        }
    }

    /** Each query's frames in a capture set's members that --bpf accepts (all without it). */
    CaptureSet.Selection narrowed(final CaptureSet set, final CaptureSet.Selection selection) throws IOException {
        try {
            return filter == null ? selection : set.narrow(selection, filter);
        } catch (BpfFilterException e) {
            throw bpfFailure(e);
        }
    }

    private String noPacketsIn() {
        return "no packets in " + capture + (filter != null ? " that --bpf accepts" : "");
    }

    private Scalpel openAnnounced(final Scalpel.Options options, final PrintWriter err) throws IOException {
        io.scalpel.capture.CaptureReader.requireRegularFile(capture);
        final Scalpel s;
        try {
            s = Scalpel.open(capture, options);
        } catch (IOException e) {
            throw Failures.forIndex(capture, options.index(), e, false);
        }
        final io.scalpel.index.IndexBuilder.Result built = s.indexBuild();
        if (built != null) {
            switch (built.mode()) {
                case EXTENDED -> err.println("scalpel: " + capture + " grew since it was indexed: indexed its "
                    + built.recordsScanned() + " new packets from byte " + built.scannedFrom() + " into " + built.indexDirectory());
                case REBUILT -> err.println("scalpel: reindexed " + capture + " (" + s.manifest().packets() + " packets) into "
                    + built.indexDirectory());
                default -> err.println("scalpel: no index for " + capture + ": indexed " + capture + " ("
                    + s.manifest().packets() + " packets) into " + built.indexDirectory());
            }
        }
        opened = s;
        if (s.compression() != null) {
            err.println(CompressionReport.line(capture, s.compression()));
        }
        if (s.manifest().truncatedTailOffset() >= 0) {
            err.println("scalpel: warning: " + capture + ": byte offset " + s.manifest().truncatedTailOffset()
                + ": last record is incomplete; only whole records are sliced");
        }
        if (s.index().captureMatch() == io.scalpel.index.CaptureFingerprint.Match.GROWN) {
            err.println("scalpel: warning: " + capture + " grew since it was indexed; packets after byte "
                + s.manifest().fingerprint().length() + " are not sliced (re-run `scalpel index` to add them)");
        }
        return s;
    }

    private void validate() {
        final CommandLine cl = spec.commandLine();
        if (output == null) {
            if (arrow == null) {
                throw new CommandLine.ParameterException(cl,
                    "Missing required argument (specify one of these): (-w=OUT | --split-dir=DIR | --arrow=FILE)");
            }
            output = new Output();
        }
        SliceFiles.refuseEmpty(cl, "-w", output.write);
        SliceFiles.refuseEmpty(cl, "--split-dir", output.splitDir);
        SliceFiles.refuseEmpty(cl, "--arrow", arrow);
        SliceFiles.refuseEmpty(cl, "--index", index);
        validateUids(cl);
        if (vlanAware && vlanBlind) {
            throw new CommandLine.ParameterException(cl, "--vlan-aware and --vlan-blind cannot be combined");
        }
        if (communityIdSeed < 0 || communityIdSeed > CommunityId.MAX_SEED) {
            throw new CommandLine.ParameterException(cl, "--community-id-seed " + communityIdSeed
                + " is not a 16-bit value (0-" + CommunityId.MAX_SEED + ")");
        }
        for (String id : communityIds) {
            if (!CommunityId.isWellFormed(id.trim())) {
                throw new CommandLine.ParameterException(cl, "--community-id '" + id + "' is not a Community ID v1"
                    + " (1: and 28 base64 characters, like 1:wCb3OG7yAFWelaUydu0D+125CLM=)");
            }
        }
        if (!communityIds.isEmpty() && (conn != null || tunnelLog != null || flow != null)) {
            throw new CommandLine.ParameterException(cl, "--community-id cannot be combined with "
                + (conn != null ? "--conn" : tunnelLog != null ? "--tunnel-log" : "--flow"));
        }
        if (conn != null || tunnelLog != null) {
            final String logs = conn != null ? "--conn" : "--tunnel-log";
            if (flow != null) {
                throw new CommandLine.ParameterException(cl, "--flow and " + logs + " cannot be combined");
            }
            if (from != null || to != null) {
                throw new CommandLine.ParameterException(cl, "--from/--to go with --flow or alone: a " + (conn != null ? "conn.log" : "tunnel.log")
                    + " row has its own time window");
            }
            if (all == (!uids.isEmpty() || uidsFrom != null)) {
                throw new CommandLine.ParameterException(cl, "with " + logs + " give either --uid UID[,UID...] (or --uids-from FILE)"
                    + " or --all");
            }
            if ("-".equals(conn) && "-".equals(tunnelLog)) {
                throw new CommandLine.ParameterException(cl, "--conn and --tunnel-log cannot both read stdin");
            }
            if ("-".equals(uidsFrom) && ("-".equals(conn) || "-".equals(tunnelLog))) {
                throw new CommandLine.ParameterException(cl, "--uids-from and " + ("-".equals(conn) ? "--conn" : "--tunnel-log")
                    + " cannot both read stdin");
            }
        } else {
            if (all || !uids.isEmpty() || uidsFrom != null) {
                throw new CommandLine.ParameterException(cl, (all ? "--all" : !uids.isEmpty() ? "--uid" : "--uids-from")
                    + " needs --conn LOG or --tunnel-log LOG");
            }
            if (flow == null && communityIds.isEmpty() && from == null && to == null) {
                throw new CommandLine.ParameterException(cl, "nothing to slice: give --conn LOG (or --tunnel-log LOG) with --uid or --all,"
                    + " --flow, --community-id, or --from/--to");
            }
            if (output.splitDir != null) {
                throw new CommandLine.ParameterException(cl, "--split-dir writes one file per uid: it needs --conn or --tunnel-log");
            }
        }
        if (json && "-".equals(output.write)) {
            throw new CommandLine.ParameterException(cl, "--json prints on stdout, which -w - already uses");
        }
        if (arrow != null && conn == null) {
            throw new CommandLine.ParameterException(cl, "--arrow pairs conn.log rows with their packets: it needs --conn LOG");
        }
        if (arrow != null && ArrowOutput.STDOUT.equals(arrow.toString())) {
            if ("-".equals(output.write)) {
                throw new CommandLine.ParameterException(cl, "-w - and --arrow - cannot both write to stdout");
            }
            if (json) {
                throw new CommandLine.ParameterException(cl, "--json prints on stdout, which --arrow - already uses");
            }
        }
        if (arrow != null) {
            ArrowOutput.requireOpenNio();
        }
    }

    /** Trims the --uid values; refuses an empty one, and one that was meant as an argument file (@FILE). */
    private void validateUids(final CommandLine cl) {
        for (int i = 0; i < uids.size(); i++) {
            final String u = uids.get(i).strip();
            if (u.isEmpty()) {
                throw new CommandLine.ParameterException(cl, "--uid: empty uid (an empty value, or two commas in a row)");
            }
            if (u.startsWith("@")) {
                throw new CommandLine.ParameterException(cl, "--uid '" + u + "': a uid does not start with '@'; to read uids"
                    + " from a file, give --uids-from " + u.substring(1));
            }
            uids.set(i, u);
        }
    }

    private CaptureFormat parseFormat() {
        if (format == null) {
            return null;
        }
        switch (format.toLowerCase(Locale.ROOT)) {
            case "pcap":
                return CaptureFormat.PCAP;
            case "pcapng":
                return CaptureFormat.PCAPNG;
            default:
                throw new CommandLine.ParameterException(spec.commandLine(), "--format must be pcap or pcapng, not '" + format + "'");
        }
    }

    private int sliceConnections(final Scalpel scalpel, final CaptureFormat outFormat, final PrintWriter err) throws IOException {
        final Set<String> wanted = new LinkedHashSet<>(uids);
        // uid -> its query: conn.log rows first (the first row of a uid), then the tunnel.log's
        // tunnels that conn.log does not name (GRE, ERSPAN and IP-in-IP parents).
        final Map<String, Query> rows = new LinkedHashMap<>();
        final List<ConnRecord> connRows = new ArrayList<>();
        ConnSelection.Result read = null;
        if (conn != null) {
            final long[] malformed = {0};
            read = ConnSelection.read(conn, all ? null : wanted, vlanKeying.choice()::aware, listener(err, malformed));
            vlanKeying.logRead(conn, read.vlanKeyed(), err);
            for (ConnRecord r : read.rows().values()) {
                rows.put(r.uid(), scalpel.query(r, read.nextStart(r)));
                connRows.add(r);
            }
            moreMalformed(err, conn, malformed[0]);
            ConnLogNotes.warnWithoutTimestamps(err, read);
        }
        if (tunnelLog != null) {
            final long[] malformed = {0};
            try (TunnelLogReader reader = "-".equals(tunnelLog)
                ? TunnelLogReader.open(System.in, "<stdin>", listener(err, malformed))
                : TunnelLogReader.open(Path.of(tunnelLog), listener(err, malformed))) {
                for (Tunnel t : reader.tunnels().values()) {
                    if ((all || wanted.contains(t.uid())) && !rows.containsKey(t.uid())) {
                        rows.put(t.uid(), scalpel.query(t));
                    }
                }
            }
            moreMalformed(err, tunnelLog, malformed[0]);
        }
        final List<String> problems = new ArrayList<>();
        final String logs = conn == null ? tunnelLog : tunnelLog == null ? conn : conn + " or " + tunnelLog;
        for (String u : wanted) {
            if (!rows.containsKey(u)) {
                problems.add(ConnLogNotes.unknownUid(u, logs, read, tunnelLog != null));
            }
        }
        final int unknown = problems.size();
        final int requested = all ? rows.size() : wanted.size();
        final List<Query> queries = new ArrayList<>();
        for (Map.Entry<String, Query> r : rows.entrySet()) {
            if (output.splitDir != null && !SAFE_UID.matcher(r.getKey()).matches()) {
                problems.add(SafeText.escape(r.getKey(), SafeText.MAX_VALUE_CHARS) + " (not a safe file name; refused)");
                continue;
            }
            queries.add(r.getValue());
        }
        final long mismatches = conn != null ? checkCommunityIds(scalpel, connRows, err) : -1;
        final Scalpel.Selection selection = narrowed(scalpel, scalpel.selectQueries(queries));
        final List<String> empty = new ArrayList<>();
        for (int i = 0; i < selection.size(); i++) {
            if (selection.offsets(i).length == 0) {
                empty.add(selection.queries().get(i).label());
            }
        }
        final Written captures = output.splitDir != null
            ? writeSplit(scalpel, selection, outFormat, err)
            : output.write != null ? writeOne(scalpel, selection.union(), outFormat, err) : null;
        final Written pairs = arrow != null ? ArrowOutput.write(scalpel, selection, connRows, arrow, parent.binaryOut) : null;
        arrowRows = pairs != null ? pairs.frames : -1;
        final Written written = captures == null ? pairs : pairs == null ? captures : captures.and(pairs);
        final int withPackets = selection.size() - empty.size();
        if (all) {
            if (!empty.isEmpty()) {
                err.println("scalpel: " + empty.size() + " of " + selection.size() + " uids have " + noPacketsIn()
                    + (empty.size() <= MALFORMED_SHOWN ? ": " + String.join(", ", empty) : ""));
            }
        } else {
            for (String u : empty) {
                problems.add(u + " (" + noPacketsIn() + ")");
            }
        }
        for (String p : problems) {
            err.println("scalpel: uid " + p);
        }
        if (withPackets == 0) {
            ConnLogNotes.noOverlap(err, connRows, capture.toString(), scalpel.manifest().firstTimestampNanos(),
                scalpel.manifest().lastTimestampNanos());
        }
        if (captures != null || pairs.frames == 0) {
            summary(err, captures != null ? captures : pairs, withPackets, requested);
        }
        if (pairs != null && pairs.frames > 0 && !json) {
            err.println("scalpel: wrote " + pairs.frames + " rows (a conn.log row and one of its packets) of " + withPackets + " of "
                + requested + " uids to " + pairs.files().get(0));
            err.flush();
        }
        final ExitCode code;
        if (written.frames == 0 && withPackets == 0) {
            code = ExitCode.NOTHING_FOUND;
        } else if (!problems.isEmpty()) {
            code = ExitCode.PARTIAL;
        } else {
            code = ExitCode.OK;
        }
        json(written, withPackets, requested, problems, code, mismatches, unknown);
        return code.code();
    }

    /**
     * Prints the first 10 skipped lines of a log (counting them all in {@code malformed[0]}) and
     * its notices, as warnings.
     */
    static ConnLogListener listener(final PrintWriter err, final long[] malformed) {
        return new ConnLogListener() {
            @Override
            public void malformedLine(final String source, final long line, final String message) {
                if (malformed[0]++ < MALFORMED_SHOWN) {
                    err.println("scalpel: warning: " + source + " line " + line + ": " + message + " (line skipped)");
                }
            }

            @Override
            public void notice(final String source, final long line, final String message) {
                err.println("scalpel: warning: " + source + " line " + line + ": " + message);
            }
        };
    }

    private static void moreMalformed(final PrintWriter err, final String log, final long malformed) {
        if (malformed > MALFORMED_SHOWN) {
            err.println("scalpel: warning: " + log + ": " + (malformed - MALFORMED_SHOWN) + " more malformed lines skipped");
        }
    }

    /**
     * Compares each row's logged community_id with the one of its 5-tuple under the seed, and
     * warns about every row where they differ (the first 10, then a count). Such a row is still
     * joined by its 5-tuple. Returns how many rows differed.
     */
    private long checkCommunityIds(final Scalpel scalpel, final List<ConnRecord> conns, final PrintWriter err) {
        long mismatches = 0;
        for (ConnRecord r : conns) {
            if (r.communityId() == null || r.communityId().isEmpty() || !r.hasFiveTuple()) {
                continue;
            }
            final String computed = scalpel.communityIdOf(r);
            if (computed == null || computed.equals(r.communityId())) {
                continue;
            }
            if (mismatches++ < MALFORMED_SHOWN) {
                err.println("scalpel: warning: " + conn + " line " + r.line() + ": uid " + SafeText.escape(r.uid(), SafeText.MAX_VALUE_CHARS)
                    + ": community_id " + SafeText.escape(r.communityId(), SafeText.MAX_VALUE_CHARS) + " is not the Community ID of its 5-tuple with seed "
                    + communityIdSeed + " (" + computed + "); joined by the 5-tuple"
                    + (communityIdSeed == CommunityId.DEFAULT_SEED ? " (if Zeek used another seed, give it with --community-id-seed)" : ""));
            }
        }
        if (mismatches > MALFORMED_SHOWN) {
            err.println("scalpel: warning: " + conn + ": " + (mismatches - MALFORMED_SHOWN)
                + " more rows whose community_id is not that of their 5-tuple");
        }
        return mismatches;
    }

    private int sliceQuery(final Scalpel scalpel, final CaptureFormat outFormat, final PrintWriter err) throws IOException {
        final long fromNs = from == null ? Long.MIN_VALUE : parseTime("--from", from);
        final long toNs = to == null ? Long.MAX_VALUE : parseTime("--to", to);
        if (fromNs > toNs) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from is after --to");
        }
        if (!communityIds.isEmpty()) {
            return sliceCommunityIds(scalpel, fromNs, toNs, outFormat, err);
        }
        long[] offsets;
        if (flow != null) {
            final FlowQuery q;
            try {
                q = FlowQuery.parse(flow, fromNs, toNs, vlanKeying.aware());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            offsets = scalpel.selectQueries(List.of(q)).offsets(0);
        } else {
            offsets = scalpel.selectWindow(fromNs, toNs);
        }
        offsets = narrowed(scalpel, offsets);
        final Written written = writeOne(scalpel, offsets, outFormat, err);
        summary(err, written, offsets.length == 0 ? 0 : 1, 1);
        final ExitCode code = offsets.length == 0 ? ExitCode.NOTHING_FOUND : ExitCode.OK;
        json(written, offsets.length == 0 ? 0 : 1, 1, List.of(), code, -1);
        return code.code();
    }

    private int sliceCommunityIds(final Scalpel scalpel, final long fromNs, final long toNs, final CaptureFormat outFormat,
                                  final PrintWriter err) throws IOException {
        final Set<String> ids = new LinkedHashSet<>();
        for (String id : communityIds) {
            ids.add(id.trim());
        }
        final Scalpel.Selection selection = narrowed(scalpel, scalpel.selectCommunityIds(ids, fromNs, toNs));
        final List<String> problems = new ArrayList<>();
        for (int i = 0; i < selection.size(); i++) {
            if (selection.offsets(i).length == 0) {
                problems.add("community ID " + ((CommunityIdQuery) selection.queries().get(i)).communityId() + " (" + noPacketsIn()
                    + (fromNs != Long.MIN_VALUE || toNs != Long.MAX_VALUE ? " in the window" : "") + ")");
            }
        }
        final Written written = writeOne(scalpel, selection.union(), outFormat, err);
        final int withPackets = selection.size() - problems.size();
        for (String p : problems) {
            err.println("scalpel: " + p);
        }
        summary(err, written, withPackets, selection.size());
        final ExitCode code = ExitCode.ofSlice(withPackets, !problems.isEmpty());
        json(written, withPackets, selection.size(), problems, code, -1);
        return code.code();
    }

    /** Frames (or Arrow rows) and files written. */
    record Written(long frames, List<String> files) {
        /** Both outputs: the capture's frames, every file. */
        Written and(final Written arrowRows) {
            final List<String> all = new ArrayList<>(files);
            all.addAll(arrowRows.files);
            return new Written(frames, all);
        }
    }

    private Written writeOne(final Scalpel scalpel, final long[] offsets, final CaptureFormat outFormat, final PrintWriter err)
        throws IOException {
        if (offsets.length == 0 && !"-".equals(output.write)) {
            return new Written(0, List.of()); // no file for nothing; a pipe still gets a valid, empty capture
        }
        final java.util.function.Consumer<String> warn = w -> err.println("scalpel: warning: " + w);
        try {
            if ("-".equals(output.write)) {
                final OutputStream stdout = AtomicOutput.guard(parent.binaryOut, "<stdout>");
                final long n = scalpel.write(offsets, extract(outFormat, warn), stdout);
                stdout.flush();
                return new Written(n, List.of("<stdout>"));
            }
            final Path out = Path.of(output.write);
            final long n = scalpel.write(offsets, extract(outFormat, warn), out);
            return new Written(n, List.of(out.toString()));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    private ExtractOptions extract(final CaptureFormat outFormat, final java.util.function.Consumer<String> warn) {
        return ExtractOptions.defaults().withFormat(outFormat).withKeepSecrets(keepSecrets).withWarnings(warn);
    }

    /** Creates the --split-dir directory, or fails with an output error saying why. */
    static void createSplitDir(final Path dir) throws OutputException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new OutputException("cannot create --split-dir " + dir + ": " + (e instanceof java.nio.file.FileAlreadyExistsException f
                ? f.getFile() + " exists and is not a directory" : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage()), e);
        }
    }

    private Written writeSplit(final Scalpel scalpel, final Scalpel.Selection selection, final CaptureFormat outFormat,
                               final PrintWriter err) throws IOException {
        final Path dir = output.splitDir;
        final CaptureFormat ext = outFormat != null ? outFormat : scalpel.captureFormat();
        final java.util.function.Consumer<String> warn = w -> err.println("scalpel: warning: " + w);
        long frames = 0;
        final List<String> files = new ArrayList<>();
        // All files are written, then synced and renamed together (see docs/cli.md, Output).
        final long[][] offsets = new long[selection.size()][];
        final Path[] outs = new Path[selection.size()];
        for (int i = 0; i < selection.size(); i++) {
            offsets[i] = selection.offsets(i);
            if (offsets[i].length == 0) {
                continue;
            }
            outs[i] = dir.resolve(selection.queries().get(i).label() + "." + ext.extension());
            this.files.check(outs[i], SliceFiles.SPLIT_FILE);
            files.add(outs[i].toString());
        }
        createSplitDir(dir);
        try {
            for (long n : scalpel.writeEach(offsets, outs, dir, extract(outFormat, warn))) {
                frames += n;
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        return new Written(frames, files);
    }

    private void summary(final PrintWriter err, final Written w, final int withPackets, final int asked) {
        if (json) {
            return;
        }
        if (w.frames > 0) {
            err.println("scalpel: wrote " + w.frames + " packets of " + withPackets + " of " + asked
                + (conn != null || tunnelLog != null ? " uids" : !communityIds.isEmpty() ? " community IDs" : " queries") + " to " + (w.files.size() == 1 ? w.files.get(0)
                : w.files.size() + " files in " + output.splitDir));
        } else {
            err.println("scalpel: no packets matched; nothing written");
        }
        err.flush();
    }

    /** @param mismatches conn.log rows whose community_id is not their 5-tuple's; -1 without --conn (left out) */
    private void json(final Written w, final int withPackets, final int asked, final List<String> problems, final ExitCode code,
                      final long mismatches) {
        json(w, withPackets, asked, problems, code, mismatches, -1);
    }

    /** @param unknown uids asked for that no log has; -1 when not slicing by uid (left out) */
    private void json(final Written w, final int withPackets, final int asked, final List<String> problems, final ExitCode code,
                      final long mismatches, final int unknown) {
        if (!json) {
            return;
        }
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("capture", capture.toString());
        s.put("packets", w.frames);
        s.put("files", w.files);
        s.put("matched", withPackets);
        s.put("requested", asked);
        if (unknown >= 0) {
            s.put("unknown", unknown);
        }
        s.put("problems", problems);
        vlanKeying.json(s);
        if (mismatches >= 0) {
            s.put("community_id_mismatches", mismatches);
        }
        if (arrowRows >= 0) {
            s.put("arrow_rows", arrowRows);
        }
        if (opened != null && opened.compression() != null) {
            s.put("compression", CompressionReport.json(opened.compression(), opened.compressedUnitsRead()));
        }
        s.put("exit_code", code.code());
        final PrintWriter out = spec.commandLine().getOut();
        out.println(Json.object(s));
        out.flush();
    }

    /** Parses ISO-8601 (UTC unless an offset is given) or epoch seconds with an optional fraction. */
    long parseTime(final String option, final String text) {
        final String t = text.trim();
        final Instant i;
        try {
            if (t.matches("\\d+(\\.\\d{1,9})?")) {
                final BigDecimal nanos = new BigDecimal(t).movePointRight(9);
                if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    throw outOfRange(option, text);
                }
                return nanos.longValueExact();
            } else if (t.endsWith("Z") || t.matches(".*[+-]\\d\\d:\\d\\d$")) {
                i = OffsetDateTime.parse(t).toInstant();
            } else {
                i = LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                option + " '" + text + "' is neither ISO-8601 (2024-05-01T12:00:00Z) nor epoch seconds (1714564800.5)");
        }
        try {
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), NANOS_PER_SECOND), i.getNano());
        } catch (ArithmeticException e) {
            throw outOfRange(option, text);
        }
    }

    private CommandLine.ParameterException outOfRange(final String option, final String text) {
        return new CommandLine.ParameterException(spec.commandLine(), option + " '" + text
            + "' is out of range: times are counted in nanoseconds since 1970 in 64 bits, from "
            + Instant.ofEpochSecond(0, Long.MIN_VALUE) + " to " + Instant.ofEpochSecond(0, Long.MAX_VALUE));
    }
}
