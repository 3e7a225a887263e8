package io.scalpel.bench;

import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.zeek.ConnSelection;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One uid out of a large traffic-shaped conn.log ({@link TrafficConnLog}, written as Zeek writes
 * it, read from a file in the page cache): {@link #search} is what a one-uid slice does,
 * {@link ConnSelection#read}: one pass, the uid's row found by a search of the raw bytes, and after
 * it the rows of its addresses, on {@code threads} threads (1: the caller's alone; 2: the log
 * searched ahead in pieces on two); {@code row} picks the uid of the log's first, middle or last
 * row; {@link #parse} is the first pass as it was before the byte search,
 * every line split and its uid compared. One operation is the whole log, so the log's size
 * ({@code logSize}, printed at set-up) divided by the score is the speed in bytes per second.
 *
 * <p>{@code bin/scalpel} runs a slice on the quick JIT tier only; to measure the search as it runs
 * there, give the fork the launcher's options: {@code -jvmArgsAppend "-XX:TieredStopAtLevel=1
 * -XX:+UseSerialGC"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class ConnLogSearchBenchmark {
    /** Capture bytes per conn.log byte of the traffic-shaped workload (8.66 GB of frames log 108 MB of rows). */
    private static final long CAPTURE_PER_LOG_BYTE = 80;

    /** The conn.log's size at least, with a K, M or G suffix. */
    @Param("110M")
    public String logSize;

    @Param({"tsv", "json"})
    public String format;

    /** Threads that may search the log ({@link ConnSelection#read(String, Set, java.util.function.Predicate, ConnLogListener, int)}). */
    @Param({"1", "2"})
    public int threads;

    /** Whose uid is searched for: the log's {@code first}, {@code middle} or {@code last} row's. */
    @Param("middle")
    public String row;

    private ScratchDirectory scratch;
    private Path log;
    private String uid;

    @Setup(Level.Trial)
    public void generate() throws IOException {
        scratch = new ScratchDirectory("scalpel-connlog-search-bench");
        final Path tsv = scratch.resolve("conn.log");
        final Path json = scratch.resolve("conn.json");
        final boolean isJson = "json".equals(format);
        // The frames are of no use here: they go nowhere.
        TrafficCapture.write(Path.of("/dev/null"), SyntheticCapture.Spec.defaults().withShape(SyntheticCapture.Shape.TRAFFIC)
            .withBytes(SyntheticCapture.parseSize(logSize) * CAPTURE_PER_LOG_BYTE).withSeed(7)
            .withConnLog(tsv).withConnLogJson(isJson ? json : null));
        uid = uidOf(tsv, row);
        log = isJson ? json : tsv;
        if (isJson) {
            Files.delete(tsv);
        }
        System.err.printf("conn.log %s: %d bytes, uid %s%n", format, Files.size(log), uid);
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        scratch.close();
    }

    /** The uid of the TSV log's first, middle or last row. */
    private static String uidOf(final Path tsv, final String row) throws IOException {
        final List<Long> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            long n = 0;
            for (String line = r.readLine(); line != null; line = r.readLine(), n++) {
                if (!line.startsWith("#")) {
                    rows.add(n);
                }
            }
        }
        final long wanted = switch (row) {
            case "first" -> rows.get(0);
            case "last" -> rows.get(rows.size() - 1);
            case "middle" -> rows.get(rows.size() / 2);
            default -> throw new IllegalArgumentException("row: first, middle or last, not " + row);
        };
        try (BufferedReader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            String line = null;
            for (long i = 0; i <= wanted; i++) {
                line = r.readLine();
            }
            return line.split("\t")[1];
        }
    }

    @Benchmark
    public void search(final Blackhole bh) throws IOException {
        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of(uid), x -> false, ConnLogListener.IGNORE, threads);
        if (r.rows().size() != 1) {
            throw new IllegalStateException("found " + r.rows().size() + " rows of " + uid);
        }
        bh.consume(r.nextStart(r.rows().get(uid)));
    }

    @Benchmark
    public void parse(final Blackhole bh) throws IOException {
        int found = 0;
        try (ConnLogReader reader = ConnLogReader.open(log, ConnLogListener.IGNORE).onlyUids(uid::equals)) {
            for (ConnRecord c = reader.next(); c != null; c = reader.next()) {
                bh.consume(c);
                found++;
            }
        }
        if (found != 1) {
            throw new IllegalStateException("found " + found + " rows of " + uid);
        }
    }
}
