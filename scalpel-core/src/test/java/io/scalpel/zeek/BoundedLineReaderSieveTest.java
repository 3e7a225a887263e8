package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lines a {@link BoundedLineReader} gives with a sieve, and their numbers, against the text
 * split at its LFs by {@link String#split} and each line tested with {@link String#contains}: texts
 * of several read chunks (64 KiB) whose lines hold the sieve's strings ({@code #}, a backslash, a
 * uid) at any place, lines cut by the chunks' edges, a stream that gives a few bytes at a time, CR
 * LF line ends, and a last line without an LF.
 */
class BoundedLineReaderSieveTest {
    private static final String UID = "CHhAvVGS1DHFjwGM9";
    private static final String LINE_BYTES = "0123456789.\t:abcdef-\"]";

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void shouldGiveTheLinesThatHoldAStringWithTheirNumbers(final int seed) throws IOException {
        final Random random = new Random(seed);
        final String text = text(random, 200_000 + random.nextInt(100_000));
        final List<String> needles = seed % 2 == 0 ? List.of(UID, "#", "\\") : List.of(UID, "\\"); // Zeek's TSV, or CSV's
        final List<String> expected = new ArrayList<>();
        final String[] lines = text.split("\n", -1);
        final int count = text.endsWith("\n") ? lines.length - 1 : lines.length;
        for (int i = 0; i < count; i++) {
            final String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (i == 0 || needles.stream().anyMatch(line::contains)) { // the first line is given whatever it holds
                expected.add((i + 1) + ": " + line);
            }
        }

        final BoundedLineReader reader = new BoundedLineReader(trickle(random, text), 1 << 20);
        reader.sieve(LineSieve.of(List.of(UID)).and(needles.subList(1, needles.size()).toArray(new String[0])));
        final List<String> given = new ArrayList<>();
        while (reader.next()) {
            given.add(reader.lineNumber() + ": " + new String(reader.bytes(), 0, reader.length(), StandardCharsets.ISO_8859_1));
        }
        assertEquals(expected, given);
    }

    /** Lines of a few to a few thousand bytes, some holding a string looked for (or its start) anywhere, some CR LF. */
    private static String text(final Random random, final int length) {
        final StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            final int lineLength = random.nextInt(8) == 0 ? random.nextInt(5000) : random.nextInt(120);
            final int lineEnd = s.length() + lineLength;
            while (s.length() < lineEnd) {
                final int what = random.nextInt(200);
                if (what == 0) {
                    s.append('#');
                } else if (what == 1) {
                    s.append('\\');
                } else if (what == 2) {
                    s.append(UID, 0, random.nextInt(4) == 0 ? UID.length() - 1 : UID.length()); // whole, or cut short
                } else {
                    s.append(LINE_BYTES.charAt(random.nextInt(LINE_BYTES.length())));
                }
            }
            s.append(random.nextInt(10) == 0 ? "\r\n" : "\n");
        }
        if (random.nextBoolean()) {
            s.append("last\t#\\").append(UID); // without an LF
        }
        return s.toString();
    }

    /** {@code text}'s bytes, given a few hundred bytes a read or a whole buffer's worth. */
    private static InputStream trickle(final Random random, final String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)) {
            @Override
            public synchronized int read(final byte[] b, final int off, final int len) {
                return super.read(b, off, random.nextBoolean() ? len : Math.min(len, 1 + random.nextInt(700)));
            }
        };
    }
}
