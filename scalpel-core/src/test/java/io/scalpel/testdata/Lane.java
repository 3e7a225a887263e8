package io.scalpel.testdata;

/**
 * A capture point: one link type with one timestamp resolution. A pcap file has one lane; a
 * pcapng file has an interface per lane in every section (ids permuted from section to section).
 * Every timestamp on a lane is a multiple of its quantum, so that it is exact in the lane's units.
 */
final class Lane {
    /** if_tsresol value when the IDB carries none (default 10^-6). */
    static final int TSRESOL_ABSENT = -1;
    private static final int TSRESOL_BINARY_FLAG = 0x80;
    /** 10^9 = 2^9 * 5^9: the finest binary resolution exact in nanoseconds is 5^9 ns, i.e. 2^(k-9) units of 2^-k s. */
    private static final long FIVE_POW_9 = 1_953_125L;

    final int index;
    final int linkType;
    /** if_tsresol byte, or {@link #TSRESOL_ABSENT}. */
    final int tsresol;
    final long quantumNanos;
    /** Interface time units in one quantum. */
    final long unitsPerQuantum;
    /** SLL2 interface index. */
    final int interfaceIndex;

    private Lane(final int index, final int linkType, final int tsresol, final long quantumNanos,
                 final long unitsPerQuantum) {
        this.index = index;
        this.linkType = linkType;
        this.tsresol = tsresol;
        this.quantumNanos = quantumNanos;
        this.unitsPerQuantum = unitsPerQuantum;
        this.interfaceIndex = 2 + index;
    }

    /** A classic pcap lane: microsecond or nanosecond records. */
    static Lane pcap(final int linkType, final boolean nanosecond) {
        return new Lane(0, linkType, TSRESOL_ABSENT, nanosecond ? 1 : 1000, 1);
    }

    /** A pcapng lane with resolution 10^-digits s; {@code explicit} false leaves if_tsresol out (digits must be 6). */
    static Lane decimal(final int index, final int linkType, final int digits, final boolean explicit) {
        if (digits < 0 || digits > 9 || (!explicit && digits != 6)) {
            throw new IllegalArgumentException("decimal resolution 10^-" + digits + (explicit ? "" : " implied"));
        }
        long quantum = 1;
        for (int i = digits; i < 9; i++) {
            quantum *= 10;
        }
        return new Lane(index, linkType, explicit ? digits : TSRESOL_ABSENT, quantum, 1);
    }

    /** A pcapng lane with resolution 2^-power s, power in [9, 40]. */
    static Lane binary(final int index, final int linkType, final int power) {
        if (power < 9 || power > 40) {
            throw new IllegalArgumentException("binary resolution 2^-" + power);
        }
        return new Lane(index, linkType, TSRESOL_BINARY_FLAG | power, FIVE_POW_9, 1L << (power - 9));
    }

    boolean carriesIpv4() {
        return LinkFrames.carriesIpv4(linkType);
    }

    boolean carriesIpv6() {
        return LinkFrames.carriesIpv6(linkType);
    }

    boolean carriesNonIp() {
        return LinkFrames.carriesNonIp(linkType);
    }

    boolean isEthernet() {
        return linkType == LinkFrames.LINKTYPE_ETHERNET;
    }

    long quantize(final long nanos) {
        return Math.floorDiv(nanos + quantumNanos - 1, quantumNanos) * quantumNanos;
    }

    /** Timestamp in this interface's units, counted from {@code offsetSeconds} (if_tsoffset). */
    long units(final long nanos, final long offsetSeconds) {
        final long since = nanos - offsetSeconds * 1_000_000_000L;
        if (since < 0 || since % quantumNanos != 0) {
            throw new IllegalStateException("timestamp " + nanos + " not representable on lane " + index);
        }
        return Math.multiplyExact(since / quantumNanos, unitsPerQuantum);
    }
}
