package io.scalpel.cli;

import java.util.List;
import picocli.CommandLine;

/**
 * The rules that make a {@code slice} command line usable, checked before anything is read:
 * which options go together, values picocli cannot check alone. Each breach is a usage error (exit 2)
 * saying what to give instead.
 */
final class SliceUsage {
    private static final int MAX_SEED = 65_535;

    private SliceUsage() {
    }

    static void check(final SliceCommand c) {
        final CommandLine cl = c.commandLine();
        final SliceCommand.Output output = c.output;
        if (output.write == null && output.splitDir == null && c.arrow == null) {
            throw usage(cl, "Missing required argument (specify one of these): (-w=OUT | --split-dir=DIR | --arrow=FILE)");
        }
        refuseEmpty(cl, "-w", output.write);
        refuseEmpty(cl, "--split-dir", output.splitDir);
        refuseEmpty(cl, "--arrow", c.arrow);
        refuseEmpty(cl, "--index", c.indexOptions.index);
        uids(cl, c.uids);
        if (c.join.vlanAware && c.join.vlanBlind) {
            throw usage(cl, "--vlan-aware and --vlan-blind cannot be combined");
        }
        seed(cl, c.join.communityIdSeed);
        for (String id : c.communityIds) {
            if (!io.scalpel.api.SliceRequest.isCommunityId(id.trim())) {
                throw usage(cl, "--community-id '" + id + "' is not a Community ID v1"
                    + " (1: and 28 base64 characters, like 1:wCb3OG7yAFWelaUydu0D+125CLM=)");
            }
        }
        if (c.format != null && !c.format.equalsIgnoreCase("pcap") && !c.format.equalsIgnoreCase("pcapng")) {
            throw usage(cl, "--format must be pcap or pcapng, not '" + c.format + "'");
        }
        if (c.from != null && c.to != null && c.from > c.to) {
            throw usage(cl, "--from is after --to");
        }
        selection(c, cl);
        outputs(c, cl);
    }

    /** Refuses a {@code --community-id-seed} that is not a 16-bit value (any command that takes one). */
    static void seed(final CommandLine cl, final int seed) {
        if (seed < 0 || seed > MAX_SEED) {
            throw usage(cl, "--community-id-seed " + seed + " is not a 16-bit value (0-" + MAX_SEED + ")");
        }
    }

    /** What to slice: logs with uids or --all (narrowed by --from/--to); or --flow, --community-id, --query, --from/--to. */
    private static void selection(final SliceCommand c, final CommandLine cl) {
        if (!c.communityIds.isEmpty() && (c.conn != null || c.tunnelLog != null || !c.flows.isEmpty())) {
            throw usage(cl, "--community-id cannot be combined with "
                + (c.conn != null ? "--conn" : c.tunnelLog != null ? "--tunnel-log" : "--flow"));
        }
        if (c.query != null && (c.conn != null || c.tunnelLog != null || !c.flows.isEmpty() || !c.communityIds.isEmpty())) {
            throw usage(cl, "--query cannot be combined with " + (c.conn != null ? "--conn" : c.tunnelLog != null ? "--tunnel-log"
                : !c.flows.isEmpty() ? "--flow" : "--community-id") + ": it selects by itself");
        }
        if (c.conn != null || c.tunnelLog != null) {
            final String logs = c.conn != null ? "--conn" : "--tunnel-log";
            if (!c.flows.isEmpty()) {
                throw usage(cl, "--flow and " + logs + " cannot be combined");
            }
            if (c.all == (!c.uids.isEmpty() || c.uidsFrom != null)) {
                throw usage(cl, "with " + logs + " give either --uid UID[,UID...] (or --uids-from FILE) or --all");
            }
            if ("-".equals(c.conn) && "-".equals(c.tunnelLog)) {
                throw usage(cl, "--conn and --tunnel-log cannot both read stdin");
            }
            if ("-".equals(c.uidsFrom) && ("-".equals(c.conn) || "-".equals(c.tunnelLog))) {
                throw usage(cl, "--uids-from and " + ("-".equals(c.conn) ? "--conn" : "--tunnel-log") + " cannot both read stdin");
            }
            return;
        }
        if (c.all || !c.uids.isEmpty() || c.uidsFrom != null) {
            throw usage(cl, (c.all ? "--all" : !c.uids.isEmpty() ? "--uid" : "--uids-from") + " needs --conn LOG or --tunnel-log LOG");
        }
        if (c.flows.isEmpty() && c.communityIds.isEmpty() && c.query == null && c.from == null && c.to == null) {
            throw usage(cl, "nothing to slice: give --conn LOG (or --tunnel-log LOG) with --uid or --all,"
                + " --flow, --community-id, --query, or --from/--to");
        }
        if (c.output.splitDir != null) {
            throw usage(cl, "--split-dir writes one file per uid: it needs --conn or --tunnel-log");
        }
    }

    /** Where to write: stdout once at most, --json not on a stdout that carries data, --arrow with a conn.log. */
    private static void outputs(final SliceCommand c, final CommandLine cl) {
        if (c.jsonOption.json && "-".equals(c.output.write)) {
            throw usage(cl, "--json prints on stdout, which -w - already uses");
        }
        if (c.arrow == null) {
            return;
        }
        if (c.conn == null) {
            throw usage(cl, "--arrow pairs conn.log rows with their packets: it needs --conn LOG");
        }
        if ("-".equals(c.arrow.toString())) {
            if ("-".equals(c.output.write)) {
                throw usage(cl, "-w - and --arrow - cannot both write to stdout");
            }
            if (c.jsonOption.json) {
                throw usage(cl, "--json prints on stdout, which --arrow - already uses");
            }
        }
        ArrowSupport.requireOpenNio();
    }

    /** Trims the --uid values; refuses an empty one, and one that was meant as an argument file (@FILE). */
    private static void uids(final CommandLine cl, final List<String> uids) {
        for (int i = 0; i < uids.size(); i++) {
            final String u = uids.get(i).strip();
            if (u.isEmpty()) {
                throw usage(cl, "--uid: empty uid (an empty value, or two commas in a row)");
            }
            if (u.startsWith("@")) {
                throw usage(cl, "--uid '" + u + "': a uid does not start with '@'; to read uids from a file, give --uids-from "
                    + u.substring(1));
            }
            uids.set(i, u);
        }
    }

    /** Refuses an empty path given to {@code option} (it would mean the working directory). */
    static void refuseEmpty(final CommandLine cl, final String option, final Object path) {
        if (path != null && path.toString().isEmpty()) {
            throw usage(cl, option + ": the path is empty; name a file or directory");
        }
    }

    private static CommandLine.ParameterException usage(final CommandLine cl, final String message) {
        return new CommandLine.ParameterException(cl, message);
    }
}
