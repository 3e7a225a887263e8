package io.scalpel.bench;

import io.scalpel.index.IndexBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole index build ({@link IndexBuilder#build()}: scan, decode, flow table, Parquet encoding on
 * the writer threads, or on the scan thread, atomic replacement of the index directory) of a generated pcap, rebuilt from the start each time. One
 * operation is one frame: an invocation indexes {@link #FRAMES_PER_INVOCATION} frames, that is
 * the capture {@code FRAMES_PER_INVOCATION / packets} times, so ns/op and gc.alloc.rate.norm
 * read per frame whatever the capture's size. With {@code writerThreads} 0 the benchmark's
 * thread writes the parts itself, so its allocation includes the writing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class IndexBenchmark {
    /** Frames indexed per invocation: half an index chunk, about 80 MB of capture. */
    static final int FRAMES_PER_INVOCATION = IndexBuilder.CHUNK_ROWS / 2;

    /** Frames in the generated capture (about 600 bytes each); must divide {@link #FRAMES_PER_INVOCATION}. */
    @Param("131072")
    public int packets;

    /** The generated workload: uniform, or traffic (shaped like real traffic: {@link SyntheticCapture.Shape}). */
    @Param("uniform")
    public String shape;

    /**
     * The build's writer threads: 2 (the CLI's, one build on two cores) or 0 (the scan thread
     * writes the parts itself, one core a build, as Spark's tasks build).
     */
    @Param("2")
    public int writerThreads;

    private ScratchDirectory scratch;
    private Path capture;
    private Path index;
    private int buildsPerInvocation;

    @Setup(Level.Trial)
    public void generate() throws IOException {
        if (packets <= 0 || FRAMES_PER_INVOCATION % packets != 0) {
            throw new IllegalArgumentException("packets = " + packets + " must divide " + FRAMES_PER_INVOCATION);
        }
        buildsPerInvocation = FRAMES_PER_INVOCATION / packets;
        scratch = new ScratchDirectory("scalpel-index-bench");
        capture = scratch.resolve("index.pcap");
        index = scratch.resolve("index.pcap.scalpel");
        final SyntheticCapture.Written w = SyntheticCapture.write(capture, SyntheticCapture.Spec.defaults().withShape(SyntheticCapture.Shape.valueOf(shape.toUpperCase(Locale.ROOT)))
            .withPackets(packets).withSeed(12));
        if (w.packets() != packets) {
            throw new IllegalStateException("generated " + w.packets() + " frames, not " + packets);
        }
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        scratch.close();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_INVOCATION)
    public long build() throws IOException {
        long frames = 0;
        for (int i = 0; i < buildsPerInvocation; i++) {
            // rebuilt every time: a build of a capture its index already describes keeps the index
            frames += new IndexBuilder(capture, index).rebuild(true).writerThreads(writerThreads).build().manifest().packets();
        }
        if (frames != FRAMES_PER_INVOCATION) {
            throw new IllegalStateException("indexed " + frames + " frames, not " + FRAMES_PER_INVOCATION);
        }
        return frames;
    }
}
