package io.scalpel.decode.tunnel;

import io.scalpel.decode.DecodedPacket;
import java.nio.ByteBuffer;

/**
 * GRE over UDP (RFC 8086) on UDP port 4754: a GRE header right after the UDP header, read as
 * {@link Gre} reads it. Zeek's tunnel.log names the tunnel as it names GRE over IP, by the
 * layer's addresses with IP protocol 47 and ports 0, while its conn.log keeps the UDP flow: the
 * layer gets that name as its {@linkplain DecodedPacket#aliasKey(int) alias}.
 */
final class GreOverUdp {
    static final int PORT = 4754;

    private GreOverUdp() {
    }

    static void decode(final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        final int layer = out.layerCount() - 1;
        Gre.decode(buf, off, end, out);
        if (out.tunnelType(layer) == DecodedPacket.TUNNEL_GRE) {
            out.aliasByAddresses(layer, Gre.PROTOCOL);
        }
    }
}
