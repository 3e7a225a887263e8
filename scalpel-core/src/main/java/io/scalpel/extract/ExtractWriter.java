package io.scalpel.extract;

import io.scalpel.capture.CaptureFormat;
import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.CaptureSource;
import io.scalpel.capture.Frame;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.decode.LinkTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes selected frames of one capture as a new capture. {@link #create} chooses the strategy
 * from the capture's format and the output's:
 *
 * <table>
 * <caption>Strategies</caption>
 * <tr><th>capture</th><th>output</th><th>strategy</th></tr>
 * <tr><td>pcap</td><td>pcap</td><td>{@code PcapCopy}: the file header and the records as they are</td></tr>
 * <tr><td>pcapng</td><td>pcapng</td><td>{@code PcapngCopy}: the blocks that still apply, packet blocks as they are</td></tr>
 * <tr><td>pcapng</td><td>pcap</td><td>{@code PcapngToPcap}: one link type, nanosecond records</td></tr>
 * <tr><td>pcap</td><td>pcapng</td><td>{@code PcapToPcapng}: one section, one interface</td></tr>
 * </table>
 *
 * <p>A writer is used as {@link #start()}, {@link #write(Frame)} for each frame (as the capture's
 * reader read it), then {@link #finish()}.
 */
public abstract class ExtractWriter {
    final CaptureSource file;
    final OutputStream out;
    private final CaptureCopy copy = new CaptureCopy();
    long frames;

    ExtractWriter(final CaptureSource file, final OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /**
     * A writer from {@code source}'s format into {@code target}; for pcapng to pcapng, the frames
     * must come in capture order.
     *
     * @param structure     pcapng section, interface and other non-packet blocks of the source, in file order
     *                      (empty for pcap)
     * @param firstSection  pcapng: the section of the first frame to be written (written alone when no frame follows)
     * @param clientRandoms pcapng: the client randoms (64 lower-case hex digits) of the TLS ClientHellos among the
     *                      frames to be written, whose key-log lines are kept; null to drop every decryption secret
     * @param linkTypes     link types of the frames to be written (checked when converting to pcap)
     * @param warnings      receives warnings such as a lossy timestamp resolution
     * @throws IllegalArgumentException when the conversion cannot be lossless in link types
     */
    public static ExtractWriter create(final CaptureReader source, final List<PcapngBlock> structure, final int firstSection,
                                       final Set<String> clientRandoms, final CaptureFormat target,
                                       final Set<Integer> linkTypes, final OutputStream out, final Consumer<String> warnings) {
        final CaptureSource file = source.file();
        if (source.format() == target) {
            return target == CaptureFormat.PCAP ? new PcapCopy(file, out)
                : new PcapngCopy(file, structure, firstSection, new KeptSecrets(file, clientRandoms, warnings), out);
        }
        if (target == CaptureFormat.PCAP) {
            if (linkTypes.size() > 1) {
                throw new IllegalArgumentException("cannot write one pcap from frames of several link types " + linkTypes
                    + ": pcap has one link type per file; use --format pcapng or --split-dir");
            }
            final int linkType = linkTypes.isEmpty() ? LinkTypes.LINKTYPE_ETHERNET : linkTypes.iterator().next();
            return new PcapngToPcap(file, out, linkType, warnings);
        }
        final PcapReader pcap = (PcapReader) source;
        return new PcapToPcapng(file, out, pcap.linkType(), pcap.snaplen(), pcap.nanosecondResolution());
    }

    /** Writes the header even when no frame follows; idempotent. */
    public abstract void start() throws IOException;

    /** Writes one frame (as read by the source reader). */
    public abstract void write(Frame frame) throws IOException;

    /** Writes what is still to be written after the last frame (at least the header), and flushes. */
    public void finish() throws IOException {
        start();
        out.flush();
    }

    /** Frames written. */
    public long frames() {
        return frames;
    }

    /** Copies the {@code length} bytes of the capture at {@code offset} to the output as they are. */
    final void copy(final long offset, final long length) throws IOException {
        copy.copy(file, offset, length, out);
    }
}
