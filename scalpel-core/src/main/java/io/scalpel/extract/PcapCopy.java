package io.scalpel.extract;

import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Frame;
import java.io.IOException;
import java.io.OutputStream;

/**
 * pcap to pcap: the capture's 24-byte file header (its byte order, timestamp precision, snaplen
 * and link type) and each selected record, header and frame, copied byte for byte. Nothing else
 * is in a pcap to keep or drop.
 */
final class PcapCopy extends ExtractWriter {
    private boolean started;

    PcapCopy(final CaptureSource file, final OutputStream out) {
        super(file, out);
    }

    @Override
    public void start() throws IOException {
        if (!started) {
            started = true;
            copy(PcapEncoder.FILE_HEADER_OFFSET, PcapEncoder.FILE_HEADER_LENGTH);
        }
    }

    @Override
    public void write(final Frame frame) throws IOException {
        start();
        copy(frame.recordOffset(), frame.recordLength());
        frames++;
    }
}
