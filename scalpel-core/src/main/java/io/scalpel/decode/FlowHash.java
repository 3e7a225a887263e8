package io.scalpel.decode;

/**
 * The index's flow reference: a 64-bit hash of a connection key that is the same in both
 * directions and ignores VLAN tags, like Zeek's default connection key.
 *
 * <p>TCP, UDP, ICMP and ICMPv6 are keyed by protocol, addresses and ports; every other IP
 * protocol ("unknown_transport" in conn.log, SCTP included) by addresses alone with ports 0 and
 * one shared protocol class, because a conn.log row does not always say which protocol it was.
 * The hash narrows the search; the slicer confirms each frame against the full key.
 */
public final class FlowHash {
    /** Protocol class used in the hash for every protocol Zeek logs as unknown_transport. */
    public static final int OTHER_PROTOCOLS = 255;

    private FlowHash() {
    }

    /** The protocol as the hash sees it. */
    public static int protocolClass(final int protocol) {
        switch (protocol) {
            case FlowKey.PROTO_TCP:
            case FlowKey.PROTO_UDP:
            case FlowKey.PROTO_ICMP:
            case FlowKey.PROTO_ICMPV6:
                return protocol;
            default:
                return OTHER_PROTOCOLS;
        }
    }

    public static long of(final int ipVersion,
                          final long aHi, final long aLo, final int aPort,
                          final long bHi, final long bLo, final int bPort,
                          final int protocol) {
        final int protoClass = protocolClass(protocol);
        final int pa = protoClass == OTHER_PROTOCOLS ? 0 : aPort;
        final int pb = protoClass == OTHER_PROTOCOLS ? 0 : bPort;
        final boolean aFirst = compare(aHi, aLo, pa, bHi, bLo, pb) <= 0;
        long h = 0x9E37_79B9_7F4A_7C15L ^ ((long) ipVersion << 8) ^ protoClass;
        if (aFirst) {
            h = mix(h, aHi, aLo, pa);
            h = mix(h, bHi, bLo, pb);
        } else {
            h = mix(h, bHi, bLo, pb);
            h = mix(h, aHi, aLo, pa);
        }
        return fmix(h);
    }

    static int compare(final long aHi, final long aLo, final int aPort, final long bHi, final long bLo, final int bPort) {
        int c = Long.compareUnsigned(aHi, bHi);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(aLo, bLo);
        if (c != 0) {
            return c;
        }
        return Integer.compare(aPort, bPort);
    }

    private static long mix(long h, final long hi, final long lo, final int port) {
        h = (h ^ fmix(hi + 0x632B_E59B_D9B4_E019L)) * 0x9E37_79B9_7F4A_7C15L;
        h = (h ^ fmix(lo + 0x8CB9_2BA7_2F3D_8DD7L)) * 0x9E37_79B9_7F4A_7C15L;
        h = (h ^ port) * 0xBF58_476D_1CE4_E5B9L;
        return h;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51_AFD7_ED55_8CCDL;
        k ^= k >>> 33;
        k *= 0xC4CE_B9FE_1A85_EC53L;
        k ^= k >>> 33;
        return k;
    }
}
