package io.scalpel.decode.tunnel;

import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.LinkTypes;
import java.nio.ByteBuffer;

/**
 * AYIYA ("Anything In Anything") on UDP port 5072, as Zeek's AYIYA analyzer: identity length and
 * type(1) signature length and hash method(1) authentication method and opcode(1) next header(1)
 * epoch(4), the identity and the signature, then an IPv4 or IPv6 packet. Only the opcode
 * "forward" carries a packet; it must be exactly the bytes left.
 */
final class Ayiya {
    static final int PORT = 5072;
    static final int HEADER_LENGTH = 8;
    static final int SIGNATURE_OFFSET = 1;
    static final int OPCODE_OFFSET = 2;
    static final int NEXT_HEADER_OFFSET = 3;
    /** The lengths are the high nibbles: identity 2^n bytes, signature n 4-byte units. */
    static final int LENGTH_SHIFT = 4;
    static final int OPCODE_MASK = 0x0F;
    static final int SIGNATURE_UNIT = 4;
    /** Opcode "forward": the only one that carries a packet. */
    static final int OPCODE_FORWARD = 1;
    /** Next header values (IP protocol numbers) of IPv4 and IPv6. */
    static final int NEXT_HEADER_IPV4 = 4;
    static final int NEXT_HEADER_IPV6 = 41;

    private Ayiya() {
    }

    static void decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH) {
            Decapsulation.refuse(out);
            return;
        }
        final int identityLength = 1 << (u8(buf, off) >>> LENGTH_SHIFT);
        final int signatureLength = (u8(buf, off + SIGNATURE_OFFSET) >>> LENGTH_SHIFT) * SIGNATURE_UNIT;
        final int headerLength = HEADER_LENGTH + identityLength + signatureLength;
        final int next = u8(buf, off + NEXT_HEADER_OFFSET);
        if (end - off < headerLength || (u8(buf, off + OPCODE_OFFSET) & OPCODE_MASK) != OPCODE_FORWARD
            || (next != NEXT_HEADER_IPV4 && next != NEXT_HEADER_IPV6)) {
            Decapsulation.refuse(out);
            return;
        }
        Decapsulation.enter(DecodedPacket.TUNNEL_AYIYA, next == NEXT_HEADER_IPV4 ? LinkTypes.LINKTYPE_IPV4 : LinkTypes.LINKTYPE_IPV6,
            buf, off + headerLength, end, InnerLength.EXACT, out);
    }
}
