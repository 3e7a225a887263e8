package io.scalpel.capture;

/**
 * Where a pcapng structural block lies: section header, interface description, or another
 * non-packet block (name resolution, statistics, secrets, custom). Extracts copy the ones that
 * still apply to the packets they hold.
 *
 * @param type        block type
 * @param section     0-based section number
 * @param offset      byte offset of the block in the capture
 * @param length      block total length
 * @param interfaceId for an interface description block its id in the section, else -1
 * @param linkType    for an interface description block its link type, else -1
 */
public record PcapngBlock(int type, int section, long offset, int length, int interfaceId, int linkType) {
    public static final int SECTION_HEADER = 0x0A0D0D0A;
    public static final int INTERFACE_DESCRIPTION = 1;
    public static final int OBSOLETE_PACKET = 2;
    public static final int SIMPLE_PACKET = 3;
    public static final int NAME_RESOLUTION = 4;
    public static final int INTERFACE_STATISTICS = 5;
    public static final int ENHANCED_PACKET = 6;
    public static final int DECRYPTION_SECRETS = 10;
    public static final int CUSTOM_COPYABLE = 0x00000BAD;
    public static final int CUSTOM_DO_NOT_COPY = 0x40000BAD;

    /**
     * A section header or interface description: the blocks reading a packet at an offset needs,
     * always kept, while other non-packet blocks are kept up to {@link PcapngReader#MAX_BLOCKS_KEPT}.
     */
    public boolean isStructural() {
        return type == SECTION_HEADER || type == INTERFACE_DESCRIPTION;
    }
}
