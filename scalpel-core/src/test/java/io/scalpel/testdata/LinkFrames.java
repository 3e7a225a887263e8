package io.scalpel.testdata;

import java.nio.ByteOrder;

/** Wraps a network-layer packet (or an ARP/LLDP body) in the link-layer header of a link type. */
final class LinkFrames {
    static final int LINKTYPE_NULL = 0;
    static final int LINKTYPE_ETHERNET = 1;
    static final int LINKTYPE_FDDI = 10;
    static final int LINKTYPE_RAW = 101;
    static final int LINKTYPE_LOOP = 108;
    static final int LINKTYPE_LINUX_SLL = 113;
    static final int LINKTYPE_IPV4 = 228;
    static final int LINKTYPE_IPV6 = 229;
    static final int LINKTYPE_LINUX_SLL2 = 276;

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int ETHERTYPE_LLDP = 0x88cc;
    static final int TPID_8021Q = 0x8100;
    static final int TPID_8021AD = 0x88a8;
    static final int TPID_QINQ_LEGACY = 0x9100;

    static final int ETHERNET_HEADER_LENGTH = 14;
    static final int VLAN_TAG_LENGTH = 4;
    static final int ETHERNET_MIN_FRAME = 60; // without FCS
    static final int LLC_SNAP_LENGTH = 8;
    static final int SLL_HEADER_LENGTH = 16;
    static final int SLL2_HEADER_LENGTH = 20;
    static final int NULL_HEADER_LENGTH = 4;
    static final int FDDI_HEADER_LENGTH = 13;
    static final int FDDI_FRAME_CONTROL_LLC_ASYNC = 0x50;

    static final int NULL_FAMILY_INET = 2;
    /** BSD AF_INET6 values a DLT_NULL/LOOP header may carry: NetBSD/OpenBSD, FreeBSD, Darwin. */
    static final int[] NULL_FAMILIES_INET6 = {24, 28, 30};

    private static final int ARPHRD_ETHER = 1;
    private static final int SLL_PACKET_HOST = 0;
    private static final int SLL_PACKET_BROADCAST = 1;
    private static final int SLL_PACKET_OUTGOING = 4;
    private static final byte[] SNAP_HEADER_PREFIX = {(byte) 0xaa, (byte) 0xaa, 0x03, 0, 0, 0};

    private LinkFrames() {
    }

    /** Link-layer facts of one frame. {@code vlanTags} holds TPID/TCI pairs, outermost first. */
    record LinkContext(byte[] srcMac, byte[] dstMac, int[] vlanTags, boolean llcSnap, boolean outgoing,
                       int nullInet6Family, int interfaceIndex) {
    }

    static boolean isSupported(final int linkType) {
        switch (linkType) {
            case LINKTYPE_NULL: case LINKTYPE_ETHERNET: case LINKTYPE_FDDI: case LINKTYPE_RAW: case LINKTYPE_LOOP:
            case LINKTYPE_LINUX_SLL: case LINKTYPE_IPV4: case LINKTYPE_IPV6: case LINKTYPE_LINUX_SLL2:
                return true;
            default:
                return false;
        }
    }

    static boolean carriesIpv4(final int linkType) {
        return linkType != LINKTYPE_IPV6;
    }

    static boolean carriesIpv6(final int linkType) {
        return linkType != LINKTYPE_IPV4;
    }

    /** Whether the link type can carry ARP/LLDP (anything with an ethertype). */
    static boolean carriesNonIp(final int linkType) {
        return linkType == LINKTYPE_ETHERNET || linkType == LINKTYPE_LINUX_SLL || linkType == LINKTYPE_LINUX_SLL2
            || linkType == LINKTYPE_FDDI;
    }

