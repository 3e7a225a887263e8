package io.scalpel.zeek;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Zeek's ASCII log format: {@code #separator}, {@code #set_separator}, {@code #empty_field},
 * {@code #unset_field} and {@code #fields} headers, then one row per line. Columns are found by
 * name, so their order does not matter; a new {@code #separator} starts a new header block (logs
 * concatenated with cat). {@code #types}, {@code #path}, {@code #open}, {@code #close} and any
 * other {@code #} line are ignored.
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

    /** Column of each {@link ConnField}, -1 when the log does not have it. */
    private final int[] columnOf = new int[ConnField.ALL.length];
    /** Columns named by the current #fields; -1 before any. */
    private int columnCount = -1;
    private long fieldsLine;
    private int[] starts = new int[0];
    private int[] ends = new int[0];

    ZeekTsvParser(final String source, final ZeekLogKind kind) {
        this.source = source;
        this.kind = kind;
    }

    /** A line starting with {@code #}. */
    void header(final byte[] b, final int len, final long line) throws ConnLogFormatException {
        if (startsWithWord(b, len, SEPARATOR_HEADER, (byte) ' ') || startsWithWord(b, len, SEPARATOR_HEADER, (byte) '\t')) {
            final byte[] value = unescape(b, SEPARATOR_HEADER.length + 1, len);
            if (value.length == 0) {
                throw new ConnLogFormatException(source, line, "#separator has no value");
            }
            separator = value;
            columnCount = -1; // a new header block: its own #fields follows
            return;
        }
        if (startsWithWord(b, len, SET_SEPARATOR_HEADER, separator)) {
            setSeparator = valueAfter(b, len, SET_SEPARATOR_HEADER);
            if (setSeparator.length == 0) {
                throw new ConnLogFormatException(source, line, "#set_separator has no value");
            }
        } else if (startsWithWord(b, len, EMPTY_FIELD_HEADER, separator)) {
            emptyField = valueAfter(b, len, EMPTY_FIELD_HEADER);
        } else if (startsWithWord(b, len, UNSET_FIELD_HEADER, separator)) {
            unsetField = valueAfter(b, len, UNSET_FIELD_HEADER);
        } else if (startsWithWord(b, len, FIELDS_HEADER, separator) || isWord(b, len, FIELDS_HEADER)) {
            fields(b, len, line);
        }
    }

    private void fields(final byte[] b, final int len, final long line) throws ConnLogFormatException {
        Arrays.fill(columnOf, -1);
        int count = 0;
        int from = FIELDS_HEADER.length + separator.length;
        while (from <= len) {
            int end = indexOf(b, from, len, separator);
            if (end < 0) {
                end = len;
            }
            final ConnField f = ConnField.byKey(new String(b, from, end - from, StandardCharsets.UTF_8));
            if (f != null && columnOf[f.ordinal()] < 0) {
                columnOf[f.ordinal()] = count;
            }
            count++;
            from = end + separator.length;
        }
        final boolean communityId = columnOf[ConnField.COMMUNITY_ID.ordinal()] >= 0;
        for (ConnField f : ConnField.ALL) {
            if (kind.requires(f) && columnOf[f.ordinal()] < 0 && !(f.fiveTuple && communityId)) {
                throw new ConnLogFormatException(source, line, "#fields has no " + f.key
                    + " column (separator " + SafeText.quote(new String(separator, StandardCharsets.UTF_8))
                    + "); is this a " + kind.logName + "?");
            }
        }
        columnCount = count;
        fieldsLine = line;
        if (starts.length < count) {
            starts = new int[count];
            ends = new int[count];
        }
    }

    /** A data line: fills row with the text of the columns the join uses. */
    void row(final byte[] b, final int len, final long line, final ConnRow row)
        throws ConnLogFormatException, MalformedLineException {
        if (columnCount < 0) {
            throw new ConnLogFormatException(source, line, "data before a #fields header"
                + " (headerless zeek-cut output is not supported: keep the header with zeek-cut -c)");
        }
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
            throw new MalformedLineException("has " + count + " columns where #fields (line " + fieldsLine
                + ") names " + columnCount);
        }
        for (ConnField f : ConnField.ALL) {
            final int c = columnOf[f.ordinal()];
            if (c < 0) {
                continue;
            }
            final int s = starts[c];
            final int e = ends[c];
            if (equals(b, s, e, unsetField)) {
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
