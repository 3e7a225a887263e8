package io.scalpel.testdata;

/** The kinds of conversation the generator plays, with the Zeek proto and IP protocol of each. */
enum ConversationKind {
    TCP("tcp", IpPackets.PROTO_TCP, false),
    UDP("udp", IpPackets.PROTO_UDP, false),
    ICMP_ECHO("icmp", IpPackets.PROTO_ICMP, false),
    ICMP_TIMESTAMP("icmp", IpPackets.PROTO_ICMP, false),
    ICMP_UNREACHABLE("icmp", IpPackets.PROTO_ICMP, false),
    ICMP_TIME_EXCEEDED("icmp", IpPackets.PROTO_ICMP, false),
    ICMP6_ECHO("icmp", IpPackets.PROTO_ICMPV6, true),
    ICMP6_NEIGHBOR("icmp", IpPackets.PROTO_ICMPV6, true),
    ICMP6_UNREACHABLE("icmp", IpPackets.PROTO_ICMPV6, true),
    SCTP("unknown_transport", IpPackets.PROTO_SCTP, false),
    OSPF("unknown_transport", IpPackets.PROTO_OSPF, false),
    EXPERIMENTAL("unknown_transport", IpPackets.PROTO_EXPERIMENTAL, false);

    final String zeekProto;
    final int ipProto;
    final boolean ipv6Only;

    ConversationKind(final String zeekProto, final int ipProto, final boolean ipv6Only) {
        this.zeekProto = zeekProto;
        this.ipProto = ipProto;
        this.ipv6Only = ipv6Only;
    }

    boolean isIcmp() {
        return zeekProto.equals("icmp");
    }

    boolean isIpv4Only() {
        return this == ICMP_ECHO || this == ICMP_TIMESTAMP || this == ICMP_UNREACHABLE || this == ICMP_TIME_EXCEEDED
            || this == OSPF;
    }

    /** Kinds whose datagrams the generator may fragment. */
    boolean canFragment() {
        return this == UDP || this == ICMP_ECHO || this == ICMP6_ECHO;
    }
}
