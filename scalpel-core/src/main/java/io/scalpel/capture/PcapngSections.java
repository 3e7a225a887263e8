package io.scalpel.capture;

import java.util.Arrays;
import java.util.List;

/**
 * The section header blocks among a capture's pcapng blocks (in file order, as
 * {@link PcapngReader#blocks()} lists them), found by byte offset or by section number in
 * logarithmic time: a capture may have tens of thousands of sections, and every random read and
 * every section an extract opens looks one up.
 */
public final class PcapngSections {
    private final List<PcapngBlock> blocks;
    /** Per section header, ascending: its byte offset, its section number, its position in {@link #blocks}. */
    private final long[] offsets;
    private final int[] numbers;
    private final int[] positions;

    private PcapngSections(final List<PcapngBlock> blocks) {
        this.blocks = blocks;
        int n = 0;
        for (PcapngBlock b : blocks) {
            n += b.type() == PcapngBlock.SECTION_HEADER ? 1 : 0;
        }
        offsets = new long[n];
        numbers = new int[n];
        positions = new int[n];
        int s = 0;
        for (int i = 0; i < blocks.size(); i++) {
            final PcapngBlock b = blocks.get(i);
            if (b.type() == PcapngBlock.SECTION_HEADER) {
                offsets[s] = b.offset();
                numbers[s] = b.section();
                positions[s++] = i;
            }
        }
    }

    /** The section headers of {@code blocks}, which must be in file order. */
    public static PcapngSections of(final List<PcapngBlock> blocks) {
        return new PcapngSections(blocks);
    }

    public List<PcapngBlock> blocks() {
        return blocks;
    }

    /** Position in {@link #blocks()} of the last section header at or before {@code offset}, or -1. */
    public int headerAtOrBefore(final long offset) {
        int i = Arrays.binarySearch(offsets, offset);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? -1 : positions[i];
    }

    /** Position in {@link #blocks()} of the header of section {@code section}, or -1 when it is not listed. */
    public int header(final int section) {
        final int i = Arrays.binarySearch(numbers, section);
        return i < 0 ? -1 : positions[i];
    }
}
