package io.scalpel.decode;

/**
 * The link types {@link PacketDecoder} understands, as LINKTYPE_* values of the pcap and pcapng
 * formats (tcpdump.org "Link-layer header types").
 */
public final class LinkTypes {
    /** BSD loopback: 4-byte address family in the capture writer's byte order. */
    public static final int LINKTYPE_NULL = 0;
    /** Ethernet II / IEEE 802.3. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** PPP: the protocol field, sometimes preceded by HDLC address 0xFF and control 0x03. */
    public static final int LINKTYPE_PPP = 9;
    /** FDDI: frame control, destination and source addresses, then IEEE 802.2 LLC. */
    public static final int LINKTYPE_FDDI = 10;
    /** Raw IP as DLT_RAW is numbered on most platforms; some writers put it in files as is. */
    public static final int LINKTYPE_RAW_DLT12 = 12;
    /** Raw IP as DLT_RAW is numbered on OpenBSD. */
    public static final int LINKTYPE_RAW_DLT14 = 14;
    /** PPP in HDLC-like framing (RFC 1662): address 0xFF, control 0x03, protocol. */
    public static final int LINKTYPE_PPP_HDLC = 50;
    /** Raw IP, IPv4 or IPv6 by the version nibble. */
    public static final int LINKTYPE_RAW = 101;
    /** Cisco HDLC: address 0x0F or 0x8F, control 0, EtherType. */
    public static final int LINKTYPE_C_HDLC = 104;
    /** IEEE 802.11 frames without a radio header. */
    public static final int LINKTYPE_IEEE802_11 = 105;
    /** OpenBSD loopback: like {@link #LINKTYPE_NULL} but the family is in network byte order. */
    public static final int LINKTYPE_LOOP = 108;
    /** Linux "cooked" capture v1 (16-byte header). */
    public static final int LINKTYPE_LINUX_SLL = 113;
    /** A radiotap header (its length little-endian at bytes 2-3), then an IEEE 802.11 frame. */
    public static final int LINKTYPE_IEEE802_11_RADIOTAP = 127;
    /** Raw IPv4 only. */
    public static final int LINKTYPE_IPV4 = 228;
    /** Raw IPv6 only. */
    public static final int LINKTYPE_IPV6 = 229;
    /** Linux netfilter log: a header, then TLVs in the logging host's (little-endian) order. */
    public static final int LINKTYPE_NFLOG = 239;
    /** Linux "cooked" capture v2 (20-byte header). */
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    /**
     * The link type proper is the low 16 bits of a classic pcap header's field; the bits above
     * may carry an FCS length.
     */
    public static final int LINKTYPE_MASK = 0xFFFF;

    private LinkTypes() {
    }

    /** True when {@link PacketDecoder} can decode frames of this link type (FCS bits ignored). */
    public static boolean isSupported(final int linkType) {
        switch (linkType & LINKTYPE_MASK) {
            case LINKTYPE_NULL:
            case LINKTYPE_ETHERNET:
            case LINKTYPE_PPP:
            case LINKTYPE_FDDI:
            case LINKTYPE_RAW_DLT12:
            case LINKTYPE_RAW_DLT14:
            case LINKTYPE_PPP_HDLC:
            case LINKTYPE_RAW:
            case LINKTYPE_C_HDLC:
            case LINKTYPE_IEEE802_11:
            case LINKTYPE_LOOP:
            case LINKTYPE_LINUX_SLL:
            case LINKTYPE_IEEE802_11_RADIOTAP:
            case LINKTYPE_IPV4:
            case LINKTYPE_IPV6:
            case LINKTYPE_NFLOG:
            case LINKTYPE_LINUX_SLL2:
                return true;
            default:
                return false;
        }
    }
}
