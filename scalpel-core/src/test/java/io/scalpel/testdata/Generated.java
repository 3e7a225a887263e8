package io.scalpel.testdata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link CaptureGenerator} wrote, as ground truth.
 *
 * @param frames every packet record in capture order ({@code frames.get(i).number() == i + 1})
 * @param conns  the connections of the conn.log, by ts then uid
 * @param blocks every structural piece of the file in order (they tile it exactly)
 */
public record Generated(List<TruthFrame> frames, List<TruthConn> conns, List<TruthBlock> blocks) {

    public Generated {
        frames = List.copyOf(frames);
        conns = List.copyOf(conns);
        blocks = List.copyOf(blocks);
    }

    /** Sorted numbers of the frames that belong to {@code uid} (empty for an unknown uid). */
    public List<Integer> framesOf(final String uid) {
        final List<Integer> numbers = new ArrayList<>();
        for (final TruthFrame frame : frames) {
            if (frame.uids().contains(uid)) {
                numbers.add(frame.number());
            }
        }
        return numbers;
    }

    /** The uids of frame {@code frameNumber} (1-based); empty for noise. */
    public Set<String> uidsOf(final int frameNumber) {
        return frame(frameNumber).uids();
    }

    public TruthFrame frame(final int frameNumber) {
        if (frameNumber < 1 || frameNumber > frames.size()) {
            throw new NoSuchElementException("frame " + frameNumber + " of " + frames.size());
        }
        return frames.get(frameNumber - 1);
    }

    public TruthConn conn(final String uid) {
        for (final TruthConn conn : conns) {
            if (conn.uid().equals(uid)) {
                return conn;
            }
        }
        throw new NoSuchElementException("no connection " + uid);
    }

    /** Whether the conn.log carries vlan/inner_vlan columns (some connection is tagged). */
    public boolean hasVlanColumns() {
        return conns.stream().anyMatch(c -> c.vlan() >= 0);
    }

    /** Earliest frame timestamp (frames without one skipped). */
    public long firstTsNanos() {
        return frames.stream().filter(TruthFrame::hasTimestamp).mapToLong(TruthFrame::tsNanos).min().orElse(0);
    }

    public long lastTsNanos() {
        return frames.stream().filter(TruthFrame::hasTimestamp).mapToLong(TruthFrame::tsNanos).max().orElse(0);
    }

    /**
     * Writes {@code frame record_offset record_length ts_ns caplen uids} as TSV, one line per frame;
     * uids comma-separated and sorted, {@code -} for none; ts_ns {@code -} for an SPB.
     */
    public void writeTruth(final Path path) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            out.write("frame\trecord_offset\trecord_length\tts_ns\tcaplen\tuids\n");
            for (final TruthFrame f : frames) {
                out.write(f.number() + "\t" + f.recordOffset() + "\t" + f.recordLength() + "\t"
                    + (f.hasTimestamp() ? Long.toString(f.tsNanos()) : "-") + "\t" + f.capturedLength() + "\t"
                    + (f.uids().isEmpty() ? "-" : String.join(",", new TreeSet<>(f.uids()))) + "\n");
            }
        }
    }

    /** Writes the conn.log as Zeek TSV (what {@link CaptureGenerator#generate} writes). */
    public void writeConnLog(final Path path) throws IOException {
        ZeekConnLog.writeTsv(conns, hasVlanColumns(), firstTsNanos(), lastTsNanos(), path);
    }

    /** Writes the same rows as Zeek JSON lines. */
    public void writeConnLogJson(final Path path) throws IOException {
        ZeekConnLog.writeJson(conns, path);
    }
}
