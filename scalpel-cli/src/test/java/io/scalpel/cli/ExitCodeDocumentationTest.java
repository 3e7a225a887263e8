package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/cli.md's exit-code table and {@link ExitCode} say the same thing. */
class ExitCodeDocumentationTest {
    private static final Pattern ROW = Pattern.compile("^\\|\\s*(\\d+)\\s*\\|(.*)\\|\\s*$");

    @Test
    void shouldDocumentEveryExitCodeWithItsNumberAndName() throws Exception {
        final Path root = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).toAbsolutePath().getParent();
        final Path doc = root.resolve("docs/cli.md");
        assertTrue(Files.isRegularFile(doc), () -> doc + " is missing");
        final Map<Integer, String> rows = new TreeMap<>();
        for (String line : Files.readAllLines(doc)) {
            final Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                final String previous = rows.put(Integer.parseInt(m.group(1)), m.group(2));
                assertEquals(null, previous, () -> doc + " lists exit code " + m.group(1) + " twice");
            }
        }
        final Map<Integer, String> codes = new TreeMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(c.code(), c.name());
        }
        assertEquals(codes.keySet(), rows.keySet(), doc + ": exit codes in the table vs ExitCode");
        for (ExitCode c : ExitCode.values()) {
            final String row = rows.get(c.code());
            assertTrue(Pattern.compile("\\b" + c.name() + "\\b").matcher(row).find(),
                () -> doc + ": the row of exit code " + c.code() + " does not name " + c.name() + ": |" + row + "|");
        }
    }
}
