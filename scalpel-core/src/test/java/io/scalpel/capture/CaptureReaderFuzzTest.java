package io.scalpel.capture;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;

/**
 * Fuzz tests of the capture readers (see docs/robustness.md). Without {@code JAZZER_FUZZ} they run
 * the committed inputs under {@code CaptureReaderFuzzTestInputs/} as regression tests; with
 * {@code JAZZER_FUZZ=1} one of them (chosen with {@code -Dtest=CaptureReaderFuzzTest#method})
 * is fuzzed for its {@code maxDuration}.
 */
class CaptureReaderFuzzTest {
    private static final CaptureFuzzTarget PCAP = new CaptureFuzzTarget("fuzz-pcap");
    private static final CaptureFuzzTarget PCAPNG = new CaptureFuzzTarget("fuzz-pcapng");

    /** Any bytes at all as a classic pcap file (the seeds are small valid captures of every link type to mutate). */
    @FuzzTest(maxDuration = "4m")
    void pcapFile(final byte[] bytes) throws IOException {
        PCAP.read(bytes);
    }

    /** Any bytes at all as a pcapng file (the seeds are small valid sections to mutate). */
    @FuzzTest(maxDuration = "4m")
    void pcapngFile(final byte[] bytes) throws IOException {
        PCAPNG.read(bytes);
    }
}
