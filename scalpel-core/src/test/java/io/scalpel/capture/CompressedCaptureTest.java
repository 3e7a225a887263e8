package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.scalpel.api.Scalpel;
import io.scalpel.extract.Recompressor;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.zeek.ConnRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * gzip and zstd captures, single-stream and in many members or frames, compressed here from
 * generated captures: the index and every slice agree with the generator's truth, and extracts are
 * byte-identical to those of the plain capture.
 */
class CompressedCaptureTest {
    /** Members or frames of this many bytes of capture: cut anywhere, not at record boundaries. */
    private static final int PIECE = 4096;

    @TempDir
    Path dir;

    enum Packing { GZIP_SINGLE, GZIP_MEMBERS, ZSTD_SINGLE, ZSTD_FRAMES }

    static Stream<Arguments> cases() {
        final List<Arguments> cases = new ArrayList<>();
        long seed = 7100;
        for (Packing p : Packing.values()) {
            for (CaptureFileFormat f : new CaptureFileFormat[] {CaptureFileFormat.values()[0], CaptureFileFormat.PCAPNG_LE}) {
                cases.add(Arguments.of(p, GeneratorSpec.everything(seed++).withFormat(f).withConnections(40)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void shouldSliceEveryConnectionOfACompressedCaptureLikeThePlainOne(final Packing packing, final GeneratorSpec spec)
        throws IOException {
        final Path plain = dir.resolve("cap." + spec.format().extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(spec, plain, conn);
        final Path packed = compress(plain, packing);
        final List<ConnRecord> rows = io.scalpel.testing.ConnLogs.readStrictly(conn);

        try (Scalpel p = Scalpel.open(plain, Scalpel.Options.defaults().withIndex(dir.resolve("plain.idx")));
             Scalpel c = Scalpel.open(packed, Scalpel.Options.defaults().withIndex(dir.resolve("packed.idx")))) {
            assertEquals(truth.frames().size(), c.manifest().packets(), "frames indexed");
            final CompressedLayout layout = c.compression();
            assertEquals(Files.size(plain), layout.decompressedSize(), "decompressed size");
            assertEquals(Files.size(packed), c.manifest().fingerprint().length(), "the fingerprint is the compressed file's");
            final long pieces = (Files.size(plain) + PIECE - 1) / PIECE;
            final boolean many = packing == Packing.GZIP_MEMBERS || packing == Packing.ZSTD_FRAMES;
            assertEquals(many ? pieces : 1, layout.units(), "members or frames");
            assertEquals(many, layout.seekable());
            final Scalpel.Selection all = c.select(rows);
            for (int i = 0; i < rows.size(); i++) {
                final String uid = rows.get(i).uid();
                final long[] expected = truth.framesOf(uid).stream().mapToLong(n -> truth.frame(n).recordOffset()).sorted().toArray();
                assertArrayEquals(expected, all.offsets(i), () -> packing + " " + spec + " " + uid);
            }
            final long[] union = all.union();
            final Path fromPlain = dir.resolve("p.out");
            final Path fromPacked = dir.resolve("c.out");
            p.write(union, null, fromPlain, w -> { });
            c.write(union, null, fromPacked, w -> { });
            assertArrayEquals(Files.readAllBytes(fromPlain), Files.readAllBytes(fromPacked), "extracts byte for byte");
            assertExtractHoldsTheRecords(Files.readAllBytes(plain), Files.readAllBytes(fromPacked), truth, union);
        }
    }

    @Test
    void shouldDecompressOnlyTheMembersHoldingTheWantedPackets() throws IOException {
        final GeneratorSpec spec = GeneratorSpec.everything(7300).withFormat(CaptureFileFormat.values()[0]).withConnections(80);
        final Path plain = dir.resolve("cap.pcap");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(spec, plain, conn);
        final Path packed = compress(plain, Packing.GZIP_MEMBERS);
        final long members = (Files.size(plain) + PIECE - 1) / PIECE;
        Scalpel.index(packed, dir.resolve("idx"), io.scalpel.api.Progress.NONE);
        final List<ConnRecord> rows = io.scalpel.testing.ConnLogs.readStrictly(conn);
        // the connection with the fewest frames late in the capture
        ConnRecord pick = null;
        int fewest = Integer.MAX_VALUE;
        for (ConnRecord r : rows) {
            final List<Integer> frames = truth.framesOf(r.uid());
            if (!frames.isEmpty() && frames.size() < fewest && truth.frame(frames.get(0)).recordOffset() > Files.size(plain) / 2) {
                fewest = frames.size();
                pick = r;
            }
        }
        assertTrue(pick != null, "a connection in the second half");
        final TreeSet<Long> needed = new TreeSet<>(List.of(0L)); // the file header
        for (int n : truth.framesOf(pick.uid())) {
            final TruthFrame f = truth.frame(n);
            for (long m = f.recordOffset() / PIECE; m <= (f.recordOffset() + f.recordLength() - 1) / PIECE; m++) {
                needed.add(m);
            }
        }
        try (Scalpel c = Scalpel.open(packed, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final long written = c.slice(List.of(pick), dir.resolve("one.pcap"));
            assertEquals(truth.framesOf(pick.uid()).size(), written);
            final long read = c.compressedUnitsRead();
            assertTrue(read >= needed.size(), "read " + read + " members, needed " + needed);
            // each pass (confirm, write) reads each needed member at most once, plus one member per restart
            assertTrue(read <= 3 * needed.size(), "read " + read + " members of " + members + ", needed " + needed);
            assertTrue(read < members / 2, "read " + read + " of " + members + " members");
        }
    }

    @Test
    void shouldNameTheCompressedOffsetOfATruncatedOrCorruptFile() throws IOException {
        final Path plain = dir.resolve("cap.pcap");
        CaptureGenerator.generate(GeneratorSpec.everything(7400).withFormat(CaptureFileFormat.values()[0]), plain, dir.resolve("c.log"));
        final byte[] gz = Files.readAllBytes(compress(plain, Packing.GZIP_SINGLE));
        final Path cut = Files.write(dir.resolve("cut.pcap.gz"), Arrays.copyOf(gz, gz.length / 2));
        final CompressedCaptureException truncated = assertThrows(CompressedCaptureException.class,
            () -> Scalpel.index(cut, dir.resolve("cut.idx"), io.scalpel.api.Progress.NONE));
        assertTrue(truncated.getMessage().startsWith(cut + ": compressed byte offset 0: gzip member cut short"), truncated.getMessage());

        final byte[] bad = gz.clone();
        bad[bad.length - 6] ^= 0x55; // inside the trailer's CRC-32
        final Path corrupt = Files.write(dir.resolve("bad.pcap.gz"), bad);
        final CompressedCaptureException crc = assertThrows(CompressedCaptureException.class,
            () -> Scalpel.index(corrupt, dir.resolve("bad.idx"), io.scalpel.api.Progress.NONE));
        assertTrue(crc.getMessage().startsWith(corrupt + ": compressed byte offset " + (bad.length - 8) + ": "), crc.getMessage());
        assertTrue(crc.getMessage().contains("CRC-32"), crc.getMessage());

        final byte[] zst = Files.readAllBytes(compress(plain, Packing.ZSTD_SINGLE));
        final Path zcut = Files.write(dir.resolve("cut.pcap.zst"), Arrays.copyOf(zst, zst.length - 100));
        final CompressedCaptureException z = assertThrows(CompressedCaptureException.class,
            () -> Scalpel.index(zcut, dir.resolve("zcut.idx"), io.scalpel.api.Progress.NONE));
        assertTrue(z.getMessage().startsWith(zcut + ": compressed byte offset 0: zstd frame cut short"), z.getMessage());
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void shouldRecompressIntoASeekableCopyThatOrdinaryDecodersRead(final Compression codec) throws IOException {
        final GeneratorSpec spec = GeneratorSpec.everything(7500).withFormat(CaptureFileFormat.PCAPNG_LE).withConnections(40);
        final Path plain = dir.resolve("cap.pcapng");
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(spec, plain, conn);
        final Path single = compress(plain, codec == Compression.GZIP ? Packing.GZIP_SINGLE : Packing.ZSTD_SINGLE);
        final Path copy = dir.resolve("copy" + (codec == Compression.GZIP ? ".gz" : ".zst"));

        final Recompressor.Result r = Recompressor.recompress(single, copy, codec, 8192);

        final byte[] original = Files.readAllBytes(plain);
        final byte[] back = codec == Compression.GZIP ? gunzip(copy) : Zstd.decompress(Files.readAllBytes(copy), original.length);
        assertArrayEquals(original, back, "the copy decompresses to the capture");
        assertEquals(original.length, r.bytesIn());
        assertTrue(r.members() >= original.length / (8192 + 65536), "members: " + r.members());
        try (Scalpel c = Scalpel.open(copy, Scalpel.Options.defaults().withIndex(dir.resolve("copy.idx")))) {
            assertTrue(c.compression().seekable(), "seekable");
            assertEquals(r.members(), c.compression().units());
            assertEquals(truth.frames().size(), c.manifest().packets());
        }
    }

    static Stream<Compression> codecs() {
        return Stream.of(Compression.values());
    }

    private static byte[] gunzip(final Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static void assertExtractHoldsTheRecords(final byte[] cap, final byte[] ext, final Generated truth, final long[] offsets) {
        int from = 0;
        for (long o : offsets) {
            final TruthFrame f = truth.frames().stream().filter(t -> t.recordOffset() == o).findFirst().orElseThrow();
            final byte[] record = Arrays.copyOfRange(cap, (int) o, (int) o + f.recordLength());
            int at = -1;
            outer:
            for (int i = from; i <= ext.length - record.length; i++) {
                for (int j = 0; j < record.length; j++) {
                    if (ext[i + j] != record[j]) {
                        continue outer;
                    }
                }
                at = i;
                break;
            }
            assertFalse(at < 0, "record at " + o + " in the extract");
            from = at + record.length;
        }
    }

    /** The capture compressed as {@code packing} says, beside it. */
    private Path compress(final Path plain, final Packing packing) throws IOException {
        final byte[] data = Files.readAllBytes(plain);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final boolean gzip = packing == Packing.GZIP_SINGLE || packing == Packing.GZIP_MEMBERS;
        final int piece = packing == Packing.GZIP_MEMBERS || packing == Packing.ZSTD_FRAMES ? PIECE : Math.max(1, data.length);
        for (int at = 0; at < data.length; at += piece) {
            final int n = Math.min(piece, data.length - at);
            if (gzip) {
                try (GZIPOutputStream z = new GZIPOutputStream(new NonClosing(out))) {
                    z.write(data, at, n);
                }
            } else {
                out.write(Zstd.compress(Arrays.copyOfRange(data, at, at + n)));
            }
        }
        return Files.write(dir.resolve(plain.getFileName() + "." + packing.name().toLowerCase() + (gzip ? ".gz" : ".zst")),
            out.toByteArray());
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(final java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
