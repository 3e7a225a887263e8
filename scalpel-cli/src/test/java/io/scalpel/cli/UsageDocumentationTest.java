package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md's synopsis of each command is the one picocli prints in {@code --help}, so an
 * option added to, renamed in or removed from a command fails the build until the page says so.
 * Compared without whitespace: the page wraps the lines at its own width and indentation.
 */
class UsageDocumentationTest {
    @Test
    void shouldShowEachCommandsSynopsisAsHelpPrintsIt() throws Exception {
        final Path root = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).toAbsolutePath().getParent();
        final Path doc = root.resolve("docs/cli.md");
        assertTrue(Files.isRegularFile(doc), () -> doc + " is missing");
        final String page = Files.readString(doc);
        final CommandLine scalpel = new CommandLine(new ScalpelCommand());
        for (Map.Entry<String, CommandLine> sub : scalpel.getSubcommands().entrySet()) {
            final String name = sub.getKey();
            if (sub.getValue().getCommand() instanceof CommandLine.HelpCommand) {
                continue; // picocli's own help command
            }
            final Matcher block = Pattern.compile("## `scalpel " + Pattern.quote(name) + "`\\s*\\n+```\\n(.*?)```",
                Pattern.DOTALL).matcher(page);
            assertTrue(block.find(), () -> doc + " has no section '## `scalpel " + name + "`' opening with its synopsis");
            final String help = sub.getValue().getHelp().synopsis(0).replaceFirst("^Usage:\\s*", "");
            assertEquals(collapse(help), collapse(block.group(1)),
                doc + ": the synopsis of `scalpel " + name + "` differs from its --help");
        }
    }

    private static String collapse(final String text) {
        return text.replaceAll("\\s+", "");
    }
}
