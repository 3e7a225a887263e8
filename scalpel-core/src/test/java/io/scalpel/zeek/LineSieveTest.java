package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LineSieve}'s own searches (Sunday's quick search for byte strings, eight bytes at a time
 * for single bytes, LFs counted by a running sum of bytes) against the JDK's search over the same
 * bytes read as Latin-1 text, which shares no code with them: random views of random bytes with
 * the byte strings planted at the views' edges, next to each other, overlapping, and cut short.
 */
class LineSieveTest {
    private static final int DRAWS = 4000;
    /** Bytes a log holds most: digits, dots, colons, tabs, a few letters; and any byte, with high bits set. */
    private static final String LOG_BYTES = "0123456789.:\t\nCcdfab-";

    @ParameterizedTest(name = "{0} byte strings")
    @ValueSource(ints = {1, 2, 3, 5})
    void shouldFindWhatTheJdksSearchFinds(final int strings) {
        final Random random = new Random(strings);
        for (int draw = 0; draw < DRAWS; draw++) {
            final List<String> needles = new ArrayList<>();
            while (needles.size() < strings) {
                final String n = needle(random);
                if (!needles.contains(n)) {
                    needles.add(n);
                }
            }
            assertFindsWhatTheJdksSearchFinds(random, needles, false);
        }
    }

    @Test
    void shouldTellWhetherALineHoldsOneOfTheByteStrings() {
        final LineSieve sieve = LineSieve.of(List.of("CHhAvVGS1DHFjwGM9")).and("#", "\\");
        final byte[] b = "1.5\tCHhAvVGS1DHFjwGM\tCHhAvVGS1DHFjwGM9x\t#\tx\\y".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(false, sieve.matches(b, 0, 20), "the uid cut short");
        assertEquals(true, sieve.matches(b, 20, 39), "the uid inside a longer value");
        assertEquals(false, sieve.matches(b, 20, 36), "the uid's last byte outside the line");
        assertEquals(true, sieve.matches(b, 39, 41), "a '#'");
        assertEquals(true, sieve.matches(b, b.length - 2, b.length), "a backslash");
        assertEquals(false, sieve.matches(b, b.length - 1, b.length), "after the backslash");
    }

