package io.scalpel.decode;

/** EtherType values the decoder dispatches on or names in its documentation. */
public final class EtherTypes {
    /** Smallest EtherType; a smaller value in an Ethernet header is an IEEE 802.3 length (LLC follows). */
    public static final int MIN_ETHERTYPE = 0x0600;

    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    /** IEEE 802.1Q VLAN tag. */
    public static final int VLAN = 0x8100;
    public static final int IPV6 = 0x86DD;
    public static final int MPLS_UNICAST = 0x8847;
    public static final int MPLS_MULTICAST = 0x8848;
    public static final int PPPOE_DISCOVERY = 0x8863;
    public static final int PPPOE_SESSION = 0x8864;
    /** IEEE 802.1ad service tag (QinQ outer tag). */
    public static final int QINQ = 0x88A8;
    public static final int LLDP = 0x88CC;
    /** IEEE 802.1ah Provider Backbone Bridging (MAC-in-MAC) I-TAG. */
    public static final int PBB = 0x88E7;
    /** Cisco FabricPath: the outer header's EtherType, an inner Ethernet header follows. */
    public static final int FABRICPATH = 0x8903;
    /** Cisco VN-Tag (802.1Qbh). */
    public static final int VN_TAG = 0x8926;
    /** Pre-standard QinQ outer tag. */
    public static final int QINQ_LEGACY = 0x9100;

    private EtherTypes() {
    }
}
