package io.scalpel.extract;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Frame;
import java.io.IOException;
import java.io.OutputStream;

/**
 * pcap to pcapng: one little-endian section with one interface, of the pcap's link type and
 * snaplen, with {@code if_tsresol} 9 when the pcap has nanosecond timestamps (none, meaning
 * microseconds, otherwise); each record becomes an enhanced packet block of that interface with
 * its captured bytes, original length and timestamp ({@link PcapngEncoder}). A pcap holds nothing
 * else, so nothing is dropped.
 */
final class PcapToPcapng extends ExtractWriter {
    /** The id of the one interface. */
    private static final int INTERFACE = 0;
    private static final long NANOS_PER_MICROSECOND = 1000L;
    private final int linkType;
    private final int snaplen;
    private final boolean nanos;
    private final PcapngEncoder encoder = new PcapngEncoder();
    private boolean started;

    PcapToPcapng(final CaptureSource file, final OutputStream out, final int linkType, final int snaplen, final boolean nanos) {
        super(file, out);
        this.linkType = linkType;
        this.snaplen = snaplen;
        this.nanos = nanos;
    }

    @Override
    public void start() throws IOException {
        if (!started) {
            started = true;
            out.write(PcapngEncoder.sectionHeader());
            out.write(PcapngEncoder.interfaceDescription(linkType, snaplen, null, nanos));
        }
    }

    @Override
    public void write(final Frame frame) throws IOException {
        start();
        final long units = nanos ? frame.timestampNanos() : Math.floorDiv(frame.timestampNanos(), NANOS_PER_MICROSECOND);
        encoder.writeEnhancedPacket(INTERFACE, units, frame, out);
        frames++;
    }
}
