package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command line leaves out picocli's built-in converters of java.time's and java.sql's types
 * (their registration loads and initialises those types at every start): no option or parameter of
 * any command, mixins and subcommands included, has such a type without a converter of its own.
 * Oracle: the types of every option in picocli's own model of the whole command line.
 */
class OptionConvertersTest {
    @Test
    void shouldHaveNoOptionWhoseTypeNeedsALeftOutConverter() {
        final CommandLine cl = ScalpelCommand.commandLine(new ScalpelCommand());
        final Pattern left = Pattern.compile(ScalpelCommand.UNUSED_CONVERTERS);
        final List<String> seen = new ArrayList<>();
        final List<String> needing = new ArrayList<>();
        check(cl, left, seen, needing);
        assertTrue(seen.size() > 50, "every command's options were looked at: " + seen.size());
        assertTrue(seen.contains("slice --conn"), seen::toString);
        assertEquals(List.of(), needing, "options whose type's converter is left out");
    }

    private static void check(final CommandLine cl, final Pattern left, final List<String> seen, final List<String> needing) {
        final CommandSpec spec = cl.getCommandSpec();
        for (ArgSpec arg : spec.args()) {
            final String name = spec.name() + " " + (arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName() : arg.paramLabel());
            seen.add(name);
            final List<Class<?>> types = new ArrayList<>(List.of(arg.type()));
            types.addAll(List.of(arg.auxiliaryTypes()));
            for (Class<?> t : types) {
                if (left.matcher(t.getName()).matches() && arg.converters().length == 0) {
                    needing.add(name + ": " + t.getName());
                }
            }
        }
        cl.getSubcommands().values().forEach(sub -> check(sub, left, seen, needing));
    }

    @Test
    void shouldStillConvertAPathAndATimeOptionAsBefore() {
        // --from (a TimeConverter of its own) and CAPTURE (a Path) parse as they did with every converter registered
        final StringWriter err = new StringWriter();
        final int exit = ScalpelCommand.run(new ScalpelCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err),
            "slice", "no-such-capture.pcap", "--from", "2h ago", "--query", "tcp", "-w", "o.pcap");
        assertEquals(ExitCode.BAD_INPUT.code(), exit, err::toString);
        assertTrue(err.toString().contains("no-such-capture.pcap"), err::toString);
    }

    /** An application's own command line with a java.time option, as it would embed one. */
    @CommandLine.Command(name = "app")
    static final class App {
        @CommandLine.Option(names = "--every")
        java.time.Duration every;
    }

    @Test
    void shouldLeaveAnEmbeddingApplicationsConvertersAsTheyWere() {
        final String before = System.getProperty("picocli.converters.excludes");
        ScalpelCommand.run(new ScalpelCommand(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "--version");
        assertEquals(before, System.getProperty("picocli.converters.excludes"), "the property as it was before the command");
        final App app = new App();
        new CommandLine(app).parseArgs("--every", "PT5S");
        assertEquals(java.time.Duration.ofSeconds(5), app.every, "picocli's Duration converter still there for the application");
    }
}
