package io.scalpel.capture;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
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
 */
public final class PcapngReader extends CaptureReader {
    static final int BLOCK_HEADER_LENGTH = 8;
    static final int BLOCK_TRAILER_LENGTH = 4;
    static final int MIN_BLOCK_LENGTH = 12;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
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

    private static final int SHB_BYTE_ORDER = 8;
    private static final int SHB_VERSION_MAJOR = 12;
    private static final int SHB_MIN_LENGTH = 28;
    private static final int IDB_LINKTYPE = 8;
    private static final int IDB_SNAPLEN = 12;
    private static final int IDB_OPTIONS = 16;
    private static final int IDB_MIN_LENGTH = 20;
    private static final int EPB_INTERFACE = 8;
    private static final int EPB_TS_HIGH = 12;
    private static final int EPB_TS_LOW = 16;
    private static final int EPB_CAPLEN = 20;
    private static final int EPB_ORIGLEN = 24;
    private static final int EPB_DATA = 28;
    private static final int OPB_INTERFACE = 8;
    private static final int SPB_ORIGLEN = 8;
    private static final int SPB_DATA = 12;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int OPTION_IF_TSOFFSET = 14;
    private static final int DEFAULT_TSRESOL = 6;

    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private int section = -1;
    private int interfaceCount;
    private int[] linkTypes = new int[4];
    private int[] snaplens = new int[4];
    private int[] tsresol = new int[4];
    private long[] tsOffsetNanos = new long[4];
    private long lastTimestamp;
    /** The blocks kept: of the first section and of those that hold a packet. */
    private final List<PcapngBlock> blocks = new ArrayList<>();
    /** The blocks of the current section while it holds no packet yet. */
    private final List<PcapngBlock> pending = new ArrayList<>();
    /** Whether the current section's blocks go to {@link #blocks} (else to {@link #pending}). */
    private boolean sectionKept;
    /** Section headers and interface descriptions in {@link #blocks}, with those of an earlier scan resumed. */
    private int structureKept;
    /** Where the scan ended at {@link #MAX_STRUCTURE_KEPT}, or -1. */
    private long structureLimitOffset = -1;
    private long blocksSeen;
    private int otherBlocksKept;
    private long sectionsDropped;
    private boolean replaying;
    private PcapngSections layout;
    private int loadedSection = -1;

    PcapngReader(final CaptureSource file) {
        super(file);
        this.position = 0;
    }

