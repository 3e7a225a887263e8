package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md's synopsis of each command is the one picocli prints in {@code --help}, and its
 * option table has a row for every option of the picocli model, so an option added to, renamed in
 * or removed from a command fails the build until the page says so. Synopses are compared without
 * whitespace: the page wraps the lines at its own width and indentation.
 */
class UsageDocumentationTest {
    @Test
    void shouldShowEachCommandsSynopsisAsHelpPrintsIt() throws Exception {
        final Path root = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).toAbsolutePath().getParent();
        final Path doc = root.resolve("docs/cli.md");
        assertTrue(Files.isRegularFile(doc), () -> doc + " is missing");
        final String page = Files.readString(doc);
        final CommandLine scalpel = ScalpelCommand.commandLine(new ScalpelCommand());
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

    /**
     * Every option name and positional parameter picocli knows for a command has a row in the
     * option table of the command's section: a row whose first cell names it in backquotes
     * ({@code | `-w`, `--write` | ...}, {@code | `CAPTURE...` | ...}). Generic over the picocli
     * model, so an option added anywhere without a row fails here.
     */
    @Test
    void shouldListEveryOptionOfEachCommandInItsOptionTable() throws Exception {
        final Path root = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).toAbsolutePath().getParent();
        final Path doc = root.resolve("docs/cli.md");
        final String page = Files.readString(doc);
        final CommandLine scalpel = ScalpelCommand.commandLine(new ScalpelCommand());
        final List<String> missing = new ArrayList<>();
        for (Map.Entry<String, CommandLine> sub : scalpel.getSubcommands().entrySet()) {
            final String name = sub.getKey();
            if (sub.getValue().getCommand() instanceof CommandLine.HelpCommand) {
                continue;
            }
            final Matcher section = Pattern.compile("\\n## `scalpel " + Pattern.quote(name) + "`\\n(.*?)(?=\\n## |\\z)", Pattern.DOTALL)
                .matcher(page);
            assertTrue(section.find(), () -> doc + " has no section '## `scalpel " + name + "`'");
            final Set<String> documented = new HashSet<>();
            final Matcher row = Pattern.compile("(?m)^\\|([^|\\n]*)\\|").matcher(section.group(1));
            while (row.find()) {
                final Matcher name1 = Pattern.compile("`([^`]+)`").matcher(row.group(1));
                while (name1.find()) {
                    documented.add(name1.group(1));
                }
            }
            final CommandLine.Model.CommandSpec spec = sub.getValue().getCommandSpec();
            for (CommandLine.Model.OptionSpec o : spec.options()) {
                for (String n : o.names()) {
                    if (!documented.contains(n)) {
                        missing.add("scalpel " + name + " " + n);
                    }
                }
            }
            for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
                final String label = p.paramLabel();
                if (!documented.contains(label) && !documented.contains(label + "...")) {
                    missing.add("scalpel " + name + " " + label);
                }
            }
        }
        assertEquals(List.of(), missing, doc + ": options picocli knows but the command's option table has no row for");
    }

    private static String collapse(final String text) {
        return text.replaceAll("\\s+", "");
    }
}
