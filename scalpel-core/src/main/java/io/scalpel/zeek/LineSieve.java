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
 *
 * <p>The search is written for the quick JIT tier a command-line run compiles with (C1, which has
 * none of the vector intrinsics of {@code String.indexOf}), over the bytes as they are, without a
 * copy: a byte string of two bytes or more is found by Sunday's quick search (its bytes compared at
 * the end and start of a window, the window then moved by a table of the byte just past it: about
 * a byte string's length at a time through text that holds few of its bytes); the one-byte strings
 * ({@code #}, {@code \}) are found together, eight bytes at a time (the zero-byte test on a long,
 * one per byte looked for). Each string's next occurrence is kept, so a view is searched once per
 * string whatever the number of lines found in it. A reader that counts the lines it skips asks
 * {@link #findCounting}: one or two one-byte strings are then looked for and the LFs before them
 * counted in the same pass, each long loaded once for both.
 *
 * <p>The backslash stays among the bytes looked for in Zeek's TSV too: Zeek's ASCII writer escapes
 * a value that is the whole unset or empty field ({@code -} is written {@code \x2d}), and a
 * separator made of the searched bytes inside a value; and a pass for {@code #} alone measured no
 * faster than for both (docs/performance.md).
 */
final class LineSieve {
    /** Most byte strings searched for: each is a pass over the bytes, so more of them parse every line instead. */
    static final int MAX_NEEDLES = 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_SEVEN_BITS = 0x7F7F_7F7F_7F7F_7F7FL;
    private static final long LINE_FEEDS = 0x0A0A_0A0A_0A0A_0A0AL;
    /** A byte of 1 in each byte of a long: times a byte, that byte in each. */
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
    /** Words whose LFs a running sum holds in its bytes: at most one LF per byte each, 255 without overflow. */
    private static final int MAX_BYTE_SUM = 255;
    /** Words {@link #scanCounting} looks at before it asks whether they held a byte looked for. */
    private static final int BLOCK_WORDS = 8;
    private static final int BLOCK_BYTES = BLOCK_WORDS * Long.BYTES;
    private static final long EVEN_BYTES = 0x00FF_00FF_00FF_00FFL;
    /** A 1 in each 16-bit lane: a product with it sums the lanes into the top one. */
    private static final long SHORT_ONES = 0x0001_0001_0001_0001L;
    private static final String UNESCAPED_PUNCTUATION = ".:-_+/=";
    private static final int BYTE_VALUES = 256;

    /** {@link #next} of a search not made in the view yet. */
    private static final int UNKNOWN = -2;

    private final String[] needles;
    /** The byte strings of two bytes or more, and per string Sunday's shift by the byte past the window. */
    private final byte[][] strings;
    private final int[][] shifts;
    /** The one-byte strings, each in every byte of a long ({@link #ONES} times the byte). */
    private final long[] singles;
    /** Per string, then for the one-byte strings together: the next occurrence in the view, -1 when none, or {@link #UNKNOWN}. */
    private final int[] next;
    private byte[] view;
    private int viewTo;
    /** The LFs that the last {@link #findCounting} passed. */
    private int lineFeeds;

    private LineSieve(final String[] needles) {
        this.needles = needles;
        final List<byte[]> multi = new ArrayList<>();
        final long[] single = new long[needles.length];
        int singleCount = 0;
        for (String n : needles) {
            final byte[] b = n.getBytes(StandardCharsets.ISO_8859_1);
            if (b.length == 1) {
                single[singleCount++] = (b[0] & 0xFFL) * ONES;
            } else {
                multi.add(b);
            }
        }
        this.strings = multi.toArray(new byte[0][]);
        this.shifts = new int[strings.length][];
        for (int k = 0; k < strings.length; k++) {
            shifts[k] = shiftsOf(strings[k]);
        }
        this.singles = Arrays.copyOf(single, singleCount);
        this.next = new int[strings.length + 1];
    }

    /** Sunday's table: how far a window may move when the byte just past it is {@code c}. */
    private static int[] shiftsOf(final byte[] needle) {
        final int[] shift = new int[BYTE_VALUES];
        Arrays.fill(shift, needle.length + 1);
        for (int i = 0; i < needle.length; i++) {
            shift[needle[i] & 0xFF] = needle.length - i;
        }
        return shift;
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

    /** A sieve for lines that contain one of {@code strings} as they are (ASCII, any bytes, none empty): another thread's own. */
    static LineSieve anyOf(final Collection<String> strings) {
        return new LineSieve(new LinkedHashSet<>(strings).toArray(new String[0]));
    }

    /** The byte strings searched for. */
    List<String> needles() {
        return List.of(needles);
    }

    /** Looks at {@code b[from, to)} from now on (positions are {@code b}'s); the bytes must not change while looked at. */
    void view(final byte[] b, final int from, final int to) {
        view = b;
        viewTo = to;
        Arrays.fill(next, UNKNOWN);
    }

    /** The first position at or after {@code from} in the view where one of the byte strings starts, or -1. */
    int find(final int from) {
        final int first = firstString(from);
        int at = next[strings.length];
        if (at != -1 && at < from) {
            at = singles.length == 0 ? -1 : indexOfAny(view, from, viewTo, singles);
            next[strings.length] = at;
        }
        return at >= 0 && (first < 0 || at < first) ? at : first;
    }

    /** The first position at or after {@code from} in the view where one of the byte strings of two bytes or more starts, or -1. */
    private int firstString(final int from) {
        int first = -1;
        for (int k = 0; k < strings.length; k++) {
            int at = next[k];
            if (at != -1 && at < from) {
                at = indexOf(view, from, viewTo, strings[k], shifts[k]);
                next[k] = at;
            }
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /**
     * {@link #find}, counting the LFs before the position found (or before the view's end when
     * none): {@link #lineFeeds()}. When the sieve has one or two one-byte strings, they are looked
     * for and the LFs counted in one pass ({@link #scanCounting}), up to where a longer byte
     * string was found first: each byte is loaded once for both, instead of once by the search
     * and once more by the count.
     */
    int findCounting(final int from) {
        if (singles.length > 2) {
            final int hit = find(from);
            lineFeeds = countLineFeeds(view, from, hit < 0 ? viewTo : hit);
            return hit;
        }
        final int first = firstString(from);
        final int limit = first < 0 ? viewTo : first;
        if (singles.length == 0) {
            lineFeeds = countLineFeeds(view, from, limit);
            return first;
        }
        final long scan = scanCounting(view, from, limit, singles[0], singles[singles.length - 1]);
        final int at = (int) scan;
        lineFeeds = (int) (scan >>> Integer.SIZE);
        if (at < limit) {
            next[strings.length] = at;
            return at;
        }
        next[strings.length] = first < 0 ? -1 : UNKNOWN; // none before the longer string's: not looked for after it
        return first;
    }

    /** The LFs between the position {@link #findCounting} was asked from and the one it returned (or the view's end). */
    int lineFeeds() {
        return lineFeeds;
    }

    /** Whether {@code b[from, to)} contains one of the byte strings (the view moves there). */
    boolean matches(final byte[] b, final int from, final int to) {
        view(b, from, to);
        return find(from) >= 0;
    }

    /** Where {@code needle} (two bytes or more) first starts in {@code b[from, to)}, or -1: Sunday's quick search. */
    static int indexOf(final byte[] b, final int from, final int to, final byte[] needle, final int[] shift) {
        final int m = needle.length;
        if (m >= Long.BYTES) {
            return indexOfLong(b, from, to, needle, shift);
        }
        final byte first = needle[0];
        final byte last = needle[m - 1];
        final int lastStart = to - m;
        int i = from;
        while (i <= lastStart) {
            if (b[i + m - 1] == last && b[i] == first && sameMiddle(b, i, needle)) {
                return i;
            }
            if (i == lastStart) {
                return -1;
            }
            i += shift[b[i + m] & 0xFF];
        }
        return -1;
    }

    /**
     * {@link #indexOf} of a byte string of eight bytes or more: each window's last eight bytes compared
     * as one long, then its first eight, then any between. An address in a log full of digits
     * (Zeek's times, ports, counts) matches its first and last byte at many windows; its last eight
     * bytes almost only where it is.
     */
    private static int indexOfLong(final byte[] b, final int from, final int to, final byte[] needle, final int[] shift) {
        final int m = needle.length;
        final int tailAt = m - Long.BYTES;
        final long head = (long) LONGS.get(needle, 0);
        final long tail = (long) LONGS.get(needle, tailAt);
        final int lastStart = to - m;
        int i = from;
        while (i <= lastStart) {
            if ((long) LONGS.get(b, i + tailAt) == tail && (long) LONGS.get(b, i) == head && sameBetween(b, i, needle)) {
                return i;
            }
            if (i == lastStart) {
                return -1;
            }
            i += shift[b[i + m] & 0xFF];
        }
        return -1;
    }

    /** Whether the needle's bytes between its first eight and its last eight (none below 17 bytes) are at {@code at}. */
    private static boolean sameBetween(final byte[] b, final int at, final byte[] needle) {
        for (int k = Long.BYTES; k < needle.length - Long.BYTES; k++) {
            if (b[at + k] != needle[k]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the needle's bytes between its first and last are at {@code at}: from the end, where addresses differ most. */
    private static boolean sameMiddle(final byte[] b, final int at, final byte[] needle) {
        for (int k = needle.length - 2; k > 0; k--) {
            if (b[at + k] != needle[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where one of the bytes first is in {@code b[from, to)}, or -1; each byte given as
     * {@link #ONES} times it. Eight bytes at a time: a byte equal to one looked for is a zero byte
     * of their exclusive or, and the lowest flagged byte of the zero-byte test is exact.
     */
    static int indexOfAny(final byte[] b, final int from, final int to, final long[] bytes) {
        if (bytes.length <= 2) {
            return indexOfEither(b, from, to, bytes[0], bytes[bytes.length - 1]);
        }
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            final long w = (long) LONGS.get(b, i);
            long zeros = 0;
            for (long pattern : bytes) {
                final long x = w ^ pattern;
                zeros |= (x - ONES) & ~x;
            }
            zeros &= HIGH_BITS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            for (long pattern : bytes) {
                if (b[i] == (byte) pattern) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** {@link #indexOfAny} of two bytes (the same twice for one), the common case: {@code #} and {@code \}, a loop C1 keeps tight. */
    private static int indexOfEither(final byte[] b, final int from, final int to, final long one, final long other) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            final long w = (long) LONGS.get(b, i);
            final long x = w ^ one;
            final long y = w ^ other;
            final long zeros = ((x - ONES) & ~x | (y - ONES) & ~y) & HIGH_BITS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == (byte) one || b[i] == (byte) other) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where one of two bytes ({@link #ONES} times each; the same twice for one) first is in
     * {@code b[from, to)}, or {@code to} when neither is, in the low 32 bits; in the high 32 bits,
     * how many LF bytes are before it. One load per eight bytes serves both tests: the two bytes'
     * zero-byte test (whose lowest flag is exact), and the exact zero-byte mask of the word's
     * exclusive or with LFs, each LF a 1 in its byte of a running sum as in
     * {@link #countLineFeeds}. Eight words at a time, a loop without an exit (which C2 unrolls, and
     * a loop that leaves at the first byte found it does not), asked once per block whether one held
     * a byte looked for; the block that did is gone through again word by word ({@link #scanWords}),
     * where in the word with the byte only the LFs below it are added.
     */
    static long scanCounting(final byte[] b, final int from, final int to, final long one, final long other) {
        int lines = 0;
        int i = from;
        while (i + BLOCK_BYTES <= to) {
            final int blocks = Math.min(MAX_BYTE_SUM / BLOCK_WORDS, (to - i) / BLOCK_BYTES);
            long sums = 0;
            for (int k = 0; k < blocks; k++, i += BLOCK_BYTES) {
                long found = 0;
                long blockSums = 0;
                for (int w = i; w < i + BLOCK_BYTES; w += Long.BYTES) { // a loop without an exit, which C2 unrolls
                    final long v = (long) LONGS.get(b, w);
                    final long x = v ^ one;
                    final long y = v ^ other;
                    found |= (x - ONES) & ~x | (y - ONES) & ~y;
                    final long lf = v ^ LINE_FEEDS;
                    blockSums += ~(((lf & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | lf | LOW_SEVEN_BITS) >>> 7;
                }
                if ((found & HIGH_BITS) != 0) { // the block holds one: found word by word
                    return scanWords(b, i, to, one, other, lines + byteSum(sums));
                }
                sums += blockSums;
            }
            lines += byteSum(sums);
        }
        return scanWords(b, i, to, one, other, lines);
    }

    /** {@link #scanCounting} a word at a time from {@code from}, {@code lines} LFs before it. */
    private static long scanWords(final byte[] b, final int from, final int to, final long one, final long other, final int linesBefore) {
        int lines = linesBefore;
        int i = from;
        while (i + Long.BYTES <= to) {
            final int words = Math.min(MAX_BYTE_SUM, (to - i) / Long.BYTES);
            long sums = 0;
            for (int w = 0; w < words; w++, i += Long.BYTES) {
                final long v = (long) LONGS.get(b, i);
                final long x = v ^ one;
                final long y = v ^ other;
                final long found = ((x - ONES) & ~x | (y - ONES) & ~y) & HIGH_BITS;
                final long lf = v ^ LINE_FEEDS; // a zero byte where b held an LF
                final long lfs = ~(((lf & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | lf | LOW_SEVEN_BITS) >>> 7;
                if (found != 0) {
                    final int bit = Long.numberOfTrailingZeros(found); // the found byte's high bit
                    sums += lfs & ((1L << (bit - 7)) - 1); // the LFs in the bytes below it
                    return (long) (lines + byteSum(sums)) << Integer.SIZE | (i + (bit >>> 3));
                }
                sums += lfs;
            }
            lines += byteSum(sums);
        }
        for (; i < to; i++) {
            if (b[i] == (byte) one || b[i] == (byte) other) {
                return (long) lines << Integer.SIZE | i;
            }
            if (b[i] == '\n') {
                lines++;
            }
        }
        return (long) lines << Integer.SIZE | to;
    }

    /** The sum of a long's eight bytes, each at most {@value #MAX_BYTE_SUM}. */
    private static int byteSum(final long sums) {
        final long pairs = (sums & EVEN_BYTES) + ((sums >>> 8) & EVEN_BYTES); // four sums of two bytes each
        return (int) ((pairs * SHORT_ONES) >>> 48);
    }

    /**
     * How many LF bytes {@code b[from, to)} holds: eight bytes at a time, each LF a 1 in its byte
     * of a running sum of longs, whose bytes are added up before one of them can overflow: no
     * population count per word.
     */
    static int countLineFeeds(final byte[] b, final int from, final int to) {
        int n = 0;
        int i = from;
        while (i + Long.BYTES <= to) {
            final int words = Math.min(MAX_BYTE_SUM, (to - i) / Long.BYTES);
            long sums = 0;
            for (int w = 0; w < words; w++, i += Long.BYTES) {
                final long v = (long) LONGS.get(b, i) ^ LINE_FEEDS; // a zero byte where b held an LF
                sums += ~(((v & LOW_SEVEN_BITS) + LOW_SEVEN_BITS) | v | LOW_SEVEN_BITS) >>> 7;
            }
            n += byteSum(sums);
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
