package io.scalpel.decode;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): a flow's identifier that
 * Zeek, Suricata, Wireshark and others compute alike.
 *
 * <pre>
 * "1:" + base64(sha1(seed(2, big-endian) saddr daddr proto(1) 0x00 sport(2) dport(2)))
 * </pre>
 *
 * <p>Addresses are 4 or 16 bytes in network order. Ports are hashed for TCP, UDP, SCTP, ICMP and
 * ICMPv6 only. The endpoints are ordered so the smaller one (address bytes, then port) comes
 * first, except for a one-way ICMP message, which keeps its direction. For ICMP and ICMPv6 the
 * "ports" are the message type and its counterpart type, or the code for a one-way type: the
 * same mapping as {@link FlowKey}'s ({@link IcmpTypes}), so a key's ports are hashed as they are.
 *
 * <p>One instance holds a digest and a buffer: it is not thread-safe, and it allocates only the
 * result text.
 */
public final class CommunityId {
    /** The seed Zeek and the spec use unless told otherwise. */
    public static final int DEFAULT_SEED = 0;
    /** Largest seed: it is hashed as 16 bits. */
    public static final int MAX_SEED = 0xFFFF;
    /** Text before the base64 digest. */
    public static final String PREFIX = "1:";

    private static final int SEED_LENGTH = 2;
    private static final int IPV4_LENGTH = 4;
    private static final int IPV6_LENGTH = 16;
    private static final int PORT_LENGTH = 2;
    /** seed, two IPv6 addresses, protocol, padding, two ports. */
    private static final int MAX_INPUT = SEED_LENGTH + 2 * IPV6_LENGTH + 1 + 1 + 2 * PORT_LENGTH;

    private final int seed;
    private final MessageDigest sha1;
    private final byte[] input = new byte[MAX_INPUT];

    /**
     * @return {@code seed}
     * @throws IllegalArgumentException when it is not a 16-bit value (0 to {@value #MAX_SEED})
     */
    public static int checkSeed(final int seed) {
        if (seed < 0 || seed > MAX_SEED) {
            throw new IllegalArgumentException("Community ID seed " + seed + " is not a 16-bit value (0-" + MAX_SEED + ")");
        }
        return seed;
    }

    /** A calculator with {@code seed} (0 to {@value #MAX_SEED}). */
    public CommunityId(final int seed) {
        this.seed = checkSeed(seed);
        try {
            this.sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1, which every Java platform must provide", e);
        }
    }

    public int seed() {
        return seed;
    }

    /** Whether the protocol's ports (or ICMP type and code) go into the hash. */
    public static boolean hasPorts(final int protocol) {
        switch (protocol) {
            case FlowKey.PROTO_TCP:
            case FlowKey.PROTO_UDP:
            case FlowKey.PROTO_SCTP:
            case FlowKey.PROTO_ICMP:
            case FlowKey.PROTO_ICMPV6:
                return true;
            default:
                return false;
        }
    }

    /**
     * Whether a key's direction is part of its Community ID: a one-way ICMP or ICMPv6 message.
     * {@code srcPort} is the message type, as in {@link FlowKey}.
     */
    public static boolean keepsDirection(final int protocol, final int srcPort) {
        return (protocol == FlowKey.PROTO_ICMP || protocol == FlowKey.PROTO_ICMPV6) && IcmpTypes.isOneWay(protocol, srcPort);
    }

    /** {@link #distinction} bit: the key lacks the ports its protocol hashes, so it has no Community ID. */
    public static final long NO_PORTS = 1L << 62;
    /** {@link #distinction} bit: a one-way ICMP message sent from the smaller address to the larger. */
    public static final long UPWARD = 1L << 61;

