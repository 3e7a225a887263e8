package io.scalpel.api;

import io.scalpel.index.IndexBuilder;
import io.scalpel.index.IndexManifest;
import java.nio.file.Path;
import java.util.List;

/**
 * What bringing one capture's index up to date did ({@link Scalpel#index}).
 *
 * @param capture             the capture
 * @param indexDirectory      its index directory
 * @param mode                built, rebuilt, extended or left unchanged
 * @param captureFormat       "pcap" or "pcapng"
 * @param packets             packets the index now holds
 * @param flows               flows the index now holds
 * @param captureBytes        bytes of the capture (compressed size for a gzip or zstd capture)
 * @param recordsScanned      records this run scanned (0 when unchanged)
 * @param scannedFrom         byte offset this run's scan started at (0 unless extended)
 * @param elapsedNanos        how long the run took
 * @param indexBytes          bytes of the index directory
 * @param linkTypes           every link type seen
 * @param firstTimestampNanos the first packet's time (ns since the epoch; meaningless when there are no packets)
 * @param lastTimestampNanos  the last packet's time
 * @param truncatedTailOffset byte offset of an incomplete last record, or -1
 * @param nonIpFrames         frames this run scanned that carry no IP
 * @param undecodedFrames     frames this run could not decode
 * @param warnings            the warnings this run gave (at most a few; see {@code warningCount})
 * @param warningCount        warnings the index holds in all
 * @param compression         how a compressed capture is laid out; null for a plain one
 * @param replaced            why an index was rebuilt, or null
 */
public record IndexReport(Path capture, Path indexDirectory, Mode mode, String captureFormat, long packets, long flows,
                          long captureBytes, long recordsScanned, long scannedFrom, long elapsedNanos, long indexBytes,
                          List<Integer> linkTypes, long firstTimestampNanos, long lastTimestampNanos, long truncatedTailOffset,
                          long nonIpFrames, long undecodedFrames, List<String> warnings, long warningCount,
                          CaptureCompression compression, String replaced) {

    /** What a run did to the index. */
    public enum Mode {
        /** There was no index: built from the start of the capture. */
        BUILT,
        /** An index was replaced by one built from the start (stale, other version, unreadable, or asked for). */
        REBUILT,
        /** The capture grew: only the bytes after the indexed prefix were scanned and added. */
        EXTENDED,
        /** The index already described the capture as it is: nothing was scanned or written. */
        UNCHANGED
    }

    /**
     * Bytes this run scanned: the whole capture, or what an extension added.
     *
     * @return the bytes scanned
     */
    public long bytesScanned() {
        return mode == Mode.EXTENDED || mode == Mode.UNCHANGED ? captureBytes - scannedFrom : captureBytes;
    }

    static IndexReport of(final Path capture, final IndexBuilder.Result r) {
        final IndexManifest m = r.manifest();
        return new IndexReport(capture, r.indexDirectory(), Mode.valueOf(r.mode().name()), m.captureFormat(), m.packets(),
            m.flows(), m.fingerprint().length(), r.recordsScanned(), r.scannedFrom(), r.elapsedNanos(), r.indexBytes(),
            List.copyOf(m.linkTypes()), m.firstTimestampNanos(), m.lastTimestampNanos(), m.truncatedTailOffset(),
            r.nonIpFrames(), r.undecodedFrames(), List.copyOf(r.warnings()), m.warnings(),
            CaptureCompression.of(m.compression()), r.replaced());
    }

    static IndexBuilder.Progress internal(final Progress p) {
        return p == null ? IndexBuilder.Progress.NONE : p::update;
    }
}
