package io.scalpel.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Slicing one uid through the warm Java API: select its frames (index lookup, each frame read
 * back from the capture and confirmed) and write them as a pcap to a stream that discards them.
 * One operation is one conn.log row.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class SliceBenchmark {
    private static final OutputStream DISCARD = OutputStream.nullOutputStream();

    @Benchmark
    public long sliceOneUid(final IndexedCapture state) throws IOException {
        final long[] offsets = state.scalpel().select(List.of(state.next())).union();
        return state.scalpel().write(offsets, null, DISCARD, warning -> { });
    }
}