    @Override
    public boolean next(final Frame frame) throws CaptureFormatException {
        while (structureLimitOffset < 0) {
            final long pos = position;
            long size = file.ensure(pos, pos + MIN_BLOCK_LENGTH);
            if (pos >= size) {
                return false;
            }
            if (pos + MIN_BLOCK_LENGTH > size) {
                truncatedTail(pos, "block header cut short: " + (size - pos) + " bytes left");
                return false;
            }
            int segment = file.segmentOf(pos);
            int at = (int) (pos - file.segmentBase(segment));
            // The section header's type reads the same in both byte orders; other types are in the section's.
            final boolean sectionHeader = file.view(segment, ByteOrder.BIG_ENDIAN).getInt(at) == PcapngBlock.SECTION_HEADER;
            if (sectionHeader) {
                final int bom = file.view(segment, ByteOrder.BIG_ENDIAN).getInt(at + SHB_BYTE_ORDER);
                if (bom == BYTE_ORDER_MAGIC) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
                    order = ByteOrder.LITTLE_ENDIAN;
                } else {
                    throw malformed(pos, String.format("section header byte-order magic 0x%08x is not 0x1a2b3c4d in either order", bom));
                }
            } else if (section < 0) {
                throw malformed(pos, String.format("pcapng file does not start with a section header block (type 0x%08x)",
                    file.view(segment, order).getInt(at)));
            }
            ByteBuffer view = file.view(segment, order);
            final int type = view.getInt(at);
            final int length = view.getInt(at + 4);
            if (length < MIN_BLOCK_LENGTH || (length & 3) != 0) {
                throw malformed(pos, String.format("block type 0x%08x has length %d (must be a multiple of 4, at least %d)",
                    type, Integer.toUnsignedLong(length), MIN_BLOCK_LENGTH));
            }
            if (pos + length > size) {
                // a compressed capture decompresses the rest of the block now (of a longer block, its trailer)
                size = length <= MappedFile.OVERLAP ? file.ensure(pos, pos + length)
                    : file.ensure(pos + length - BLOCK_TRAILER_LENGTH, pos + length);
                segment = file.segmentOf(pos);
                at = (int) (pos - file.segmentBase(segment));
                view = file.view(segment, order);
            }
            if (pos + length > size) {
                truncatedTail(pos, String.format("block type 0x%08x of %d bytes cut short at %d", type, length, size - pos));
                return false;
            }
            final long trailerAt = pos + length - BLOCK_TRAILER_LENGTH;
            final int trailerSegment = file.segmentOf(trailerAt);
            final int trailer = file.view(trailerSegment, order).getInt((int) (trailerAt - file.segmentBase(trailerSegment)));
            if (trailer != length) {
                throw malformed(pos, String.format("block type 0x%08x: trailing length %d differs from leading length %d",
                    type, Integer.toUnsignedLong(trailer), length));
            }
            final boolean fits = length <= MappedFile.OVERLAP;
            switch (type) {
                case PcapngBlock.SECTION_HEADER:
                    startSection(pos, view, at, length, fits);
                    break;
                case PcapngBlock.INTERFACE_DESCRIPTION:
                    if (sectionKept && section > 0 && structureKept >= MAX_STRUCTURE_KEPT) {
                        return endAtStructureLimit(pos);
                    }
                    addInterface(pos, view, at, length, fits);
                    break;
                case PcapngBlock.ENHANCED_PACKET:
                case PcapngBlock.OBSOLETE_PACKET:
                    requireFits(pos, type, length, fits);
                    if (!keepSection()) {
                        return endAtStructureLimit(pos);
                    }
                    readPacket(frame, pos, segment, view, at, length, type == PcapngBlock.OBSOLETE_PACKET, true);
                    position = pos + length;
                    return true;
                case PcapngBlock.SIMPLE_PACKET:
                    requireFits(pos, type, length, fits);
                    if (!keepSection()) {
                        return endAtStructureLimit(pos);
                    }
                    readSimplePacket(frame, pos, segment, view, at, length);
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

    /**
     * Moves the current section's blocks to those kept, now that it holds a packet; false when
     * that would keep more than {@link #MAX_STRUCTURE_KEPT} section and interface blocks.
     */
    private boolean keepSection() {
        if (sectionKept) {
            return true;
        }
        int structural = 0;
        for (PcapngBlock b : pending) {
            structural += b.isStructural() ? 1 : 0;
        }
        if (structureKept > 0 && structureKept + structural > MAX_STRUCTURE_KEPT) {
            return false;
        }
        blocks.addAll(pending);
        structureKept += structural;
        pending.clear();
        sectionKept = true;
        return true;
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
        return sectionsDropped;
    }

    private void requireFits(final long pos, final int type, final int length, final boolean fits) throws CaptureFormatException {
        if (!fits) {
            throw malformed(pos, String.format("packet block type %d of %d bytes exceeds the limit of %d bytes",
                type, length, MappedFile.OVERLAP));
        }
    }

    private void startSection(final long pos, final ByteBuffer view, final int at, final int length, final boolean fits)
        throws CaptureFormatException {
        if (length < SHB_MIN_LENGTH) {
            throw malformed(pos, "section header block of " + length + " bytes is shorter than " + SHB_MIN_LENGTH);
        }
        if (!fits) {
            throw malformed(pos, "section header block of " + length + " bytes exceeds " + MappedFile.OVERLAP);
        }
        final int major = view.getShort(at + SHB_VERSION_MAJOR) & 0xFFFF;
        if (major != 1) {
            throw malformed(pos + SHB_VERSION_MAJOR, "pcapng major version " + major + " is not 1");
        }
        if (section >= 0 && !sectionKept && !replaying) {
            // the section that ends here held no packet: no extract needs its blocks
            for (PcapngBlock b : pending) {
                otherBlocksKept -= b.isStructural() ? 0 : 1;
            }
            pending.clear();
            sectionsDropped++;
        }
        section++;
        sectionKept = section == 0;
        interfaceCount = 0;
        loadedSection = -1;
        remember(new PcapngBlock(PcapngBlock.SECTION_HEADER, section, pos, length, -1, -1));
    }

    private void addInterface(final long pos, final ByteBuffer view, final int at, final int length, final boolean fits)
        throws CaptureFormatException {
        if (length < IDB_MIN_LENGTH) {
            throw malformed(pos, "interface description block of " + length + " bytes is shorter than " + IDB_MIN_LENGTH);
        }
        if (!fits) {
            throw malformed(pos, "interface description block of " + length + " bytes exceeds " + MappedFile.OVERLAP);
        }
        if (interfaceCount == MAX_INTERFACES) {
            throw malformed(pos, "more than " + MAX_INTERFACES + " interfaces in one section");
        }
        if (interfaceCount == linkTypes.length) {
            final int n = linkTypes.length * 2;
            linkTypes = java.util.Arrays.copyOf(linkTypes, n);
            snaplens = java.util.Arrays.copyOf(snaplens, n);
            tsresol = java.util.Arrays.copyOf(tsresol, n);
            tsOffsetNanos = java.util.Arrays.copyOf(tsOffsetNanos, n);
        }
        final int id = interfaceCount++;
        linkTypes[id] = view.getShort(at + IDB_LINKTYPE) & 0xFFFF;
        snaplens[id] = view.getInt(at + IDB_SNAPLEN);
        tsresol[id] = DEFAULT_TSRESOL;
        tsOffsetNanos[id] = 0;
        int o = at + IDB_OPTIONS;
        final int end = at + length - BLOCK_TRAILER_LENGTH;
        while (o + 4 <= end) {
            final int code = view.getShort(o) & 0xFFFF;
            final int optionLength = view.getShort(o + 2) & 0xFFFF;
            if (code == OPTION_END) {
                break;
            }
            final int value = o + 4;
            if (value + optionLength > end) {
                throw malformed(pos + (o - at), "interface option " + code + " of " + optionLength + " bytes overruns its block");
            }
            if (code == OPTION_IF_TSRESOL && optionLength >= 1) {
                final int r = view.get(value) & 0xFF;
                final int exponent = r & 0x7F;
                if ((r & 0x80) == 0 ? exponent > 18 : exponent > 62) {
                    throw malformed(pos + (value - at), "if_tsresol " + r + " is out of range");
                }
                tsresol[id] = r;
            } else if (code == OPTION_IF_TSOFFSET && optionLength >= 8) {
                final long seconds = view.getLong(value);
                tsOffsetNanos[id] = saturatedNanos(seconds);
                if (Math.abs(seconds) > MAX_SECONDS && !replaying) {
                    warn(pos, "interface description block if_tsoffset " + seconds + " s is beyond what 64-bit nanoseconds"
                        + " since 1970 hold; its packets' timestamps are clamped to " + limitText(seconds > 0));
                }
            }
            o = value + ((optionLength + 3) & ~3);
        }
        remember(new PcapngBlock(PcapngBlock.INTERFACE_DESCRIPTION, section, pos, length, id, linkTypes[id]));
    }

    private void readPacket(final Frame frame, final long pos, final int segment, final ByteBuffer view, final int at,
                            final int length, final boolean obsolete, final boolean scanning) throws CaptureFormatException {
        if (length < EPB_DATA + BLOCK_TRAILER_LENGTH) {
            throw malformed(pos, "packet block of " + length + " bytes is shorter than its fixed fields");
        }
        final int id = obsolete ? view.getShort(at + OPB_INTERFACE) & 0xFFFF : view.getInt(at + EPB_INTERFACE);
        if (id < 0 || id >= interfaceCount) {
            throw malformed(pos + EPB_INTERFACE, "interface id " + Integer.toUnsignedLong(id)
                + " out of range: section " + section + " has " + interfaceCount + " interface(s)");
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
        final long ts = timestamp(units, id);
        if ((ts == Long.MAX_VALUE || ts == Long.MIN_VALUE) && scanning && !fits(units, id)) {
            warn(pos, (obsolete ? "obsolete" : "enhanced") + " packet block timestamp " + Long.toUnsignedString(units)
                + " in units of " + unitText(tsresol[id]) + " s, if_tsoffset " + tsOffsetNanos[id] / 1_000_000_000L
                + " s, is beyond what 64-bit nanoseconds since 1970 hold; clamped to " + limitText(ts > 0));
        }
        lastTimestamp = ts;
        fill(frame, pos, length, ts, true, caplen, origlen, id, segment, at + EPB_DATA);
    }

    private void readSimplePacket(final Frame frame, final long pos, final int segment, final ByteBuffer view, final int at,
                                  final int length) throws CaptureFormatException {
        if (interfaceCount == 0) {
            throw malformed(pos, "simple packet block before any interface description block");
        }
        final int origlen = view.getInt(at + SPB_ORIGLEN);
        long caplen = Integer.toUnsignedLong(origlen);
        if (snaplens[0] != 0) {
            caplen = Math.min(caplen, Integer.toUnsignedLong(snaplens[0]));
        }
        caplen = Math.min(caplen, length - SPB_DATA - BLOCK_TRAILER_LENGTH);
        if (caplen > MAX_CAPLEN) {
            throw malformed(pos, "captured length " + caplen + " exceeds the limit of " + MAX_CAPLEN + " bytes");
        }
        fill(frame, pos, length, lastTimestamp, false, (int) caplen, origlen, 0, segment, at + SPB_DATA);
    }

    private void fill(final Frame frame, final long pos, final int length, final long ts, final boolean tsKnown,
                      final int caplen, final int origlen, final int id, final int segment, final int dataAt) {
        frame.recordOffset = pos;
        frame.recordLength = length;
        frame.timestampNanos = ts;
        frame.timestampKnown = tsKnown;
        frame.finerThanNanoseconds = finerThanNanoseconds(tsresol[id]);
        frame.capturedLength = caplen;
        frame.originalLength = origlen;
        frame.linkType = linkTypes[id];
        frame.interfaceId = id;
        frame.section = section;
        frame.buffer = file.view(segment, ByteOrder.BIG_ENDIAN);
        frame.dataOffset = dataAt;
    }

    /** Whether an if_tsresol value is finer than one nanosecond (10^-10 and below, 2^-30 and below). */
    static boolean finerThanNanoseconds(final int tsresol) {
        final int exponent = tsresol & 0x7F;
        return (tsresol & 0x80) == 0 ? exponent > 9 : exponent >= 30;
    }

    /**
     * Converts a timestamp in if_tsresol units (an unsigned count) to nanoseconds (powers of 10 and
     * of 2); one beyond what a long holds is {@link Long#MAX_VALUE}.
     */
    static long toNanos(final long units, final int tsresol) {
        final int exponent = tsresol & 0x7F;
        if ((tsresol & 0x80) == 0) {
            if (exponent <= 9) {
                final long scale = POW10[9 - exponent];
                return Long.compareUnsigned(units, Long.MAX_VALUE / scale) > 0 ? Long.MAX_VALUE : units * scale;
            }
            return Long.divideUnsigned(units, POW10[exponent - 9]);
        }
        // units / 2^exponent seconds: whole seconds, then the fraction scaled to nanoseconds. Beyond
        // 2^-33 s (0.12 ns) the low bits are dropped first so that fraction * 10^9 fits in a long.
        final long seconds = units >>> exponent;
        if (Long.compareUnsigned(seconds, MAX_SECONDS) > 0) {
            return Long.MAX_VALUE;
        }
        long fraction = units & ((1L << exponent) - 1);
        int bits = exponent;
        if (bits > FRACTION_BITS_LIMIT) {
            fraction >>>= bits - FRACTION_BITS_LIMIT;
            bits = FRACTION_BITS_LIMIT;
        }
        final long fractionNanos = (fraction * 1_000_000_000L) >>> bits;
        final long nanos = seconds * 1_000_000_000L + fractionNanos;
        return nanos < 0 ? Long.MAX_VALUE : nanos; // the last second that fits may not fit whole
    }

    private static final int FRACTION_BITS_LIMIT = 33;
    /** Whole seconds that nanoseconds in a long hold, either side of 1970. */
    private static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

    /** {@code seconds} in nanoseconds, or the long nearest to that. */
    private static long saturatedNanos(final long seconds) {
        if (Math.abs(seconds) > MAX_SECONDS) {
            return seconds > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return seconds * 1_000_000_000L;
    }

    /**
     * The timestamp in ns of {@code units} of interface {@code id}, its offset added, or the long
     * nearest to it. An offset beyond what a long holds ({@link #saturatedNanos}) puts every
     * timestamp of the interface at that end.
     */
    private long timestamp(final long units, final int id) {
        final long offset = tsOffsetNanos[id];
        if (offset == Long.MAX_VALUE || offset == Long.MIN_VALUE) {
            return offset;
        }
        final long nanos = toNanos(units, tsresol[id]);
        final long r = nanos + offset;
        if (((nanos ^ r) & (offset ^ r)) < 0) {
            return offset > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    /** Whether {@code units} of interface {@code id}, its offset added, are a time that nanoseconds in a long hold. */
    private boolean fits(final long units, final int id) {
        final long offset = tsOffsetNanos[id];
        if (offset == Long.MAX_VALUE || offset == Long.MIN_VALUE) {
            return false;
        }
        final int exponent = tsresol[id] & 0x7F;
        final BigInteger perSecond = (tsresol[id] & 0x80) == 0 ? BigInteger.TEN.pow(exponent) : BigInteger.TWO.pow(exponent);
        final BigInteger ns = new BigInteger(Long.toUnsignedString(units)).multiply(BigInteger.valueOf(1_000_000_000L))
            .divide(perSecond).add(BigInteger.valueOf(offset));
        return ns.bitLength() < Long.SIZE;
    }

    /** The last (or first) instant 64-bit nanoseconds since 1970 hold. */
    private static String limitText(final boolean last) {
        return java.time.Instant.EPOCH.plusNanos(last ? Long.MAX_VALUE : Long.MIN_VALUE).toString();
    }

    /** A unit of if_tsresol, as text: 10^-6, 2^-20. */
    private static String unitText(final int tsresol) {
        return ((tsresol & 0x80) == 0 ? "10^-" : "2^-") + (tsresol & 0x7F);
    }

    private static final long[] POW10 = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    };

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
        for (PcapngBlock b : structure) {
            structureKept += b.isStructural() ? 1 : 0;
        }
        sectionKept = true; // the earlier scan kept the section it ended in
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
        long size = file.ensure(offset, offset + MIN_BLOCK_LENGTH);
        if (offset + MIN_BLOCK_LENGTH > size) {
            throw malformed(offset, "no whole block at this offset (the capture ends at " + size + ")");
        }
        int segment = file.segmentOf(offset);
        int at = (int) (offset - file.segmentBase(segment));
        ByteBuffer view = file.view(segment, order);
        final int type = view.getInt(at);
        final int length = view.getInt(at + 4);
        if (offset + length > size && length <= MappedFile.OVERLAP && length >= MIN_BLOCK_LENGTH) {
            size = file.ensure(offset, offset + length); // a compressed capture decompresses the rest now
            segment = file.segmentOf(offset);
            at = (int) (offset - file.segmentBase(segment));
            view = file.view(segment, order);
        }
        if (length < MIN_BLOCK_LENGTH || (length & 3) != 0 || length > MappedFile.OVERLAP || offset + length > size) {
            throw malformed(offset, "no whole packet block at this offset (length " + Integer.toUnsignedLong(length) + ")");
        }
        switch (type) {
            case PcapngBlock.ENHANCED_PACKET:
            case PcapngBlock.OBSOLETE_PACKET:
                readPacket(frame, offset, segment, view, at, length, type == PcapngBlock.OBSOLETE_PACKET, false);
                break;
            case PcapngBlock.SIMPLE_PACKET:
                readSimplePacket(frame, offset, segment, view, at, length);
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
        file.ensure(sectionOffset, sectionOffset + MIN_BLOCK_LENGTH);
        final int segment = file.segmentOf(sectionOffset);
        final int at = (int) (sectionOffset - file.segmentBase(segment));
        final int bom = file.view(segment, ByteOrder.BIG_ENDIAN).getInt(at + SHB_BYTE_ORDER);
        order = bom == BYTE_ORDER_MAGIC ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        section = sectionIndex;
        interfaceCount = 0;
        replaying = true;
        try {
            for (int i = header + 1; i < structure.size() && structure.get(i).section() == sectionIndex; i++) {
                final PcapngBlock b = structure.get(i);
                if (b.type() == PcapngBlock.INTERFACE_DESCRIPTION) {
                    file.ensure(b.offset(), b.offset() + Math.min(b.length(), MappedFile.OVERLAP));
                    final int seg = file.segmentOf(b.offset());
                    final int bat = (int) (b.offset() - file.segmentBase(seg));
                    addInterface(b.offset(), file.view(seg, order), bat, b.length(), b.length() <= MappedFile.OVERLAP);
                }
            }
        } finally {
            replaying = false;
        }
        loadedSection = sectionIndex;
    }

    private void remember(final PcapngBlock block) {
        if (replaying) {
            return;
        }
        blocksSeen++;
        if (!block.isStructural()) {
            if (otherBlocksKept >= MAX_BLOCKS_KEPT) {
                return;
            }
            otherBlocksKept++;
        }
        if (sectionKept) {
            blocks.add(block);
            structureKept += block.isStructural() ? 1 : 0;
        } else {
            pending.add(block);
        }
    }

    /**
     * Sections, interfaces and other non-packet blocks kept so far, in file order: those of the first
     * section, of the sections that hold packets, and of the current section (see the class comment).
     */
    public List<PcapngBlock> blocks() {
        if (pending.isEmpty()) {
            return java.util.Collections.unmodifiableList(blocks);
        }
        final List<PcapngBlock> all = new ArrayList<>(blocks.size() + pending.size());
        all.addAll(blocks);
        all.addAll(pending);
        return java.util.Collections.unmodifiableList(all);
    }

    public long blocksSeen() {
        return blocksSeen;
    }

    @Override
    public CaptureFormat format() {
        return CaptureFormat.PCAPNG;
    }

    @Override
    public ByteOrder byteOrder() {
        return order;
    }
}
