package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.PcapFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `scalpel index` and `scalpel slice` on gzip captures, `index --recompress`, and the error row of a cut-short gzip. */
class CompressedCaptureCliTest {
    @TempDir
    Path dir;
    Path plain;
    Path conn;
    Path gz;
    Generated truth;
    String uid;

    @BeforeEach
    void generate() throws IOException {
        plain = dir.resolve("cap.pcap");
        conn = dir.resolve("conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.everything(8100).withFormat(CaptureFileFormat.PCAP_USEC_LE).withConnections(30),
            plain, conn);
        uid = truth.conns().stream().filter(c -> !truth.framesOf(c.uid()).isEmpty()).findFirst().orElseThrow().uid();
        gz = dir.resolve("cap.pcap.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(plain, out);
        }
    }

    @Test
    void shouldSliceAGzipCaptureLikeThePlainOneAndSaySoOnStderrAndInJson() throws IOException {
        final Cli index = Cli.run("index", "--json", gz.toString());
        assertEquals(0, index.exit(), index::toString);
        final JsonNode summary = new ObjectMapper().readTree(index.out());
        assertEquals(truth.frames().size(), summary.get("packets").asLong());
        assertEquals("gzip", summary.get("compression").get("codec").asText());
        assertFalse(summary.get("compression").get("seekable").asBoolean());
        assertEquals(Files.size(plain), summary.get("compression").get("decompressed_bytes").asLong());

        final Path a = dir.resolve("a.pcap");
        final Path b = dir.resolve("b.pcap");
        final Cli p = Cli.run("slice", plain.toString(), "--conn", conn.toString(), "--uid", uid, "-w", a.toString());
        final Cli c = Cli.run("slice", gz.toString(), "--conn", conn.toString(), "--uid", uid, "-w", b.toString(), "--json");
        assertEquals(0, p.exit(), p::toString);
        assertEquals(0, c.exit(), c::toString);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "extracts byte for byte");
        assertTrue(c.err().contains("scalpel: cap.pcap.gz: single gzip stream; slicing decompresses from the start up to the last packet needed"),
            c::toString);
        final JsonNode s = new ObjectMapper().readTree(c.out());
        assertEquals(truth.framesOf(uid).size(), s.get("packets").asInt());
        assertTrue(s.get("compression").get("members_read").asLong() >= 1, c::toString);
    }

    @Test
    void shouldRecompressIntoASeekableGzipThatJavaReadsAndIndexIt() throws IOException {
        final Path copy = dir.resolve("copy.pcap.gz");

        final Cli r = Cli.run("index", "--recompress", copy.toString(), gz.toString());

        assertEquals(0, r.exit(), r::toString);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(copy))) {
            assertArrayEquals(Files.readAllBytes(plain), in.readAllBytes(), "the copy is the capture");
        }
        assertTrue(r.err().contains("scalpel: wrote " + copy + ": " + Files.size(plain) + " bytes of capture in "), r::toString);
        assertTrue(Files.isRegularFile(dir.resolve("copy.pcap.gz.scalpel/manifest.json")), "the copy is indexed");
        final Path b = dir.resolve("b.pcap");
        final Cli c = Cli.run("slice", copy.toString(), "--conn", conn.toString(), "--uid", uid, "-w", b.toString());
        assertEquals(0, c.exit(), c::toString);
        assertEquals(truth.framesOf(uid).size(), PcapFile.read(b).records.size(), c::toString);
    }

    @Test
    void shouldExitWithBadInputNamingTheCompressedOffsetOfACutShortGzip() throws IOException {
        final byte[] bytes = Files.readAllBytes(gz);
        final Path cut = Files.write(dir.resolve("cut.pcap.gz"), Arrays.copyOf(bytes, bytes.length / 2));

        final Cli r = Cli.run("index", "-q", cut.toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertTrue(r.err().startsWith("scalpel: " + cut + ": compressed byte offset 0: gzip member cut short: the file ends (at compressed byte "
            + bytes.length / 2 + ")"), r::toString);
        assertFalse(Files.exists(dir.resolve("cut.pcap.gz.scalpel/manifest.json")), "no index");
    }
}
