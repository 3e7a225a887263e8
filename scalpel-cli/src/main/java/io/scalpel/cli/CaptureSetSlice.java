package io.scalpel.cli;

import io.scalpel.api.CaptureSet;
import io.scalpel.api.Scalpel;
import io.scalpel.capture.CaptureFormat;
import io.scalpel.index.CaptureSetBuilder;
import io.scalpel.slice.AtomicOutput;
import io.scalpel.slice.ExtractOptions;
import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.zeek.ConnSelection;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.SafeText;
import io.scalpel.zeek.Tunnel;
import io.scalpel.zeek.TunnelLogReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * {@code scalpel slice DIR ...}: the slice command over a capture set. Same queries, outputs and
 * exit codes as for one capture; the members whose time range meets no query are not opened, and
 * each extract merges the members' frames by timestamp.
 */
final class CaptureSetSlice {
    private static final int MALFORMED_SHOWN = 10;

    private final SliceCommand c;
    private final Scalpel.Options options;
    private final CaptureFormat outFormat;
    private final PrintWriter err;

    CaptureSetSlice(final SliceCommand command, final Scalpel.Options options, final CaptureFormat outFormat, final PrintWriter err) {
        this.c = command;
        this.options = options;
        this.outFormat = outFormat;
        this.err = err;
    }

    int call() throws IOException {
        final Path dir = c.capture;
        final Path setIndex = c.index != null ? c.index : CaptureSetBuilder.defaultFor(dir);
        try (ProgressDisplay progress = ProgressDisplay.start("index " + dir.getFileName(), !c.json);
             CaptureSet set = openAnnounced(dir, setIndex, progress)) {
            CaptureSet.Selection found;
            final boolean byUid = c.conn != null || c.tunnelLog != null;
            final List<String> problems = new ArrayList<>();
            FromLogs fromLogs = null;
            if (byUid) {
                fromLogs = queriesFromLogs(set, problems);
                found = set.selectQueries(fromLogs.queries());
            } else {
                final long fromNs = c.from == null ? Long.MIN_VALUE : c.parseTime("--from", c.from);
                final long toNs = c.to == null ? Long.MAX_VALUE : c.parseTime("--to", c.to);
                if (fromNs > toNs) {
                    throw new CommandLine.ParameterException(c.spec.commandLine(), "--from is after --to");
                }
                if (!c.communityIds.isEmpty()) {
                    final Set<String> ids = new LinkedHashSet<>();
                    for (String id : c.communityIds) {
                        ids.add(id.trim());
                    }
                    found = set.selectCommunityIds(ids, fromNs, toNs);
                } else if (c.flow != null) {
                    final FlowQuery q;
                    try {
                        q = FlowQuery.parse(c.flow, fromNs, toNs, c.vlanKeying.aware());
                    } catch (IllegalArgumentException e) {
                        throw new CommandLine.ParameterException(c.spec.commandLine(), e.getMessage());
                    }
                    found = set.selectQueries(List.of(q));
                } else {
                    found = set.selectWindow(fromNs, toNs);
                }
            }
            final CaptureSet.Selection selection = c.narrowed(set, found);
            final List<String> empty = new ArrayList<>();
            for (int i = 0; i < selection.size(); i++) {
                if (selection.frames(i) == 0) {
                    final Query q = selection.queries().get(i);
                    empty.add(!byUid && q instanceof CommunityIdQuery id ? "community ID " + id.communityId() : q.label());
                }
            }
            final Written written = c.output.splitDir != null ? writeSplit(set, selection) : writeOne(set, selection);
            final int withPackets = selection.size() - empty.size();
            if (byUid && c.all) {
                if (!empty.isEmpty()) {
                    err.println("scalpel: " + empty.size() + " of " + selection.size() + " uids have no packets in " + dir
                        + (empty.size() <= MALFORMED_SHOWN ? ": " + String.join(", ", empty) : ""));
                }
            } else if (byUid || !c.communityIds.isEmpty()) {
                for (String u : empty) {
                    problems.add(u + " (no packets in " + dir + ")");
                }
            }
            for (String p : problems) {
                err.println("scalpel: " + (byUid ? "uid " : "") + p);
            }
            final ExitCode code = ExitCode.ofSlice(withPackets, !problems.isEmpty());
            if (fromLogs != null && withPackets == 0) {
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (var m : set.manifest().members()) {
                    if (m.packets() > 0) {
                        first = Math.min(first, m.firstTimestampNanos());
                        last = Math.max(last, m.lastTimestampNanos());
                    }
                }
                ConnLogNotes.noOverlap(err, fromLogs.rows(), dir.toString(), first, last);
            }
            final int requested = fromLogs != null ? fromLogs.requested() : selection.size();
            summary(written, withPackets, requested, byUid);
            json(set, written, withPackets, requested, problems, code, fromLogs != null ? fromLogs.unknown() : -1);
            return code.code();
        }
    }

