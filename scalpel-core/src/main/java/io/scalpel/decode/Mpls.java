package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_NOT_IP;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.u8;

import java.nio.ByteBuffer;

/**
 * An MPLS label stack (RFC 3032) and the IP packet under it. MPLS does not name its payload:
 * like Zeek, the decoder takes IPv4 or IPv6 by the version nibble after the bottom of the stack;
 * anything else (a pseudowire control word and Ethernet, for one) has no flow.
 */
final class Mpls {
    /** One stack entry: label(20) traffic class(3) bottom of stack(1) TTL(8). */
    static final int LABEL_ENTRY_LENGTH = 4;
    /** The byte holding the bottom-of-stack bit, and the bit in it. */
    static final int BOTTOM_OF_STACK_OFFSET = 2;
    static final int BOTTOM_OF_STACK_MASK = 0x01;
    /** The payload's IP version is the high nibble of its first byte. */
    static final int IP_VERSION_SHIFT = 4;

    private Mpls() {
    }

    /** The label stack at {@code off}, walked in a loop however deep it is, then the IP packet. */
    static int decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        int p = off;
        boolean bottom = false;
        while (!bottom) {
            if (end - p < LABEL_ENTRY_LENGTH) {
                return STATUS_TRUNCATED;
            }
            bottom = (u8(buf, p + BOTTOM_OF_STACK_OFFSET) & BOTTOM_OF_STACK_MASK) != 0;
            p += LABEL_ENTRY_LENGTH;
        }
        if (p >= end) {
            return STATUS_TRUNCATED;
        }
        switch (u8(buf, p) >>> IP_VERSION_SHIFT) {
            case FlowKey.IPV4:
                return Ipv4.decode(buf, p, end, out);
            case FlowKey.IPV6:
                return Ipv6.decode(buf, p, end, out);
            default:
                return STATUS_NOT_IP;
        }
    }
}
