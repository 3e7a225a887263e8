package io.scalpel.cli;

import io.scalpel.api.LogReadAhead;
import io.scalpel.api.Scalpel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code scalpel}: index captures and slice the packets of Zeek connections out of them. The
 * subcommands are added by {@link #commandLine}, not by the annotation: a command line that names
 * one ({@code scalpel slice ...}) builds the model of that one alone, which is most of what
 * picocli does before the command runs.
 */
@Command(name = "scalpel", addMethodSubcommands = false,
    mixinStandardHelpOptions = true,
    versionProvider = ScalpelCommand.VersionProvider.class,
    description = "Index packet captures and slice out the packets of Zeek connections.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success", "1:internal error", "2:usage error", "3:bad input (capture, conn.log, index)",
        "4:nothing found", "5:partial (some uids missing)", "6:output error"})
public final class ScalpelCommand implements Runnable {
    /** Where binary output for {@code -w -} goes (stdout; tests substitute their own). */
    OutputStream binaryOut = new FileOutputStream(FileDescriptor.out);

    /**
     * The command line this command runs in ({@link #commandLine}), set where it is made rather than
     * injected through picocli's {@code @Spec}: each annotation type picocli reads costs a proxy class
     * made at run time, and {@code slice} asks for no such injection.
     */
    CommandLine commandLine;

    /**
     * The conn.log read that the raw arguments name ({@link EarlyLogRead}), started before the command
     * line's model is built; {@code slice} takes it when its request asks for it, and {@link #run}
     * stops it when nothing did.
     */
    LogReadAhead earlyRead = LogReadAhead.none();

    @Override
    public void run() {
        throw new CommandLine.ParameterException(commandLine, "a command is required: index, slice, flows or serve");
    }

