package io.scalpel.testdata;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** Builds transport-layer messages (network byte order, checksums filled in). */
final class TransportSegments {
    static final int TCP_HEADER_LENGTH = 20;
    static final int UDP_HEADER_LENGTH = 8;
    static final int ICMP_HEADER_LENGTH = 8;
    static final int SCTP_COMMON_HEADER_LENGTH = 12;
    static final int OSPF_HEADER_LENGTH = 24;

    /** Offset of the flags byte in a TCP header. */
    static final int TCP_FLAGS_OFFSET = 13;
    static final int TCP_FIN = 0x01;
    static final int TCP_SYN = 0x02;
    static final int TCP_RST = 0x04;
    static final int TCP_PSH = 0x08;
    static final int TCP_ACK = 0x10;

    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int UDP_CHECKSUM_OFFSET = 6;
    private static final int ICMP_CHECKSUM_OFFSET = 2;
    private static final int SCTP_CHECKSUM_OFFSET = 8;
    private static final int OSPF_CHECKSUM_OFFSET = 12;

    /** SYN options: MSS 1460, NOP, window scale 7, SACK permitted, NOP, NOP (12 bytes). */
    static final byte[] SYN_OPTIONS = {2, 4, 0x05, (byte) 0xb4, 1, 3, 3, 7, 4, 2, 1, 1};

    private TransportSegments() {
    }

    /** A transport message and the length of its header (the part a snaplen must never cut). */
    record Segment(byte[] bytes, int headerLength, int payloadLength) {
    }

    static Segment tcp(final byte[] src, final byte[] dst, final int srcPort, final int dstPort, final long seq,
                       final long ack, final int flags, final int window, final byte[] options, final byte[] payload) {
        final int headerLength = TCP_HEADER_LENGTH + options.length;
        final ByteArrayBuilder b = new ByteArrayBuilder(ByteOrder.BIG_ENDIAN, headerLength + payload.length);
        b.u16(srcPort).u16(dstPort).u32(seq).u32((flags & TCP_ACK) != 0 ? ack : 0);
        b.u8((headerLength / 4) << 4); // data offset
        b.u8(flags);
        b.u16(window);
        b.u16(0);                      // checksum, filled below
        b.u16(0);                      // urgent pointer
        b.bytes(options);
        b.bytes(payload);
        final byte[] bytes = b.toByteArray();
        setBe16(bytes, TCP_CHECKSUM_OFFSET, InternetChecksum.withPseudoHeader(src, dst, IpPackets.PROTO_TCP, bytes));
        return new Segment(bytes, headerLength, payload.length);
    }

    static Segment udp(final byte[] src, final byte[] dst, final int srcPort, final int dstPort, final byte[] payload) {
        final ByteArrayBuilder b = new ByteArrayBuilder(ByteOrder.BIG_ENDIAN, UDP_HEADER_LENGTH + payload.length);
        b.u16(srcPort).u16(dstPort).u16(UDP_HEADER_LENGTH + payload.length).u16(0).bytes(payload);
        final byte[] bytes = b.toByteArray();
        int checksum = InternetChecksum.withPseudoHeader(src, dst, IpPackets.PROTO_UDP, bytes);
        if (checksum == 0) {
            checksum = 0xffff; // 0 means "no checksum" in UDP
        }
        setBe16(bytes, UDP_CHECKSUM_OFFSET, checksum);
        return new Segment(bytes, UDP_HEADER_LENGTH, payload.length);
    }

    /** ICMPv4 message: type, code, checksum, 4 bytes of rest-of-header, data. */
    static Segment icmp4(final int type, final int code, final long restOfHeader, final byte[] data) {
        final byte[] bytes = icmpBytes(type, code, restOfHeader, data);
        setBe16(bytes, ICMP_CHECKSUM_OFFSET, InternetChecksum.of(bytes, 0, bytes.length));
        return new Segment(bytes, ICMP_HEADER_LENGTH, data.length);
    }

