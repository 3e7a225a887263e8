package io.scalpel.cli;

import io.scalpel.api.Captures;
import io.scalpel.api.LogReadAhead;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceListener;
import io.scalpel.api.SliceOutcome;
import io.scalpel.api.SliceRequest;
import io.scalpel.api.Slices;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scalpel slice CAPTURE ...}: the options of a {@link SliceRequest}, run over
 * {@link Captures} (a capture file or a capture set) by {@link Slices}, and its report.
 */
@Command(name = "slice", mixinStandardHelpOptions = true, addMethodSubcommands = false,
    versionProvider = ScalpelCommand.VersionProvider.class,
    description = {
        "Write exactly the packets of Zeek connections, flows, Community IDs, a query expression or a time range.",
        "Connections are given by uid from a conn.log; the packets are written in the capture's own format.",
        "Builds the index first when the capture has none."})
final class SliceCommand implements Callable<Integer> {
    /** The root command, given when made rather than injected (picocli's {@code @ParentCommand} and {@code @Spec} cost a proxy class each). */
    private final ScalpelCommand parent;

    SliceCommand(final ScalpelCommand parent) {
        this.parent = parent;
    }

    /** This command's own command line (usage errors name it: {@code Try 'scalpel slice --help'}). */
    CommandLine commandLine() {
        return parent.commandLine.getSubcommands().get("slice");
    }

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

    @Option(names = "--flow", paramLabel = "FLOW", description = "a flow instead of a conn.log: 'PROTO ADDR:PORT ADDR:PORT' ([ADDR]:PORT for IPv6);"
        + " repeatable")
    List<String> flows = new ArrayList<>();

    @Option(names = "--query", paramLabel = "EXPR", description = "the packets of the connections a query expression accepts, instead of"
        + " a conn.log: e.g. 'host 10.0.0.1 and tcp port 443 and after 1h ago' (see docs/cli.md, Query expressions)")
    String query;

    @Option(names = "--community-id", paramLabel = "ID", split = ",",
        description = "Community ID(s) v1 instead of a conn.log, e.g. 1:wCb3OG7yAFWelaUydu0D+125CLM= (comma-separated, repeatable)")
    List<String> communityIds = new ArrayList<>();

    @Mixin
    JoinOptions join;

    @Option(names = "--from", paramLabel = "TIME", converter = TimeConverter.class,
        description = "window start: ISO-8601 (UTC unless an offset is given), epoch seconds or N{s,m,h,d} ago;"
            + " with --conn, it narrows every row's window")
    Long from;

    @Option(names = "--to", paramLabel = "TIME", converter = TimeConverter.class, description = "window end: ISO-8601, epoch seconds or N{s,m,h,d} ago")
    Long to;

    @Option(names = "--bpf", paramLabel = "EXPR", description = "keep only the selected packets this libpcap filter accepts,"
        + " e.g. 'tcp port 80' (needs the native libpcap)")
    String bpf;

    /** Optional because --arrow may be the only output; {@link SliceUsage#check} asks for one of the three. */
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

    @Mixin
    IndexOptions indexOptions;

    @Mixin
    JsonOption jsonOption;

