package io.scalpel.zeek;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Zeek's ASCII log format: {@code #separator}, {@code #set_separator}, {@code #empty_field},
 * {@code #unset_field} and {@code #fields} headers, then one row per line. Columns are found by
 * name, so their order does not matter; a new {@code #separator} starts a new header block (logs
 * concatenated with cat). {@code #types}, {@code #path}, {@code #open}, {@code #close} and any
 * other {@code #} line (such as a BTest baseline's {@code ###} comment) are ignored.
 *
 * <p>Instead of {@code #fields}, the columns may be named by a plain line of tab-separated names
 * before the data ({@link #headerLine}): zeek-cut's minimal header ({@code zeek-cut -m}), the
 * {@code .cut} baselines of Zeek's tests, {@code zq -f tsv}. Names may be Zeek's or
 * {@link ConnField#byColumnName} aliases ({@code id_orig_h}, {@code orig_h}); values are read as
 * Zeek writes them, and an empty value is unset as well as {@code -}.
 */
final class ZeekTsvParser {
    private static final byte[] SEPARATOR_HEADER = ascii("#separator");
    private static final byte[] SET_SEPARATOR_HEADER = ascii("#set_separator");
    private static final byte[] EMPTY_FIELD_HEADER = ascii("#empty_field");
    private static final byte[] UNSET_FIELD_HEADER = ascii("#unset_field");
    private static final byte[] FIELDS_HEADER = ascii("#fields");
    private static final byte[] DEFAULT_SEPARATOR = ascii("\t");
    private static final byte[] DEFAULT_SET_SEPARATOR = ascii(",");
    private static final byte[] DEFAULT_EMPTY_FIELD = ascii("(empty)");
    private static final byte[] DEFAULT_UNSET_FIELD = ascii("-");
    private static final int HEX_ESCAPE_LENGTH = 4; // \xNN

    private final String source;
    private final ZeekLogKind kind;
    private byte[] separator = DEFAULT_SEPARATOR;
    private byte[] setSeparator = DEFAULT_SET_SEPARATOR;
    private byte[] emptyField = DEFAULT_EMPTY_FIELD;
    private byte[] unsetField = DEFAULT_UNSET_FIELD;

    private final LogColumns columns = new LogColumns();
    /** The columns were named by a plain header line, not #fields: empty values are unset too. */
    private boolean plainHeader;
    /** A Zeek header line (#separator, #fields, ...) was read: this is Zeek's format, not a plain header's. */
    private boolean zeekHeaders;
    private int[] starts = new int[0];
    private int[] ends = new int[0];

    ZeekTsvParser(final String source, final ZeekLogKind kind) {
        this.source = source;
        this.kind = kind;
    }

    /** True when no header named the columns yet: a data line must be a header line ({@link #headerLine}). */
    boolean needsHeader() {
        return !columns.known();
    }

    /** True when Zeek's own header lines were read ({@code #separator}, {@code #fields}, ...). */
    boolean zeekHeaders() {
        return zeekHeaders;
    }

    /** True when the header names a column of Zeek's VLAN-aware connection key. */
    boolean vlanKeyed() {
        return columns.vlanKeyed();
    }

    /**
     * A line of tab-separated column names where {@code #fields} would be. Returns false, taking
     * nothing, when the line does not name a uid column (it is data, not a header).
     *
     * @throws ConnLogFormatException when it names uid but not every column the log must have
     */
    boolean headerLine(final byte[] b, final int len, final long line) throws ConnLogFormatException {
        final List<String> names = split(b, 0, len);
        if (!LogColumns.namesUid(names)) {
            return false;
        }
        assign(names, true, line, "header line");
        plainHeader = true;
        return true;
    }

    /** A line starting with {@code #}, numbered {@code line}. */
    void header(final byte[] b, final int len, final ConnLogReader.LineNumber line) throws IOException {
        if (startsWithWord(b, len, SEPARATOR_HEADER, (byte) ' ') || startsWithWord(b, len, SEPARATOR_HEADER, (byte) '\t')) {
            final byte[] value = unescape(b, SEPARATOR_HEADER.length + 1, len);
            if (value.length == 0) {
                throw new ConnLogFormatException(source, line.get(), "#separator has no value");
            }
            separator = value;
            zeekHeaders = true;
            columns.reset(); // a new header block: its own #fields follows
            return;
        }
        if (startsWithWord(b, len, SET_SEPARATOR_HEADER, separator)) {
            setSeparator = valueAfter(b, len, SET_SEPARATOR_HEADER);
            if (setSeparator.length == 0) {
                throw new ConnLogFormatException(source, line.get(), "#set_separator has no value");
            }
        } else if (startsWithWord(b, len, EMPTY_FIELD_HEADER, separator)) {
            emptyField = valueAfter(b, len, EMPTY_FIELD_HEADER);
        } else if (startsWithWord(b, len, UNSET_FIELD_HEADER, separator)) {
            unsetField = valueAfter(b, len, UNSET_FIELD_HEADER);
        } else if (startsWithWord(b, len, FIELDS_HEADER, separator) || isWord(b, len, FIELDS_HEADER)) {
            zeekHeaders = true;
            plainHeader = false;
            assign(split(b, Math.min(len, FIELDS_HEADER.length + separator.length), len), false, line.get(), "#fields");
        }
    }

    private void assign(final List<String> names, final boolean aliases, final long line, final String describe)
        throws ConnLogFormatException {
        columns.assign(names, aliases, kind, source, line, describe, new String(separator, StandardCharsets.UTF_8));
        if (starts.length < names.size()) {
            starts = new int[names.size()];
            ends = new int[names.size()];
        }
    }

    /** The separator-delimited names in {@code b[from, len)}. */
    private List<String> split(final byte[] b, final int from, final int len) {
        final List<String> names = new ArrayList<>();
        int s = from;
        while (s <= len) {
            int end = indexOf(b, s, len, separator);
            if (end < 0) {
                end = len;
            }
            names.add(new String(b, s, end - s, StandardCharsets.UTF_8));
            s = end + separator.length;
        }
        return names;
    }

    /** A data line, once the columns are known: fills row with the text of the columns the join uses. */
    void row(final byte[] b, final int len, final ConnRow row) throws MalformedLineException {
        final int columnCount = columns.count();
        int count = 0;
        int from = 0;
        while (true) {
            int end = indexOf(b, from, len, separator);
            final boolean last = end < 0;
            if (last) {
                end = len;
            }
            if (count < columnCount) {
                starts[count] = from;
                ends[count] = end;
            }
            count++;
            if (last) {
                break;
            }
            from = end + separator.length;
        }
        if (count != columnCount) {
            throw new MalformedLineException("has " + count + " columns where " + (plainHeader ? "the header line" : "#fields")
                + " (line " + columns.headerLine() + ") names " + columnCount);
        }
        for (ConnField f : ConnField.ALL) {
            final int c = columns.columnOf(f);
            if (c < 0) {
                continue;
            }
            final int s = starts[c];
            final int e = ends[c];
            if (equals(b, s, e, unsetField) || (plainHeader && s == e)) {
                continue;
            }
            if (f == ConnField.TUNNEL_PARENTS) {
                row.tunnelParents(equals(b, s, e, emptyField) ? List.of() : set(b, s, e));
            } else {
                row.set(f, equals(b, s, e, emptyField) ? "" : text(b, s, e));
            }
        }
    }

    private List<String> set(final byte[] b, final int s, final int e) {
        final List<String> items = new ArrayList<>(2);
        int from = s;
        while (true) {
            int end = indexOf(b, from, e, setSeparator);
            final boolean last = end < 0;
            if (last) {
                end = e;
            }
            items.add(text(b, from, end));
            if (last) {
                return List.copyOf(items);
            }
            from = end + setSeparator.length;
        }
    }

    /** A value as text, Zeek's {@code \xNN} escapes undone, as UTF-8 (invalid bytes become U+FFFD). */
    static String text(final byte[] b, final int s, final int e) {
        for (int i = s; i < e; i++) {
            if (b[i] == '\\') {
                return new String(unescape(b, s, e), StandardCharsets.UTF_8);
            }
        }
        return new String(b, s, e - s, StandardCharsets.UTF_8);
    }

    /** Undoes {@code \xNN}; any other backslash is kept as it is. */
    static byte[] unescape(final byte[] b, final int s, final int e) {
        final byte[] out = new byte[Math.max(0, e - s)];
        int n = 0;
        int i = s;
        while (i < e) {
            if (b[i] == '\\' && i + HEX_ESCAPE_LENGTH <= e && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
                final int hi = Character.digit(b[i + 2], 16);
                final int lo = Character.digit(b[i + 3], 16);
                if (hi >= 0 && lo >= 0) {
                    out[n++] = (byte) (hi << 4 | lo);
                    i += HEX_ESCAPE_LENGTH;
                    continue;
                }
            }
            out[n++] = b[i++];
        }
        return Arrays.copyOf(out, n);
    }

    private byte[] valueAfter(final byte[] b, final int len, final byte[] header) {
        return Arrays.copyOfRange(b, header.length + separator.length, len);
    }

    private static boolean startsWithWord(final byte[] b, final int len, final byte[] word, final byte delimiter) {
        return len > word.length && Arrays.equals(b, 0, word.length, word, 0, word.length) && b[word.length] == delimiter;
    }

    private static boolean startsWithWord(final byte[] b, final int len, final byte[] word, final byte[] delimiter) {
        return len >= word.length + delimiter.length && Arrays.equals(b, 0, word.length, word, 0, word.length)
            && Arrays.equals(b, word.length, word.length + delimiter.length, delimiter, 0, delimiter.length);
    }

    private static boolean isWord(final byte[] b, final int len, final byte[] word) {
        return len == word.length && Arrays.equals(b, 0, len, word, 0, word.length);
    }

    private static boolean equals(final byte[] b, final int s, final int e, final byte[] value) {
        return Arrays.equals(b, s, e, value, 0, value.length);
    }

    private static int indexOf(final byte[] b, final int from, final int to, final byte[] sep) {
        final byte first = sep[0];
        for (int i = from; i <= to - sep.length; i++) {
            if (b[i] == first && (sep.length == 1 || Arrays.equals(b, i, i + sep.length, sep, 0, sep.length))) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(final String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