    public static void main(final String[] args) {
        if (System.getProperty(NO_CLOSURES) == null) {
            System.setProperty(NO_CLOSURES, "true");
        }
        System.exit(run(new ScalpelCommand(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line; returns the exit code. */
    public static int run(final ScalpelCommand command, final PrintWriter out, final PrintWriter err, final String... args) {
        try {
            command.earlyRead = EarlyLogRead.start(args);
            final CommandLine cl = commandLine(command, args);
            cl.setOut(out);
            cl.setErr(err);
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // The heap a command needs does not grow with the capture (docs/performance.md), so this
            // is a heap set below that floor, or a bug; either way, say so in one line.
            err.println(outOfMemoryMessage(Runtime.getRuntime().maxMemory()));
            err.flush();
            return ExitCode.INTERNAL.code();
        } catch (Error e) {
            // no stack trace, ever: an error of the JVM (a stack overflow, a fault in mapped memory) in one line
            err.println("scalpel: " + Failures.message(e));
            if (System.getenv("SCALPEL_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return Failures.exitCode(e).code();
        } finally {
            command.earlyRead.close(); // not taken: the command line was refused, or asked for another read
        }
    }

    /** The heap every command is meant to work in, whatever its input (docs/performance.md). */
    static final long DOCUMENTED_HEAP_MIB = 256;

    /**
     * What to say when the heap of {@code maxMemory} bytes ran out: its size, and a larger one to
     * try (twice it, and at least {@value #DOCUMENTED_HEAP_MIB} MiB), never the heap in use.
     */
    static String outOfMemoryMessage(final long maxMemory) {
        final long mib = maxMemory >> 20;
        final long advised = Math.max(DOCUMENTED_HEAP_MIB, 2 * mib);
        return "scalpel: out of memory: the Java heap of " + mib + " MiB is too small for this command; run it with a larger heap"
            + " (java -Xmx" + advised + "m -jar scalpel.jar ..., or JAVA_TOOL_OPTIONS=-Xmx" + advised + "m for any launcher)"
            + (mib >= DOCUMENTED_HEAP_MIB ? " and report it: the commands are meant to work in " + DOCUMENTED_HEAP_MIB + " MiB"
                : "");
    }

    /**
     * picocli's property that stops it from looking for Groovy's closure class: without it, the
     * first command line of a JVM loads {@code groovy.lang.Closure} by name and builds the
     * class-not-found exception (a few milliseconds of every start). Set by {@link #main} only, in
     * the command's own JVM, where no annotation holds a closure; an application running the command
     * in its JVM keeps its own choice.
     */
    private static final String NO_CLOSURES = "picocli.disable.closures";

    /** The root command's version options, which print the version whatever the subcommands. */
    private static final List<String> VERSION_OPTIONS = List.of("--version", "-V");

    /**
     * picocli's property naming the built-in type converters it does not register: those found by
     * reflection are registered by loading their types (and initialising java.time's formatters), at
     * every command line's start.
     */
    private static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    /** The built-in converters of types no option has (java.time's and java.sql's); a user's own setting is kept, and none is left set. */
    static final String UNUSED_CONVERTERS = "java\\.time\\..*|java\\.sql\\..*";

    /** The subcommands' names, in the order help lists them. */
    private static final List<String> SUBCOMMANDS = List.of("index", "slice", "flows", "serve", "follow");

    /** A new instance of the subcommand {@code name}: only the one a command line names is made (and its classes loaded). */
    private static Object subcommand(final ScalpelCommand command, final String name) {
        return switch (name) {
            case "index" -> new IndexCommand();
            case "slice" -> new SliceCommand(command);
            case "flows" -> new FlowsCommand();
            case "serve" -> new io.scalpel.serve.ServeCommand();
            case "follow" -> new io.scalpel.follow.FollowCommand();
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /** The whole command line, every subcommand's model built: for documentation and help. */
    static CommandLine commandLine(final ScalpelCommand command) {
        return commandLine(command, new String[0]);
    }

    /**
     * The command line for {@code args}: when they start with a subcommand's name, only that
     * subcommand is added (its model built); when they are the version option alone, none is;
     * otherwise every one is, as help and usage errors name them all.
     */
    static CommandLine commandLine(final ScalpelCommand command, final String[] commandArgs) {
        // picocli reads the property as each command line is made: set while ours are, then as it was, so that
        // an application running this command in its own JVM keeps every converter for its own command lines
        final String excludes = System.getProperty(CONVERTER_EXCLUDES);
        if (excludes == null) {
            System.setProperty(CONVERTER_EXCLUDES, UNUSED_CONVERTERS);
        }
        try {
            return build(command, commandArgs);
        } finally {
            if (excludes == null) {
                System.clearProperty(CONVERTER_EXCLUDES);
            }
        }
    }

    private static CommandLine build(final ScalpelCommand command, final String[] commandArgs) {
        final CommandLine cl = new CommandLine(command);
        command.commandLine = cl;
        final String first = commandArgs.length > 0 ? commandArgs[0] : "";
        if (SUBCOMMANDS.contains(first)) {
            cl.addSubcommand(first, subcommand(command, first));
        } else if (commandArgs.length == 1 && VERSION_OPTIONS.contains(first)) {
            // the version alone: no subcommand's model is needed to print it
        } else {
            SUBCOMMANDS.forEach(name -> cl.addSubcommand(name, subcommand(command, name)));
            cl.addSubcommand(new CommandLine.HelpCommand());
        }
        // An argument starting with '@' is taken as it is, never as a file of arguments: `--uid @x`
        // is refused with a pointer to --uids-from, not silently replaced by x's contents.
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            final PrintWriter err = ex.getCommandLine().getErr();
            err.println("scalpel: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCode.USAGE.code();
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            final PrintWriter err = commandLine.getErr();
            err.println("scalpel: " + Failures.message(ex));
            if (System.getenv("SCALPEL_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            err.flush();
            return Failures.exitCode(ex).code();
        });
        return cl;
    }

    /** Version from the jar manifest. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Scalpel.VERSION, "Java " + System.getProperty("java.version")};
        }
    }
}
