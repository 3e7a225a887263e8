package io.scalpel.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code capture=}, a connection held by several captures that cannot make one pcap comes
 * back as one pcapng ({@link PcapngMerge}): the same traffic written as a little-endian pcapng, a
 * big-endian pcapng and a µs pcap, served as three captures, so that every packet is in all three.
 * tshark reads the merged file, and its frames (time, length, MD5 of the bytes, link type) are the
 * frames tshark reads from the three captures' own extracts, merged by time (the first capture's
 * first on a tie), frame for frame, and the other blocks tshark shows (without a time) as many; the
 * interfaces are one per link type, snap length and time unit.
 * {@code format=pcap} asks for one pcap, which these cannot be: a 409.
 */
class PcapngMergeTest {
    @TempDir
    Path dir;

    @Test
    void shouldMergeExtractsOfPcapngAndPcapCapturesIntoOnePcapngInTimeOrder() throws Exception {
        Assumptions.assumeTrue(tshark(), "tshark is not installed: the merged pcapng is checked with it (apt-get install tshark)");
        final Path log = dir.resolve("conn.log");
        final GeneratorSpec spec = GeneratorSpec.defaults(47).withConnections(12);
        final Path le = Files.createDirectories(dir.resolve("le")).resolve("le.pcapng");
        final Path be = Files.createDirectories(dir.resolve("be")).resolve("be.pcapng");
        final Path us = Files.createDirectories(dir.resolve("us")).resolve("us.pcap");
        final Generated truth = CaptureGenerator.generate(spec.withFormat(CaptureFileFormat.PCAPNG_LE), le, log);
        CaptureGenerator.generate(spec.withFormat(CaptureFileFormat.PCAPNG_BE), be, dir.resolve("be-conn.log"));
        CaptureGenerator.generate(spec.withFormat(CaptureFileFormat.PCAP_USEC_LE), us, dir.resolve("us-conn.log"));
        assertEquals(Files.readString(log), Files.readString(dir.resolve("be-conn.log")), "one traffic in every format");
        int merged = 0;
        try (ServeFixture serve = new ServeFixture(List.of(le, be, us), log, null, 8, 1L << 30, 1000)) {
            for (TruthConn conn : truth.conns()) {
                if (truth.framesOf(conn.uid()).isEmpty()) {
                    continue;
                }
                final HttpResponse<byte[]> r = serve.get("/api/v1/slice?uid=" + conn.uid());
                assertEquals(200, r.statusCode(), conn.uid() + ": " + ServeFixture.text(r));
                assertEquals("application/x-pcapng", r.headers().firstValue("Content-Type").orElse(""), conn.uid());
                final List<String> expected = new ArrayList<>();
                final List<List<String[]>> each = new ArrayList<>();
                for (Path capture : List.of(le, be, us)) {
                    final byte[] extract = ServeFixture.apiExtract(capture, log, List.of(conn.uid()), null, dir);
                    if (extract.length > 0) {
                        each.add(frames(write(extract)));
                    }
                }
                assertEquals(3, each.size(), conn.uid() + ": one traffic, packets in each capture");
                final List<String[]> all = new ArrayList<>();
                each.forEach(all::addAll);
                final long records = all.stream().filter(f -> f[0].isEmpty()).count();
                all.removeIf(f -> f[0].isEmpty()); // what tshark shows of a block that is not a packet: no time
                all.sort(Comparator.comparing((String[] f) -> new java.math.BigDecimal(f[0]))); // stable: the captures' order on a tie
                all.forEach(f -> expected.add(String.join(" ", java.util.Arrays.asList(f).subList(0, 5))));
                final List<String> got = new ArrayList<>();
                final List<String[]> read = frames(write(r.body()));
                assertEquals(records, read.stream().filter(f -> f[0].isEmpty()).count(), conn.uid() + ": the blocks that are not packets");
                read.stream().filter(f -> !f[0].isEmpty()).forEach(f -> got.add(String.join(" ", java.util.Arrays.asList(f).subList(0, 5))));
                assertEquals(expected, got, conn.uid() + ": tshark's frames of the merged file");
                final long used = read.stream().filter(f -> !f[0].isEmpty()).map(f -> f[5]).distinct().count();
                assertEquals(used, interfaces(r.body()), conn.uid() + ": every interface described is used");
                final long apart = each.stream().mapToLong(fs -> fs.stream().filter(f -> !f[0].isEmpty()).map(f -> f.length > 5 ? f[5]
                    : "pcap").distinct().count()).sum();
                assertTrue(used < apart, conn.uid() + ": the two pcapng captures' interfaces are one (" + used + " of " + apart + ")");
                assertEquals(409, serve.get("/api/v1/slice?format=pcap&uid=" + conn.uid()).statusCode());
                merged++;
            }
        }
        assertTrue(merged > 5, "connections merged: " + merged);
    }

    @Test
    void shouldRefuseWith409APcapngExtractWithASimplePacketBlock() {
        final ByteBuffer b = ByteBuffer.allocate(28 + 20 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        b.putInt(1).putInt(20).putShort((short) 1).putShort((short) 0).putInt(0).putInt(20);
        b.putInt(3).putInt(16).putInt(0).putInt(16); // a simple packet block of no bytes
        final PcapMerge.Extract spb = new PcapMerge.Extract("spb.pcapng", b.array());
        final ApiError e = assertThrows(ApiError.class, () -> PcapngMerge.write(List.of(spb, spb), new ByteArrayOutputStream()));
        assertEquals(409, e.status());
        assertEquals("the extract of spb.pcapng has a simple packet block at byte 48, which carries no time to merge by;"
            + " name one capture with capture=", e.getMessage());
    }

    @Test
    void shouldRefuseWith409AnExtractCutShort() {
        final byte[] whole = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D)
            .putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28).array();
        final byte[] cut = java.util.Arrays.copyOf(whole, 20);
        final ApiError e = assertThrows(ApiError.class, () -> PcapngMerge.write(List.of(new PcapMerge.Extract("a.pcapng", whole),
            new PcapMerge.Extract("b.pcapng", cut)), new ByteArrayOutputStream()));
        assertEquals(409, e.status());
        assertEquals("the extract of b.pcapng is not a whole pcap or pcapng file (at byte 0); name one capture with capture=",
            e.getMessage());
    }

    private Path write(final byte[] bytes) throws IOException {
        final Path f = Files.createTempFile(dir, "extract", ".cap");
        Files.write(f, bytes);
        return f;
    }

    /** Each frame as tshark reads it: epoch time, length, captured length, MD5 of its bytes, encapsulation, interface (pcapng). */
    private static List<String[]> frames(final Path capture) throws Exception {
        final Process p = new ProcessBuilder("tshark", "-n", "-r", capture.toString(), "-o", "frame.generate_md5_hash:TRUE",
            "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.md5_hash",
            "-e", "frame.encap_type", "-e", "frame.interface_id").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark ends");
        assertEquals(0, p.exitValue(), "tshark reads " + capture);
        final List<String[]> frames = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                frames.add(line.split("\t"));
            }
        }
        return frames;
    }

    /** The interface description blocks of a little-endian pcapng. */
    private static int interfaces(final byte[] pcapng) {
        final ByteBuffer b = ByteBuffer.wrap(pcapng).order(ByteOrder.LITTLE_ENDIAN);
        int n = 0;
        for (int at = 0; at + 8 <= b.limit(); at += b.getInt(at + 4)) {
            n += b.getInt(at) == 1 ? 1 : 0;
        }
        return n;
    }

    private static boolean tshark() {
        try {
            return new ProcessBuilder("tshark", "-v").redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
