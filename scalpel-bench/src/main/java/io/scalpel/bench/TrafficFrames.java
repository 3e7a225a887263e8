package io.scalpel.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Builds the next packet of a {@link TrafficConnection} as an Ethernet frame, into one reused
 * buffer: MAC addresses, the client's VLAN tags (802.1Q, or 802.1ad outside 802.1Q), IPv4 (with
 * its header checksum) or IPv6, then TCP (options as Linux sends them: MSS, SACK permitted,
 * timestamps and window scale on a SYN, timestamps on every other segment but an RST), UDP or
 * ICMP/ICMPv6 echo, with correct transport checksums. Payloads are zeros, except DNS messages;
 * frames shorter than Ethernet's minimum are padded to it.
 */
final class TrafficFrames {
    static final int MAX_FRAME = 1600;
    private static final int MIN_FRAME = 60;
    private static final int MAC_LENGTH = 6;
    private static final long ROUTER_MAC = 0x00_00_5E_00_01_01L;
    private static final long CLIENT_MAC_OUI = 0x02_5C_A1_00_00_00L;
    private static final int TPID_8021Q = 0x8100;
    private static final int TPID_8021AD = 0x88A8;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int UDP_HEADER = 8;
    private static final int ICMP_ECHO_HEADER = 8;
    private static final int TCP_HEADER = 20;
    private static final int TCP_SYN_OPTIONS = 20;
    private static final int TCP_TIMESTAMP_OPTIONS = 12;
    private static final int TTL_CLIENT = 64;
    private static final int TTL_SERVER = 54;
    private static final int IPV4_DONT_FRAGMENT = 0x4000;
    private static final int TCP_WINDOW = 502;
    private static final int WINDOW_SCALE = 7;
    private static final int ICMP_ECHO_REQUEST = 8;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMPV6_ECHO_REQUEST = 128;
    private static final int ICMPV6_ECHO_REPLY = 129;

    private final byte[] frame = new byte[MAX_FRAME];
    private final ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
    /** Bytes at the start of {@link #frame} that may not be zero: what the next build clears. */
    private int dirty;
    private int ipLength;

    /** The buffer the last frame was built in. */
    byte[] frame() {
        return frame;
    }

    /** Length of the IP packet of the last frame built (IP header included). */
    int ipLength() {
        return ipLength;
    }

