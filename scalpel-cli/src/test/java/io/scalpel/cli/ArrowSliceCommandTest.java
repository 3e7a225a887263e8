package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code slice --arrow}: the Arrow IPC file, read back with Arrow's own reader, holds the packets
 * of the pcap extract of the same query (walked by the test's own pcap reader) byte for byte, with
 * the same timestamps and lengths, each paired with a uid the generator's ground truth gives it.
 */
class ArrowSliceCommandTest {
    @TempDir
    Path dir;

    /** One row of the Arrow file. */
    record Pair(String uid, String origH, int origP, Long packetTs, int caplen, int wirelen, long recordOffset, byte[] frame) {
    }

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_NSEC_LE", "PCAPNG_LE"})
    void shouldPairEachUidWithThePacketsOfThePcapExtract(final CaptureFileFormat format) throws IOException {
        final Path capture = dir.resolve("cap." + format.extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.everything(900 + format.ordinal()).withFormat(format)
            .withConnections(25), capture, conn);
        final List<String> uids = truth.conns().stream().map(TruthConn::uid).limit(6).toList();
        final Path pcap = dir.resolve("out.pcap");
        final Path arrow = dir.resolve("out.arrow");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", String.join(",", uids),
            "-w", pcap.toString(), "--format", "pcap", "--arrow", arrow.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<Pair> pairs = readArrow(arrow);
        final long expectedRows = uids.stream().mapToLong(u -> truth.framesOf(u).size()).sum();
        assertEquals(expectedRows, pairs.size(), "one row per packet of each uid");
        assertTrue(r.err().contains("wrote " + expectedRows + " rows"), r::toString);

        // Each uid: exactly its frames (the truth's record offsets), in capture order, with its endpoints.
        for (String uid : uids) {
            final List<Long> offsets = pairs.stream().filter(p -> p.uid().equals(uid)).map(Pair::recordOffset).toList();
            final List<Long> expected = truth.framesOf(uid).stream().map(n -> truth.frame(n).recordOffset()).sorted().toList();
            assertEquals(expected, offsets, uid);
            final TruthConn c = truth.conn(uid);
            pairs.stream().filter(p -> p.uid().equals(uid)).forEach(p -> {
                assertEquals(c.origH(), p.origH(), uid);
                assertEquals(c.origP(), p.origP(), uid);
            });
        }

        // The distinct frames of the Arrow file are the records of the pcap extract, in the same order.
        final Map<Long, Pair> byOffset = new TreeMap<>();
        pairs.forEach(p -> byOffset.putIfAbsent(p.recordOffset(), p));
        final PcapFile extract = PcapFile.read(pcap);
        final ByteBuffer header = ByteBuffer.wrap(extract.bytes).order(extract.order);
        assertEquals(byOffset.size(), extract.records.size(), "frames in the extract");
        int i = 0;
        for (Pair p : byOffset.values()) {
            final PcapFile.Record rec = extract.records.get(i++);
            final byte[] bytes = new byte[rec.capturedLength()];
            extract.data(rec).get(bytes);
            assertArrayEquals(bytes, p.frame(), "frame bytes of record " + p.recordOffset());
            assertEquals(rec.capturedLength(), p.caplen());
            assertEquals(header.getInt((int) rec.offset() + 12), p.wirelen(), "original length");
            final TruthFrame t = truth.frames().stream().filter(f -> f.recordOffset() == p.recordOffset()).findFirst().orElseThrow();
            if (t.hasTimestamp()) {
                assertEquals(rec.tsNanos(), p.packetTs(), "timestamp of record " + p.recordOffset());
            } else {
                assertEquals(null, p.packetTs(), "a simple packet block has no timestamp");
            }
        }
    }

    @Test
    void shouldWriteTheArrowFileAloneWithoutACapture() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(31), capture, conn);
        final Path arrow = dir.resolve("all.arrow");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--all", "--arrow", arrow.toString(), "--json");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<Pair> pairs = readArrow(arrow);
        final Map<String, Long> perUid = pairs.stream().collect(Collectors.groupingBy(Pair::uid, TreeMap::new, Collectors.counting()));
        final Map<String, Long> expected = new TreeMap<>();
        for (TruthConn c : truth.conns()) {
            if (!truth.framesOf(c.uid()).isEmpty()) {
                expected.put(c.uid(), (long) truth.framesOf(c.uid()).size());
            }
        }
        assertEquals(expected, perUid);
        assertTrue(r.out().contains("\"arrow_rows\":" + pairs.size()), r::toString);
        assertTrue(r.out().contains("\"packets\":" + pairs.size() + ","), "packets written are the Arrow file's rows: " + r);
        assertTrue(r.out().contains("\"files\":[\"" + arrow + "\"]"), r::toString);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".pcap") && !p.equals(capture)).toList(), "no capture written");
        }
    }

    @Test
    void shouldStreamTheArrowFileToStdoutWithTheRowsOfTheTruth() throws IOException {
        final Path capture = dir.resolve("cap.pcapng");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(36).withFormat(CaptureFileFormat.PCAPNG_BE),
            capture, conn);
        final List<String> uids = truth.conns().stream().map(TruthConn::uid).limit(4).toList();

        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", String.join(",", uids), "--arrow", "-");

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<Pair> pairs = readArrow(r.binary());
        for (String uid : uids) {
            final List<Long> expected = truth.framesOf(uid).stream().map(n -> truth.frame(n).recordOffset()).sorted().toList();
            assertEquals(expected, pairs.stream().filter(p -> p.uid().equals(uid)).map(Pair::recordOffset).toList(), uid);
        }
        assertEquals(uids.stream().mapToLong(u -> truth.framesOf(u).size()).sum(), pairs.size());
        assertTrue(r.err().contains("rows (a conn.log row and one of its packets) of 4 of 4 uids to <stdout>"), r::toString);
    }

    @Test
    void shouldRefuseTwoOutputsOnStdout() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(37), capture, dir.resolve("conn.log"));

        final Cli r = Cli.run("slice", capture.toString(), "--conn", dir.resolve("conn.log").toString(), "--uid",
            truth.conns().get(0).uid(), "-w", "-", "--arrow", "-");
        final Cli json = Cli.run("slice", capture.toString(), "--conn", dir.resolve("conn.log").toString(), "--uid",
            truth.conns().get(0).uid(), "--json", "--arrow", "-");

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: -w - and --arrow - cannot both write to stdout"), r::toString);
        assertEquals(0, r.binary().length, "nothing on stdout");
        assertEquals(ExitCode.USAGE.code(), json.exit(), json::toString);
        assertTrue(json.err().contains("scalpel: --json prints on stdout, which --arrow - already uses"), json::toString);
    }

    @Test
    void shouldPairTheSameRowsFromAGzipCaptureAsFromThePlainOne() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(39), capture, conn);
        final Path gz = dir.resolve("gz/cap.pcap.gz");
        Files.createDirectories(gz.getParent());
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(capture, out);
        }
        final List<String> uids = truth.conns().stream().map(TruthConn::uid).limit(5).toList();

        final Cli plain = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", String.join(",", uids),
            "--arrow", dir.resolve("plain.arrow").toString());
        final Cli gzip = Cli.run("slice", gz.toString(), "--conn", conn.toString(), "--uid", String.join(",", uids),
            "--arrow", dir.resolve("gz.arrow").toString());

        assertEquals(ExitCode.OK.code(), plain.exit(), plain::toString);
        assertEquals(ExitCode.OK.code(), gzip.exit(), gzip::toString);
        final List<Pair> rows = readArrow(dir.resolve("gz.arrow"));
        assertEquals(uids.stream().mapToLong(u -> truth.framesOf(u).size()).sum(), rows.size(), "rows of the gzip capture");
        assertArrayEquals(Files.readAllBytes(dir.resolve("plain.arrow")), Files.readAllBytes(dir.resolve("gz.arrow")),
            "the same Arrow file from the plain and the gzip capture");
    }

    @Test
    void shouldPairEachUidWithItsPacketsAcrossTheFilesOfACaptureSet() throws IOException {
        final Path source = dir.resolve("source.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(38).withConnections(30), source, conn);
        final Path set = Files.createDirectory(dir.resolve("set"));
        io.scalpel.testdata.RotatedCaptures.cutEvenly(source, truth, set, "trace-%02d.%s", false, false, false);
        final Path arrow = dir.resolve("set.arrow");

        final Cli r = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--all", "--arrow", arrow.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final List<Pair> pairs = readArrow(arrow);
        for (TruthConn c : truth.conns()) {
            // A set's frames are its members' records: compare each uid's packet times and lengths with the truth.
            final List<String> got = pairs.stream().filter(p -> p.uid().equals(c.uid())).map(p -> p.packetTs() + "/" + p.caplen())
                .sorted().toList();
            final List<String> expected = truth.framesOf(c.uid()).stream().map(truth::frame)
                .map(f -> f.tsNanos() + "/" + f.capturedLength()).sorted().toList();
            assertEquals(expected, got, c.uid());
        }
    }

    @Test
    void shouldRefuseArrowWithoutAConnLog() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        CaptureGenerator.generate(GeneratorSpec.defaults(32), capture, dir.resolve("conn.log"));

        final Cli r = Cli.run("slice", capture.toString(), "--flow", "tcp 10.0.0.1:1 10.0.0.2:2", "--arrow", dir.resolve("x.arrow").toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--arrow pairs conn.log rows with their packets: it needs --conn LOG"), r::toString);
        assertFalse(Files.exists(dir.resolve("x.arrow")));
    }

    @Test
    void shouldAskForAnOutputWhenThereIsNone() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(33), capture, dir.resolve("conn.log"));

        final Cli r = Cli.run("slice", capture.toString(), "--conn", dir.resolve("conn.log").toString(), "--uid",
            truth.conns().get(0).uid());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("Missing required argument (specify one of these): (-w=OUT | --split-dir=DIR | --arrow=FILE)"),
            r::toString);
    }

    @Test
    void shouldLeaveNoArrowFileWhenItsDirectoryIsMissing() throws IOException {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(34), capture, dir.resolve("conn.log"));
        final Path arrow = dir.resolve("nosuch/out.arrow");

        final Cli r = Cli.run("slice", capture.toString(), "--conn", dir.resolve("conn.log").toString(), "--uid",
            truth.conns().get(0).uid(), "--arrow", arrow.toString());

        assertEquals(ExitCode.OUTPUT.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("cannot write " + arrow + ": no such directory"), r::toString);
    }

    @Tag("e2e")
    @Test
    void shouldRefuseArrowInAJvmThatDoesNotOpenJavaNioBeforeWritingAnything() throws Exception {
        final Path capture = dir.resolve("cap.pcap");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(35), capture, dir.resolve("conn.log"));
        final Path pcap = dir.resolve("o.pcap");
        final Path stdout = dir.resolve("stdout");
        final Path stderr = dir.resolve("stderr");

        // ChildJvm starts java with -Xmx256m and the class path only: no --add-opens.
        final Process p = ChildJvm.start(stdout, stderr, "slice", capture.toString(), "--conn", dir.resolve("conn.log").toString(),
            "--uid", truth.conns().get(0).uid(), "-w", pcap.toString(), "--arrow", dir.resolve("o.arrow").toString());

        assertEquals(ExitCode.USAGE.code(), p.waitFor(), () -> read(stderr));
        assertEquals("scalpel: " + ArrowSupport.NEEDS_OPEN_NIO, read(stderr).strip(), "one line, no stack trace");
        assertFalse(Files.exists(pcap), "no capture written");
        assertFalse(Files.exists(dir.resolve("o.arrow")), "no Arrow file written");
    }

    private static String read(final Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Every row of an Arrow IPC file, read with Arrow's file reader. */
    static List<Pair> readArrow(final Path file) throws IOException {
        return readArrow(Files.readAllBytes(file));
    }

    /** Every row of an Arrow IPC file's bytes, read with Arrow's file reader. */
    static List<Pair> readArrow(final byte[] file) throws IOException {
        final List<Pair> pairs = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ArrowFileReader reader = new ArrowFileReader(new SeekableReadChannel(
                 new org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel(file)), allocator)) {
            final VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                final VarCharVector uid = (VarCharVector) root.getVector("uid");
                final VarCharVector origH = (VarCharVector) root.getVector("id.orig_h");
                final IntVector origP = (IntVector) root.getVector("id.orig_p");
                final TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector("packet_ts");
                final IntVector caplen = (IntVector) root.getVector("caplen");
                final IntVector wirelen = (IntVector) root.getVector("wirelen");
                final BigIntVector offset = (BigIntVector) root.getVector("record_offset");
                final VarBinaryVector frame = (VarBinaryVector) root.getVector("frame");
                for (int i = 0; i < root.getRowCount(); i++) {
                    pairs.add(new Pair(uid.getObject(i).toString(), origH.getObject(i).toString(), origP.get(i),
                        ts.isNull(i) ? null : ts.get(i), caplen.get(i), wirelen.get(i), offset.get(i), frame.get(i)));
                }
            }
        }
        return pairs;
    }
}