    private CaptureSet openAnnounced(final Path dir, final Path setIndex, final ProgressDisplay progress) throws IOException {
        final CaptureSet set;
        try {
            set = CaptureSet.open(dir, options.withIndex(setIndex).withProgress(progress));
        } catch (IOException e) {
            throw Failures.forIndex(dir, setIndex, e, false);
        }
        if (set.indexBuild() != null) {
            err.println("scalpel: no capture set index for " + dir + ": indexed its " + set.manifest().members().size()
                + " member files into " + set.indexDirectory());
        }
        return set;
    }

    /**
     * The queries of the uids asked for, from the conn.log and the tunnel.log, with how many uids
     * were asked for (every uid of the logs with --all) and how many no log has.
     */
    private record FromLogs(List<Query> queries, int requested, int unknown, List<ConnRecord> rows) {
    }

    /** The queries of the uids asked for, from the conn.log and the tunnel.log; unknown uids go to {@code problems}. */
    private FromLogs queriesFromLogs(final CaptureSet set, final List<String> problems) throws IOException {
        final Set<String> wanted = new LinkedHashSet<>(c.uids);
        final Map<String, Query> rows = new LinkedHashMap<>();
        final List<ConnRecord> connRows = new ArrayList<>();
        ConnSelection.Result read = null;
        if (c.conn != null) {
            final long[] malformed = {0};
            read = ConnSelection.read(c.conn, c.all ? null : wanted, c.vlanKeying.choice()::aware, SliceCommand.listener(err, malformed));
            c.vlanKeying.logRead(c.conn, read.vlanKeyed(), err);
            for (ConnRecord r : read.rows().values()) {
                rows.put(r.uid(), set.query(r, read.nextStart(r)));
                connRows.add(r);
            }
            moreMalformed(c.conn, malformed[0]);
            ConnLogNotes.warnWithoutTimestamps(err, read);
        }
        if (c.tunnelLog != null) {
            final long[] malformed = {0};
            try (TunnelLogReader reader = "-".equals(c.tunnelLog)
                ? TunnelLogReader.open(System.in, "<stdin>", SliceCommand.listener(err, malformed))
                : TunnelLogReader.open(Path.of(c.tunnelLog), SliceCommand.listener(err, malformed))) {
                for (Tunnel t : reader.tunnels().values()) {
                    if ((c.all || wanted.contains(t.uid())) && !rows.containsKey(t.uid())) {
                        rows.put(t.uid(), set.query(t));
                    }
                }
            }
            moreMalformed(c.tunnelLog, malformed[0]);
        }
        final String logs = c.conn == null ? c.tunnelLog : c.tunnelLog == null ? c.conn : c.conn + " or " + c.tunnelLog;
        for (String u : wanted) {
            if (!rows.containsKey(u)) {
                problems.add(ConnLogNotes.unknownUid(u, logs, read, c.tunnelLog != null));
            }
        }
        final int unknown = problems.size();
        final int requested = c.all ? rows.size() : wanted.size();
        final List<Query> queries = new ArrayList<>();
        for (Map.Entry<String, Query> r : rows.entrySet()) {
            if (c.output.splitDir != null && !SliceCommand.SAFE_UID.matcher(r.getKey()).matches()) {
                problems.add(SafeText.escape(r.getKey(), SafeText.MAX_VALUE_CHARS) + " (not a safe file name; refused)");
                continue;
            }
            queries.add(r.getValue());
        }
        return new FromLogs(queries, requested, unknown, connRows);
    }

