package io.scalpel.testdata;

/** RFC 1071 ones'-complement checksum, with the TCP/UDP/ICMPv6 pseudo headers. */
final class InternetChecksum {
    private InternetChecksum() {
    }

    /** Checksum of {@code data[offset, offset+length)}; the checksum field must be zero. */
    static int of(final byte[] data, final int offset, final int length) {
        return fold(sum(0, data, offset, length));
    }

    /**
     * Checksum of an upper-layer message under the IPv4 or IPv6 pseudo header (chosen by the
     * address length). {@code upperLength} is the length of the whole upper-layer message, which
     * for a datagram about to be fragmented is all of {@code message}.
     */
    static int withPseudoHeader(final byte[] src, final byte[] dst, final int protocol, final byte[] message) {
        long sum = 0;
        sum = sum(sum, src, 0, src.length);
        sum = sum(sum, dst, 0, dst.length);
        if (src.length == IpPackets.IPV4_ADDRESS_LENGTH) {
            sum += protocol;          // zero byte, protocol
            sum += message.length;    // 16-bit upper-layer length
        } else {
            sum += (message.length >>> 16) & 0xffff; // 32-bit upper-layer length
            sum += message.length & 0xffff;
            sum += protocol;          // three zero bytes, next header
        }
        sum = sum(sum, message, 0, message.length);
        return fold(sum);
    }

    private static long sum(final long start, final byte[] data, final int offset, final int length) {
        long sum = start;
        int i = offset;
        final int end = offset + length;
        for (; i + 1 < end; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if (i < end) {
            sum += (data[i] & 0xff) << 8;
        }
        return sum;
    }

    private static int fold(final long value) {
        long sum = value;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
