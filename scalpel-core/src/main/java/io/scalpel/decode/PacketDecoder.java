package io.scalpel.decode;

import java.nio.ByteBuffer;

/**
 * Decodes a frame, from its link-layer header down to the transport ports, into a reused
 * {@link DecodedPacket}. Flyweight style: reads the frame's bytes in place with explicit
 * (network) byte order, allocates nothing, and never reads past {@code offset + length}.
 * A frame cut short decodes as far as its bytes allow.
 */
public final class PacketDecoder {
    /**
     * @param linkType the capture's link type (LINKTYPE_* value, {@link LinkTypes})
     * @param buffer   a big-endian buffer holding the frame
     * @param offset   where the frame starts in {@code buffer}
     * @param length   captured length of the frame
     * @param out      reset and filled
     * @return {@code out.status()}
     */
    public int decode(final int linkType, final ByteBuffer buffer, final int offset, final int length, final DecodedPacket out) {
        throw new UnsupportedOperationException("not yet");
    }
}
