package io.scalpel.zeek;

import java.util.Arrays;
import java.util.List;

/**
 * Which column of a text log holds each {@link ConnField}, as a header names them: Zeek's
 * {@code #fields} line (exact Zeek names) or a line of column names (zeek-cut's minimal header,
 * {@code zq -f tsv}, CSV exports: {@link ConnField#byColumnName} aliases as well).
 */
final class LogColumns {
    /** Column of each {@link ConnField}, -1 when the log does not have it. */
    private final int[] columnOf = new int[ConnField.ALL.length];
    /** Columns the header names; -1 before any header. */
    private int count = -1;
    private long headerLine;

    LogColumns() {
        Arrays.fill(columnOf, -1);
    }

    /** True once a header named the columns. */
    boolean known() {
        return count >= 0;
    }

    /** Forgets the columns (a new Zeek header block follows). */
    void reset() {
        count = -1;
    }

    /** How many columns the header names. */
    int count() {
        return count;
    }

    /** 1-based line of the header. */
    long headerLine() {
        return headerLine;
    }

    int columnOf(final ConnField f) {
        return columnOf[f.ordinal()];
    }

    /** True when a column of Zeek's VLAN-aware connection key ({@code id.ctx.vlan}, {@code id.ctx.inner_vlan}) is named. */
    boolean vlanKeyed() {
        for (ConnField f : ConnField.ALL) {
            if (f.vlanKey && columnOf[f.ordinal()] >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether a line of these names is a header line: it names the uid column, which every log the readers take has. */
    static boolean namesUid(final List<String> names) {
        for (String n : names) {
            if (ConnField.byColumnName(n.trim()) == ConnField.UID) {
                return true;
            }
        }
        return false;
    }

    /**
     * Takes {@code names} as the columns, in order; the first column of a field wins.
     *
     * @param aliases   accept {@link ConnField#byColumnName}'s other names (not for Zeek's {@code #fields})
     * @param describe  what the header is, for messages ({@code "#fields"}, {@code "header line"})
     * @throws ConnLogFormatException when a column {@code kind} requires is missing (the 5-tuple may
     *                                be missing when {@code community_id} is there)
     */
    void assign(final List<String> names, final boolean aliases, final ZeekLogKind kind, final String source, final long line,
                final String describe, final String separator) throws ConnLogFormatException {
        Arrays.fill(columnOf, -1);
        for (int i = 0; i < names.size(); i++) {
            final String name = aliases ? names.get(i).trim() : names.get(i);
            final ConnField f = aliases ? ConnField.byColumnName(name) : ConnField.byKey(name);
            if (f != null && columnOf[f.ordinal()] < 0) {
                columnOf[f.ordinal()] = i;
            }
        }
        final boolean communityId = columnOf[ConnField.COMMUNITY_ID.ordinal()] >= 0;
        for (ConnField f : ConnField.ALL) {
            if (kind.requires(f) && columnOf[f.ordinal()] < 0 && !(f.fiveTuple && communityId)) {
                final List<String> others = f.columnNames().subList(1, f.columnNames().size());
                throw new ConnLogFormatException(source, line, describe + " has no " + f.key + " column"
                    + (aliases && !others.isEmpty() ? " (nor " + String.join(" or ", others) + ")" : "")
                    + " (separator " + SafeText.quote(separator) + "); is this a " + kind.logName + "?");
            }
        }
        count = names.size();
        headerLine = line;
    }
}
