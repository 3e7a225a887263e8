package io.scalpel.decode;

/**
 * Zeek's ICMP "ports": the source port is the message type, the destination port the type's
 * counterpart (echo 8 and echo reply 0, ...), or the code for a one-way type. Community ID v1
 * uses the same mapping.
 */
public final class IcmpTypes {
    private IcmpTypes() {
    }

    /** Counterpart of an ICMPv4 type, or -1 for a one-way type. */
    public static int icmp4Counterpart(final int type) {
        switch (type) {
            case 8: return 0;    // echo
            case 0: return 8;    // echo reply
            case 13: return 14;  // timestamp
            case 14: return 13;
            case 15: return 16;  // information request
            case 16: return 15;
            case 10: return 9;   // router solicitation
            case 9: return 10;   // router advertisement
            case 17: return 18;  // address mask
            case 18: return 17;
            default: return -1;
        }
    }

    /** Counterpart of an ICMPv6 type, or -1 for a one-way type. */
    public static int icmp6Counterpart(final int type) {
        switch (type) {
            case 128: return 129; // echo request
            case 129: return 128;
            case 133: return 134; // router solicitation / advertisement
            case 134: return 133;
            case 135: return 136; // neighbor solicitation / advertisement
            case 136: return 135;
            case 130: return 131; // MLD query / report
            case 131: return 130;
            case 139: return 140; // node information query / response
            case 140: return 139;
            case 144: return 145; // home agent address discovery
            case 145: return 144;
            default: return -1;
        }
    }

    /** The destination "port" for an ICMP(v6) message: counterpart type, or code when one-way. */
    public static int destinationPort(final int protocol, final int type, final int code) {
        final int counterpart = protocol == FlowKey.PROTO_ICMPV6 ? icmp6Counterpart(type) : icmp4Counterpart(type);
        return counterpart >= 0 ? counterpart : code;
    }

    public static boolean isOneWay(final int protocol, final int type) {
        return (protocol == FlowKey.PROTO_ICMPV6 ? icmp6Counterpart(type) : icmp4Counterpart(type)) < 0;
    }
}
