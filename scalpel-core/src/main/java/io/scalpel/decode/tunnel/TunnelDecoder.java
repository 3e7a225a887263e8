package io.scalpel.decode.tunnel;

import io.scalpel.decode.DecodedPacket;
import java.nio.ByteBuffer;

/**
 * One tunnel's decoder, as {@link TunnelTable} names it: parses the tunnel's header at
 * {@code off} and hands what it carries to {@link Decapsulation#enter}, or calls
 * {@link Decapsulation#refuse} when Zeek would not decapsulate it. It reads {@code [off, end)}
 * only and allocates nothing; {@link Decapsulation} has already decided that a tunnel may be
 * entered here (not a non-first fragment, not past the maximum depth).
 */
@FunctionalInterface
interface TunnelDecoder {
    /**
     * @param buf the frame's big-endian buffer
     * @param off where the tunnel header starts (the IP payload, or the UDP payload)
     * @param end where the bytes the outer layer gives the tunnel end
     * @param out the frame's layers so far; the innermost carries this tunnel
     */
    void decode(ByteBuffer buf, int off, int end, DecodedPacket out);
}