    private void moreMalformed(final String log, final long malformed) {
        if (malformed > MALFORMED_SHOWN) {
            err.println("scalpel: warning: " + log + ": " + (malformed - MALFORMED_SHOWN) + " more malformed lines skipped");
        }
    }

    private record Written(long frames, List<String> files) {
    }

    private ExtractOptions extract() {
        final Consumer<String> warn = w -> err.println("scalpel: warning: " + w);
        return ExtractOptions.defaults().withFormat(outFormat).withKeepSecrets(c.keepSecrets).withWarnings(warn);
    }

    private Written writeOne(final CaptureSet set, final CaptureSet.Selection selection) throws IOException {
        long total = 0;
        for (int i = 0; i < selection.size(); i++) {
            total += selection.frames(i);
        }
        if (total == 0 && !"-".equals(c.output.write)) {
            return new Written(0, List.of());
        }
        try {
            if ("-".equals(c.output.write)) {
                final OutputStream stdout = AtomicOutput.guard(c.parent.binaryOut, "<stdout>");
                final long n = set.write(selection, -1, extract(), stdout);
                stdout.flush();
                return new Written(n, List.of("<stdout>"));
            }
            final Path out = Path.of(c.output.write);
            return new Written(set.write(selection, -1, extract(), out), List.of(out.toString()));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    private Written writeSplit(final CaptureSet set, final CaptureSet.Selection selection) throws IOException {
        final Path dir = c.output.splitDir;
        long frames = 0;
        final List<String> files = new ArrayList<>();
        // Every file name is checked before the first file is written.
        final Path[] outs = new Path[selection.size()];
        for (int i = 0; i < selection.size(); i++) {
            if (selection.frames(i) == 0) {
                continue;
            }
            final CaptureFormat ext = outFormat != null ? outFormat : set.defaultFormat(selection, i);
            outs[i] = dir.resolve(selection.queries().get(i).label() + "." + ext.extension());
            c.files.check(outs[i], SliceFiles.SPLIT_FILE);
        }
        SliceCommand.createSplitDir(dir);
        for (int i = 0; i < selection.size(); i++) {
            if (outs[i] == null) {
                continue;
            }
            try {
                frames += set.write(selection, i, extract(), outs[i]);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, e.getMessage());
            }
            files.add(outs[i].toString());
        }
        return new Written(frames, files);
    }

    private void summary(final Written w, final int withPackets, final int asked, final boolean byUid) {
        if (c.json) {
            return;
        }
        if (w.frames > 0) {
            err.println("scalpel: wrote " + w.frames + " packets of " + withPackets + " of " + asked
                + (byUid ? " uids" : !c.communityIds.isEmpty() ? " community IDs" : " queries") + " to "
                + (w.files.size() == 1 ? w.files.get(0) : w.files.size() + " files in " + c.output.splitDir));
        } else {
            err.println("scalpel: no packets matched; nothing written");
        }
        err.flush();
    }

    /** @param unknown uids asked for that no log has; -1 when not slicing by uid (left out) */
    private void json(final CaptureSet set, final Written w, final int withPackets, final int asked, final List<String> problems,
                      final ExitCode code, final int unknown) {
        if (!c.json) {
            return;
        }
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("capture", c.capture.toString());
        s.put("packets", w.frames);
        s.put("files", w.files);
        s.put("matched", withPackets);
        s.put("requested", asked);
        if (unknown >= 0) {
            s.put("unknown", unknown);
        }
        s.put("problems", problems);
        c.vlanKeying.json(s);
        s.put("files_opened", set.filesOpened());
        s.put("exit_code", code.code());
        final PrintWriter out = c.spec.commandLine().getOut();
        out.println(Json.object(s));
        out.flush();
    }
}
