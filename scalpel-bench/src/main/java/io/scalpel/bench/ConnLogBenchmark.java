package io.scalpel.bench;

import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing conn.log rows with {@link ConnLogReader}: a log of {@link #ROWS} rows, Zeek TSV (with
 * its header) or JSON lines, read from memory. One operation is one row, so ns/op and
 * gc.alloc.rate.norm read per row; the reader's own set-up is spread over the rows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class ConnLogBenchmark {
    /** Rows in the log, parsed per invocation. */
    static final int ROWS = 1024;

    @Param({"tsv", "json"})
    public String format;

    private byte[] log;

    @Setup(Level.Trial)
    public void generate() throws IOException {
        try (ScratchDirectory scratch = new ScratchDirectory("scalpel-connlog-bench")) {
            final Path tsv = scratch.resolve("conn.log");
            final Path json = scratch.resolve("conn.json");
            // 4096 flows are open at once, so every generated capture logs more than ROWS rows.
            SyntheticCapture.write(scratch.resolve("conn.pcap"),
                SyntheticCapture.Spec.defaults().withPackets(4 * ROWS).withSeed(15).withConnLog(tsv).withConnLogJson(json));
            final List<String> lines = Files.readAllLines("json".equals(format) ? json : tsv, StandardCharsets.UTF_8);
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rows = 0;
            for (String line : lines) {
                if (!line.startsWith("#")) {
                    if (rows == ROWS) {
                        continue;
                    }
                    rows++;
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (rows != ROWS) {
                throw new IllegalStateException("the generated conn.log has " + rows + " rows, fewer than " + ROWS);
            }
            log = out.toByteArray();
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public void parse(final Blackhole bh) throws IOException {
        int rows = 0;
        try (ConnLogReader r = ConnLogReader.open(new ByteArrayInputStream(log), "conn.log", ConnLogListener.IGNORE)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                bh.consume(c);
                rows++;
            }
        }
        if (rows != ROWS) {
            throw new IllegalStateException("parsed " + rows + " rows, not " + ROWS);
        }
    }
}
