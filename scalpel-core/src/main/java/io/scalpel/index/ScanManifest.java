package io.scalpel.index;

import io.scalpel.capture.CaptureReader;
import io.scalpel.capture.CompressedFile;
import io.scalpel.capture.PcapReader;
import io.scalpel.capture.PcapngBlock;
import io.scalpel.capture.PcapngReader;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The manifest of an index from what one scan found ({@link FrameRows}, the reader's file header
 * or pcapng blocks, the parts written), merged with the previous manifest when the scan extended
 * an index: link types, time range, warnings and fragment lag of both, the pcapng blocks kept
 * within their bound, the parts of both.
 */
final class ScanManifest {
    private ScanManifest() {
    }

    /**
     * Where the next scan of the grown capture picks up: after the last record read, with the
     * chunk and part numbering continued, the open tail and its fragments, and the last record
     * indexed (the previous scan's when this one added none).
     *
     * @param previous the resume point of the index this scan extended, or null
     * @param nextPart the number of the part after the last this scan wrote ({@link PartPipeline#commit})
     */
    static IndexManifest.Resume resume(final CaptureReader reader, final IndexScan scan, final IndexManifest.Resume previous,
                                       final int nextPart) {
        final IndexManifest.LastRecord last = scan.rows().lastRecord();
        return new IndexManifest.Resume(reader.position(), scan.pipeline().nextChunk(),
            reader instanceof PcapngReader ng ? ng.lastTimestampNanos() : 0, nextPart,
            scan.pipeline().tailFile(), List.copyOf(scan.openFragments()),
            last != null ? last : previous != null ? previous.lastRecord() : null);
    }

    /** The manifest of the index: this scan's, merged with {@code previous} when it extends one. */
    static IndexManifest of(final Path capture, final CaptureReader reader, final FrameRows rows,
                            final CaptureFingerprint fingerprint, final IndexManifest previous,
                            final List<IndexManifest.Part> parts, final IndexManifest.Resume resume,
                            final IndexManifest.LookupFile lookup) {
        String byteOrder = null;
        Boolean nanos = null;
        Integer snaplen = null;
        Integer linkTypeField = null;
        List<PcapngBlock> blocks = null;
        if (reader instanceof PcapReader p) {
            byteOrder = p.byteOrder() == ByteOrder.BIG_ENDIAN ? "big" : "little";
            nanos = p.nanosecondResolution();
            snaplen = p.snaplen();
            linkTypeField = p.linkTypeField();
        } else if (reader instanceof PcapngReader ng) {
            blocks = pcapngBlocks(previous, ng);
        }
        long allRows = 0;
        long allFlows = 0;
        for (IndexManifest.Part p : parts) {
            allRows += p.packets();
            allFlows += p.flows();
        }
        // rows for outer IP layers: this scan's, plus the earlier scans' (an open tail taken
        // back keeps its rows without counting them again)
        final long outer = rows.outerRows() + (previous != null ? previous.outerRows() : 0);
        final TreeSet<Integer> linkTypes = new TreeSet<>(rows.linkTypes());
        long first = rows.firstTimestampNanos();
        long last = rows.lastTimestampNanos();
        long warnings = reader.warningCount();
        long lag = rows.maxFragmentLagNanos();
        if (previous != null) {
            linkTypes.addAll(previous.linkTypes());
            first = Math.min(first, previous.firstTimestampNanos());
            last = Math.max(last, previous.lastTimestampNanos());
            warnings += previous.warnings();
            lag = Math.max(lag, previous.maxFragmentLagNanos());
        }
        return new IndexManifest(IndexManifest.FORMAT, IndexManifest.VERSION, Version.WRITER,
            capture.getFileName().toString(), reader.format().extension(), fingerprint,
            byteOrder, nanos, snaplen, linkTypeField, new ArrayList<>(linkTypes), blocks,
            allRows - outer, allFlows, first, last, reader.truncatedTailOffset(), warnings, lag, outer, parts, resume,
            reader.file() instanceof CompressedFile c ? c.layout() : null, lookup);
    }

    /**
     * The pcapng blocks of the index: the previous manifest's, then this scan's, every structural
     * block and at most {@link PcapngReader#MAX_BLOCKS_KEPT} others in all.
     */
    private static List<PcapngBlock> pcapngBlocks(final IndexManifest previous, final PcapngReader ng) {
        final List<PcapngBlock> blocks = new ArrayList<>();
        if (previous != null && previous.pcapngBlocks() != null) {
            blocks.addAll(previous.pcapngBlocks());
        }
        int others = 0;
        for (PcapngBlock b : blocks) {
            others += b.isStructural() ? 0 : 1;
        }
        for (PcapngBlock b : ng.blocks()) {
            if (b.isStructural() || others++ < PcapngReader.MAX_BLOCKS_KEPT) {
                blocks.add(b);
            }
        }
        return blocks;
    }
}
