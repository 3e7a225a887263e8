package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A file's lines read through a sieve with its later segments searched ahead by other threads
 * ({@link SearchAhead}) against the lines of the same text that hold the byte string, told by
 * {@link String#contains} over the text split at its LFs: the same lines, in order, with the same
 * numbers, whatever the number of segments, with the string in the lines at and next to every
 * segment's start, in the first line searched and the last (with and without a final LF), beside
 * a line longer than the reader's chunk, and with CRLF line ends.
 */
class SearchAheadTest {
    private static final String NEEDLE = "CNeedle0000000001";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "crlf={0}")
    @ValueSource(booleans = {false, true})
    void shouldFindTheLinesThatHoldTheStringWithTheirNumbers(final boolean crlf) throws IOException {
        final Random random = new Random(crlf ? 2 : 1);
        for (int draw = 0; draw < 40; draw++) {
            final List<String> lines = lines(random, draw % 2 == 0);
            final String eol = crlf ? "\r\n" : "\n";
            final boolean finalLf = draw % 3 != 0;
            final String text = String.join(eol, lines) + (finalLf ? eol : "");
            final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            final Path file = dir.resolve("log" + draw);
            Files.write(file, bytes);
            final int firstLineEnd = text.indexOf('\n') + 1;
            for (int segments = 2; segments <= 9; segments++) {
                // The string also in the lines at and around each segment's start, where the segments meet.
                final List<String> planted = new ArrayList<>(lines);
                final long span = bytes.length - firstLineEnd;
                for (int k = 1; k < segments; k++) {
                    final int at = lineAt(text, (int) (firstLineEnd + span / segments * k) - 1 + random.nextInt(3) - 1);
                    for (int line = Math.max(1, at - 1); line <= Math.min(at + 1, planted.size() - 1); line++) {
                        if (random.nextBoolean()) {
                            planted.set(line, planted.get(line) + NEEDLE);
                        }
                    }
                }
                final String plantedText = String.join(eol, planted) + (finalLf ? eol : "");
                Files.writeString(file, plantedText, StandardCharsets.ISO_8859_1);
                assertEquals(expected(planted), found(file, new SearchAhead.Plan(segments, 1)),
                    "draw " + draw + ", " + segments + " segments");
            }
        }
    }

    @Test
    void shouldSearchAloneWhenTheFileCannotBeSearchedAhead() throws IOException {
        assertNull(SearchAhead.start(dir.resolve("missing"), 0, LineSieve.of(Set.of(NEEDLE)), new SearchAhead.Plan(4, 1)));
        final Path small = dir.resolve("small");
        Files.writeString(small, "a\nb\n" + NEEDLE + "\n");
        assertNull(SearchAhead.start(small, 2, LineSieve.of(Set.of(NEEDLE)), new SearchAhead.Plan(4, 1 << 20)),
            "segments smaller than the plan's minimum");
        assertEquals(List.of("3 " + NEEDLE), found(small, new SearchAhead.Plan(4, 1 << 20)));
    }

    @Test
    void shouldStartEachSegmentAtALineStart() throws IOException {
        final Path file = dir.resolve("starts");
        Files.writeString(file, "abc\ndefgh\n\nij");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            final long size = ch.size();
            assertEquals(List.of(4L, 4L, 10L, 10L, 10L, 11L, 13L, 13L, 13L),
                java.util.stream.LongStream.of(1, 4, 5, 9, 10, 11, 12, 13, 14)
                    .mapToObj(at -> {
                        try {
                            return SearchAhead.lineStartAtOrAfter(ch, at, size);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList());
        }
    }

    /** The lines (after the first, which a reader reads before its sieve) that hold the string, numbered from 1. */
    private static List<String> expected(final List<String> lines) {
        final List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).contains(NEEDLE)) {
                out.add((i + 1) + " " + lines.get(i));
            }
        }
        return out;
    }

    private static List<String> found(final Path file, final SearchAhead.Plan plan) throws IOException {
        final List<String> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            final BoundedLineReader reader = new BoundedLineReader(in, ConnLogReader.MAX_LINE_LENGTH, file);
            reader.next(); // the first line, as a log's format is told by it
            reader.sieve(LineSieve.of(Set.of(NEEDLE)), plan);
            while (reader.next()) {
                out.add(reader.lineNumber() + " " + new String(reader.bytes(), 0, reader.length(), StandardCharsets.ISO_8859_1));
            }
            reader.stopSearchAhead();
        }
        return out;
    }

    /** The index of the line that holds byte {@code at} of {@code text}. */
    private static int lineAt(final String text, final int at) {
        int line = 0;
        for (int i = 0; i < Math.min(at, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static List<String> lines(final Random random, final boolean longLine) {
        final List<String> lines = new ArrayList<>();
        final int n = 200 + random.nextInt(400);
        for (int i = 0; i < n; i++) {
            final StringBuilder b = new StringBuilder();
            final int length = random.nextInt(120);
            for (int c = 0; c < length; c++) {
                b.append("0123456789.:\tCNeedl".charAt(random.nextInt(19)));
            }
            if (random.nextInt(30) == 0 || i == 1 || i == n - 1) {
                b.insert(random.nextInt(b.length() + 1), NEEDLE);
            }
            if (longLine && i == n / 2) {
                b.append("x".repeat(70_000));
            }
            lines.add(b.toString());
        }
        return lines;
    }
}
