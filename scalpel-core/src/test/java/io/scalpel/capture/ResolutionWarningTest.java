package io.scalpel.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testing.CaptureBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Converting to pcap (nanoseconds at best) warns when the capture's timestamps were finer. */
class ResolutionWarningTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"12, true, 1234567890", "9, false, 1234567890123", "168, true, 0", "138, false, 0", "6, false, 1234567890123000"})
    void shouldWarnOnlyWhenConvertingSubNanosecondTimestampsToPcap(final int tsresol, final boolean lossy, final long nanos)
        throws IOException {
        final long units = 1_234_567_890_123L;
        final Path capture = new CaptureBytes(ByteOrder.LITTLE_ENDIAN)
            .shb()
            .idb(1, 0, tsresol, 0)    // Ethernet, the resolution under test
            .epb(0, units, 60, 60)    // one frame at 1 234 567 890 123 units
            .writeTo(dir.resolve("res.pcapng"));
        final List<String> warnings = new ArrayList<>();
        final Path out = dir.resolve("out.pcap");
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            final long[] all = scalpel.selectWindow(Long.MIN_VALUE, Long.MAX_VALUE);
            assertEquals(1, all.length);
            scalpel.write(all, CaptureFormat.PCAP, out, warnings::add);
        }
        assertEquals(lossy, warnings.stream().anyMatch(w -> w.contains("finer than a nanosecond")), warnings.toString());
        final ByteBuffer pcap = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        final long written = pcap.getInt(24) * 1_000_000_000L + pcap.getInt(28);
        if (nanos > 0) {
            assertEquals(nanos, written, "timestamp in ns");
        } else {
            assertTrue(written > 0);
        }
    }
}
