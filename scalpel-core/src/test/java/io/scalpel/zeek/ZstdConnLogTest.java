package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.scalpel.testing.ZstdBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * zstd conn.logs as other tools write them: pzstd's (a skippable frame before each frame) read like
 * the plain log; one whose frame needs a window beyond the reader's limit refused with a message
 * that says so and how to recompress it. The oracle is the plain log's rows.
 */
class ZstdConnLogTest {
    private static final String LOG = String.join("\n",
        "#separator \\x09",
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto",
        "#types\ttime\tstring\taddr\tport\taddr\tport\tenum",
        "1700000000.000001\tCone\t10.0.0.1\t1000\t10.0.0.2\t53\tudp",
        "1700000000.000002\tCtwo\t10.0.0.1\t1001\t10.0.0.2\t53\tudp") + "\n";

    @Test
    void shouldReadAConnLogWhoseFramesFollowSkippableFrames() throws IOException {
        final byte[] text = LOG.getBytes(StandardCharsets.US_ASCII);
        final int half = LOG.indexOf("1700000000.000002");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ZstdBytes.skippable(0, 4));
        out.writeBytes(Zstd.compress(java.util.Arrays.copyOfRange(text, 0, half)));
        out.writeBytes(ZstdBytes.skippable(3, 8));
        out.writeBytes(Zstd.compress(java.util.Arrays.copyOfRange(text, half, text.length)));

        assertEquals(List.of("Cone", "Ctwo"), uids(out.toByteArray()));
    }

    @Test
    void shouldRefuseAFrameWhoseWindowIsBeyondTheLimitAndSayHowToRecompressIt() {
        final byte[] packed = ZstdBytes.rawFrame(LOG.getBytes(StandardCharsets.US_ASCII), 31);

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> uids(packed));

        assertTrue(e.getMessage().startsWith("conn.log.zst line 1: unreadable zstd data: zstd frame needs a window of 2048 MiB,"
            + " more than the 128 MiB this reader decodes with"), e.getMessage());
        assertTrue(e.getMessage().contains("zstd -d --long=31"), e.getMessage());
        assertTrue(!e.getMessage().contains("scalpel index"), "a conn.log is not a capture: " + e.getMessage());
    }

    private static List<String> uids(final byte[] log) throws IOException {
        final List<String> uids = new ArrayList<>();
        try (ConnLogReader r = ConnLogReader.open(new ByteArrayInputStream(log), "conn.log.zst", (s, l, m) -> {
            throw new AssertionError("line " + l + ": " + m);
        })) {
            ConnRecord c;
            while ((c = r.next()) != null) {
                uids.add(c.uid());
            }
        }
        return uids;
    }
}
