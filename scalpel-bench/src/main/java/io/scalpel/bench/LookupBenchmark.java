package io.scalpel.bench;

import io.scalpel.decode.Addresses;
import io.scalpel.slice.ExpressionQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.expr.ExpressionParser;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.util.List;
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
 * one conn.log row's lookup; the rows are visited but the capture is not read. And one query
 * expression ({@link #queryHostAndPort}): {@code host A and port P} of a conn.log row's responder,
 * the flows table read by its filter columns, the packet rows of every flow it accepts, each frame
 * read back and confirmed.
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

    @Benchmark
    public void queryHostAndPort(final IndexedCapture state, final Blackhole bh) throws IOException {
        final ConnRecord c = state.next();
        final String expression = "host " + Addresses.format(c.ipVersion(), c.respHi(), c.respLo()) + " and port " + c.respPort();
        bh.consume(state.scalpel().selectQueries(List.of(ExpressionQuery.of(expression, ExpressionParser.parse(expression, 0),
            Long.MIN_VALUE, Long.MAX_VALUE))).offsets());
    }
}