    /** ICMPv6 message, checksummed under the IPv6 pseudo header. */
    static Segment icmp6(final byte[] src, final byte[] dst, final int type, final int code, final long restOfHeader,
                         final byte[] data) {
        final byte[] bytes = icmpBytes(type, code, restOfHeader, data);
        setBe16(bytes, ICMP_CHECKSUM_OFFSET, InternetChecksum.withPseudoHeader(src, dst, IpPackets.PROTO_ICMPV6, bytes));
        return new Segment(bytes, ICMP_HEADER_LENGTH, data.length);
    }

    private static byte[] icmpBytes(final int type, final int code, final long restOfHeader, final byte[] data) {
        final ByteArrayBuilder b = new ByteArrayBuilder(ByteOrder.BIG_ENDIAN, ICMP_HEADER_LENGTH + data.length);
        b.u8(type).u8(code).u16(0).u32(restOfHeader).bytes(data);
        return b.toByteArray();
    }

    /** SCTP common header plus one chunk; CRC32c stored as Linux and Wireshark expect. */
    static Segment sctp(final int srcPort, final int dstPort, final long verificationTag, final int chunkType,
                        final int chunkFlags, final byte[] chunkValue) {
        final int chunkLength = 4 + chunkValue.length;
        final ByteArrayBuilder b = new ByteArrayBuilder(ByteOrder.BIG_ENDIAN, SCTP_COMMON_HEADER_LENGTH + chunkLength + 3);
        b.u16(srcPort).u16(dstPort).u32(verificationTag).u32(0);
        b.u8(chunkType).u8(chunkFlags).u16(chunkLength).bytes(chunkValue).pad4();
        final byte[] bytes = b.toByteArray();
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        final long value = crc.getValue();
        bytes[SCTP_CHECKSUM_OFFSET] = (byte) value;           // CRC32c goes out least significant byte first
        bytes[SCTP_CHECKSUM_OFFSET + 1] = (byte) (value >>> 8);
        bytes[SCTP_CHECKSUM_OFFSET + 2] = (byte) (value >>> 16);
        bytes[SCTP_CHECKSUM_OFFSET + 3] = (byte) (value >>> 24);
        return new Segment(bytes, SCTP_COMMON_HEADER_LENGTH, bytes.length - SCTP_COMMON_HEADER_LENGTH);
    }

    /** OSPFv2 Hello (unicast, as on a point-to-point link). */
    static Segment ospfHello(final byte[] routerId, final byte[] neighbor) {
        final ByteArrayBuilder b = new ByteArrayBuilder(ByteOrder.BIG_ENDIAN, 48);
        b.u8(2).u8(1).u16(0);             // version 2, type Hello, length (below)
        b.bytes(routerId).u32(0);         // router id, area 0
        b.u16(0).u16(0).zeros(8);         // checksum, no authentication
        b.u32(0xffffff00L);               // network mask
        b.u16(10).u8(0x02).u8(1);         // hello interval, options E, priority
        b.u32(40);                        // dead interval
        b.zeros(8);                       // designated router, backup
        b.bytes(neighbor);                // one neighbor
        b.setBe16(2, b.size());
        final byte[] bytes = b.toByteArray();
        setBe16(bytes, OSPF_CHECKSUM_OFFSET, InternetChecksum.of(bytes, 0, bytes.length));
        return new Segment(bytes, OSPF_HEADER_LENGTH, bytes.length - OSPF_HEADER_LENGTH);
    }

    /** An opaque message of an experimental protocol: nothing in it is a header. */
    static Segment opaque(final byte[] payload) {
        return new Segment(payload.clone(), 0, payload.length);
    }

    static void setBe16(final byte[] bytes, final int offset, final int value) {
        bytes[offset] = (byte) (value >>> 8);
        bytes[offset + 1] = (byte) value;
    }
}
