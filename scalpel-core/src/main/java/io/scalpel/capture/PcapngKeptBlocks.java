package io.scalpel.capture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The non-packet blocks a pcapng scan keeps, for extracts to copy and for reads at an offset to
 * find their section and interfaces ({@link PcapngReader#blocks()}), bounded whatever the file
 * holds: the blocks of a section are kept once it holds a packet (the first section, and the
 * current one while it holds none yet, are listed without); other non-packet blocks up to
 * {@link PcapngReader#MAX_BLOCKS_KEPT}; and section headers and interface descriptions up to
 * {@link PcapngReader#MAX_STRUCTURE_KEPT}, which the reader checks with {@link #keepSection} and
 * {@link #structureFull}.
 */
final class PcapngKeptBlocks {
    /** The blocks kept: of the first section and of those that hold a packet. */
    private final List<PcapngBlock> kept = new ArrayList<>();
    /** The blocks of the current section while it holds no packet yet. */
    private final List<PcapngBlock> pending = new ArrayList<>();
    /** Whether the current section's blocks go to {@link #kept} (else to {@link #pending}). */
    private boolean sectionKept;
    /** Section headers and interface descriptions in {@link #kept}, with those of an earlier scan resumed. */
    private int structureKept;
    private long blocksSeen;
    private int otherBlocksKept;
    private long sectionsDropped;

    /** Remembers a non-packet block of the current section. */
    void remember(final PcapngBlock block) {
        blocksSeen++;
        if (!block.isStructural()) {
            if (otherBlocksKept >= PcapngReader.MAX_BLOCKS_KEPT) {
                return;
            }
            otherBlocksKept++;
        }
        if (sectionKept) {
            kept.add(block);
            structureKept += block.isStructural() ? 1 : 0;
        } else {
            pending.add(block);
        }
    }

    /**
     * Moves the current section's blocks to those kept, now that it holds a packet; false when
     * that would keep more than {@link PcapngReader#MAX_STRUCTURE_KEPT} section and interface blocks.
     */
    boolean keepSection() {
        if (sectionKept) {
            return true;
        }
        int structural = 0;
        for (PcapngBlock b : pending) {
            structural += b.isStructural() ? 1 : 0;
        }
        if (structureKept > 0 && structureKept + structural > PcapngReader.MAX_STRUCTURE_KEPT) {
            return false;
        }
        kept.addAll(pending);
        structureKept += structural;
        pending.clear();
        sectionKept = true;
        return true;
    }

    /** Whether the current section is kept and one more section or interface block would exceed the limit. */
    boolean structureFull() {
        return sectionKept && structureKept >= PcapngReader.MAX_STRUCTURE_KEPT;
    }

    /** The current section ends: one that held no packet is dropped, no extract needs its blocks. */
    void sectionEnds() {
        if (!sectionKept) {
            for (PcapngBlock b : pending) {
                otherBlocksKept -= b.isStructural() ? 0 : 1;
            }
            pending.clear();
            sectionsDropped++;
        }
    }

    /** A section starts; the first one ({@code first}) is kept whether or not it holds a packet. */
    void sectionStarts(final boolean first) {
        sectionKept = first;
    }

    /**
     * A scan resumes after an earlier one that kept {@code structure} and ended in a section it
     * kept: what it kept counts towards the limit.
     */
    void resumed(final List<PcapngBlock> structure) {
        for (PcapngBlock b : structure) {
            structureKept += b.isStructural() ? 1 : 0;
        }
        sectionKept = true;
    }

    /** The blocks kept so far, in file order, with those of the current section. */
    List<PcapngBlock> list() {
        if (pending.isEmpty()) {
            return Collections.unmodifiableList(kept);
        }
        final List<PcapngBlock> all = new ArrayList<>(kept.size() + pending.size());
        all.addAll(kept);
        all.addAll(pending);
        return Collections.unmodifiableList(all);
    }

    /** Non-packet blocks read, kept or not. */
    long blocksSeen() {
        return blocksSeen;
    }

    /** Sections passed over because they held no packet. */
    long sectionsDropped() {
        return sectionsDropped;
    }
}
