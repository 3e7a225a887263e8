package io.scalpel.capture;

import java.nio.ByteBuffer;

/** A {@link Frame} filled as a reader would fill it, for tests of the code that writes frames. */
public final class FrameFixture {
    /** Bytes before the frame's data in its buffer, so that a writer that ignores {@link Frame#dataOffset()} is caught. */
    private static final int DATA_OFFSET = 3;

    private FrameFixture() {
    }

    /**
     * A frame of {@code data}, captured whole or cut ({@code originalLength} at least its length),
     * at {@code timestampNanos}, on interface {@code interfaceId} of pcapng section {@code section}.
     */
    public static Frame of(final byte[] data, final int originalLength, final long timestampNanos, final int linkType,
                           final int section, final int interfaceId) {
        final ByteBuffer buffer = ByteBuffer.allocate(DATA_OFFSET + data.length + DATA_OFFSET);
        buffer.put(0, new byte[] {(byte) 0xEE, (byte) 0xEE, (byte) 0xEE}).put(DATA_OFFSET, data)
            .put(DATA_OFFSET + data.length, new byte[] {(byte) 0xEE, (byte) 0xEE, (byte) 0xEE});
        final Frame f = new Frame();
        f.recordOffset = 0;
        f.recordLength = data.length;
        f.timestampNanos = timestampNanos;
        f.timestampKnown = true;
        f.capturedLength = data.length;
        f.originalLength = originalLength;
        f.linkType = linkType;
        f.section = section;
        f.interfaceId = interfaceId;
        f.buffer = buffer;
        f.dataOffset = DATA_OFFSET;
        return f;
    }
}
