package io.scalpel.extract;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * pcapng to pcap: a little-endian, nanosecond pcap of the frames' one link type
 * ({@link PcapEncoder}); each frame keeps its captured bytes, original length and timestamp.
 * Everything pcap has no place for is dropped: sections, interfaces and their options, packet
 * block options, name resolution, statistics, custom blocks and decryption secrets. Timestamps
 * finer than a nanosecond are cut to nanoseconds, and a simple packet block, which has no
 * timestamp, takes the previous packet's; each loss is warned of once.
 */
final class PcapngToPcap extends ExtractWriter {
    private final int linkType;
    private final Consumer<String> warnings;
    private final PcapEncoder encoder = new PcapEncoder();
    private boolean started;
    private boolean warnedLossy;
    private boolean warnedResolution;

    PcapngToPcap(final CaptureSource file, final OutputStream out, final int linkType, final Consumer<String> warnings) {
        super(file, out);
        this.linkType = linkType;
        this.warnings = warnings;
    }

    @Override
    public void start() throws IOException {
        if (!started) {
            started = true;
            out.write(PcapEncoder.fileHeader(linkType));
        }
    }

    @Override
    public void write(final Frame frame) throws IOException {
        start();
        if (!frame.timestampKnown() && !warnedLossy) {
            warnedLossy = true;
            warnings.accept("simple packet blocks have no timestamp: they get the previous packet's in the pcap");
        }
        if (frame.finerThanNanoseconds() && !warnedResolution) {
            warnedResolution = true;
            warnings.accept("timestamps finer than a nanosecond are cut to nanoseconds in the pcap");
        }
        encoder.writeRecord(frame, out);
        frames++;
    }
}
