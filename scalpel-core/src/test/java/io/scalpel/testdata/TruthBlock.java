package io.scalpel.testdata;

/**
 * One structural piece of a generated file. Together, in order, the blocks tile the file exactly.
 *
 * @param offset  byte offset in the file
 * @param length  bytes
 * @param type    pcap: "pcap-header" or "pcap"; pcapng: "SHB", "IDB", "EPB", "SPB", "OPB", "NRB",
 *                "ISB", "DSB", "CB" (custom, copyable 0x00000BAD) or "DCB" (0x40000BAD, do not copy)
 * @param frame   the frame number of a packet record, else 0
 * @param section 0-based pcapng section (0 for pcap)
 */
public record TruthBlock(long offset, int length, String type, int frame, int section) {
    public long end() {
        return offset + length;
    }
}
