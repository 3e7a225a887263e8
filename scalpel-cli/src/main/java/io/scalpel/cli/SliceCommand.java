package io.scalpel.cli;

import io.scalpel.api.Scalpel;
import io.scalpel.capture.CaptureFormat;
import io.scalpel.slice.AtomicOutput;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.OutputException;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.SafeText;
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
        "Write exactly the packets of the given Zeek connections (by uid from a conn.log), of a flow, or of a",
        "time range, in the capture's own format. Builds the index first when the capture has none."})
final class SliceCommand implements Callable<Integer> {
    /** A uid usable as a file name: Zeek's uids are letters and digits. */
    static final Pattern SAFE_UID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final int MALFORMED_SHOWN = 10;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @CommandLine.ParentCommand
    ScalpelCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CAPTURE", description = "pcap or pcapng file")
    Path capture;

    @Option(names = "--conn", paramLabel = "LOG", description = "Zeek conn.log: TSV or JSON lines, optionally gzip'd; - for stdin")
    String conn;

    @Option(names = "--uid", paramLabel = "UID", split = ",", description = "uid(s) to slice (comma-separated, repeatable)")
    List<String> uids = new ArrayList<>();

    @Option(names = "--all", description = "slice every uid of the conn.log")
    boolean all;

    @Option(names = "--flow", paramLabel = "FLOW", description = "a flow instead of a conn.log: 'PROTO ADDR:PORT ADDR:PORT' ([ADDR]:PORT for IPv6)")
    String flow;

