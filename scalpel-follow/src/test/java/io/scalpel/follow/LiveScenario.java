package io.scalpel.follow;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.ConnLogForms;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A capture as a sensor writes it, with its conn records as Zeek would log them: the generator's
 * capture ({@link CaptureGenerator}, with its ground truth) is copied to a live file in steps cut
 * anywhere (mid-record too), and each connection's record becomes due once the copy holds its last
 * frame. The truth says which frames each uid's extract must hold: {@link #problems} compares a
 * directory of extracts with it, record bytes against the capture's own.
 */
final class LiveScenario {
    private static final Pattern UID = Pattern.compile("\"uid\":\"([^\"]+)\"");

    final Path full;
    final Generated truth;
    /** Each uid's frames, in capture order. */
    private final Map<String, List<TruthFrame>> framesOf = new HashMap<>();
    /** The connections in the order their last frame is written (those without frames last). */
    final List<TruthConn> byEnd;
    private final Map<String, Long> endOffset = new HashMap<>();
    private final byte[] capture;

    LiveScenario(final Path dir, final GeneratorSpec spec) throws IOException {
        this.full = dir.resolve("full.pcap");
        this.truth = CaptureGenerator.generate(spec, full, dir.resolve("generated-conn.log"));
        this.capture = Files.readAllBytes(full);
        for (TruthFrame f : truth.frames()) {
            for (String uid : f.uids()) {
                framesOf.computeIfAbsent(uid, u -> new ArrayList<>()).add(f);
                endOffset.merge(uid, f.recordOffset() + f.recordLength(), Math::max);
            }
        }
        for (List<TruthFrame> l : framesOf.values()) {
            l.sort(Comparator.comparingLong(TruthFrame::recordOffset));
        }
        final List<TruthConn> conns = new ArrayList<>(truth.conns());
        conns.sort(Comparator.comparingLong((TruthConn c) -> endOffset.getOrDefault(c.uid(), Long.MAX_VALUE)));
        this.byEnd = List.copyOf(conns);
    }

    /** The byte of the capture after which a connection's record may be sent (all its frames written). */
    long endOffset(final TruthConn c) {
        return endOffset.getOrDefault(c.uid(), (long) capture.length);
    }

    int captureLength() {
        return capture.length;
    }

    /** Each uid's conn record as a JSON line, {@code ts} written as {@code ts} says (seconds: Zeek's own JSON). */
    Map<String, String> jsonLines(final Path dir, final ConnLogForms.Ts ts) throws IOException {
        final Path f = dir.resolve("conn-" + ts + ".json");
        if (ts == ConnLogForms.Ts.EPOCH_SECONDS) {
            truth.writeConnLogJson(f);
        } else {
            ConnLogForms.writeJson(truth.conns(), ts, f);
        }
        final Map<String, String> lines = new HashMap<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            final Matcher m = UID.matcher(line);
            if (m.find()) {
                lines.put(m.group(1), line);
            }
        }
        return lines;
    }

    /** Zeek's TSV conn.log: its header lines (key "#"), and each uid's row. */
    Map<String, List<String>> tsv(final Path dir) throws IOException {
        final Path f = dir.resolve("conn-tsv.log");
        truth.writeConnLog(f);
        final Map<String, List<String>> rows = new HashMap<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                if (!line.startsWith("#close")) {
                    rows.computeIfAbsent("#", k -> new ArrayList<>()).add(line);
                }
            } else {
                rows.put(line.split("\t")[1], List.of(line));
            }
        }
        return rows;
    }

    /** Starts the live capture with the file header only. */
    void startLive(final Path live) throws IOException {
        Files.write(live, Arrays.copyOf(capture, PcapFile.FILE_HEADER_LENGTH));
    }

    /** Appends the capture's bytes {@code [from, to)} to the live file. */
    void append(final Path live, final long from, final long to) throws IOException {
        try (OutputStream out = Files.newOutputStream(live, StandardOpenOption.APPEND)) {
            out.write(capture, (int) from, (int) (to - from));
        }
    }

    /**
     * What is wrong with the extracts in {@code dir}: a uid with frames whose file is missing or
     * holds other records than its frames (byte for byte, in capture order, each once), a file of
     * a uid without frames or of no uid, temporary files left behind. Empty when all is right.
     */
    List<String> problems(final Path dir) throws IOException {
        final List<String> problems = new ArrayList<>();
        final Map<String, List<Path>> files = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                final String name = String.valueOf(p.getFileName());
                if (name.contains(".tmp-")) {
                    problems.add("temporary file left: " + name);
                }
                if (name.startsWith(".")) {
                    continue;
                }
                files.computeIfAbsent(name.substring(0, name.indexOf('.')), k -> new ArrayList<>()).add(p);
            }
        }
        for (TruthConn c : truth.conns()) {
            final List<TruthFrame> frames = framesOf.getOrDefault(c.uid(), List.of());
            final List<Path> got = files.remove(c.uid());
            if (frames.isEmpty()) {
                if (got != null) {
                    problems.add(c.uid() + ": has no frames but a file " + got);
                }
                continue;
            }
            if (got == null) {
                problems.add(c.uid() + ": no extract (" + frames.size() + " frames)");
                continue;
            }
            if (got.size() > 1) {
                problems.add(c.uid() + ": " + got.size() + " files " + got);
                continue;
            }
            final PcapFile extract = PcapFile.read(got.get(0));
            final List<String> expected = new ArrayList<>();
            for (TruthFrame f : frames) {
                expected.add(hex(Arrays.copyOfRange(capture, (int) f.recordOffset(), (int) f.recordOffset() + f.recordLength())));
            }
            final List<String> actual = new ArrayList<>();
            for (PcapFile.Record r : extract.records) {
                actual.add(hex(extract.recordBytes(r)));
            }
            if (!expected.equals(actual)) {
                problems.add(c.uid() + ": " + actual.size() + " records, the truth has " + expected.size()
                    + (actual.size() == expected.size() ? " (other bytes)" : ""));
            }
        }
        files.forEach((uid, paths) -> problems.add("a file of no connection: " + paths));
        if (problems.size() > 12) {
            final int more = problems.size() - 10;
            problems.subList(10, problems.size()).clear();
            problems.add("and " + more + " more");
        }
        return problems;
    }

    /** How many uids have frames (and so an extract). */
    long uidsWithFrames() {
        return truth.conns().stream().filter(c -> framesOf.containsKey(c.uid())).count();
    }

    private static String hex(final byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