    /**
     * What, besides its {@link FlowHash} and IP version, tells a key's Community ID apart from
     * other keys of the same flow hash: the protocol (the hash puts every protocol but TCP, UDP,
     * ICMP and ICMPv6 into one class), SCTP's ports (hashed as 0), the direction of a one-way ICMP
     * message, and whether the ports are known at all. Two keys with equal flow hash, IP version
     * and distinction have the same Community ID. Cheap: no hashing, no allocation.
     */
    public static long distinction(final FlowKey k) {
        final int protocol = k.protocol();
        long d = protocol;
        if (hasPorts(protocol) && !k.portsKnown()) {
            return d | NO_PORTS;
        }
        if (protocol == FlowKey.PROTO_SCTP) {
            final boolean ordered = FlowHash.compare(k.srcHi(), k.srcLo(), k.srcPort(), k.dstHi(), k.dstLo(), k.dstPort()) <= 0;
            final long first = ordered ? k.srcPort() : k.dstPort();
            final long second = ordered ? k.dstPort() : k.srcPort();
            d |= first << 16 | second << 32;
        } else if (keepsDirection(protocol, k.srcPort())
            && FlowHash.compare(k.srcHi(), k.srcLo(), 0, k.dstHi(), k.dstLo(), 0) < 0) {
            d |= UPWARD;
        }
        return d;
    }

    /**
     * The Community ID of a decoded key, or null when the key lacks the ports its protocol
     * hashes (a transport header cut short, a fragment without its first fragment).
     */
    public String of(final FlowKey key) {
        if (hasPorts(key.protocol()) && !key.portsKnown()) {
            return null;
        }
        return of(key.ipVersion(), key.srcHi(), key.srcLo(), key.srcPort(), key.dstHi(), key.dstLo(), key.dstPort(),
            key.protocol());
    }

    /**
     * The Community ID of a flow key in {@link FlowKey}'s form: addresses as two longs (IPv4 in
     * the low 32 bits of {@code lo}), and for ICMP the type as source port and the counterpart
     * type or code as destination port. Ports of protocols without ports are ignored.
     */
    public String of(final int ipVersion, final long srcHi, final long srcLo, final int srcPort,
                     final long dstHi, final long dstLo, final int dstPort, final int protocol) {
        if (ipVersion != FlowKey.IPV4 && ipVersion != FlowKey.IPV6) {
            throw new IllegalArgumentException("IP version " + ipVersion + " is neither 4 nor 6");
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol " + protocol + " is not an IP protocol number (0-255)");
        }
        final boolean ports = hasPorts(protocol);
        final int sp = ports ? srcPort : 0;
        final int dp = ports ? dstPort : 0;
        final boolean ordered = keepsDirection(protocol, srcPort)
            || FlowHash.compare(srcHi, srcLo, sp, dstHi, dstLo, dp) <= 0;
        int n = 0;
        input[n++] = (byte) (seed >>> 8);
        input[n++] = (byte) seed;
        if (ordered) {
            n = address(ipVersion, srcHi, srcLo, n);
            n = address(ipVersion, dstHi, dstLo, n);
        } else {
            n = address(ipVersion, dstHi, dstLo, n);
            n = address(ipVersion, srcHi, srcLo, n);
        }
        input[n++] = (byte) protocol;
        input[n++] = 0;
        if (ports) {
            n = port(ordered ? sp : dp, n);
            n = port(ordered ? dp : sp, n);
        }
        sha1.reset();
        sha1.update(input, 0, n);
        return PREFIX + Base64.getEncoder().encodeToString(sha1.digest());
    }

    private int address(final int ipVersion, final long hi, final long lo, int n) {
        if (ipVersion == FlowKey.IPV4) {
            for (int shift = (IPV4_LENGTH - 1) * 8; shift >= 0; shift -= 8) {
                input[n++] = (byte) (lo >>> shift);
            }
            return n;
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            input[n++] = (byte) (hi >>> shift);
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            input[n++] = (byte) (lo >>> shift);
        }
        return n;
    }

    private int port(final int port, int n) {
        input[n++] = (byte) (port >>> 8);
        input[n++] = (byte) port;
        return n;
    }

    /** Whether {@code text} looks like a base64 Community ID v1 ({@code 1:} and 28 base64 characters). */
    public static boolean isWellFormed(final String text) {
        if (text == null || !text.startsWith(PREFIX) || text.length() != PREFIX.length() + 28) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(text.substring(PREFIX.length())).length == 20;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
