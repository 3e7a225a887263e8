package io.scalpel.cli;

import io.scalpel.api.Captures;
import io.scalpel.api.Flows;
import io.scalpel.api.Scalpel;
import io.scalpel.api.SliceRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scalpel flows CAPTURE|DIR}: the connections the index knows ({@link Flows#each}), one per
 * line as a table, JSON lines or CSV, on stdout, each printed as it is handed over.
 */
@Command(name = "flows", mixinStandardHelpOptions = true, addMethodSubcommands = false,
    versionProvider = ScalpelCommand.VersionProvider.class,
    description = {
        "List the connections of a capture as Zeek would split them, without a conn.log.",
        "One line per connection: protocol, endpoints, VLANs, tunnel depth, first and last time, packets, bytes, Community ID.",
        "Builds the index first when the capture has none."})
final class FlowsCommand implements Callable<Integer> {
    private static final String[] COLUMNS = {"first_ts", "last_ts", "proto", "src", "src_port", "dst", "dst_port", "vlan",
        "inner_vlan", "depth", "packets", "bytes", "community_id"};

    /** Lines printed between two checks that stdout took them. */
    private static final int CHECK_EVERY = 256;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private long printed;

    @Parameters(index = "0", paramLabel = "CAPTURE", description = "pcap or pcapng file, or a directory of them (a capture set)")
    Path capture;

    @Option(names = "--query", paramLabel = "EXPR", description = "only the connections with a frame this query expression accepts"
        + " (see docs/cli.md, Query expressions)")
    String query;

    @Option(names = "--json", description = "one JSON object per connection (JSON lines)")
    boolean json;

    @Option(names = "--csv", description = "CSV with a header line")
    boolean csv;

    @Option(names = "--limit", paramLabel = "N", description = "at most N connections (after sorting)")
    Integer limit;

    @Option(names = "--sort", paramLabel = "KEY", description = "time (default: first time, earliest first), packets or bytes (most first)")
    String sort = "time";

    @Option(names = "--vlan-aware", description = "keep connections on different VLANs apart (Zeek's VLAN-aware connection key)")
    boolean vlanAware;

    @Option(names = "--community-id-seed", paramLabel = "N", description = "seed of the Community IDs shown (default 0)")
    int communityIdSeed = Scalpel.Options.defaults().communityIdSeed();

    @Mixin
    IndexOptions indexOptions;

    @Override
    public Integer call() throws IOException {
        final CommandLine cl = spec.commandLine();
        final Flows.Sort order = order(cl);
        if (json && csv) {
            throw new CommandLine.ParameterException(cl, "--json and --csv cannot be combined");
        }
        if (limit != null && limit < 0) {
            throw new CommandLine.ParameterException(cl, "--limit " + limit + " is negative");
        }
        SliceUsage.seed(cl, communityIdSeed);
        SliceUsage.refuseEmpty(cl, "--index", indexOptions.index);
        final long now = SliceRequest.currentNanos();
        try {
            Flows.check(query, now);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        final Scalpel.Options options = Scalpel.Options.defaults().withIndex(indexOptions.index).withReindex(indexOptions.reindex)
            .withVlanKey(vlanAware ? Scalpel.VlanKey.AWARE : Scalpel.VlanKey.BLIND).withCommunityIdSeed(communityIdSeed);
        final PrintWriter err = cl.getErr();
        final PrintWriter out = cl.getOut();
        final long listed;
        try (ProgressDisplay progress = ProgressDisplay.start("index " + capture.getFileName(), !json && !csv);
             Captures captures = Failures.open(capture, options.withProgress(progress))) {
            for (String note : captures.notes()) {
                err.println("scalpel: " + note);
            }
            if (!json) {
                out.println(String.join(csv ? "," : "\t", COLUMNS));
            }
            listed = Flows.each(captures, query, now, order, limit == null ? Long.MAX_VALUE : limit, r -> print(r, out));
            checkWritten(out);
        }
        out.flush();
        err.flush();
        return listed == 0 ? ExitCode.NOTHING_FOUND.code() : ExitCode.OK.code();
    }

    private Flows.Sort order(final CommandLine cl) {
        try {
            return Flows.Sort.valueOf(sort.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--sort must be time, packets or bytes, not '" + sort + "'");
        }
    }

    /** Stops the listing when stdout cannot be written (a print writer keeps that to itself until asked). */
    private static void checkWritten(final PrintWriter out) {
        if (out.checkError()) {
            throw new CliException(ExitCode.OUTPUT, "cannot write <stdout> (a pipe whose reader went away, or a full device)");
        }
    }

    /** One connection's line; every {@link #CHECK_EVERY} lines, whether stdout took them. */
    private void print(final Flows.Row r, final PrintWriter out) {
        if (++printed % CHECK_EVERY == 0) {
            checkWritten(out);
        }
        final Object[] values = {Instant.ofEpochSecond(0, r.firstTs()).toString(), Instant.ofEpochSecond(0, r.lastTs()).toString(),
            r.proto(), r.src(), r.srcPort(), r.dst(), r.dstPort(), r.vlan() < 0 ? null : r.vlan(),
            r.innerVlan() < 0 ? null : r.innerVlan(), r.depth(), r.packets(), r.bytes(), r.communityId()};
        if (json) {
            final Map<String, Object> o = new LinkedHashMap<>();
            for (int i = 0; i < COLUMNS.length; i++) {
                o.put(COLUMNS[i], values[i]);
            }
            out.println(Json.object(o));
        } else {
            final StringBuilder line = new StringBuilder();
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    line.append(csv ? ',' : '\t');
                }
                line.append(values[i] == null ? (csv ? "" : "-") : values[i]);
            }
            out.println(line);
        }
    }
}
