package io.scalpel.capture;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * pcapng: sections (a section header block sets the byte order and resets the interfaces),
 * interface description blocks with their own link type, {@code if_tsresol} (powers of 10 and
 * of 2) and {@code if_tsoffset}, and enhanced, simple and obsolete packet blocks. Every other
 * block is skipped by its length and remembered in {@link #blocks()}.
 *
 * <p>What {@link #blocks()} keeps is bounded, whatever the file holds: the blocks of a section
 * are kept once it holds a packet (only the first section, which an extract without packets
 * starts with, and the current one, where a growing capture goes on, are kept without); other
 * non-packet blocks up to {@link #MAX_BLOCKS_KEPT}; and section headers and interface
 * descriptions up to {@link #MAX_STRUCTURE_KEPT}, beyond which the scan ends with a warning, as
 * if the capture ended there.
 *
 * <p>This class parses the blocks; finding them is {@link PcapngBlockFramer}'s (lengths, trailer,
 * byte order), the current section's interfaces and their options are {@link PcapngInterfaces},
 * their timestamps {@link PcapngTimestamps}, and the blocks kept {@link PcapngKeptBlocks}.
 */
public final class PcapngReader extends CaptureReader {
    /** Most interfaces accepted in one section. */
    public static final int MAX_INTERFACES = 65_536;
    /** Most non-structural blocks (name resolution, statistics, custom...) remembered; beyond that only counted. */
    public static final int MAX_BLOCKS_KEPT = 100_000;
    /**
     * Most section header and interface description blocks kept (of sections that hold packets);
     * the first section is kept whatever its size. A scan that would keep more ends before the block
     * that needs them.
     */
    public static final int MAX_STRUCTURE_KEPT = 65_536;

    private static final int SHB_VERSION_MAJOR = 12;
    private static final int SHB_MIN_LENGTH = 28;
    private static final int EPB_INTERFACE = 8;
    private static final int EPB_TS_HIGH = 12;
    private static final int EPB_TS_LOW = 16;
    private static final int EPB_CAPLEN = 20;
    private static final int EPB_ORIGLEN = 24;
    private static final int EPB_DATA = 28;
    private static final int OPB_INTERFACE = 8;
    private static final int SPB_ORIGLEN = 8;
    private static final int SPB_DATA = 12;
    private static final int BLOCK_TRAILER_LENGTH = PcapngBlockFramer.BLOCK_TRAILER_LENGTH;

    private final PcapngBlockFramer framer;
    private final PcapngInterfaces interfaces = new PcapngInterfaces(this);
    private final PcapngKeptBlocks kept = new PcapngKeptBlocks();
    private int section = -1;
    private long lastTimestamp;
    /** Where the scan ended at {@link #MAX_STRUCTURE_KEPT}, or -1. */
    private long structureLimitOffset = -1;
    /** Interface blocks are being read again to load a section: nothing is remembered or warned of. */
    private boolean replaying;
    private PcapngSections layout;
    private int loadedSection = -1;

    PcapngReader(final CaptureSource file) {
        super(file);
        this.framer = new PcapngBlockFramer(file, this);
        this.position = 0;
    }

    @Override
    public boolean next(final Frame frame) throws CaptureFormatException {
        while (structureLimitOffset < 0) {
            final long pos = position;
            if (!framer.next(pos, section >= 0)) {
                if (framer.truncation() != null) {
                    truncatedTail(pos, framer.truncation());
                }
                return false;
            }
            final int type = framer.type();
            final int length = framer.length();
            final boolean fits = length <= MappedFile.OVERLAP;
            switch (type) {
                case PcapngBlock.SECTION_HEADER:
                    startSection(pos, length, fits);
                    break;
                case PcapngBlock.INTERFACE_DESCRIPTION:
                    if (section > 0 && kept.structureFull()) {
                        return endAtStructureLimit(pos);
                    }
                    addInterface(pos, framer.view(), framer.at(), length, fits);
                    break;
                case PcapngBlock.ENHANCED_PACKET:
                case PcapngBlock.OBSOLETE_PACKET:
                case PcapngBlock.SIMPLE_PACKET:
                    requireFits(pos, type, length, fits);
                    if (!kept.keepSection()) {
                        return endAtStructureLimit(pos);
                    }
                    if (type == PcapngBlock.SIMPLE_PACKET) {
                        readSimplePacket(frame, pos);
                    } else {
                        readPacket(frame, pos, type == PcapngBlock.OBSOLETE_PACKET, true);
                    }
                    position = pos + length;
                    return true;
                default:
                    remember(new PcapngBlock(type, section, pos, length, -1, -1));
                    break;
            }
            position = pos + length;
        }
        return false;
    }

    /** Ends the scan before the block at {@code pos}: keeping its section would exceed {@link #MAX_STRUCTURE_KEPT}. */
    private boolean endAtStructureLimit(final long pos) {
        structureLimitOffset = pos;
        position = pos;
        warn(pos, "more than " + MAX_STRUCTURE_KEPT + " section header and interface description blocks in the sections that"
            + " hold packets: the index ends here and the packets from here on are not indexed (split the capture into"
            + " smaller files, e.g. with editcap -c, and index those)");
        return false;
    }

    /** Where the scan ended because of {@link #MAX_STRUCTURE_KEPT}, or -1 when it did not. */
    public long structureLimitOffset() {
        return structureLimitOffset;
    }

    /** Sections passed over because they held no packet (their blocks were not kept). */
    public long sectionsDropped() {
        return kept.sectionsDropped();
    }

    private void requireFits(final long pos, final int type, final int length, final boolean fits) throws CaptureFormatException {
        if (!fits) {
            throw malformed(pos, String.format("packet block type %d of %d bytes exceeds the limit of %d bytes",
                type, length, MappedFile.OVERLAP));
        }
    }

    private void startSection(final long pos, final int length, final boolean fits) throws CaptureFormatException {
        if (length < SHB_MIN_LENGTH) {
            throw malformed(pos, "section header block of " + length + " bytes is shorter than " + SHB_MIN_LENGTH);
        }
        if (!fits) {
            throw malformed(pos, "section header block of " + length + " bytes exceeds " + MappedFile.OVERLAP);
        }
        final int major = framer.view().getShort(framer.at() + SHB_VERSION_MAJOR) & 0xFFFF;
        if (major != 1) {
            throw malformed(pos + SHB_VERSION_MAJOR, "pcapng major version " + major + " is not 1");
        }
        if (section >= 0) {
            kept.sectionEnds();
        }
        section++;
        kept.sectionStarts(section == 0);
        interfaces.clear();
        loadedSection = -1;
        remember(new PcapngBlock(PcapngBlock.SECTION_HEADER, section, pos, length, -1, -1));
    }

    private void addInterface(final long pos, final ByteBuffer view, final int at, final int length, final boolean fits)
        throws CaptureFormatException {
        final int id = interfaces.add(pos, view, at, length, fits, replaying);
        remember(new PcapngBlock(PcapngBlock.INTERFACE_DESCRIPTION, section, pos, length, id, interfaces.linkType(id)));
    }

    /** Reads the enhanced or obsolete packet block the framer found at {@code pos}. */
    private void readPacket(final Frame frame, final long pos, final boolean obsolete, final boolean scanning)
        throws CaptureFormatException {
        final ByteBuffer view = framer.view();
        final int at = framer.at();
        final int length = framer.length();
        if (length < EPB_DATA + BLOCK_TRAILER_LENGTH) {
            throw malformed(pos, "packet block of " + length + " bytes is shorter than its fixed fields");
        }
        final int id = obsolete ? view.getShort(at + OPB_INTERFACE) & 0xFFFF : view.getInt(at + EPB_INTERFACE);
        if (id < 0 || id >= interfaces.count()) {
            throw malformed(pos + EPB_INTERFACE, "interface id " + Integer.toUnsignedLong(id)
                + " out of range: section " + section + " has " + interfaces.count() + " interface(s)");
        }
        final long units = ((view.getInt(at + EPB_TS_HIGH) & 0xFFFF_FFFFL) << 32) | (view.getInt(at + EPB_TS_LOW) & 0xFFFF_FFFFL);
        final int caplen = view.getInt(at + EPB_CAPLEN);
        final int origlen = view.getInt(at + EPB_ORIGLEN);
        if (caplen < 0 || caplen > MAX_CAPLEN) {
            throw malformed(pos + EPB_CAPLEN, "captured length " + Integer.toUnsignedLong(caplen)
                + " exceeds the limit of " + MAX_CAPLEN + " bytes");
        }
        if (caplen > length - EPB_DATA - BLOCK_TRAILER_LENGTH) {
            throw malformed(pos + EPB_CAPLEN, "captured length " + caplen + " overruns its block of " + length + " bytes");
        }
        final long ts = interfaces.timestamp(units, id);
        if ((ts == Long.MAX_VALUE || ts == Long.MIN_VALUE) && scanning && !interfaces.fits(units, id)) {
            warn(pos, (obsolete ? "obsolete" : "enhanced") + " packet block timestamp " + Long.toUnsignedString(units)
                + " in units of " + PcapngTimestamps.unitText(interfaces.tsresol(id)) + " s, if_tsoffset "
                + interfaces.tsOffsetNanos(id) / 1_000_000_000L + " s, is beyond what 64-bit nanoseconds since 1970 hold; clamped to "
                + PcapngTimestamps.limitText(ts > 0));
        }
        lastTimestamp = ts;
        fill(frame, pos, ts, true, caplen, origlen, id, at + EPB_DATA);
    }

    /** Reads the simple packet block the framer found at {@code pos}: interface 0, the last timestamp read. */
    private void readSimplePacket(final Frame frame, final long pos) throws CaptureFormatException {
        if (interfaces.count() == 0) {
            throw malformed(pos, "simple packet block before any interface description block");
        }
        final int origlen = framer.view().getInt(framer.at() + SPB_ORIGLEN);
        long caplen = Integer.toUnsignedLong(origlen);
        if (interfaces.snaplen(0) != 0) {
            caplen = Math.min(caplen, Integer.toUnsignedLong(interfaces.snaplen(0)));
        }
        caplen = Math.min(caplen, framer.length() - SPB_DATA - BLOCK_TRAILER_LENGTH);
        if (caplen > MAX_CAPLEN) {
            throw malformed(pos, "captured length " + caplen + " exceeds the limit of " + MAX_CAPLEN + " bytes");
        }
        fill(frame, pos, lastTimestamp, false, (int) caplen, origlen, 0, framer.at() + SPB_DATA);
    }

    private void fill(final Frame frame, final long pos, final long ts, final boolean tsKnown, final int caplen,
                      final int origlen, final int id, final int dataAt) {
        frame.recordOffset = pos;
        frame.recordLength = framer.length();
        frame.timestampNanos = ts;
        frame.timestampKnown = tsKnown;
        frame.finerThanNanoseconds = PcapngTimestamps.finerThanNanoseconds(interfaces.tsresol(id));
        frame.capturedLength = caplen;
        frame.originalLength = origlen;
        frame.linkType = interfaces.linkType(id);
        frame.interfaceId = id;
        frame.section = section;
        frame.buffer = file.view(framer.segment(), ByteOrder.BIG_ENDIAN);
        frame.dataOffset = dataAt;
    }

    /**
     * Continues a scan at {@code offset}, the start of a block after the blocks in {@code structure}
     * (the sections and interfaces an earlier scan listed in {@link #blocks()}, up to that offset),
     * as if the reader had read up to there: the last section's byte order and interfaces are
     * loaded, and {@code lastTimestampNanos} is what a simple packet block, which has no
     * timestamp of its own, takes next. Blocks listed afterwards in {@link #blocks()} are only
     * those read from {@code offset} on, numbered in the same sections.
     */
    public void resume(final List<PcapngBlock> structure, final long offset, final long lastTimestampNanos)
        throws CaptureFormatException {
        final PcapngSections sections = PcapngSections.of(structure);
        final int header = offset == 0 ? -1 : sections.headerAtOrBefore(offset - 1);
        if (header < 0) {
            if (offset != 0) {
                throw malformed(offset, "cannot resume here: no section header block precedes this offset");
            }
            position = 0; // nothing was read yet (the file held less than its first section header)
            return;
        }
        loadSection(sections, header);
        kept.resumed(structure); // the earlier scan kept the section it ended in
        lastTimestamp = lastTimestampNanos;
        position = offset;
    }

    /** The timestamp of the last enhanced or obsolete packet block read (0 before any). */
    public long lastTimestampNanos() {
        return lastTimestamp;
    }

    /**
     * Gives the reader the section and interface blocks of the file (as {@link #blocks()} listed
     * them when it was scanned), so that {@link #readAt} works without a scan.
     */
    public void layout(final List<PcapngBlock> structure) {
        this.layout = PcapngSections.of(List.copyOf(structure));
        this.loadedSection = -1;
    }

    @Override
    public void readAt(final long offset, final Frame frame) throws CaptureFormatException {
        final PcapngSections sections = layout != null ? layout : PcapngSections.of(blocks());
        final int header = sections.headerAtOrBefore(offset);
        if (header < 0) {
            throw malformed(offset, "no section header block precedes this offset");
        }
        if (sections.blocks().get(header).section() != loadedSection) {
            loadSection(sections, header);
        }
        framer.at(offset);
        final int type = framer.type();
        switch (type) {
            case PcapngBlock.ENHANCED_PACKET:
            case PcapngBlock.OBSOLETE_PACKET:
                readPacket(frame, offset, type == PcapngBlock.OBSOLETE_PACKET, false);
                break;
            case PcapngBlock.SIMPLE_PACKET:
                readSimplePacket(frame, offset);
                break;
            default:
                throw malformed(offset, String.format("block type 0x%08x at this offset is not a packet block", type));
        }
    }

    /** Takes the byte order and the interfaces of the section whose header is at {@code header} in {@code sections}. */
    private void loadSection(final PcapngSections sections, final int header) throws CaptureFormatException {
        final List<PcapngBlock> structure = sections.blocks();
        final int sectionIndex = structure.get(header).section();
        final long sectionOffset = structure.get(header).offset();
        framer.sectionAt(sectionOffset);
        section = sectionIndex;
        interfaces.clear();
        replaying = true;
        try {
            for (int i = header + 1; i < structure.size() && structure.get(i).section() == sectionIndex; i++) {
                final PcapngBlock b = structure.get(i);
                if (b.type() == PcapngBlock.INTERFACE_DESCRIPTION) {
                    file.ensure(b.offset(), b.offset() + Math.min(b.length(), MappedFile.OVERLAP));
                    final int seg = file.segmentOf(b.offset());
                    final int bat = (int) (b.offset() - file.segmentBase(seg));
                    addInterface(b.offset(), file.view(seg, framer.order()), bat, b.length(), b.length() <= MappedFile.OVERLAP);
                }
            }
        } finally {
            replaying = false;
        }
        loadedSection = sectionIndex;
    }

    private void remember(final PcapngBlock block) {
        if (!replaying) {
            kept.remember(block);
        }
    }

    /**
     * Sections, interfaces and other non-packet blocks kept so far, in file order: those of the first
     * section, of the sections that hold packets, and of the current section (see the class comment).
     */
    public List<PcapngBlock> blocks() {
        return kept.list();
    }

    public long blocksSeen() {
        return kept.blocksSeen();
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.PCAPNG;
    }

    @Override
    public ByteOrder byteOrder() {
        return framer.order();
    }
}
