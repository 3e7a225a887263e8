package io.scalpel.testdata;

import java.nio.ByteOrder;

/**
 * The capture file layouts the generator writes. Classic pcap carries its resolution in the
 * magic number; pcapng carries one per interface ({@code if_tsresol}).
 */
public enum CaptureFileFormat {
    /** Classic pcap, magic {@code a1b2c3d4} written little-endian, microsecond timestamps. */
    PCAP_USEC_LE(false, ByteOrder.LITTLE_ENDIAN, false),
    /** Classic pcap, magic {@code a1b2c3d4} written big-endian, microsecond timestamps. */
    PCAP_USEC_BE(false, ByteOrder.BIG_ENDIAN, false),
    /** Classic pcap, magic {@code a1b23c4d} written little-endian, nanosecond timestamps. */
    PCAP_NSEC_LE(false, ByteOrder.LITTLE_ENDIAN, true),
    /** Classic pcap, magic {@code a1b23c4d} written big-endian, nanosecond timestamps. */
    PCAP_NSEC_BE(false, ByteOrder.BIG_ENDIAN, true),
    /** pcapng, every section little-endian. */
    PCAPNG_LE(true, ByteOrder.LITTLE_ENDIAN, false),
    /** pcapng, every section big-endian. */
    PCAPNG_BE(true, ByteOrder.BIG_ENDIAN, false),
    /**
     * pcapng whose sections alternate byte order, little-endian first (always several sections).
     * libpcap refuses such files; tshark reads them.
     */
    PCAPNG_MIXED_ENDIAN(true, ByteOrder.LITTLE_ENDIAN, false);

    private final boolean pcapng;
    private final ByteOrder byteOrder;
    private final boolean nanosecond;

    CaptureFileFormat(final boolean pcapng, final ByteOrder byteOrder, final boolean nanosecond) {
        this.pcapng = pcapng;
        this.byteOrder = byteOrder;
        this.nanosecond = nanosecond;
    }

    public boolean isPcapng() {
        return pcapng;
    }

    /** Byte order of the file header (pcap) or of the first section (pcapng). */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** True for classic pcap with nanosecond record timestamps. */
    public boolean isNanosecondPcap() {
        return nanosecond;
    }

    /** The file name extension a capture in this format usually carries. */
    public String extension() {
        return pcapng ? "pcapng" : "pcap";
    }
}
