package io.scalpel.cli;

/** The exit codes of every scalpel command (docs/cli.md lists them; a test checks the two agree). */
public enum ExitCode {
    OK(0, "success (warnings, such as a truncated last record, allowed)"),
    INTERNAL(1, "internal error (a bug: please report it with the command line)"),
    USAGE(2, "usage error: unknown option, missing or conflicting arguments, invalid value, an output that is an input of the same run"),
    BAD_INPUT(3, "bad input: unreadable or malformed capture, garbled conn.log or tunnel.log, stale or corrupt index refused"),
    NOTHING_FOUND(4, "nothing found: no requested uid or query matched a packet"),
    PARTIAL(5, "partial: some requested uids were unknown or had no packets (named on stderr); the rest were written"),
    OUTPUT(6, "output error: unwritable file or directory, full disk, closed pipe");

    private final int code;
    private final String meaning;

    ExitCode(final int code, final String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /**
     * What a slice ended with: nothing found when no query had packets, partial when some
     * queries were reported (unknown, or without packets), OK otherwise.
     */
    static ExitCode ofSlice(final int queriesWithPackets, final boolean problemsReported) {
        if (queriesWithPackets == 0) {
            return NOTHING_FOUND;
        }
        return problemsReported ? PARTIAL : OK;
    }

    /**
     * The worse of two outcomes, for a command that went on after a failure (e.g. {@code index A B C}):
     * internal error, then usage, output, bad input, partial, nothing found, and success last.
     */
    static ExitCode worst(final ExitCode a, final ExitCode b) {
        return a.severity() >= b.severity() ? a : b;
    }

    private int severity() {
        switch (this) {
            case INTERNAL: return 6;
            case USAGE: return 5;
            case OUTPUT: return 4;
            case BAD_INPUT: return 3;
            case PARTIAL: return 2;
            case NOTHING_FOUND: return 1;
            default: return 0;
        }
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