    @Option(names = "--from", paramLabel = "TIME", description = "window start: ISO-8601 (UTC unless an offset is given) or epoch seconds")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "window end: ISO-8601 or epoch seconds")
    String to;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Output output;

    static final class Output {
        @Option(names = {"-w", "--write"}, paramLabel = "OUT", required = true, description = "one capture holding every selected packet; - for stdout")
        String write;

        @Option(names = "--split-dir", paramLabel = "DIR", required = true, description = "one capture per uid: DIR/<uid>.pcap or .pcapng")
        Path splitDir;
    }

    @Option(names = "--format", paramLabel = "FMT", description = "output format: pcap or pcapng (default: the capture's own)")
    String format;

    @Option(names = "--vlan-aware", description = "match the conn.log's vlan/inner_vlan against the frames' tags ('-' = untagged)")
    boolean vlanAware;

    @Option(names = "--index", paramLabel = "DIR", description = "index directory (default CAPTURE.scalpel)")
    Path index;

    @Option(names = "--reindex", description = "rebuild the index when the capture changed since it was indexed (otherwise refuse it)")
    boolean reindex;

    @Option(names = "--json", description = "print a JSON summary on stdout (not with -w -)")
    boolean json;

    @Override
    public Integer call() throws IOException {
        final PrintWriter err = spec.commandLine().getErr();
        final CaptureFormat outFormat = parseFormat();
        validate();
        final Scalpel.Options options = Scalpel.Options.defaults().withIndex(index).withVlanAware(vlanAware).withReindex(reindex);
        try (ProgressDisplay progress = ProgressDisplay.start("index " + capture.getFileName(), !json);
             Scalpel scalpel = openAnnounced(options.withProgress(progress), err)) {
            if (conn != null) {
                return sliceConnections(scalpel, outFormat, err);
            }
            return sliceQuery(scalpel, outFormat, err);
        }
    }

    private Scalpel openAnnounced(final Scalpel.Options options, final PrintWriter err) throws IOException {
        if (!Files.isRegularFile(capture)) {
            throw new java.nio.file.NoSuchFileException(capture.toString());
        }
        final Scalpel s;
        try {
            s = Scalpel.open(capture, options);
        } catch (IOException e) {
            throw Failures.forIndex(capture, options.index(), e, false);
        }
        if (s.indexBuild() != null) {
            err.println("scalpel: " + (reindex ? "re" : "no index for " + capture + ": ") + "indexed " + capture + " ("
                + s.manifest().packets() + " packets) into " + s.indexBuild().indexDirectory());
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
        if (conn != null) {
            if (flow != null) {
                throw new CommandLine.ParameterException(cl, "--flow and --conn cannot be combined");
            }
            if (from != null || to != null) {
                throw new CommandLine.ParameterException(cl, "--from/--to go with --flow or alone: a conn.log row has its own time window");
            }
            if (all == !uids.isEmpty()) {
                throw new CommandLine.ParameterException(cl, "with --conn give either --uid UID[,UID...] or --all");
            }
        } else {
            if (all || !uids.isEmpty()) {
                throw new CommandLine.ParameterException(cl, (all ? "--all" : "--uid") + " needs --conn LOG");
            }
            if (flow == null && from == null && to == null) {
                throw new CommandLine.ParameterException(cl, "nothing to slice: give --conn LOG with --uid or --all, --flow, or --from/--to");
            }
            if (output.splitDir != null) {
                throw new CommandLine.ParameterException(cl, "--split-dir writes one file per uid: it needs --conn");
            }
        }
        if (json && "-".equals(output.write)) {
            throw new CommandLine.ParameterException(cl, "--json prints on stdout, which -w - already uses");
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
        final Map<String, ConnRecord> rows = new LinkedHashMap<>();
        final long[] malformed = {0};
        final ConnLogListener listener = (source, line, message) -> {
            if (malformed[0]++ < MALFORMED_SHOWN) {
                err.println("scalpel: warning: " + source + " line " + line + ": " + message + " (line skipped)");
            }
        };
        try (ConnLogReader reader = "-".equals(conn)
            ? ConnLogReader.open(System.in, "<stdin>", listener)
            : ConnLogReader.open(Path.of(conn), listener)) {
            if (!all) {
                reader.onlyUids(wanted::contains);
            }
            ConnRecord r;
            while ((r = reader.next()) != null) {
                if ((all || wanted.contains(r.uid())) && !rows.containsKey(r.uid())) {
                    rows.put(r.uid(), r);
                }
            }
        }
        if (malformed[0] > MALFORMED_SHOWN) {
            err.println("scalpel: warning: " + conn + ": " + (malformed[0] - MALFORMED_SHOWN) + " more malformed lines skipped");
        }
        final List<String> problems = new ArrayList<>();
        for (String u : wanted) {
            if (!rows.containsKey(u)) {
                problems.add(u + " (not in " + conn + ")");
            }
        }
        final List<ConnRecord> conns = new ArrayList<>();
        for (ConnRecord r : rows.values()) {
            if (output.splitDir != null && !SAFE_UID.matcher(r.uid()).matches()) {
                problems.add(SafeText.escape(r.uid(), SafeText.MAX_VALUE_CHARS) + " (not a safe file name; refused)");
                continue;
            }
            conns.add(r);
        }
        final Scalpel.Selection selection = scalpel.select(conns);
        final List<String> empty = new ArrayList<>();
        for (int i = 0; i < selection.size(); i++) {
            if (selection.offsets(i).length == 0) {
                empty.add(selection.queries().get(i).label());
            }
        }
        final Written written = output.splitDir != null
            ? writeSplit(scalpel, selection, outFormat, err)
            : writeOne(scalpel, selection.union(), outFormat, err);
        final int withPackets = selection.size() - empty.size();
        if (all) {
            if (!empty.isEmpty()) {
                err.println("scalpel: " + empty.size() + " of " + selection.size() + " uids have no packets in " + capture
                    + (empty.size() <= MALFORMED_SHOWN ? ": " + String.join(", ", empty) : ""));
            }
        } else {
            for (String u : empty) {
                problems.add(u + " (no packets in " + capture + ")");
            }
        }
        for (String p : problems) {
            err.println("scalpel: uid " + p);
        }
        summary(err, written, withPackets, selection.size());
        final ExitCode code;
        if (written.frames == 0 && withPackets == 0) {
            code = ExitCode.NOTHING_FOUND;
        } else if (!problems.isEmpty()) {
            code = ExitCode.PARTIAL;
        } else {
            code = ExitCode.OK;
        }
        json(written, withPackets, selection.size(), problems, code);
        return code.code();
    }

    private int sliceQuery(final Scalpel scalpel, final CaptureFormat outFormat, final PrintWriter err) throws IOException {
        final long fromNs = from == null ? Long.MIN_VALUE : parseTime("--from", from);
        final long toNs = to == null ? Long.MAX_VALUE : parseTime("--to", to);
        if (fromNs > toNs) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from is after --to");
        }
        final long[] offsets;
        if (flow != null) {
            final FlowQuery q;
            try {
                q = FlowQuery.parse(flow, fromNs, toNs, vlanAware);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            offsets = scalpel.selectQueries(List.of(q)).offsets(0);
        } else {
            offsets = scalpel.selectWindow(fromNs, toNs);
        }
        final Written written = writeOne(scalpel, offsets, outFormat, err);
        summary(err, written, offsets.length == 0 ? 0 : 1, 1);
        final ExitCode code = offsets.length == 0 ? ExitCode.NOTHING_FOUND : ExitCode.OK;
        json(written, offsets.length == 0 ? 0 : 1, 1, List.of(), code);
        return code.code();
    }

    /** Frames and files written. */
    private record Written(long frames, List<String> files) {
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
                final long n = scalpel.write(offsets, outFormat, stdout, warn);
                stdout.flush();
                return new Written(n, List.of("<stdout>"));
            }
            final Path out = Path.of(output.write);
            final long n = scalpel.write(offsets, outFormat, out, warn);
            return new Written(n, List.of(out.toString()));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    private Written writeSplit(final Scalpel scalpel, final Scalpel.Selection selection, final CaptureFormat outFormat,
                               final PrintWriter err) throws IOException {
        final Path dir = output.splitDir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new OutputException("cannot create --split-dir " + dir + ": " + (e instanceof java.nio.file.FileAlreadyExistsException f
                ? f.getFile() + " exists and is not a directory" : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage()), e);
        }
        final CaptureFormat ext = outFormat != null ? outFormat : scalpel.captureFormat();
        final java.util.function.Consumer<String> warn = w -> err.println("scalpel: warning: " + w);
        long frames = 0;
        final List<String> files = new ArrayList<>();
        for (int i = 0; i < selection.size(); i++) {
            final long[] offsets = selection.offsets(i);
            if (offsets.length == 0) {
                continue;
            }
            final Path out = dir.resolve(selection.queries().get(i).label() + "." + ext.extension());
            try {
                frames += scalpel.write(offsets, outFormat, out, warn);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, e.getMessage());
            }
            files.add(out.toString());
        }
        return new Written(frames, files);
    }

    private void summary(final PrintWriter err, final Written w, final int withPackets, final int asked) {
        if (json) {
            return;
        }
        if (w.frames > 0) {
            err.println("scalpel: wrote " + w.frames + " packets of " + withPackets + " of " + asked
                + (conn != null ? " uids" : " queries") + " to " + (w.files.size() == 1 ? w.files.get(0)
                : w.files.size() + " files in " + output.splitDir));
        } else {
            err.println("scalpel: no packets matched; nothing written");
        }
        err.flush();
    }

    private void json(final Written w, final int withPackets, final int asked, final List<String> problems, final ExitCode code) {
        if (!json) {
            return;
        }
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("capture", capture.toString());
        s.put("packets", w.frames);
        s.put("files", w.files);
        s.put("matched", withPackets);
        s.put("requested", asked);
        s.put("problems", problems);
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
