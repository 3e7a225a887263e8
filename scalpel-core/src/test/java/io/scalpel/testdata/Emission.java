package io.scalpel.testdata;

/** One frame to be written: its network-layer content, link-layer facts and what it belongs to. */
final class Emission {
    /** Creation order: breaks timestamp ties so that a conversation keeps its packet order. */
    final long seq;
    long tsNanos;
    final Lane lane;
    final int etherType;
    final byte[] payload;
    /** Bytes after the link header that must survive a snaplen (IP + transport headers, or all of a noise body). */
    final int protectedLength;
    final int[] vlanTags;
    final byte[] srcMac;
    final byte[] dstMac;
    final boolean llcSnap;
    final boolean outgoing;
    final int nullInet6Family;

    /** Null for noise. */
    final PlannedConn conn;
    final boolean fromOrig;
    /** -1 unless a fragment. */
    final int fragmentGroup;
    /** IP bytes of the whole (reassembled) datagram, what Zeek's ip_bytes counts when it is delivered. */
    final long datagramIpBytes;
    /** Set after ordering: this frame hands a (whole or reassembled) datagram to the connection. */
    boolean delivers;
    /** The TCP segment's flags byte (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10), -1 for anything else. */
    int tcpFlags = -1;

    final String proto;
    final String srcAddr;
    final int srcPort;
    final String dstAddr;
    final int dstPort;
    final int ipProto;

    Emission(final long seq, final long tsNanos, final Lane lane, final int etherType, final byte[] payload,
             final int protectedLength, final int[] vlanTags, final byte[] srcMac, final byte[] dstMac,
             final boolean llcSnap, final boolean outgoing, final int nullInet6Family, final PlannedConn conn,
             final boolean fromOrig, final int fragmentGroup, final long datagramIpBytes, final String proto, final String srcAddr, final int srcPort,
             final String dstAddr, final int dstPort, final int ipProto) {
        this.seq = seq;
        this.tsNanos = tsNanos;
        this.lane = lane;
        this.etherType = etherType;
        this.payload = payload;
        this.protectedLength = protectedLength;
        this.vlanTags = vlanTags;
        this.srcMac = srcMac;
        this.dstMac = dstMac;
        this.llcSnap = llcSnap;
        this.outgoing = outgoing;
        this.nullInet6Family = nullInet6Family;
        this.conn = conn;
        this.fromOrig = fromOrig;
        this.fragmentGroup = fragmentGroup;
        this.datagramIpBytes = datagramIpBytes;
        this.proto = proto;
        this.srcAddr = srcAddr;
        this.srcPort = srcPort;
        this.dstAddr = dstAddr;
        this.dstPort = dstPort;
        this.ipProto = ipProto;
    }

    LinkFrames.LinkContext linkContext() {
        return new LinkFrames.LinkContext(srcMac, dstMac, vlanTags, llcSnap, outgoing, nullInet6Family,
            lane.interfaceIndex);
    }

    int outerVlan() {
        return vlanTags.length >= 2 ? vlanTags[1] & 0xfff : -1;
    }

    /** Zeek's inner_vlan: the last tag after the first (its VLAN analyzer writes each later tag over it). */
    int innerVlan() {
        return vlanTags.length >= 4 ? vlanTags[vlanTags.length - 1] & 0xfff : -1;
    }
}
