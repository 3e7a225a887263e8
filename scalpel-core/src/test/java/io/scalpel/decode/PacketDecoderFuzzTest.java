package io.scalpel.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzz test of the decoder chain over every supported link type (see docs/robustness.md): any
 * frame decodes to a status without an exception, and every offset the decoder reports lies
 * inside the frame. Without {@code JAZZER_FUZZ} the committed inputs under
 * {@code PacketDecoderFuzzTestInputs/} run as regression tests.
 */
class PacketDecoderFuzzTest {
    private static final int[] LINK_TYPES = {
        LinkTypes.LINKTYPE_NULL, LinkTypes.LINKTYPE_ETHERNET, LinkTypes.LINKTYPE_PPP, LinkTypes.LINKTYPE_FDDI,
        LinkTypes.LINKTYPE_RAW_DLT12, LinkTypes.LINKTYPE_RAW_DLT14, LinkTypes.LINKTYPE_PPP_HDLC, LinkTypes.LINKTYPE_RAW,
        LinkTypes.LINKTYPE_C_HDLC, LinkTypes.LINKTYPE_IEEE802_11, LinkTypes.LINKTYPE_LOOP, LinkTypes.LINKTYPE_LINUX_SLL,
        LinkTypes.LINKTYPE_IEEE802_11_RADIOTAP, LinkTypes.LINKTYPE_IPV4, LinkTypes.LINKTYPE_IPV6, LinkTypes.LINKTYPE_NFLOG,
        LinkTypes.LINKTYPE_LINUX_SLL2};
    /** Bytes of unrelated data before the frame in its buffer: offsets must be absolute and bounded. */
    private static final int MAX_LEADING = 7;
    /**
     * The input's first byte picks the link type (modulo the table above), the second the bytes
     * before (low 3 bits) and after (bits 4 to 6) the frame; the rest is the frame.
     */
    private static final int SELECTOR_LENGTH = 2;

    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket out = new DecodedPacket();

    @FuzzTest(maxDuration = "4m")
    void decodeAnyFrame(final byte[] input) {
        if (input.length < SELECTOR_LENGTH) {
            return;
        }
        final int linkType = LINK_TYPES[Byte.toUnsignedInt(input[0]) % LINK_TYPES.length];
        final int leading = input[1] & MAX_LEADING;
        final int trailing = (input[1] >>> 4) & MAX_LEADING;
        final byte[] frame = java.util.Arrays.copyOfRange(input, SELECTOR_LENGTH, input.length);
        final ByteBuffer buffer = ByteBuffer.allocate(leading + frame.length + trailing);
        buffer.position(leading);
        buffer.put(frame);
        buffer.clear();
        final int status = decoder.decode(linkType, buffer, leading, frame.length, out);
        assertTrue(status >= DecodedPacket.STATUS_OK && status <= DecodedPacket.STATUS_MALFORMED, () -> "status " + status);
        assertTrue(out.layerCount() >= 0 && out.layerCount() <= DecodedPacket.MAX_LAYERS, () -> "layers " + out.layerCount());
        final int end = leading + frame.length;
        if (out.ipOffset() != DecodedPacket.NO_OFFSET) {
            assertTrue(out.ipOffset() >= leading && out.ipOffset() < end, () -> "IP offset " + out.ipOffset() + " outside the frame");
        }
        if (out.transportOffset() != DecodedPacket.NO_OFFSET) {
            assertTrue(out.transportOffset() >= leading && out.transportOffset() <= end,
                () -> "transport offset " + out.transportOffset() + " outside the frame");
        }
        if (status == DecodedPacket.STATUS_OK) {
            final FlowKey key = out.innermost();
            assertTrue(key != null, "OK without a layer");
            assertTrue(key.ipVersion() == FlowKey.IPV4 || key.ipVersion() == FlowKey.IPV6, () -> "IP version " + key.ipVersion());
            assertTrue(key.protocol() >= 0 && key.protocol() <= 255, () -> "protocol " + key.protocol());
            assertTrue(key.srcPort() >= 0 && key.srcPort() <= 0xFFFF && key.dstPort() >= 0 && key.dstPort() <= 0xFFFF,
                () -> "ports " + key.srcPort() + " " + key.dstPort());
        }
    }
}
