package io.scalpel.bench;

import io.scalpel.api.Scalpel;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A generated pcap with its conn.log and its index, opened through the Java API, and the
 * conn.log's rows in a seeded random order: the warm state that lookup and slice benchmarks
 * start from. {@link #next()} hands out the rows round-robin.
 */
@State(Scope.Benchmark)
public class IndexedCapture {
    /** Frames in the generated capture (about 600 bytes each). */
    @Param("500000")
    public int packets;

    /** The generated workload: uniform, or traffic (shaped like real traffic: {@link SyntheticCapture.Shape}). */
    @Param("uniform")
    public String shape;

    private ScratchDirectory scratch;
    private Scalpel scalpel;
    private ConnRecord[] rows;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        scratch = new ScratchDirectory("scalpel-slice-bench");
        final Path capture = scratch.resolve("slice.pcap");
        final Path connLog = scratch.resolve("conn.log");
        SyntheticCapture.write(capture, SyntheticCapture.Spec.defaults().withShape(SyntheticCapture.Shape.valueOf(shape.toUpperCase(Locale.ROOT)))
            .withPackets(packets).withSeed(13).withConnLog(connLog));
        final List<ConnRecord> all = new ArrayList<>();
        try (ConnLogReader r = ConnLogReader.open(connLog, ConnLogListener.IGNORE)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                all.add(c);
            }
        }
        if (all.isEmpty()) {
            throw new IllegalStateException(connLog + " has no rows");
        }
        Collections.shuffle(all, new Random(14));
        rows = all.toArray(new ConnRecord[0]);
        scalpel = Scalpel.open(capture);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        scalpel.close();
        scratch.close();
    }

    public Scalpel scalpel() {
        return scalpel;
    }

    /** The next conn.log row, round-robin over the shuffled rows. */
    public ConnRecord next() {
        final ConnRecord c = rows[next];
        next = next + 1 == rows.length ? 0 : next + 1;
        return c;
    }
}
