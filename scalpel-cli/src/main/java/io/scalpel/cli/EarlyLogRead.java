package io.scalpel.cli;

import io.scalpel.api.LogReadAhead;
import io.scalpel.api.Scalpel;
import java.util.ArrayList;
import java.util.List;

/**
 * The conn.log search of a one-uid slice started from its raw arguments, before picocli builds the
 * command's model and parses them: the search is the longest part of such a slice, and the model
 * the longest part before it (docs/performance.md). Only {@code slice} command lines are read, and
 * only for {@code --conn}, {@code --uid} and the VLAN keying; anything else is left to picocli.
 *
 * <p>What is read here is a guess that costs nothing when wrong: the command takes the read only
 * when the request picocli builds asks for the same log, uids and keying
 * ({@link LogReadAhead#orStart}); otherwise the read is stopped and the command reads as it would
 * have. A command line picocli refuses never takes it, and {@link ScalpelCommand#run} stops it.
 * Nothing is read from standard input, a pipe or a log that does not exist ({@link LogReadAhead#start}).
 */
final class EarlyLogRead {
    private EarlyLogRead() {
    }

    /**
     * The read a slice command line {@code args} names, under way, or one that reads nothing; never
     * throws (a log's name that is no path here, say, is left for the command to report).
     */
    static LogReadAhead start(final String[] args) {
        try {
            return guess(args);
        } catch (RuntimeException e) {
            return LogReadAhead.none();
        }
    }

    private static LogReadAhead guess(final String[] args) {
        if (args.length == 0 || !"slice".equals(args[0])) {
            return LogReadAhead.none();
        }
        String conn = null;
        final List<String> uids = new ArrayList<>();
        Scalpel.VlanKey vlanKey = Scalpel.VlanKey.AS_LOGGED;
        for (int i = 1; i < args.length; i++) {
            final String a = args[i];
            final int eq = a.startsWith("--") ? a.indexOf('=') : -1;
            final String name = eq > 0 ? a.substring(0, eq) : a; // --name=value or --name value
            if ("--".equals(a) || "--all".equals(name) || "--uids-from".equals(name)) {
                return LogReadAhead.none(); // the rest is parameters, or uids not on the line
            } else if ("--vlan-aware".equals(a)) {
                vlanKey = Scalpel.VlanKey.AWARE;
            } else if ("--vlan-blind".equals(a)) {
                vlanKey = Scalpel.VlanKey.BLIND;
            } else if (("--conn".equals(name) || "--uid".equals(name)) && (eq > 0 || i + 1 < args.length)) {
                final String value = eq > 0 ? a.substring(eq + 1) : args[++i];
                if ("--conn".equals(name)) {
                    conn = value;
                } else {
                    uids.addAll(List.of(value.split(",", -1)));
                }
            }
        }
        return uids.contains("") ? LogReadAhead.none() : LogReadAhead.start(conn, uids, vlanKey);
    }
}
