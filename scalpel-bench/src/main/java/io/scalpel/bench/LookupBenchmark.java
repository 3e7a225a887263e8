package io.scalpel.bench;

import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One flow lookup in an opened index ({@code PacketIndex.lookup}): the flows table filtered by
 * flow hash and time, then the packet rows of the matching (chunk, flow) pairs. One operation is
 * one conn.log row's lookup; the rows are visited but the capture is not read.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class LookupBenchmark {
    @Benchmark
    public void lookup(final IndexedCapture state, final Blackhole bh) throws IOException {
        final FlowQuery q = (FlowQuery) Query.of(state.next(), false, 0);
        state.scalpel().index().lookup(q.flowHash(), q.from(), q.to(), (ts, offset, chunk, flow, dgramTs) -> bh.consume(offset));
    }
}
