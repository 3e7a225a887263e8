package io.scalpel.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once through JMH, each in its own small forked JVM (-Xmx256m), with one
 * short measurement iteration on small generated inputs (and one short warm-up for the scan). Times are not
 * checked: only that each benchmark ran and produced a score, and that the scan path allocates
 * nothing per frame (JMH's gc.alloc.rate.norm, bytes per operation, which here is per frame).
 * JMH's own output goes to target/jmh-smoke-scan.txt and target/jmh-smoke.txt.
 */
@Tag("e2e")
class BenchmarksSmokeTest {
    /** Divides IndexBenchmark.FRAMES_PER_INVOCATION; more than the 4096 flows the generator keeps open. */
    private static final String SMALL_CAPTURE_PACKETS = "16384";
    /** The conn.log that ConnLogSearchBenchmark searches. */
    private static final String SMALL_CONN_LOG = "1M";
    private static final String ALLOCATION_PER_OPERATION = "gc.alloc.rate.norm";
    /**
     * Bytes per frame the scan may allocate on average: rewinding the reader costs a little per
     * pass over the capture, and JMH allocates a little per iteration.
     */
    private static final double SCAN_ALLOCATION_LIMIT = 1.0;
    private static final TimeValue SCAN_ITERATION = TimeValue.seconds(1);
    private static final TimeValue SHORT_ITERATION = TimeValue.milliseconds(300);

    @Test
    void shouldRunEveryBenchmarkAndScanWithoutAllocatingPerFrame() throws Exception {
        final Map<String, RunResult> byLabel = new TreeMap<>();
        // The scan gets one warm-up iteration: its first calls pay for class loading and call-site
        // bootstrapping, which the allocation gate must not count as per-frame cost.
        // A longer measurement spreads JMH's fixed per-iteration allocation over more frames.
        run("^io\\.scalpel\\.bench\\.ScanBenchmark\\.", 1, SCAN_ITERATION, "jmh-smoke-scan.txt", byLabel);
        run("^io\\.scalpel\\.bench\\.(?!ScanBenchmark\\.)[A-Za-z]+Benchmark\\.", 0, SHORT_ITERATION, "jmh-smoke.txt", byLabel);

        final Set<String> expected = new TreeSet<>(Set.of(
            "ScanBenchmark.scanAndDecode:pcap", "ScanBenchmark.scanAndDecode:pcapng",
            "IndexBenchmark.build", "LookupBenchmark.lookup", "LookupBenchmark.queryHostAndPort", "SliceBenchmark.sliceOneUid",
            "ConnLogBenchmark.parse:tsv", "ConnLogBenchmark.parse:json",
            "ConnLogSearchBenchmark.search:tsv", "ConnLogSearchBenchmark.search:json",
            "ConnLogSearchBenchmark.parse:tsv", "ConnLogSearchBenchmark.parse:json"));
        assertEquals(expected, byLabel.keySet(), "benchmarks that produced a result");
        for (Map.Entry<String, RunResult> e : byLabel.entrySet()) {
            final double score = e.getValue().getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), e.getKey() + " scored " + score);
        }
        for (String scan : Set.of("ScanBenchmark.scanAndDecode:pcap", "ScanBenchmark.scanAndDecode:pcapng")) {
            final Result<?> allocation = byLabel.get(scan).getSecondaryResults().get(ALLOCATION_PER_OPERATION);
            assertNotNull(allocation, scan + " has no " + ALLOCATION_PER_OPERATION + " from the GC profiler");
            assertTrue(allocation.getScore() < SCAN_ALLOCATION_LIMIT, scan + " allocates " + allocation.getScore()
                + " bytes per frame; the scan path must not allocate per frame (limit " + SCAN_ALLOCATION_LIMIT + ")");
        }
    }

    /** Runs the benchmarks matching {@code include}, JMH's output to target/{@code log}; adds the results by label. */
    private static void run(final String include, final int warmupIterations, final TimeValue iteration, final String log,
                            final Map<String, RunResult> byLabel) throws Exception {
        final Options options = new OptionsBuilder()
            .include(include)
            .param("packets", SMALL_CAPTURE_PACKETS)
            .param("logSize", SMALL_CONN_LOG)
            .forks(1)
            .jvmArgs("-Xmx256m")
            .warmupIterations(warmupIterations)
            .warmupTime(iteration)
            .measurementIterations(1)
            .measurementTime(iteration)
            .addProfiler(GCProfiler.class)
            .shouldFailOnError(true)
            .output(Path.of("target", log).toString())
            .build();
        final Collection<RunResult> results = new Runner(options).run();
        for (RunResult r : results) {
            final var params = r.getParams();
            final String format = params.getParamsKeys().contains("format") ? ":" + params.getParam("format") : "";
            byLabel.put(params.getBenchmark().replace("io.scalpel.bench.", "") + format, r);
        }
    }
}
