package io.scalpel.testdata;

import java.util.Set;

/**
 * Ground truth for one frame (packet record) of a generated capture.
 *
 * @param number         1-based, in capture order (pcapng: counting EPB, SPB and OPB only)
 * @param recordOffset   byte offset of the pcap record header or of the pcapng block
 * @param recordLength   bytes of the whole record (16 + caplen) or block
 * @param tsNanos        timestamp, nanoseconds since the epoch; {@link Long#MIN_VALUE} for an SPB,
 *                       which has none
 * @param capturedLength bytes of the frame in the file
 * @param originalLength bytes of the frame on the wire
 * @param linkType       link type of the file (pcap) or of the frame's interface (pcapng)
 * @param uids           the connections the frame belongs to (empty for ARP/LLDP noise)
 * @param proto          tcp, udp, icmp, unknown_transport (as the connection), or arp / lldp
 * @param srcAddr        source address of this frame ("-" for LLDP; ARP: sender protocol address)
 * @param srcPort        Zeek-style source port of this frame: TCP/UDP port, ICMP type, 0 otherwise;
 *                       for a fragment, the port of its datagram
 * @param dstAddr        destination address ("-" for LLDP; ARP: target protocol address)
 * @param dstPort        TCP/UDP port, the ICMP counterpart type or code, 0 otherwise
 * @param outerVlan      outermost VLAN id, -1 when untagged
 * @param innerVlan      Zeek's inner_vlan: the last VLAN id after the first, -1 when fewer than two tags
 * @param ipProto        IP protocol number, -1 for non-IP frames
 * @param fragmentGroup  the same number for all fragments of one IP datagram, -1 for an unfragmented packet
 * @param interfaceId    pcapng interface id within its section (0 for pcap)
 * @param recordType     "pcap", "EPB", "SPB" or "OPB"
 */
public record TruthFrame(
    int number,
    long recordOffset,
    int recordLength,
    long tsNanos,
    int capturedLength,
    int originalLength,
    int linkType,
    Set<String> uids,
    String proto,
    String srcAddr,
    int srcPort,
    String dstAddr,
    int dstPort,
    int outerVlan,
    int innerVlan,
    int ipProto,
    int fragmentGroup,
    int interfaceId,
    String recordType) {

    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    public TruthFrame {
        uids = Set.copyOf(uids);
    }

    public boolean isFragment() {
        return fragmentGroup >= 0;
    }

    public boolean hasTimestamp() {
        return tsNanos != NO_TIMESTAMP;
    }

    public boolean isTruncated() {
        return capturedLength < originalLength;
    }
}
