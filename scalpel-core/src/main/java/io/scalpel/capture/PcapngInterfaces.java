package io.scalpel.capture;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The interfaces of the pcapng section being read, by id: each one's link type, snap length,
 * {@code if_tsresol} and {@code if_tsoffset}, taken from its interface description block and its
 * options, and the timestamps of its packets in nanoseconds ({@link PcapngTimestamps}). A section
 * header block starts a new, empty list.
 */
final class PcapngInterfaces {
    private static final int IDB_LINKTYPE = 8;
    private static final int IDB_SNAPLEN = 12;
    private static final int IDB_OPTIONS = 16;
    /** Shortest interface description block: header, link type, reserved, snap length, trailer. */
    private static final int IDB_MIN_LENGTH = 20;
    private static final int OPTION_HEADER_LENGTH = 4;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int OPTION_IF_TSOFFSET = 14;
    private static final int IF_TSOFFSET_LENGTH = 8;
    /** if_tsresol of an interface without the option: microseconds. */
    private static final int DEFAULT_TSRESOL = 6;
    private static final int INITIAL_INTERFACES = 4;

    /** Reports malformed blocks and warnings, naming the capture. */
    private final CaptureReader reader;
    private int count;
    private int[] linkTypes = new int[INITIAL_INTERFACES];
    private int[] snaplens = new int[INITIAL_INTERFACES];
    private int[] tsresol = new int[INITIAL_INTERFACES];
    private long[] tsOffsetNanos = new long[INITIAL_INTERFACES];

    PcapngInterfaces(final CaptureReader reader) {
        this.reader = reader;
    }

    /** A new section starts: it has no interface yet. */
    void clear() {
        count = 0;
    }

    /** Interfaces of the section so far. */
    int count() {
        return count;
    }

    int linkType(final int id) {
        return linkTypes[id];
    }

    int snaplen(final int id) {
        return snaplens[id];
    }

    int tsresol(final int id) {
        return tsresol[id];
    }

    long tsOffsetNanos(final int id) {
        return tsOffsetNanos[id];
    }

    /**
     * Adds the interface described by the block of {@code length} bytes at {@code pos} (at
     * {@code at} of {@code view}, in the section's byte order); returns its id. {@code fits}: the
     * block is within {@link MappedFile#OVERLAP}. A block read again to load a section
     * ({@code replaying}) warns of nothing.
     */
    int add(final long pos, final ByteBuffer view, final int at, final int length, final boolean fits, final boolean replaying)
        throws CaptureFormatException {
        if (length < IDB_MIN_LENGTH) {
            throw reader.malformed(pos, "interface description block of " + length + " bytes is shorter than " + IDB_MIN_LENGTH);
        }
        if (!fits) {
            throw reader.malformed(pos, "interface description block of " + length + " bytes exceeds " + MappedFile.OVERLAP);
        }
        if (count == PcapngReader.MAX_INTERFACES) {
            throw reader.malformed(pos, "more than " + PcapngReader.MAX_INTERFACES + " interfaces in one section");
        }
        if (count == linkTypes.length) {
            final int n = linkTypes.length * 2;
            linkTypes = Arrays.copyOf(linkTypes, n);
            snaplens = Arrays.copyOf(snaplens, n);
            tsresol = Arrays.copyOf(tsresol, n);
            tsOffsetNanos = Arrays.copyOf(tsOffsetNanos, n);
        }
        final int id = count++;
        linkTypes[id] = view.getShort(at + IDB_LINKTYPE) & 0xFFFF;
        snaplens[id] = view.getInt(at + IDB_SNAPLEN);
        tsresol[id] = DEFAULT_TSRESOL;
        tsOffsetNanos[id] = 0;
        int o = at + IDB_OPTIONS;
        final int end = at + length - PcapngBlockFramer.BLOCK_TRAILER_LENGTH;
        while (o + OPTION_HEADER_LENGTH <= end) {
            final int code = view.getShort(o) & 0xFFFF;
            final int optionLength = view.getShort(o + 2) & 0xFFFF;
            if (code == OPTION_END) {
                break;
            }
            final int value = o + OPTION_HEADER_LENGTH;
            if (value + optionLength > end) {
                throw reader.malformed(pos + (o - at), "interface option " + code + " of " + optionLength + " bytes overruns its block");
            }
            if (code == OPTION_IF_TSRESOL && optionLength >= 1) {
                final int r = view.get(value) & 0xFF;
                if (!PcapngTimestamps.inRange(r)) {
                    throw reader.malformed(pos + (value - at), "if_tsresol " + r + " is out of range");
                }
                tsresol[id] = r;
            } else if (code == OPTION_IF_TSOFFSET && optionLength >= IF_TSOFFSET_LENGTH) {
                final long seconds = view.getLong(value);
                tsOffsetNanos[id] = PcapngTimestamps.saturatedNanos(seconds);
                if (PcapngTimestamps.beyondNanos(seconds) && !replaying) {
                    reader.warn(pos, "interface description block if_tsoffset " + seconds + " s is beyond what 64-bit nanoseconds"
                        + " since 1970 hold; its packets' timestamps are clamped to " + PcapngTimestamps.limitText(seconds > 0));
                }
            }
            o = value + ((optionLength + 3) & ~3);
        }
        return id;
    }

    /** The timestamp in ns of {@code units} of interface {@code id}, its offset added, or the long nearest to it. */
    long timestamp(final long units, final int id) {
        return PcapngTimestamps.timestamp(units, tsresol[id], tsOffsetNanos[id]);
    }

    /** Whether {@code units} of interface {@code id}, its offset added, are a time that nanoseconds in a long hold. */
    boolean fits(final long units, final int id) {
        return PcapngTimestamps.fits(units, tsresol[id], tsOffsetNanos[id]);
    }
}
