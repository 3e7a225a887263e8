package io.scalpel.decode;

import java.nio.ByteBuffer;

/** A frame decoded once, and a decode told as text for comparing two decodes. */
final class Decodes {
    private Decodes() {
    }

    static DecodedPacket decode(final int linkType, final byte[] frame) {
        final DecodedPacket out = new DecodedPacket();
        new PacketDecoder().decode(linkType, ByteBuffer.wrap(frame), 0, frame.length, out);
        return out;
    }

    /** Everything a decode produced, as text, for comparing two decodes. */
    static String describe(final DecodedPacket p) {
        return describe(p, 0);
    }

    /** Like {@link #describe(DecodedPacket)}, with header offsets relative to the frame's start. */
    static String describe(final DecodedPacket p, final int frameOffset) {
        final StringBuilder sb = new StringBuilder()
            .append("status=").append(p.status())
            .append(" vlans=").append(p.vlanCount()).append('/').append(p.outerVlan()).append('/').append(p.innerVlan())
            .append(" ip@").append(relative(p.ipOffset(), frameOffset))
            .append(" transport@").append(relative(p.transportOffset(), frameOffset));
        for (int i = 0; i < p.layerCount(); i++) {
            final FlowKey k = p.layer(i);
            sb.append(" [").append(k).append(k.portsKnown() ? "" : " ports?").append(']');
        }
        return sb.toString();
    }

    private static int relative(final int offset, final int frameOffset) {
        return offset == DecodedPacket.NO_OFFSET ? offset : offset - frameOffset;
    }
}
