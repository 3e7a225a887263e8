package io.scalpel.decode;

import static io.scalpel.decode.DecodedPacket.STATUS_OK;
import static io.scalpel.decode.DecodedPacket.STATUS_TRUNCATED;
import static io.scalpel.decode.NetworkOrder.u16;
import static io.scalpel.decode.NetworkOrder.u8;

import io.scalpel.decode.tunnel.Decapsulation;
import java.nio.ByteBuffer;

/**
 * The "ports" of a flow key from the transport header: TCP, UDP and SCTP ports, ICMP and
 * ICMPv6 type and counterpart-or-code ({@link IcmpTypes}); ports 0 for every other protocol.
 * Then on to a tunnel inside ({@link Decapsulation}).
 */
final class Transport {
    /** TCP, UDP and SCTP all start with source port(2) destination port(2). */
    static final int SOURCE_PORT_OFFSET = 0;
    static final int DESTINATION_PORT_OFFSET = 2;
    static final int PORTS_LENGTH = 4;
    /** TCP: the flags byte follows source port, destination port, sequence, acknowledgment and data offset. */
    static final int TCP_FLAGS_OFFSET = 13;
    /** ICMP and ICMPv6 start with type(1) code(1). */
    static final int ICMP_TYPE_OFFSET = 0;
    static final int ICMP_CODE_OFFSET = 1;
    static final int ICMP_TYPE_CODE_LENGTH = 2;
    /** The ports of a protocol that has none. */
    static final int NO_PORT = 0;

    private Transport() {
    }

    /**
     * Reads the ports of {@code key.protocol()} from the upper-layer header at {@code off},
     * bounded by {@code end} (the datagram's end within the capture). A header too short for
     * its ports leaves {@code portsKnown} false and returns {@code STATUS_TRUNCATED}.
     */
    static int decode(final FlowKey key, final ByteBuffer buf, final int off, final int end, final DecodedPacket out) {
        out.transportAt(off);
        final int protocol = key.protocol();
        switch (protocol) {
            case FlowKey.PROTO_TCP:
            case FlowKey.PROTO_UDP:
            case FlowKey.PROTO_SCTP:
                if (end - off < PORTS_LENGTH) {
                    return STATUS_TRUNCATED;
                }
                key.setPorts(u16(buf, off + SOURCE_PORT_OFFSET), u16(buf, off + DESTINATION_PORT_OFFSET));
                if (protocol == FlowKey.PROTO_TCP && end - off > TCP_FLAGS_OFFSET) {
                    key.setTcpFlags(u8(buf, off + TCP_FLAGS_OFFSET));
                }
                if (protocol == FlowKey.PROTO_UDP) {
                    Decapsulation.afterUpperLayer(key, buf, off, end, out);
                }
                return STATUS_OK;
            case FlowKey.PROTO_ICMP:
            case FlowKey.PROTO_ICMPV6:
                if (end - off < ICMP_TYPE_CODE_LENGTH) {
                    return STATUS_TRUNCATED;
                }
                final int type = u8(buf, off + ICMP_TYPE_OFFSET);
                final int code = u8(buf, off + ICMP_CODE_OFFSET);
                key.setPorts(type, IcmpTypes.destinationPort(protocol, type, code));
                return STATUS_OK;
            default:
                key.setPorts(NO_PORT, NO_PORT);
                Decapsulation.afterUpperLayer(key, buf, off, end, out); // IP in IP, GRE
                return STATUS_OK;
        }
    }
}
