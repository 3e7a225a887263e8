package io.scalpel.testdata;

/**
 * Zeek's ICMP "ports", written out independently of the production code: the destination port of
 * an ICMP message is its type's counterpart (echo 8/0, ...), or its code for a one-way type.
 */
final class IcmpCounterpart {
    private IcmpCounterpart() {
    }

    static int of(final int ipProto, final int type, final int code) {
        final int counterpart = ipProto == IpPackets.PROTO_ICMPV6 ? v6(type) : v4(type);
        return counterpart >= 0 ? counterpart : code;
    }

    private static int v4(final int type) {
        switch (type) {
            case 8: return 0;
            case 0: return 8;
            case 13: return 14;
            case 14: return 13;
            case 15: return 16;
            case 16: return 15;
            case 10: return 9;
            case 9: return 10;
            case 17: return 18;
            case 18: return 17;
            default: return -1;
        }
    }

    private static int v6(final int type) {
        switch (type) {
            case 128: return 129;
            case 129: return 128;
            case 133: return 134;
            case 134: return 133;
            case 135: return 136;
            case 136: return 135;
            case 130: return 131;
            case 131: return 130;
            case 139: return 140;
            case 140: return 139;
            case 144: return 145;
            case 145: return 144;
            default: return -1;
        }
    }
}
