package io.scalpel.bench;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.SequentialFile;
import io.scalpel.index.IndexBuilder;
import io.scalpel.capture.PcapReader;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import java.io.IOException;
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
 * The scan path: read the next record of a capture, through buffers as the index build reads it, into the reused {@link Frame}
 * and decode its flow key, as the index build does for every frame. One operation is one frame
 * (ns/op is ns per frame; with {@code -prof gc}, gc.alloc.rate.norm is bytes per frame, and
 * should be 0). At the end of the capture the reader starts over from the first record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx256m")
public class ScanBenchmark {
    /** Frames read per benchmark invocation. */
    static final int BATCH = 4096;

    /** Container format of the generated capture. */
    @Param({"pcap", "pcapng"})
    public String format;

    /** Frames in the generated capture (about 600 bytes each). */
    @Param("200000")
    public int packets;

    /** The generated workload: uniform, or traffic (shaped like real traffic: {@link SyntheticCapture.Shape}). */
    @Param("uniform")
    public String shape;

    private ScratchDirectory scratch;
    private SequentialFile file;
    private CaptureReader reader;
    private final Frame frame = new Frame();
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();

    @Setup(Level.Trial)
    public void generate() throws IOException {
        final CaptureFormat f = CaptureFormat.valueOf(format.toUpperCase(Locale.ROOT));
        scratch = new ScratchDirectory("scalpel-scan-bench");
        final java.nio.file.Path capture = scratch.resolve("scan." + f.extension());
        SyntheticCapture.write(capture, SyntheticCapture.Spec.defaults().withShape(SyntheticCapture.Shape.valueOf(shape.toUpperCase(Locale.ROOT)))
            .withPackets(packets).withSeed(11).withFormat(f));
        file = SequentialFile.open(capture, -1, IndexBuilder.SCAN_WINDOW); // read as the index scan reads it
        reader = CaptureReader.on(file);
    }

    @TearDown(Level.Trial)
    public void remove() throws IOException {
        reader.close();
        file.close();
        scratch.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long scanAndDecode() throws IOException {
        long hash = 0;
        for (int i = 0; i < BATCH; i++) {
            if (!reader.next(frame)) {
                rewind();
            }
            decoder.decode(frame.linkType(), frame.buffer(), frame.dataOffset(), frame.capturedLength(), decoded);
            final FlowKey key = decoded.innermost();
            if (key != null) {
                hash += key.flowHash();
            }
        }
        return hash;
    }

    /** Back to the first frame: a pcap reader seeks, a pcapng reader is replaced (it must see the section header again). */
    private void rewind() throws IOException {
        if (reader instanceof PcapReader pcap) {
            pcap.seek(PcapReader.FILE_HEADER_LENGTH);
        } else {
            reader.close();
            reader = CaptureReader.on(file);
        }
        if (!reader.next(frame)) {
            throw new IllegalStateException(file.path() + " has no frames");
        }
    }
}
