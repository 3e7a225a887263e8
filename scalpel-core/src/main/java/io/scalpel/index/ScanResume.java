package io.scalpel.index;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.Frame;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngReader;
import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.FlowKey;
import io.scalpel.decode.PacketDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the scan of a grown capture starts from the index of its prefix
 * (docs/design.md, "Growing captures"): the previous index's parts are carried into the new one,
 * all but the open tail, whose rows the scan takes back (its fragments pending again in the
 * fragment tracker, read again from the capture for their keys), and the reader is moved to where
 * the previous scan ended.
 */
final class ScanResume {
    private final Path capture;
    private final Path indexDirectory;
    private final IndexManifest previous;
    /** The directory the previous index is in. */
    private final Path live;

    ScanResume(final Path capture, final Path indexDirectory, final IndexManifest previous, final Path live) {
        this.capture = capture;
        this.indexDirectory = indexDirectory;
        this.previous = previous;
        this.live = live;
    }

    /**
     * Carries the previous parts into {@code staging} (and lists them in {@code parts}), hands the
     * open tail's rows to {@code scan} and moves {@code reader} to the end of the indexed prefix.
     * Returns that offset.
     */
    long prepare(final CaptureReader reader, final IndexDirectory.Staging staging, final IndexScan scan,
                 final List<IndexManifest.Part> parts) throws IOException {
        final IndexManifest.Resume resume = previous.resume();
        if (!previous.captureFormat().equals(reader.format().extension())) {
            throw new IndexException(IndexException.Kind.STALE, "index " + live + " describes a "
                + previous.captureFormat() + " capture, but " + capture + " is " + reader.format().extension());
        }
        for (IndexManifest.Part p : previous.parts()) {
            if (!p.file().equals(resume.openPart())) {
                staging.carry(live, IndexSchema.PACKETS_DIR + "/" + p.file());
                staging.carry(live, IndexSchema.FLOWS_DIR + "/" + p.file());
                parts.add(p);
            }
        }
        if (resume.openPart() != null) {
            IndexManifest.PartFile open = null;
            for (IndexManifest.Part p : previous.parts()) {
                if (p.file().equals(resume.openPart())) {
                    open = p.packetsFile();
                }
            }
            if (open == null) {
                throw new IndexException(IndexException.Kind.CORRUPT, live + ": the index manifest's open part " + resume.openPart()
                    + " is not one of its parts", PacketIndex.rebuildAdvice(capture, indexDirectory));
            }
            takeBack(reader, scan, live.resolve(IndexSchema.PACKETS_DIR).resolve(resume.openPart()), open,
                resume.openFragments(), previous.pcapngBlocks());
        }
        if (reader instanceof PcapReader p) {
            p.seek(resume.offset());
        } else {
            ((PcapngReader) reader).resume(previous.pcapngBlocks(), resume.offset(), resume.lastTimestampNanos());
        }
        return resume.offset();
    }

    /**
     * Takes back the open tail of the previous scan: its rows (from {@code tailRows}, a part
     * file), with the fragments at {@code open} offsets returned to the fragment tracker as
     * pending, read again from the capture for their keys. Every other row keeps the flow and
     * datagram time it was written with.
     */
    private void takeBack(final CaptureReader reader, final IndexScan scan, final Path tailRows,
                          final IndexManifest.PartFile expected, final List<Long> open, final List<PcapngBlock> structure)
        throws IOException {
        final FrameRows rows = scan.rows();
        final Set<Long> pending = new HashSet<>(open);
        // a tunnelled fragment's frame has more rows (its outer layers, with their flows):
        // only its first row is the fragment, the others are kept as they were
        final Set<Long> reopened = new HashSet<>();
        try (CaptureReader again = CaptureReader.on(reader.file())) {
            if (again instanceof PcapngReader ng) {
                ng.layout(structure);
            }
            final Frame f = new Frame();
            final PacketDecoder d = new PacketDecoder();
            final DecodedPacket dp = new DecodedPacket();
            PacketRows.scanPart(tailRows, expected, PacketIndex.rebuildAdvice(capture, indexDirectory),
                (ts, offset, chunkRef, flowRef, dgramTs) -> {
                    if (!pending.contains(offset) || !reopened.add(offset)) {
                        rows.keep(ts, offset, chunkRef, flowRef, dgramTs);
                        return;
                    }
                    again.readAt(offset, f);
                    d.decode(f.linkType(), f.buffer(), f.dataOffset(), f.capturedLength(), dp);
                    final FlowKey key = dp.innermost();
                    if (key == null || !key.isFragment() || (f.timestampKnown() && f.timestampNanos() != ts)) {
                        throw new IndexException(IndexException.Kind.STALE, capture + ": byte offset " + offset
                            + ": the IP fragment indexed here is not there any more; re-run `scalpel index --rebuild`");
                    }
                    rows.reopen(key, dp.outerVlan(), dp.innerVlan(), ts, offset, f.originalLength());
                });
        }
        scan.flushIfFull();
    }
}
