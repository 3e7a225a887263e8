package io.scalpel.zeek;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Which lines of a text log may hold a wanted value, told from their raw bytes before any parsing:
 * a line that contains none of a few byte strings (uids, addresses, Community IDs, as a log writes
 * them) cannot be a row of theirs, and {@link BoundedLineReader#sieve} skips it unparsed, counting
 * its line. Finding the lines is separate from parsing them: the parser still checks the field of
 * every line found, so a value that appears in another column, or inside a longer value, costs a
 * parse and nothing else.
 *
 * <p>Only values that no log format escapes are searched for ({@link #of}: letters, digits and
 * {@code . : - _ + / =}); a writer that escapes such a byte anyway (JSON's {@code \u0043}, Zeek's
 * {@code \x43}) writes a backslash, which {@link TextLogRows} adds as a byte string of its own.
 * The search itself is the JDK's string search over the bytes read as Latin-1 (one char per byte),
 * which the JIT compiles to vector instructions.
 */
final class LineSieve {
    /** Most byte strings searched for: each is a pass over the bytes, so more of them parse every line instead. */
    static final int MAX_NEEDLES = 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN_BITS = 0x7F7F_7F7F_7F7F_7F7FL;
    private static final long LINE_FEEDS = 0x0A0A_0A0A_0A0A_0A0AL;
    private static final String UNESCAPED_PUNCTUATION = ".:-_+/=";

    /** {@link #next} of a needle not searched for in the view yet. */
    private static final int UNKNOWN = -2;

    private final String[] needles;
    /** Per needle, its next occurrence in the view (absolute), -1 when there is none, {@link #UNKNOWN} before a search. */
    private final int[] next;
    private String view;
    private int viewFrom;

    private LineSieve(final String[] needles) {
        this.needles = needles;
        this.next = new int[needles.length];
    }

    /**
     * A sieve for lines that contain one of {@code values}, or null when they cannot be searched for
     * as bytes: none, more than {@link #MAX_NEEDLES}, an empty one, or one with a byte that a log
     * format may escape (the caller then parses every line).
     */
    static LineSieve of(final Collection<String> values) {
        if (values.isEmpty() || values.size() > MAX_NEEDLES) {
            return null;
        }
        for (String v : values) {
            if (!searchable(v)) {
                return null;
            }
        }
        return new LineSieve(new LinkedHashSet<>(values).toArray(new String[0]));
    }

    /** Whether {@code value} is written alike in every log format: not empty, only letters, digits and {@code . : - _ + / =}. */
    static boolean searchable(final String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || UNESCAPED_PUNCTUATION.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** This sieve with {@code more} byte strings (ASCII, any bytes): for a format's own signals such as {@code #}. */
    LineSieve and(final String... more) {
        final List<String> all = new ArrayList<>(Arrays.asList(needles));
        for (String m : more) {
            if (!all.contains(m)) {
                all.add(m);
            }
        }
        return new LineSieve(all.toArray(new String[0]));
    }

    /** The byte strings searched for. */
    List<String> needles() {
        return List.of(needles);
    }

    /** Looks at {@code b[from, to)} from now on (positions are {@code b}'s); the bytes must not change while looked at. */
    void view(final byte[] b, final int from, final int to) {
        view = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        viewFrom = from;
        Arrays.fill(next, UNKNOWN);
    }

    /** The first position at or after {@code from} in the view where one of the byte strings starts, or -1. */
    int find(final int from) {
        int first = -1;
        for (int k = 0; k < needles.length; k++) {
            int at = next[k];
            if (at != -1 && at < from) {
                final String needle = needles[k];
                final int found = needle.length() == 1 ? view.indexOf(needle.charAt(0), from - viewFrom) // a faster search
                    : view.indexOf(needle, from - viewFrom);
                at = found < 0 ? -1 : found + viewFrom;
                next[k] = at;
            }
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /** Whether {@code b[from, to)} contains one of the byte strings (the view moves there). */
    boolean matches(final byte[] b, final int from, final int to) {
        view(b, from, to);
        return find(from) >= 0;
    }

    /** How many LF bytes {@code b[from, to)} holds: eight bytes at a time. */
    static int countLineFeeds(final byte[] b, final int from, final int to) {
        int n = 0;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            final long v = (long) LONGS.get(b, i) ^ LINE_FEEDS; // a zero byte where b held an LF
            n += Long.bitCount(~(((v & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | v | LOW_SEVEN_BITS));
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