    @Override
    public Integer call() throws IOException {
        final PrintWriter err = commandLine().getErr();
        if (output == null) {
            output = new Output();
        }
        SliceUsage.check(this);
        if (uidsFrom != null) {
            uids.addAll(UidList.read(uidsFrom, System.in));
        }
        final SliceRequest request = request();
        try {
            Slices.check(capture, indexOptions.index, request);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        final Scalpel.Options options = join.options().withIndex(indexOptions.index).withReindex(indexOptions.reindex);
        // the conn.log is searched while the index opens (from before the arguments were parsed when they named it:
        // EarlyLogRead); a capture or index that cannot be opened stops the search
        try (LogReadAhead ahead = parent.earlyRead.orStart(request, options);
             ProgressDisplay progress = ProgressDisplay.start("index " + capture.getFileName(), !jsonOption.json);
             Captures captures = Failures.open(capture, options.withProgress(progress))) {
            for (String note : captures.notes()) {
                err.println("scalpel: " + note);
            }
            final SliceOutcome outcome = Slices.run(captures, request, listener(err), ahead);
            report(outcome, err);
            return exitCode(outcome).code();
        }
    }

    private SliceRequest request() {
        final SliceRequest.Builder b = SliceRequest.builder().conn(conn).tunnelLog(tunnelLog).uids(uids).all(all)
            .window(from == null ? Long.MIN_VALUE : from, to == null ? Long.MAX_VALUE : to).bpf(bpf).splitDir(output.splitDir)
            .format(format).keepSecrets(keepSecrets);
        b.flows(flows).query(query);
        b.communityIds(communityIds.stream().map(String::trim).toList());
        if ("-".equals(output.write)) {
            b.write(parent.binaryOut);
        } else if (output.write != null) {
            b.write(Path.of(output.write));
        }
        if (arrow != null && "-".equals(arrow.toString())) {
            b.arrow(parent.binaryOut);
        } else if (arrow != null) {
            b.arrow(arrow);
        }
        return b.build();
    }

    private static SliceListener listener(final PrintWriter err) {
        return new SliceListener() {
            @Override
            public void warning(final String message) {
                err.println("scalpel: warning: " + message);
            }

            @Override
            public void note(final String message) {
                err.println("scalpel: " + message);
            }
        };
    }

    private static ExitCode exitCode(final SliceOutcome outcome) {
        switch (outcome.status()) {
            case NOTHING_FOUND:
                return ExitCode.NOTHING_FOUND;
            case PARTIAL:
                return ExitCode.PARTIAL;
            default:
                return ExitCode.OK;
        }
    }

    /** The summary line (and the Arrow file's), or the --json summary on stdout. */
    private void report(final SliceOutcome o, final PrintWriter err) {
        if (jsonOption.json) {
            json(o);
            return;
        }
        final String what = o.kind() == SliceRequest.Kind.UIDS ? " uids"
            : o.kind() == SliceRequest.Kind.COMMUNITY_IDS ? " community IDs" : " queries";
        if (output.write != null || output.splitDir != null || o.arrowRows() == 0) {
            if (o.packets() > 0) {
                final List<String> files = o.captureFiles();
                err.println("scalpel: wrote " + o.packets() + " packets of " + o.matched() + " of " + o.requested() + what + " to "
                    + (files.size() == 1 ? files.get(0) : files.size() + " files in " + output.splitDir));
            } else {
                err.println("scalpel: no packets matched; nothing written");
            }
        }
        if (o.arrowRows() > 0) {
            err.println("scalpel: wrote " + o.arrowRows() + " rows (a conn.log row and one of its packets) of " + o.matched() + " of "
                + o.requested() + what + " to " + o.arrowFile());
        }
        err.flush();
    }

    private void json(final SliceOutcome o) {
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("capture", capture.toString());
        // With --arrow alone, the packets written are the Arrow file's rows (one per packet of a row).
        s.put("packets", output.write == null && output.splitDir == null && o.arrowRows() >= 0 ? o.arrowRows() : o.packets());
        s.put("files", o.files());
        s.put("matched", o.matched());
        s.put("requested", o.requested());
        if (o.unknown() >= 0) {
            s.put("unknown", o.unknown());
        }
        s.put("problems", o.problems());
        s.put("vlan_aware", o.vlanAware());
        s.put("vlan_aware_reason", o.vlanAwareReason());
        if (o.communityIdMismatches() >= 0) {
            s.put("community_id_mismatches", o.communityIdMismatches());
        }
        if (o.arrowRows() >= 0) {
            s.put("arrow_rows", o.arrowRows());
        }
        if (o.compression() != null) {
            s.put("compression", o.compression());
        }
        if (o.filesOpened() != null) {
            s.put("files_opened", o.filesOpened());
        }
        s.put("exit_code", exitCode(o).code());
        final PrintWriter out = commandLine().getOut();
        out.println(Json.object(s));
        out.flush();
    }
}