    /** Builds the next packet of {@code c}; returns the frame's length. */
    int build(final TrafficConnection c) {
        Arrays.fill(frame, 0, dirty, (byte) 0);
        final boolean fromOrig = c.nextFromOrig();
        final int payload = c.nextPayload();
        final int flags = c.nextFlags();
        final long clientMac = CLIENT_MAC_OUI | c.client;
        putMac(0, fromOrig ? ROUTER_MAC : clientMac);
        putMac(MAC_LENGTH, fromOrig ? clientMac : ROUTER_MAC);
        int p = 2 * MAC_LENGTH;
        if (c.outerVlan >= 0 && c.innerVlan >= 0) {
            b.putShort(p, (short) TPID_8021AD).putShort(p + 2, (short) c.outerVlan);
            b.putShort(p + 4, (short) TPID_8021Q).putShort(p + 6, (short) c.innerVlan);
            p += 8;
        } else if (c.outerVlan >= 0) {
            b.putShort(p, (short) TPID_8021Q).putShort(p + 2, (short) c.outerVlan);
            p += 4;
        }
        b.putShort(p, (short) (c.v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4));
        final int ip = p + 2;
        final int l4Header = switch (c.proto) {
            case TrafficConnection.PROTO_TCP -> TCP_HEADER + ((flags & TrafficConnection.TCP_SYN) != 0 ? TCP_SYN_OPTIONS
                : (flags & TrafficConnection.TCP_RST) != 0 ? 0 : TCP_TIMESTAMP_OPTIONS);
            case TrafficConnection.PROTO_UDP -> UDP_HEADER;
            default -> ICMP_ECHO_HEADER;
        };
        final int l4Length = l4Header + payload;
        final int wireProto = c.proto == TrafficConnection.PROTO_ICMP && c.v6 ? TrafficConnection.PROTO_ICMPV6 : c.proto;
        final long srcHi = fromOrig ? c.origHi : c.respHi;
        final long srcLo = fromOrig ? c.origLo : c.respLo;
        final long dstHi = fromOrig ? c.respHi : c.origHi;
        final long dstLo = fromOrig ? c.respLo : c.origLo;
        final int ttl = fromOrig ? TTL_CLIENT : TTL_SERVER;
        final int l4;
        long pseudo;
        if (c.v6) {
            final int flowLabel = (int) ((c.serial * 0x9E37_79B9L + (fromOrig ? 0 : 1)) & 0xF_FFFF);
            b.putInt(ip, 0x6000_0000 | flowLabel).putShort(ip + 4, (short) l4Length).put(ip + 6, (byte) wireProto)
                .put(ip + 7, (byte) ttl).putLong(ip + 8, srcHi).putLong(ip + 16, srcLo).putLong(ip + 24, dstHi)
                .putLong(ip + 32, dstLo);
            l4 = ip + IPV6_HEADER;
            ipLength = IPV6_HEADER + l4Length;
            pseudo = sum(ip + 8, 32) + l4Length + wireProto;
        } else {
            b.put(ip, (byte) 0x45).putShort(ip + 2, (short) (IPV4_HEADER + l4Length)).putShort(ip + 4, (short) c.nextIpId())
                .putShort(ip + 6, (short) (c.proto == TrafficConnection.PROTO_TCP ? IPV4_DONT_FRAGMENT : 0))
                .put(ip + 8, (byte) ttl).put(ip + 9, (byte) wireProto).putInt(ip + 12, (int) srcLo).putInt(ip + 16, (int) dstLo);
            b.putShort(ip + 10, (short) checksum(sum(ip, IPV4_HEADER)));
            l4 = ip + IPV4_HEADER;
            ipLength = IPV4_HEADER + l4Length;
            pseudo = sum(ip + 12, 8) + l4Length + wireProto;
        }
        final int sport = fromOrig ? c.origPort : c.respPort;
        final int dport = fromOrig ? c.respPort : c.origPort;
        final int checksumAt;
        switch (c.proto) {
            case TrafficConnection.PROTO_TCP -> {
                b.putShort(l4, (short) sport).putShort(l4 + 2, (short) dport).putInt(l4 + 4, (int) c.nextSeq())
                    .putInt(l4 + 8, (flags & TrafficConnection.TCP_ACK) != 0 ? (int) c.nextAck() : 0)
                    .put(l4 + 12, (byte) (l4Header / 4 << 4)).put(l4 + 13, (byte) flags)
                    .putShort(l4 + 14, (short) ((flags & TrafficConnection.TCP_RST) != 0 ? 0 : TCP_WINDOW));
                tcpOptions(l4 + TCP_HEADER, l4Header - TCP_HEADER, c, fromOrig);
                checksumAt = l4 + 16;
            }
            case TrafficConnection.PROTO_UDP -> {
                b.putShort(l4, (short) sport).putShort(l4 + 2, (short) dport).putShort(l4 + 4, (short) l4Length);
                checksumAt = l4 + 6;
            }
            default -> {
                final int type = c.v6 ? (fromOrig ? ICMPV6_ECHO_REQUEST : ICMPV6_ECHO_REPLY) : (fromOrig ? ICMP_ECHO_REQUEST : ICMP_ECHO_REPLY);
                b.put(l4, (byte) type).putShort(l4 + 4, (short) c.icmpId()).putShort(l4 + 6, (short) c.nextIcmpSeq());
                checksumAt = l4 + 2;
                if (!c.v6) {
                    pseudo = 0; // ICMP for IPv4 has no pseudo-header
                }
            }
        }
        final int payloadAt = l4 + l4Header;
        final boolean dns = payload > 0 && c.nextHasDnsPayload();
        if (dns) {
            c.writeDnsPayload(frame, payloadAt);
        }
        // zero payloads add nothing to the checksum: only headers and DNS messages are summed
        int check = checksum(pseudo + sum(l4, l4Header + (dns ? payload : 0)));
        if (c.proto == TrafficConnection.PROTO_UDP && check == 0) {
            check = 0xFFFF; // UDP sends a computed zero as all ones
        }
        b.putShort(checksumAt, (short) check);
        final int end = payloadAt + payload;
        dirty = dns ? end : payloadAt;
        return Math.max(MIN_FRAME, end);
    }

    private void tcpOptions(final int at, final int length, final TrafficConnection c, final boolean fromOrig) {
        if (length == 0) {
            return;
        }
        final long ms = c.nextTs() / 1000;
        final int tsVal = (int) (ms + (fromOrig ? c.origPort * 7919L : c.respPort * 104729L + c.serial));
        final int tsEcr = (c.nextFlags() & TrafficConnection.TCP_SYN) != 0 && fromOrig ? 0
            : (int) (ms + (fromOrig ? c.respPort * 104729L + c.serial : c.origPort * 7919L));
        if (length == TCP_SYN_OPTIONS) {
            // MSS, SACK permitted, timestamps, NOP, window scale
            b.put(at, (byte) 2).put(at + 1, (byte) 4).putShort(at + 2, (short) (c.v6 ? 1440 : 1460));
            b.put(at + 4, (byte) 4).put(at + 5, (byte) 2);
            b.put(at + 6, (byte) 8).put(at + 7, (byte) 10).putInt(at + 8, tsVal).putInt(at + 12, tsEcr);
            b.put(at + 16, (byte) 1).put(at + 17, (byte) 3).put(at + 18, (byte) 3).put(at + 19, (byte) WINDOW_SCALE);
        } else {
            // NOP, NOP, timestamps
            b.put(at, (byte) 1).put(at + 1, (byte) 1).put(at + 2, (byte) 8).put(at + 3, (byte) 10).putInt(at + 4, tsVal)
                .putInt(at + 8, tsEcr);
        }
    }

    private void putMac(final int at, final long mac) {
        b.putShort(at, (short) (mac >>> 32)).putInt(at + 2, (int) mac);
    }

    /** The 16-bit big-endian words of {@code frame[from, from + length)} added up (an odd last byte as its high half). */
    private long sum(final int from, final int length) {
        long s = 0;
        final int end = from + (length & ~1);
        for (int i = from; i < end; i += 2) {
            s += ((frame[i] & 0xFF) << 8) | (frame[i + 1] & 0xFF);
        }
        if ((length & 1) != 0) {
            s += (frame[from + length - 1] & 0xFF) << 8;
        }
        return s;
    }

    /** The Internet checksum of a sum: folded to 16 bits, complemented. */
    private static int checksum(final long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }
}