    @Test
    void shouldCountTheLineFeedsOfAnyStretch() {
        final Random random = new Random(42);
        // long enough for the running sums to be added up more than once (255 words each)
        final byte[] b = new byte[3 * 255 * Long.BYTES + 77];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextInt(3) == 0 ? (byte) '\n' : (byte) random.nextInt(256);
        }
        for (int draw = 0; draw < 500; draw++) {
            final int from = random.nextInt(b.length);
            final int to = from + random.nextInt(b.length - from + 1);
            int expected = 0;
            final String text = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
                expected++;
            }
            assertEquals(expected, LineSieve.countLineFeeds(b, from, to), "from " + from + " to " + to);
        }
        final byte[] all = new byte[4096];
        java.util.Arrays.fill(all, (byte) '\n');
        assertEquals(all.length, LineSieve.countLineFeeds(all, 0, all.length), "every byte an LF: no byte's sum overflows");
    }

    @ParameterizedTest(name = "{0} one-byte strings")
    @ValueSource(ints = {1, 2, 3})
    void shouldCountTheLineFeedsBeforeWhatItFinds(final int singles) {
        final Random random = new Random(100 + singles);
        final String signals = "#\\\n"; // three: more than one pass takes, counted apart
        for (int draw = 0; draw < DRAWS; draw++) {
            final List<String> needles = new ArrayList<>();
            for (int k = 0; k < singles; k++) {
                needles.add(signals.substring(k, k + 1));
            }
            final int longer = random.nextInt(3);
            while (needles.size() < singles + longer) {
                final String n = needle(random);
                if (n.length() > 1 && !needles.contains(n)) {
                    needles.add(n);
                }
            }
            assertFindsWhatTheJdksSearchFinds(random, needles, true);
        }
    }

    /**
     * A random view of random bytes holding {@code needles}, searched from every position in turn,
     * as the line reader asks, and at random after it; {@code counting}: with
     * {@link LineSieve#findCounting}, whose LFs are checked too.
     */
    private static void assertFindsWhatTheJdksSearchFinds(final Random random, final List<String> needles, final boolean counting) {
        final byte[] b = text(random, needles);
        final int from = random.nextInt(b.length / 4 + 1);
        final int to = b.length - random.nextInt(b.length / 4 + 1);
        final LineSieve sieve = sieve(needles);
        sieve.view(b, from, to);
        final String view = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        int at = from;
        while (at <= to) {
            final int expected = firstOf(view, needles, at - from);
            final int pos = at;
            assertEquals(expected < 0 ? -1 : expected + from, counting ? sieve.findCounting(at) : sieve.find(at),
                () -> "needles " + needles + " from " + pos + " to " + to + " in " + escape(view));
            if (counting) {
                final int end = expected < 0 ? view.length() : expected;
                final long lineFeeds = view.substring(at - from, end).chars().filter(c -> c == '\n').count();
                assertEquals(lineFeeds, sieve.lineFeeds(), () -> "LFs from " + pos + ", needles " + needles + " in " + escape(view));
            }
            at = expected < 0 ? to + 1 : expected + from + 1 + random.nextInt(3);
        }
    }

    @Test
    void shouldFindAndCountAtEveryPositionOfAWord() {
        // LF + 1 and '#' + 1 and '\' + 1 above a byte looked for: where a zero-byte test that is not exact flags too
        final byte[] around = {'\n', 0x0B, '#', '"', '\\', ']', (byte) 0x8A, (byte) 0xA3, (byte) 0xDC, 0, (byte) 0xFF, 'x'};
        final Random random = new Random(7);
        final long hash = ('#' & 0xFFL) * 0x0101_0101_0101_0101L;
        final long backslash = ('\\' & 0xFFL) * 0x0101_0101_0101_0101L;
        for (int start = 0; start < Long.BYTES; start++) {
            for (int length = 0; length <= 20 * Long.BYTES; length++) { // several blocks of eight words
                for (int draw = 0; draw < 100; draw++) {
                    final byte[] b = new byte[start + length + Long.BYTES];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = around[random.nextInt(around.length)];
                    }
                    int expected = start + length;
                    int lineFeeds = 0;
                    for (int i = start; i < start + length; i++) {
                        if (b[i] == '#' || b[i] == '\\') {
                            expected = i;
                            break;
                        }
                        lineFeeds += b[i] == '\n' ? 1 : 0;
                    }
                    final long scan = LineSieve.scanCounting(b, start, start + length, hash, backslash);
                    final String where = "from " + start + ", " + length + " bytes: " + java.util.Arrays.toString(b);
                    assertEquals(expected, (int) scan, where);
                    assertEquals(lineFeeds, (int) (scan >>> 32), where);
                }
            }
        }
    }

    @Test
    void shouldCountTheLineFeedsOfALongStretchWithoutOverflow() {
        final byte[] all = new byte[5000];
        java.util.Arrays.fill(all, (byte) '\n');
        final long hash = ('#' & 0xFFL) * 0x0101_0101_0101_0101L;
        assertEquals(all.length, (int) (LineSieve.scanCounting(all, 0, all.length, hash, hash) >>> 32), "every byte an LF, none found");
        all[4321] = '#';
        final long scan = LineSieve.scanCounting(all, 3, all.length, hash, hash);
        assertEquals(4321, (int) scan, "the '#' after more words than a running sum holds");
        assertEquals(4321 - 3, (int) (scan >>> 32), "the LFs before it");
    }

    /** A byte string: often one byte (a format's signal), else a few to a few dozen of the log's bytes. */
    private static String needle(final Random random) {
        final int length = random.nextInt(4) == 0 ? 1 : 2 + random.nextInt(random.nextBoolean() ? 4 : 40);
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(LOG_BYTES.charAt(random.nextInt(LOG_BYTES.length())));
        }
        return s.toString();
    }

    /** Random bytes, mostly the log's, with the needles (or their starts) planted here and there, some at the ends. */
    private static byte[] text(final Random random, final List<String> needles) {
        final StringBuilder s = new StringBuilder();
        final int length = random.nextInt(300);
        while (s.length() < length) {
            final int what = random.nextInt(10);
            if (what == 0) {
                s.append(needles.get(random.nextInt(needles.size())));
            } else if (what == 1) {
                final String n = needles.get(random.nextInt(needles.size()));
                s.append(n, 0, random.nextInt(n.length()) + 1); // cut short, or whole
            } else if (what == 2) {
                s.append((char) (128 + random.nextInt(128))); // a byte with its high bit set
            } else {
                s.append(LOG_BYTES.charAt(random.nextInt(LOG_BYTES.length())));
            }
        }
        if (random.nextInt(4) == 0) {
            s.append(needles.get(random.nextInt(needles.size()))); // at the very end
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A sieve of {@code needles}, which may hold bytes that {@link LineSieve#of} refuses: through {@link LineSieve#and}. */
    private static LineSieve sieve(final List<String> needles) {
        return LineSieve.of(List.of("CNeverInTheseBytes0")).and(needles.toArray(new String[0]));
    }

    private static int firstOf(final String view, final List<String> needles, final int from) {
        int first = -1;
        for (String n : needles) {
            final int at = view.indexOf(n, from);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    private static String escape(final String s) {
        return s.replace("\t", "\\t").replace("\n", "\\n");
    }
}
