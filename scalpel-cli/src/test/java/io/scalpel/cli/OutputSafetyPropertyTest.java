package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever already lies at an output's name (nothing, a file, a symbolic link to a file
 * elsewhere or beside it, a dangling link, a hard link, an input of the run, a link or hard link to
 * one, another output of the run), a run changes no byte outside its intended targets. Random
 * commands ({@code -w}, {@code --arrow}, both, {@code --split-dir}, a capture set's {@code -w},
 * {@code index --recompress}) run over random such names in a sandbox; every file of the sandbox
 * is hashed (links by their text, never followed) before and after. The test decides from its own
 * scenario, not from the code, whether the run must be refused (an output that is an input or
 * another output: exit 2, the sandbox unchanged) or must succeed (exit 0, each target name a
 * regular file holding what a run into a fresh file writes, nothing else changed, no temporary
 * file left).
 */
class OutputSafetyPropertyTest {
    private static final String U1 = "CGYGRP1JflrnEXWrau";
    private static final String U2 = "C0vlU4MWpZ20BqqliU";
    private static final String END_OF_TIME = "4300000000";
    /** Runs per test; each is one in-process command of a few tens of milliseconds. */
    private static final int ITERATIONS = Integer.getInteger("scalpel.outputs.iterations", 120);
    private static final long SEED = Long.getLong("scalpel.outputs.seed", 20_240_601L);
    /** Files elsewhere that links and hard links point to. */
    private static final int VICTIMS = 8;

    /** What a run writes. */
    private enum Command { WRITE, ARROW, WRITE_AND_ARROW, SPLIT, SPLIT_AND_ARROW, SET_WRITE, RECOMPRESS }

    /** The commands drawn from: each slice twice as often as --recompress, which also indexes its copy (the slowest run). */
    private static final List<Command> DRAWN = List.of(Command.WRITE, Command.WRITE, Command.ARROW, Command.ARROW,
        Command.WRITE_AND_ARROW, Command.WRITE_AND_ARROW, Command.SPLIT, Command.SPLIT, Command.SPLIT_AND_ARROW,
        Command.SPLIT_AND_ARROW, Command.SET_WRITE, Command.SET_WRITE, Command.RECOMPRESS);

    /** What lies at an output's name before the run. */
    private enum Scenario {
        FRESH(false), EXISTING_FILE(false), LINK_TO_FILE_ELSEWHERE(false), LINK_TO_FILE_BESIDE(false), DANGLING_LINK(false),
        HARD_LINK_TO_FILE_ELSEWHERE(false), LINKED_FROM_ELSEWHERE(false),
        AN_INPUT(true), INSIDE_AN_INPUT_DIRECTORY(true), LINK_TO_AN_INPUT(true), HARD_LINK_TO_AN_INPUT(true);

        final boolean refused;

        Scenario(final boolean refused) {
            this.refused = refused;
        }
    }

    @TempDir
    Path sandbox;
    Path in;
    Path capture;
    Path conn;
    Path set;
    Path out;
    Path elsewhere;
    final Map<Command, Map<String, byte[]>> reference = new EnumMap<>(Command.class);
    Random random;
    int counter;

