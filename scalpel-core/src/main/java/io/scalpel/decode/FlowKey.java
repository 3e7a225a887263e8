package io.scalpel.decode;

/**
 * Mutable flow key of one decoded IP layer: addresses, IP protocol, ports and the fragment facts
 * of the packet that filled it. Reused for every frame; never allocated on the scan path.
 *
 * <p>Addresses are held as two longs each. IPv4 addresses sit in the low 32 bits of {@code lo}
 * with {@code hi == 0} and {@link #ipVersion()} telling the family apart from an IPv6 address.
 *
 * <p>Ports follow Zeek's connection key: TCP, UDP (and SCTP, for Community ID) ports as on the
 * wire; for ICMP and ICMPv6 the source "port" is the message type and the destination "port" its
 * counterpart type, or its code for a one-way type ({@link IcmpTypes}); other protocols have
 * ports 0.
 */
public final class FlowKey {
    public static final int IPV4 = 4;
    public static final int IPV6 = 6;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;
    public static final int PROTO_SCTP = 132;

    /** {@link #tcpFlags()} of a key that is not TCP, or whose TCP header ends before its flags. */
    public static final int NO_TCP_FLAGS = -1;
    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_ACK = 0x10;

    int ipVersion;
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    int protocol;
    int srcPort;
    int dstPort;
    /** True when the transport header was present far enough to read the ports (or type/code). */
    boolean portsKnown;
    /** The TCP header's flags byte, or {@link #NO_TCP_FLAGS}. */
    int tcpFlags = NO_TCP_FLAGS;

    boolean fragment;
    int fragmentPayloadLength;
    int fragmentOffset;
    boolean moreFragments;
    long fragmentId;

    public void reset() {
        ipVersion = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        protocol = 0;
        srcPort = dstPort = 0;
        portsKnown = false;
        tcpFlags = NO_TCP_FLAGS;
        fragment = false;
        fragmentPayloadLength = 0;
        fragmentOffset = 0;
        moreFragments = false;
        fragmentId = 0;
    }

    public void setIpv4(final int src, final int dst, final int protocol) {
        this.ipVersion = IPV4;
        this.srcHi = 0;
        this.srcLo = src & 0xFFFF_FFFFL;
        this.dstHi = 0;
        this.dstLo = dst & 0xFFFF_FFFFL;
        this.protocol = protocol;
    }

    public void setIpv6(final long srcHi, final long srcLo, final long dstHi, final long dstLo, final int protocol) {
        this.ipVersion = IPV6;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        this.protocol = protocol;
    }

    public void setPorts(final int srcPort, final int dstPort) {
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.portsKnown = true;
    }

    /** The flags byte of this layer's TCP header (FIN, SYN, RST, PSH, ACK, ... in its low bits). */
    public void setTcpFlags(final int flags) {
        this.tcpFlags = flags;
    }

    public void setFragment(final long id, final int offsetBytes, final boolean more) {
        this.fragment = true;
        this.fragmentId = id;
        this.fragmentOffset = offsetBytes;
        this.moreFragments = more;
    }

    /** Bytes of the datagram this fragment carries (after the IP header and, for IPv6, the fragment header). */
    public void setFragmentPayloadLength(final int length) {
        this.fragmentPayloadLength = length;
    }

    public void setProtocol(final int protocol) {
        this.protocol = protocol;
    }

    public int ipVersion() { return ipVersion; }
    public long srcHi() { return srcHi; }
    public long srcLo() { return srcLo; }
    public long dstHi() { return dstHi; }
    public long dstLo() { return dstLo; }
    public int protocol() { return protocol; }
    public int srcPort() { return srcPort; }
    public int dstPort() { return dstPort; }
    public boolean portsKnown() { return portsKnown; }
    /** The TCP flags byte ({@link #TCP_FIN}, {@link #TCP_SYN}, ...), or {@link #NO_TCP_FLAGS}. */
    public int tcpFlags() { return tcpFlags; }
    /** True when this TCP segment has {@code flag} set ({@link #TCP_FIN}, ...); false when the flags are unknown. */
    public boolean hasTcpFlag(final int flag) { return tcpFlags != NO_TCP_FLAGS && (tcpFlags & flag) != 0; }
    /** True for any IP fragment (offset != 0 or more-fragments set). */
    public boolean isFragment() { return fragment; }
    /** Fragment offset in bytes. */
    public int fragmentOffset() { return fragmentOffset; }
    public boolean moreFragments() { return moreFragments; }
    /** Datagram bytes this fragment carries, 0 when unknown. */
    public int fragmentPayloadLength() { return fragmentPayloadLength; }
    /** IPv4 identification (16 bits) or IPv6 fragment header identification (32 bits). */
    public long fragmentId() { return fragmentId; }

    public void copyFrom(final FlowKey o) {
        ipVersion = o.ipVersion;
        srcHi = o.srcHi;
        srcLo = o.srcLo;
        dstHi = o.dstHi;
        dstLo = o.dstLo;
        protocol = o.protocol;
        srcPort = o.srcPort;
        dstPort = o.dstPort;
        portsKnown = o.portsKnown;
        tcpFlags = o.tcpFlags;
        fragment = o.fragment;
        fragmentPayloadLength = o.fragmentPayloadLength;
        fragmentOffset = o.fragmentOffset;
        moreFragments = o.moreFragments;
        fragmentId = o.fragmentId;
    }

    /** Direction-independent, VLAN-blind hash of this key as Zeek would key the connection. */
    public long flowHash() {
        return FlowHash.of(ipVersion, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, protocol);
    }

    @Override
    public String toString() {
        return Addresses.format(ipVersion, srcHi, srcLo) + ":" + srcPort + " > "
            + Addresses.format(ipVersion, dstHi, dstLo) + ":" + dstPort + " proto " + protocol
            + (fragment ? " frag id=" + fragmentId + " off=" + fragmentOffset + (moreFragments ? " MF" : "") : "");
    }
}
