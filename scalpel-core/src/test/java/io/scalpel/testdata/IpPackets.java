package io.scalpel.testdata;

import java.util.ArrayList;
import java.util.List;

/** Builds IPv4 and IPv6 packets and fragments, in network byte order, with correct checksums. */
final class IpPackets {
    static final int IPV4_ADDRESS_LENGTH = 4;
    static final int IPV6_ADDRESS_LENGTH = 16;
    static final int IPV4_HEADER_LENGTH = 20;
    static final int IPV4_MAX_OPTIONS_LENGTH = 40;
    static final int IPV6_HEADER_LENGTH = 40;
    static final int IPV6_OPTIONS_HEADER_LENGTH = 8;
    static final int IPV6_FRAGMENT_HEADER_LENGTH = 8;
    static final int FRAGMENT_UNIT = 8;

    static final int PROTO_HOPOPTS = 0;
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int PROTO_IPV6_FRAGMENT = 44;
    static final int PROTO_ICMPV6 = 58;
    static final int PROTO_DSTOPTS = 60;
    static final int PROTO_OSPF = 89;
    static final int PROTO_SCTP = 132;
    static final int PROTO_EXPERIMENTAL = 253;

    private static final int IPV4_FLAG_DONT_FRAGMENT = 0x4000;
    private static final int IPV4_FLAG_MORE_FRAGMENTS = 0x2000;
    private static final int IPV4_CHECKSUM_OFFSET = 10;
    private static final int PADN_OPTION = 1;

    private IpPackets() {
    }

    /** One IP packet: its bytes and the length of its IP header(s), options and extensions included. */
    record IpPacket(byte[] bytes, int ipHeaderLength, int fragmentOffset, boolean moreFragments) {
        boolean isFragment() {
            return fragmentOffset != 0 || moreFragments;
        }
    }

    /** How a conversation's packets are wrapped at the IP layer. */
    record IpShape(int ttl, int identification, byte[] ipv4Options, int[] ipv6ExtensionHeaders, int flowLabel) {
        static IpShape plain(final int ttl, final int identification) {
            return new IpShape(ttl, identification, new byte[0], new int[0], 0);
        }
    }

    static IpPacket packet(final byte[] src, final byte[] dst, final int protocol, final IpShape shape, final byte[] payload) {
        if (src.length == IPV4_ADDRESS_LENGTH) {
            return ipv4(src, dst, protocol, shape, 0, false, false, payload, 0, payload.length);
        }
        return ipv6(src, dst, protocol, shape, null, payload, 0, payload.length);
    }

    /**
     * Splits {@code payload} (a whole upper-layer message, checksum already over all of it) into
     * fragments carrying at most {@code fragmentDataLength} bytes each (a multiple of 8), in
     * offset order. IPv4 fragments carry no options; IPv6 fragments keep a hop-by-hop header if
     * the shape has one (unfragmentable part) and drop other extension headers.
     */
    static List<IpPacket> fragments(final byte[] src, final byte[] dst, final int protocol, final IpShape shape,
                                    final long identification, final byte[] payload, final int fragmentDataLength) {
        if (fragmentDataLength % FRAGMENT_UNIT != 0 || fragmentDataLength <= 0 || payload.length <= fragmentDataLength) {
            throw new IllegalArgumentException("fragment data length " + fragmentDataLength + " for a "
                + payload.length + "-byte payload");
        }
        final List<IpPacket> result = new ArrayList<>();
        for (int offset = 0; offset < payload.length; offset += fragmentDataLength) {
            final int length = Math.min(fragmentDataLength, payload.length - offset);
            final boolean more = offset + length < payload.length;
            if (src.length == IPV4_ADDRESS_LENGTH) {
                final IpShape noOptions = new IpShape(shape.ttl(), (int) identification, new byte[0], new int[0], 0);
                result.add(ipv4(src, dst, protocol, noOptions, offset, more, false, payload, offset, length));
            } else {
                result.add(ipv6(src, dst, protocol, shape, new long[] {offset, more ? 1 : 0, identification},
                    payload, offset, length));
            }
        }
        return result;
    }

