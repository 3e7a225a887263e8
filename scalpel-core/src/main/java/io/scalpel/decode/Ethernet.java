package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u24;
import static io.scalpel.decode.NetworkOrder.u8;

import java.nio.ByteBuffer;

/**
 * IEEE 802 framing: the Ethernet header, VLAN tags (802.1Q, 802.1ad, pre-standard QinQ) at any
 * depth, 802.2 LLC/SNAP, and the EtherType dispatch every link layer hands over to.
 */
final class Ethernet {
    /** Destination MAC(6) source MAC(6) EtherType or 802.3 length(2). */
    static final int HEADER_LENGTH = 14;
    static final int TYPE_OFFSET = 12;

    /** A VLAN tag after the tag's own EtherType: TCI(2) inner EtherType(2). */
    static final int VLAN_TAG_LENGTH = 4;
    static final int VLAN_TCI_OFFSET = 0;
    static final int VLAN_INNER_TYPE_OFFSET = 2;
    /** The VLAN id is the low 12 bits of the TCI (above it: priority 3 bits, DEI 1 bit). */
    static final int VLAN_ID_MASK = 0x0FFF;

    /** 802.2 LLC: DSAP(1) SSAP(1) control(1); SNAP adds OUI(3) and an EtherType(2). */
    static final int LLC_HEADER_LENGTH = 3;
    static final int LLC_DSAP_OFFSET = 0;
    static final int LLC_SSAP_OFFSET = 1;
    static final int LLC_CONTROL_OFFSET = 2;
    static final int SNAP_OUI_OFFSET = 3;
    static final int SNAP_TYPE_OFFSET = 6;
    static final int SNAP_HEADER_LENGTH = 8;
    static final int LLC_SAP_SNAP = 0xAA;
    /** Unnumbered information, the only control value SNAP uses. */
    static final int LLC_CONTROL_UI = 0x03;
    /** SNAP organisation codes whose protocol id is an EtherType: RFC 1042 and 802.1H bridge tunnel. */
    static final int OUI_ENCAPSULATED_ETHERNET = 0x000000;
    static final int OUI_BRIDGE_TUNNEL = 0x0000F8;

    /** The EtherType field that ends a shim header. */
    static final int ETHERTYPE_LENGTH = 2;
    /** PBB (802.1ah): I-TAG(4: flags, 24-bit I-SID) customer destination(6) and source MAC(6) EtherType(2). */
    static final int PBB_SHIM_LENGTH = 18;
    /** VN-Tag (802.1Qbh): tag(4: direction, pointer, destination and source virtual interface) EtherType(2). */
    static final int VN_TAG_SHIM_LENGTH = 6;
    /** Cisco FabricPath: FTAG and TTL(2), then the inner Ethernet header: destination(6) source(6) EtherType(2). */
    static final int FABRICPATH_SHIM_LENGTH = 16;
    /** Not a shim. */
    private static final int NO_SHIM = 0;

    /** Any value below {@link EtherTypes#MIN_ETHERTYPE}: "an 802.2 LLC header follows". */
    private static final int LLC_FOLLOWS = 0;

    private Ethernet() {
    }

    static int decodeFrame(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH) {
            return STATUS_TRUNCATED;
        }
        return decodeEtherType(u16(buf, off + TYPE_OFFSET), buf, off + HEADER_LENGTH, end, out);
    }

    /** An 802.2 LLC header at {@code off} (FDDI, Linux cooked protocol 4) and what its SNAP header names. */
    static int decodeLlc(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        return decodeEtherType(LLC_FOLLOWS, buf, off, end, out);
    }

    /**
     * Decodes the payload of type {@code etherType} that starts at {@code off}. VLAN tags and
     * LLC/SNAP headers are unwrapped in a loop (never by recursion: a frame of nested tags must
     * not exhaust the stack), and so are the shims that end in another EtherType: PBB, VN-Tag and
     * Cisco FabricPath. MPLS, PPPoE sessions and IP end the walk; every other EtherType (ARP,
     * LLDP, PPPoE discovery, ...) has no flow.
     */
    static int decodeEtherType(final int etherType, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        int type = etherType;
        int p = off;
        while (true) {
            if (isVlanTag(type)) {
                if (end - p < VLAN_TAG_LENGTH) {
                    return STATUS_TRUNCATED;
                }
                out.addVlan(u16(buf, p + VLAN_TCI_OFFSET) & VLAN_ID_MASK);
                type = u16(buf, p + VLAN_INNER_TYPE_OFFSET);
                p += VLAN_TAG_LENGTH;
                continue;
            }
            if (type < EtherTypes.MIN_ETHERTYPE) { // an IEEE 802.3 length: LLC follows
                if (end - p < LLC_HEADER_LENGTH) {
                    return STATUS_TRUNCATED;
                }
                if (u8(buf, p + LLC_DSAP_OFFSET) != LLC_SAP_SNAP
                    || u8(buf, p + LLC_SSAP_OFFSET) != LLC_SAP_SNAP
                    || u8(buf, p + LLC_CONTROL_OFFSET) != LLC_CONTROL_UI) {
                    return STATUS_NOT_IP; // spanning tree, NetBIOS, IPX, ...
                }
                if (end - p < SNAP_HEADER_LENGTH) {
                    return STATUS_TRUNCATED;
                }
                final int oui = u24(buf, p + SNAP_OUI_OFFSET);
                if (oui != OUI_ENCAPSULATED_ETHERNET && oui != OUI_BRIDGE_TUNNEL) {
                    return STATUS_NOT_IP; // the protocol id is the organisation's own (CDP, AppleTalk, ...)
                }
                type = u16(buf, p + SNAP_TYPE_OFFSET);
                p += SNAP_HEADER_LENGTH;
                continue;
            }
            final int shim = shimLength(type);
            if (shim != NO_SHIM) {
                if (end - p < shim) {
                    return STATUS_TRUNCATED;
                }
                type = u16(buf, p + shim - ETHERTYPE_LENGTH);
                p += shim;
                continue;
            }
            switch (type) {
                case EtherTypes.MPLS_UNICAST:
                case EtherTypes.MPLS_MULTICAST:
                    return Mpls.decode(buf, p, end, out);
                case EtherTypes.PPPOE_SESSION:
                    return Ppp.decodePppoeSession(buf, p, end, out);
                case EtherTypes.IPV4:
                    return Ipv4.decode(buf, p, end, out);
                case EtherTypes.IPV6:
                    return Ipv6.decode(buf, p, end, out);
                default:
                    return STATUS_NOT_IP;
            }
        }
    }

    /** The bytes a shim header takes after its EtherType, the next EtherType included; {@link #NO_SHIM} for others. */
    private static int shimLength(final int etherType) {
        switch (etherType) {
            case EtherTypes.PBB:
                return PBB_SHIM_LENGTH;
            case EtherTypes.VN_TAG:
                return VN_TAG_SHIM_LENGTH;
            case EtherTypes.FABRICPATH:
                return FABRICPATH_SHIM_LENGTH;
            default:
                return NO_SHIM;
        }
    }

    static boolean isVlanTag(final int etherType) {
        return etherType == EtherTypes.VLAN || etherType == EtherTypes.QINQ || etherType == EtherTypes.QINQ_LEGACY;
    }
}
