package io.scalpel.decode.tunnel;

import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.DecodedPacket;
import io.scalpel.decode.LinkTypes;
import java.nio.ByteBuffer;

/**
 * VXLAN (RFC 7348) on UDP port 4789, as Zeek's VXLAN analyzer: flags(1) reserved(3) VNI(3)
 * reserved(1), then an Ethernet frame. The I flag must be set (the VNI is valid).
 */
final class Vxlan {
    static final int PORT = 4789;
    static final int HEADER_LENGTH = 8;
    static final int FLAG_I = 0x08;

    private Vxlan() {
    }

    static void decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        if (end - off < HEADER_LENGTH || (u8(buf, off) & FLAG_I) == 0) {
            Decapsulation.refuse(out);
            return;
        }
        Decapsulation.enter(DecodedPacket.TUNNEL_VXLAN, LinkTypes.LINKTYPE_ETHERNET, buf, off + HEADER_LENGTH, end,
            InnerLength.FITS, out);
    }
}