    private static IpPacket ipv4(final byte[] src, final byte[] dst, final int protocol, final IpShape shape,
                                 final int fragmentOffset, final boolean more, final boolean dontFragment,
                                 final byte[] payload, final int payloadOffset, final int payloadLength) {
        final byte[] options = shape.ipv4Options();
        if (options.length % 4 != 0 || options.length > IPV4_MAX_OPTIONS_LENGTH) {
            throw new IllegalArgumentException("IPv4 options length " + options.length);
        }
        final int headerLength = IPV4_HEADER_LENGTH + options.length;
        final ByteArrayBuilder b = new ByteArrayBuilder(java.nio.ByteOrder.BIG_ENDIAN, headerLength + payloadLength);
        b.u8(0x40 | (headerLength / 4));        // version 4, IHL
        b.u8(0);                                // DSCP/ECN
        b.u16(headerLength + payloadLength);    // total length
        b.u16(shape.identification() & 0xffff); // identification
        int flagsAndOffset = (fragmentOffset / FRAGMENT_UNIT) & 0x1fff;
        if (more) {
            flagsAndOffset |= IPV4_FLAG_MORE_FRAGMENTS;
        }
        if (dontFragment) {
            flagsAndOffset |= IPV4_FLAG_DONT_FRAGMENT;
        }
        b.u16(flagsAndOffset);
        b.u8(shape.ttl());
        b.u8(protocol);
        b.u16(0);                               // header checksum, filled below
        b.bytes(src);
        b.bytes(dst);
        b.bytes(options);
        b.setBe16(IPV4_CHECKSUM_OFFSET, InternetChecksum.of(b.array(), 0, headerLength));
        b.bytes(payload, payloadOffset, payloadLength);
        return new IpPacket(b.toByteArray(), headerLength, fragmentOffset, more);
    }

    /** {@code fragment} is null or {offset, more (0/1), identification}. */
    private static IpPacket ipv6(final byte[] src, final byte[] dst, final int protocol, final IpShape shape,
                                 final long[] fragment, final byte[] payload, final int payloadOffset,
                                 final int payloadLength) {
        final List<Integer> chain = new ArrayList<>();
        for (final int type : shape.ipv6ExtensionHeaders()) {
            if (fragment == null || type == PROTO_HOPOPTS) {
                chain.add(type);
            }
        }
        if (fragment != null) {
            chain.add(PROTO_IPV6_FRAGMENT);
        }
        int extensionLength = 0;
        for (final int type : chain) {
            extensionLength += type == PROTO_IPV6_FRAGMENT ? IPV6_FRAGMENT_HEADER_LENGTH : IPV6_OPTIONS_HEADER_LENGTH;
        }
        final ByteArrayBuilder b = new ByteArrayBuilder(java.nio.ByteOrder.BIG_ENDIAN,
            IPV6_HEADER_LENGTH + extensionLength + payloadLength);
        b.u32((6L << 28) | (shape.flowLabel() & 0xfffff)); // version, traffic class 0, flow label
        b.u16(extensionLength + payloadLength);             // payload length
        b.u8(chain.isEmpty() ? protocol : chain.get(0));    // next header
        b.u8(shape.ttl());                                  // hop limit
        b.bytes(src);
        b.bytes(dst);
        for (int i = 0; i < chain.size(); i++) {
            final int next = i + 1 < chain.size() ? chain.get(i + 1) : protocol;
            if (chain.get(i) == PROTO_IPV6_FRAGMENT) {
                b.u8(next);
                b.u8(0);                                                     // reserved
                b.u16((int) ((fragment[0] / FRAGMENT_UNIT) << 3 | fragment[1])); // offset, M flag
                b.u32(fragment[2]);                                         // identification
            } else {
                b.u8(next);
                b.u8(0);                // header extension length: 8 bytes in all
                b.u8(PADN_OPTION);      // PadN filling the remaining 6 bytes
                b.u8(4);
                b.zeros(4);
            }
        }
        b.bytes(payload, payloadOffset, payloadLength);
        return new IpPacket(b.toByteArray(), IPV6_HEADER_LENGTH + extensionLength,
            fragment == null ? 0 : (int) fragment[0], fragment != null && fragment[1] == 1);
    }
}