    /**
     * The frame bytes. {@code fileOrder} is the byte order of the file or section, which DLT_NULL's
     * family field follows.
     */
    static byte[] encode(final int linkType, final ByteOrder fileOrder, final LinkContext link, final int etherType,
                         final byte[] payload) {
        switch (linkType) {
            case LINKTYPE_ETHERNET:
                return ethernet(link, etherType, payload);
            case LINKTYPE_LINUX_SLL: {
                final ByteArrayBuilder b = ByteArrayBuilder.bigEndian();
                b.u16(link.outgoing() ? SLL_PACKET_OUTGOING : isBroadcast(link.dstMac()) ? SLL_PACKET_BROADCAST
                    : SLL_PACKET_HOST);
                b.u16(ARPHRD_ETHER).u16(6).bytes(link.srcMac()).zeros(2).u16(etherType).bytes(payload);
                return b.toByteArray();
            }
            case LINKTYPE_LINUX_SLL2: {
                final ByteArrayBuilder b = ByteArrayBuilder.bigEndian();
                b.u16(etherType).u16(0).u32(link.interfaceIndex()).u16(ARPHRD_ETHER);
                b.u8(link.outgoing() ? SLL_PACKET_OUTGOING : isBroadcast(link.dstMac()) ? SLL_PACKET_BROADCAST
                    : SLL_PACKET_HOST);
                b.u8(6).bytes(link.srcMac()).zeros(2).bytes(payload);
                return b.toByteArray();
            }
            case LINKTYPE_NULL:
            case LINKTYPE_LOOP: {
                final ByteArrayBuilder b = new ByteArrayBuilder(linkType == LINKTYPE_LOOP ? ByteOrder.BIG_ENDIAN : fileOrder);
                b.u32(etherType == ETHERTYPE_IPV4 ? NULL_FAMILY_INET : link.nullInet6Family());
                requireIp(linkType, etherType);
                return b.bytes(payload).toByteArray();
            }
            case LINKTYPE_FDDI: {
                final ByteArrayBuilder b = ByteArrayBuilder.bigEndian();
                b.u8(FDDI_FRAME_CONTROL_LLC_ASYNC).bytes(link.dstMac()).bytes(link.srcMac());
                b.bytes(SNAP_HEADER_PREFIX).u16(etherType).bytes(payload);
                return b.toByteArray();
            }
            case LINKTYPE_RAW:
                requireIp(linkType, etherType);
                return payload.clone();
            case LINKTYPE_IPV4:
                if (etherType != ETHERTYPE_IPV4) {
                    throw new IllegalArgumentException("link type 228 carries IPv4 only");
                }
                return payload.clone();
            case LINKTYPE_IPV6:
                if (etherType != ETHERTYPE_IPV6) {
                    throw new IllegalArgumentException("link type 229 carries IPv6 only");
                }
                return payload.clone();
            default:
                throw new IllegalArgumentException("unsupported link type " + linkType);
        }
    }

    /** Bytes of link-layer header {@link #encode} puts before the payload. */
    static int headerLength(final int linkType, final LinkContext link) {
        switch (linkType) {
            case LINKTYPE_ETHERNET:
                return ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH * (link.vlanTags().length / 2)
                    + (link.llcSnap() ? LLC_SNAP_LENGTH : 0);
            case LINKTYPE_LINUX_SLL: return SLL_HEADER_LENGTH;
            case LINKTYPE_LINUX_SLL2: return SLL2_HEADER_LENGTH;
            case LINKTYPE_NULL: case LINKTYPE_LOOP: return NULL_HEADER_LENGTH;
            case LINKTYPE_FDDI: return FDDI_HEADER_LENGTH + LLC_SNAP_LENGTH;
            default: return 0;
        }
    }

    private static byte[] ethernet(final LinkContext link, final int etherType, final byte[] payload) {
        final ByteArrayBuilder b = ByteArrayBuilder.bigEndian();
        b.bytes(link.dstMac()).bytes(link.srcMac());
        final int[] tags = link.vlanTags();
        for (int i = 0; i < tags.length; i += 2) {
            b.u16(tags[i]).u16(tags[i + 1]);
        }
        if (link.llcSnap()) {
            if (tags.length != 0) {
                throw new IllegalArgumentException("LLC/SNAP frames are generated untagged");
            }
            b.u16(LLC_SNAP_LENGTH + payload.length); // 802.3 length field
            b.bytes(SNAP_HEADER_PREFIX).u16(etherType);
        } else {
            b.u16(etherType);
        }
        b.bytes(payload);
        if (b.size() < ETHERNET_MIN_FRAME) {
            b.zeros(ETHERNET_MIN_FRAME - b.size()); // the padding a receiver sees
        }
        return b.toByteArray();
    }

    private static boolean isBroadcast(final byte[] mac) {
        return (mac[0] & 1) != 0;
    }

    private static void requireIp(final int linkType, final int etherType) {
        if (etherType != ETHERTYPE_IPV4 && etherType != ETHERTYPE_IPV6) {
            throw new IllegalArgumentException("link type " + linkType + " carries IP only, not ethertype 0x"
                + Integer.toHexString(etherType));
        }
    }
}