    @Test
    void shouldChangeNoByteOutsideTheIntendedTargets() throws Exception {
        setUp();
        final Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < ITERATIONS; i++) {
            final Command command = DRAWN.get(random.nextInt(DRAWN.size()));
            final Run run = prepare(command);
            final Map<Path, String> before = snapshot();
            final Cli r = Cli.run(run.args.toArray(new String[0]));
            final Map<Path, String> after = snapshot();
            final String where = "seed " + SEED + ", run " + i + ": " + command + " " + run.scenarios + "\n" + String.join(" ", run.args)
                + "\n" + r;
            check(run, before, after, r, where);
            clean();
            seen.merge(command + (run.refused ? " refused" : " written"), 1, Integer::sum);
            for (Scenario s : run.scenarios) {
                seen.merge(s.name(), 1, Integer::sum);
            }
        }
        for (Scenario s : Scenario.values()) {
            assertTrue(seen.containsKey(s.name()), "scenario " + s + " never drawn: " + seen);
        }
        for (Command c : Command.values()) {
            assertTrue(seen.containsKey(c + " written") && seen.containsKey(c + " refused"), c + " not drawn both ways: " + seen);
        }
    }

    // --- one run -----------------------------------------------------------------------------------

    /** A command line, the scenario of each output, and what it may change. */
    private static final class Run {
        final List<String> args = new ArrayList<>();
        final List<Scenario> scenarios = new ArrayList<>();
        /** Target name -> the bytes it must hold after a run that is not refused. */
        final Map<Path, byte[]> targets = new TreeMap<>();
        /** Directories under which anything may appear (the index of a recompressed copy, a new split directory). */
        final List<Path> mayCreate = new ArrayList<>();
        /**
         * Files elsewhere that the name of -w, --arrow or --recompress links to: two outputs of one
         * run resolving to one file are refused. The per-uid files of --split-dir are compared with
         * those outputs, not with each other (their names differ: each replaces its own name).
         */
        final Set<Path> victims = new TreeSet<>();
        final Set<Path> splitVictims = new TreeSet<>();
        boolean refused;

        void resolvesTo(final Path victim, final boolean splitFile) {
            if (splitFile) {
                splitVictims.add(victim);
                refused |= victims.contains(victim);
            } else {
                refused |= !victims.add(victim) || splitVictims.contains(victim);
            }
        }
    }

    private Run prepare(final Command command) throws IOException {
        final Run run = new Run();
        final int n = ++counter;
        final List<Path> inputs = new ArrayList<>();
        final List<Path> inputDirectories = new ArrayList<>();
        switch (command) {
            case SET_WRITE -> {
                run.args.addAll(List.of("slice", set.toString(), "--to", END_OF_TIME));
                inputs.addAll(List.of(set.resolve("a.pcap"), set.resolve("b.pcap")));
                inputDirectories.addAll(List.of(set, set.resolve(".scalpel")));
            }
            case RECOMPRESS -> {
                run.args.addAll(List.of("index", "-q"));
                inputs.add(capture);
                inputDirectories.add(in.resolve("sample.pcap.scalpel"));
            }
            default -> {
                run.args.addAll(List.of("slice", capture.toString(), "--conn", conn.toString(), "--uid", U1 + "," + U2));
                inputs.addAll(List.of(capture, conn));
                inputDirectories.add(in.resolve("sample.pcap.scalpel"));
            }
        }
        switch (command) {
            case WRITE, SET_WRITE -> output(run, "-w", out.resolve("w" + n + ".pcap"), reference.get(command).get("-w"), inputs,
                inputDirectories);
            case ARROW -> output(run, "--arrow", out.resolve("a" + n + ".arrow"), reference.get(command).get("--arrow"), inputs,
                inputDirectories);
            case WRITE_AND_ARROW -> {
                final Path w = output(run, "-w", out.resolve("w" + n + ".pcap"), reference.get(command).get("-w"), inputs, inputDirectories);
                if (random.nextInt(4) == 0) {
                    run.args.addAll(List.of("--arrow", w.toString())); // the same file twice
                    run.refused = true;
                } else {
                    output(run, "--arrow", out.resolve("a" + n + ".arrow"), reference.get(command).get("--arrow"), inputs, inputDirectories);
                }
            }
            case SPLIT, SPLIT_AND_ARROW -> {
                split(run, n, command, inputs, inputDirectories);
                if (command == Command.SPLIT_AND_ARROW) {
                    output(run, "--arrow", out.resolve("a" + n + ".arrow"), reference.get(command).get("--arrow"), inputs, inputDirectories);
                }
            }
            case RECOMPRESS -> {
                final Path copy = output(run, "--recompress", out.resolve("r" + n + ".pcap.gz"), reference.get(command).get("--recompress"),
                    inputs, inputDirectories);
                run.args.add(capture.toString());
                run.mayCreate.add(copy.resolveSibling(copy.getFileName() + ".scalpel"));
            }
        }
        return run;
    }

    /** Puts a random scenario at {@code name} (or replaces the name by an input); adds the option; returns the path given. */
    private Path output(final Run run, final String option, final Path name, final byte[] expected, final List<Path> inputs,
                        final List<Path> inputDirectories) throws IOException {
        final Scenario s = Scenario.values()[random.nextInt(Scenario.values().length)];
        final Path given = place(s, name, inputs, inputDirectories, run, false);
        run.scenarios.add(s);
        run.refused |= s.refused;
        run.args.addAll(List.of(option, given.toString()));
        if (!s.refused) {
            run.targets.put(name, expected);
        }
        return given;
    }

    /** --split-dir: a new directory, or one linked from elsewhere, or an input directory; each uid's file name a scenario. */
    private void split(final Run run, final int n, final Command command, final List<Path> inputs, final List<Path> inputDirectories)
        throws IOException {
        final int kind = random.nextInt(6);
        final Path dir;
        Path real;
        if (kind == 0) {
            dir = inputDirectories.get(random.nextInt(inputDirectories.size()));
            run.refused = true;
            run.scenarios.add(Scenario.INSIDE_AN_INPUT_DIRECTORY);
            real = dir;
        } else if (kind == 1) {
            real = Files.createDirectory(elsewhere.resolve("split" + n));
            dir = Files.createSymbolicLink(out.resolve("split" + n), real);
        } else if (kind == 2) {
            dir = out.resolve("new-split" + n);
            real = dir;
            run.mayCreate.add(dir);
        } else {
            dir = Files.createDirectory(out.resolve("split" + n));
            real = dir;
        }
        run.args.addAll(List.of("--split-dir", dir.toString()));
        if (kind == 0 || kind == 2) {
            for (String uid : List.of(U1, U2)) {
                run.targets.put(real.resolve(uid + ".pcap"), reference.get(command).get(uid));
            }
            return;
        }
        for (String uid : List.of(U1, U2)) {
            final Path name = real.resolve(uid + ".pcap");
            final Scenario s = Scenario.values()[random.nextInt(Scenario.values().length)];
            if (s == Scenario.AN_INPUT || s == Scenario.INSIDE_AN_INPUT_DIRECTORY) {
                // A split file's name comes from its uid: it can only be an input through a link.
                final Path input = inputs.get(random.nextInt(inputs.size()));
                Files.createSymbolicLink(name, input);
                run.scenarios.add(Scenario.LINK_TO_AN_INPUT);
                run.refused = true;
                continue;
            }
            place(s, name, inputs, inputDirectories, run, true);
            run.scenarios.add(s);
            run.refused |= s.refused;
            run.targets.put(name, reference.get(command).get(uid));
        }
    }

    /** Makes {@code name} hold scenario {@code s}; returns the path to give as the output. */
    private Path place(final Scenario s, final Path name, final List<Path> inputs, final List<Path> inputDirectories, final Run run,
                       final boolean splitFile) throws IOException {
        final Path input = inputs.get(random.nextInt(inputs.size()));
        switch (s) {
            case FRESH -> {
                return name;
            }
            case EXISTING_FILE -> Files.write(name, bytes(1 + random.nextInt(20_000)));
            case LINK_TO_FILE_ELSEWHERE -> Files.createSymbolicLink(name, victim(run, splitFile));
            case LINK_TO_FILE_BESIDE -> Files.createSymbolicLink(name, Files.write(name.resolveSibling("peer" + ++counter), bytes(500)));
            case DANGLING_LINK -> Files.createSymbolicLink(name, elsewhere.resolve("missing" + ++counter));
            case HARD_LINK_TO_FILE_ELSEWHERE -> Files.createLink(name, victim(run, splitFile));
            case LINKED_FROM_ELSEWHERE -> {
                Files.write(name, bytes(300));
                Files.createSymbolicLink(elsewhere.resolve("into" + ++counter), name);
            }
            case AN_INPUT -> {
                return input;
            }
            case INSIDE_AN_INPUT_DIRECTORY -> {
                return inputDirectories.get(random.nextInt(inputDirectories.size())).resolve("inside" + ++counter + ".out");
            }
            case LINK_TO_AN_INPUT -> Files.createSymbolicLink(name, random.nextBoolean() ? input : name.getParent().relativize(input));
            case HARD_LINK_TO_AN_INPUT -> Files.createLink(name, input);
            default -> throw new IllegalStateException(s.name());
        }
        return name;
    }

    /** One of the files elsewhere; a second output of the run resolving to the same one makes the run refused. */
    private Path victim(final Run run, final boolean splitFile) {
        final Path v = elsewhere.resolve("victim" + random.nextInt(VICTIMS));
        run.resolvesTo(v, splitFile);
        return v;
    }

    /** Removes what a run left in out/ and elsewhere/ (the victims stay, and must stay unchanged run after run). */
    private void clean() throws IOException {
        for (Path dir : List.of(out, elsewhere)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (!p.getFileName().toString().startsWith("victim")) {
                        deleteTree(p);
                    }
                }
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(root);
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private void check(final Run run, final Map<Path, String> before, final Map<Path, String> after, final Cli r, final String where)
        throws IOException {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), () -> "stack trace: " + where);
        if (run.refused) {
            assertEquals(ExitCode.USAGE.code(), r.exit(), () -> "must be refused: " + where);
            assertTrue(r.err().strip().lines().count() == 1 && r.err().startsWith("scalpel: "), () -> "one line: " + where);
            assertEquals(before, after, () -> "a refused run changed the sandbox: " + where);
            return;
        }
        assertEquals(ExitCode.OK.code(), r.exit(), () -> "must be written: " + where);
        final Set<Path> paths = new TreeSet<>(before.keySet());
        paths.addAll(after.keySet());
        for (Path p : paths) {
            if (run.targets.containsKey(p) || run.mayCreate.stream().anyMatch(p::startsWith)) {
                continue;
            }
            assertEquals(before.get(p), after.get(p), () -> p + " changed (" + before.get(p) + " -> " + after.get(p) + "): " + where);
        }
        for (Map.Entry<Path, byte[]> t : run.targets.entrySet()) {
            final Path target = t.getKey();
            assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS), () -> target + " is not a regular file: " + where);
            assertArrayEquals(t.getValue(), Files.readAllBytes(target), () -> target + " does not hold what a fresh run writes: " + where);
        }
    }

    // --- the sandbox -------------------------------------------------------------------------------

    private void setUp() throws IOException {
        random = new Random(SEED);
        final Path testdata = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata"));
        in = Files.createDirectory(sandbox.resolve("in"));
        capture = Files.copy(testdata.resolve("sample.pcap"), in.resolve("sample.pcap"));
        conn = Files.copy(testdata.resolve("sample-conn.log"), in.resolve("sample-conn.log"));
        set = Files.createDirectory(sandbox.resolve("set"));
        Files.copy(testdata.resolve("sample.pcap"), set.resolve("a.pcap"));
        Files.copy(testdata.resolve("fragments.pcap"), set.resolve("b.pcap"));
        out = Files.createDirectory(sandbox.resolve("out"));
        elsewhere = Files.createDirectory(sandbox.resolve("elsewhere"));
        for (int v = 0; v < VICTIMS; v++) {
            Files.write(elsewhere.resolve("victim" + v), bytes(1 + random.nextInt(100_000)));
        }
        assertEquals(0, Cli.run("index", "-q", capture.toString()).exit());
        assertEquals(0, Cli.run("index", "-q", set.toString()).exit());
        // What each command writes into fresh files, outside the sandbox: the content oracle of a target.
        final Path fresh = Files.createDirectory(sandbox.resolveSibling(sandbox.getFileName() + "-fresh"));
        try {
            final String[] slice = {"slice", capture.toString(), "--conn", conn.toString(), "--uid", U1 + "," + U2};
            final byte[] w = fresh(fresh, "w.pcap", concat(slice, "-w"));
            final byte[] arrow = fresh(fresh, "a.arrow", concat(slice, "--arrow"));
            assertEquals(0, Cli.run(concat(concat(slice, "--split-dir"), fresh.resolve("split").toString())).exit());
            final byte[] s1 = Files.readAllBytes(fresh.resolve("split").resolve(U1 + ".pcap"));
            final byte[] s2 = Files.readAllBytes(fresh.resolve("split").resolve(U2 + ".pcap"));
            final byte[] setW = fresh(fresh, "set.pcap", "slice", set.toString(), "--to", END_OF_TIME, "-w");
            final byte[] gz = fresh(fresh, "copy.pcap.gz", "index", "-q", "--recompress");
            reference.put(Command.WRITE, Map.of("-w", w));
            reference.put(Command.ARROW, Map.of("--arrow", arrow));
            reference.put(Command.WRITE_AND_ARROW, Map.of("-w", w, "--arrow", arrow));
            reference.put(Command.SPLIT, Map.of(U1, s1, U2, s2));
            reference.put(Command.SPLIT_AND_ARROW, Map.of(U1, s1, U2, s2, "--arrow", arrow));
            reference.put(Command.SET_WRITE, Map.of("-w", setW));
            reference.put(Command.RECOMPRESS, Map.of("--recompress", gz));
        } finally {
            deleteTree(fresh);
        }
    }

    /** Runs {@code args} with a fresh file as its last argument (and the capture after it for --recompress); returns the file's bytes. */
    private byte[] fresh(final Path dir, final String name, final String... args) throws IOException {
        final Path file = dir.resolve(name);
        final String[] full = args[args.length - 1].equals("--recompress")
            ? concat(concat(args, file.toString()), capture.toString()) : concat(args, file.toString());
        final Cli r = Cli.run(full);
        assertEquals(0, r.exit(), r::toString);
        return Files.readAllBytes(file);
    }

    private static String[] concat(final String[] a, final String b) {
        final String[] all = java.util.Arrays.copyOf(a, a.length + 1);
        all[a.length] = b;
        return all;
    }

    private byte[] bytes(final int n) {
        final byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Every path of the sandbox: a file by its SHA-256, a link by its text (never followed), a directory, anything else. */
    private Map<Path, String> snapshot() throws IOException {
        final Map<Path, String> all = new TreeMap<>();
        try (Stream<Path> s = Files.walk(sandbox)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                final BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    all.put(p, "link to " + Files.readSymbolicLink(p));
                } else if (a.isRegularFile()) {
                    all.put(p, "file " + sha256(Files.readAllBytes(p)));
                } else {
                    all.put(p, a.isDirectory() ? "directory" : "other");
                }
            }
        }
        return all;
    }

    private static String sha256(final byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            fail(e);
            return null;
        }
    }
}
