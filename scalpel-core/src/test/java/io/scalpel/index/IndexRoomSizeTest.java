package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One room per idea: no class of the index package is longer than {@value #MAX_LINES} lines
 * unless its class comment says why, in a sentence that starts "Long because". Read from the
 * sources, so a class that grows fails the build before it becomes a house of its own.
 */
class IndexRoomSizeTest {
    private static final int MAX_LINES = 350;
    private static final String REASON = "Long because";

    @Test
    void shouldKeepEveryClassOfTheIndexPackageShortOrSayWhyNot() throws Exception {
        final Path root = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).toAbsolutePath().getParent();
        final Path sources = root.resolve("scalpel-core/src/main/java/io/scalpel/index");
        assertTrue(Files.isDirectory(sources), () -> sources + " is missing");
        final List<String> tooLong = new ArrayList<>();
        int classes = 0;
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                classes++;
                final List<String> lines = Files.readAllLines(file);
                if (lines.size() > MAX_LINES && !classComment(lines).contains(REASON)) {
                    tooLong.add(file.getFileName() + " (" + lines.size() + " lines)");
                }
            }
        }
        assertTrue(classes > 20, () -> "only the sources of " + sources + " were read; is it the index package?");
        assertEquals(List.of(), tooLong, "longer than " + MAX_LINES + " lines without a \"" + REASON + "\" in the class comment");
    }

    /** The Javadoc comment before the top-level type's declaration (empty when there is none). */
    private static String classComment(final List<String> lines) {
        final StringBuilder comment = new StringBuilder();
        boolean inComment = false;
        for (String line : lines) {
            final String l = line.strip();
            if (l.startsWith("/**")) {
                inComment = true;
                comment.setLength(0);
            }
            if (inComment) {
                comment.append(l.replaceFirst("^/?\\*+/?", "").strip()).append(' ');
                inComment = !l.endsWith("*/");
            } else if (l.matches("(public |abstract |final |sealed )*(class|record|interface|enum) .*")) {
                return comment.toString();
            }
        }
        return "";
    }
}
