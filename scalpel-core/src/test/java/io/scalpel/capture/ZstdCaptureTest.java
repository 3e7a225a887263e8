package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.scalpel.api.Scalpel;
import io.scalpel.testing.UdpCapture;
import io.scalpel.testing.ZstdBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zstd captures as other tools write them: pzstd's, whose frames each follow a skippable frame,
 * are read like any other; one whose frame needs a window beyond what the reader decodes with
 * ({@code zstd --long=31} on a stream) is refused with a message that says so and how to
 * recompress it. The oracle is the plain capture: its index and its extract.
 */
class ZstdCaptureTest {
    private static final int FRAMES = 2000;

    @TempDir
    Path dir;

    @Test
    void shouldReadACaptureWhoseZstdFramesFollowSkippableFrames() throws IOException {
        final Path plain = UdpCapture.write(dir.resolve("udp.pcap"), FRAMES);
        final byte[] data = Files.readAllBytes(plain);
        final int half = data.length / 2;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ZstdBytes.skippable(0, 4));   // what pzstd writes before each frame: the frame's size
        out.writeBytes(Zstd.compress(Arrays.copyOfRange(data, 0, half)));
        out.writeBytes(ZstdBytes.skippable(15, 12));
        out.writeBytes(Zstd.compress(Arrays.copyOfRange(data, half, data.length)));
        final Path packed = Files.write(dir.resolve("udp.pcap.zst"), out.toByteArray());

        try (Scalpel p = Scalpel.open(plain, Scalpel.Options.defaults().withIndex(dir.resolve("plain.idx")));
             Scalpel z = Scalpel.open(packed, Scalpel.Options.defaults().withIndex(dir.resolve("packed.idx")))) {
            assertEquals(FRAMES, z.manifest().packets());
            final long[] all = p.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);
            assertArrayEquals(all, z.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE));
            final Path fromPlain = dir.resolve("p.out");
            final Path fromPacked = dir.resolve("z.out");
            p.write(all, null, fromPlain, w -> { });
            z.write(all, null, fromPacked, w -> { });
            assertArrayEquals(Files.readAllBytes(fromPlain), Files.readAllBytes(fromPacked), "extracts byte for byte");
        }
    }

    @Test
    void shouldRefuseAFrameWhoseWindowIsBeyondTheLimitAndSayHowToRecompressIt() throws IOException {
        final byte[] data = Files.readAllBytes(UdpCapture.write(dir.resolve("udp.pcap"), FRAMES));
        final Path packed = Files.write(dir.resolve("long.pcap.zst"), ZstdBytes.rawFrame(data, 31));

        final CaptureFormatException e = assertThrows(CaptureFormatException.class,
            () -> Scalpel.index(packed, dir.resolve("idx"), io.scalpel.api.Progress.NONE));

        assertTrue(e.getMessage().startsWith(packed + ": compressed byte offset 0: zstd frame needs a window of 2048 MiB, more than"
            + " the 128 MiB this reader decodes with"), e.getMessage());
        assertTrue(e.getMessage().contains("zstd -d --long=31"), e.getMessage());
        assertTrue(e.getMessage().contains("scalpel index --recompress"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void shouldReadAFrameWithTheLargestWindowItDecodes() throws IOException {
        final byte[] data = Files.readAllBytes(UdpCapture.write(dir.resolve("udp.pcap"), FRAMES));
        final Path packed = Files.write(dir.resolve("window27.pcap.zst"), ZstdBytes.rawFrame(data, 27));

        final io.scalpel.api.IndexReport r = Scalpel.index(packed, dir.resolve("idx"), io.scalpel.api.Progress.NONE);

        assertEquals(FRAMES, r.packets());
    }
}
