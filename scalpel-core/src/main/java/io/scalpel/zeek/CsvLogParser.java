package io.scalpel.zeek;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A conn.log (or tunnel.log) exported as CSV, as SIEMs and spreadsheets write it: a header line
 * naming the columns ({@code id.orig_h}, {@code id_orig_h} or {@code orig_h}; see
 * {@link ConnField#byColumnName}), then one row per line, fields separated by commas and quoted
 * with {@code "} as RFC 4180 says ({@code ""} inside quotes is one quote). An empty field, {@code -}
 * and {@code null} are unset; {@code (empty)} is an empty set; {@code tunnel_parents} may list its
 * uids in one field, separated by commas. Unquoted values are trimmed. A quoted value that runs
 * over the end of its line is refused (the row is skipped): conn.log values never hold a line
 * break.
 */
final class CsvLogParser {
    private static final char SEPARATOR = ',';
    private static final char QUOTE = '"';
    private static final String EMPTY_SET = "(empty)";

    private final String source;
    private final ZeekLogKind kind;
    private final LogColumns columns = new LogColumns();
    private final List<String> fields = new ArrayList<>();

    CsvLogParser(final String source, final ZeekLogKind kind) {
        this.source = source;
        this.kind = kind;
    }

    boolean needsHeader() {
        return !columns.known();
    }

    boolean vlanKeyed() {
        return columns.vlanKeyed();
    }

    /**
     * The header line. Returns false, taking nothing, when it does not name a uid column.
     *
     * @throws ConnLogFormatException when it names uid but not every column the log must have, or
     *                                cannot be split
     */
    boolean headerLine(final byte[] b, final int len, final long line) throws ConnLogFormatException {
        try {
            split(b, len);
        } catch (MalformedLineException e) {
            throw new ConnLogFormatException(source, line, "header line: " + e.getMessage());
        }
        if (!LogColumns.namesUid(fields)) {
            return false;
        }
        columns.assign(new ArrayList<>(fields), true, kind, source, line, "header line", String.valueOf(SEPARATOR));
        return true;
    }

    /** A data line: fills row with the values of the columns the join uses. */
    void row(final byte[] b, final int len, final ConnRow row) throws MalformedLineException {
        split(b, len);
        if (fields.size() != columns.count()) {
            throw new MalformedLineException("has " + fields.size() + " columns where the header line (line "
                + columns.headerLine() + ") names " + columns.count());
        }
        for (ConnField f : ConnField.ALL) {
            final int c = columns.columnOf(f);
            if (c < 0) {
                continue;
            }
            final String v = fields.get(c);
            if (v.isEmpty() || v.equals("-") || v.equals("null")) {
                continue;
            }
            if (f == ConnField.TUNNEL_PARENTS) {
                row.tunnelParents(v.equals(EMPTY_SET) ? List.of() : parents(v));
            } else {
                row.set(f, v.equals(EMPTY_SET) ? "" : v);
            }
        }
    }

    private static List<String> parents(final String v) {
        final List<String> uids = new ArrayList<>(2);
        for (String u : v.split(",")) {
            if (!u.isBlank()) {
                uids.add(u.trim());
            }
        }
        return List.copyOf(uids);
    }

    /** Splits one line into {@link #fields}, undoing the quotes. */
    private void split(final byte[] b, final int len) throws MalformedLineException {
        fields.clear();
        final String line = new String(b, 0, len, StandardCharsets.UTF_8);
        final StringBuilder value = new StringBuilder();
        int i = 0;
        while (true) {
            value.setLength(0);
            while (i < line.length() && line.charAt(i) == ' ') {
                i++;
            }
            if (i < line.length() && line.charAt(i) == QUOTE) {
                final int open = i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new MalformedLineException("quoted value opened at column " + (open + 1)
                            + " is not closed on its line");
                    }
                    final char c = line.charAt(i++);
                    if (c != QUOTE) {
                        value.append(c);
                    } else if (i < line.length() && line.charAt(i) == QUOTE) {
                        value.append(QUOTE);
                        i++;
                    } else {
                        break;
                    }
                }
                while (i < line.length() && line.charAt(i) == ' ') {
                    i++;
                }
                if (i < line.length() && line.charAt(i) != SEPARATOR) {
                    throw new MalformedLineException("text after the closing quote at column " + (i + 1));
                }
                fields.add(value.toString());
            } else {
                final int comma = line.indexOf(SEPARATOR, i);
                final int end = comma < 0 ? line.length() : comma;
                fields.add(line.substring(i, end).trim());
                i = end;
            }
            if (i >= line.length()) {
                return;
            }
            i++; // the separator
        }
    }
}
