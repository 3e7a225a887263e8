package io.scalpel.decode.tunnel;

import java.nio.ByteBuffer;

/**
 * Which tunnel runs after which, as data: the rows are Zeek's registrations of its tunnel
 * analyzers (its scripts' {@code PacketAnalyzer::register_packet_analyzer} and
 * {@code register_for_ports} calls, and Teredo's protocol detection). {@link Decapsulation}
 * applies Zeek's rules around these lookups (the responder's port, the first fragment only, the
 * maximum depth); a tunnel's own class says what follows its header ({@link Gre} has its own
 * table of protocol types).
 *
 * <p>Adding a tunnel is one class with a {@link TunnelDecoder}, one row here and its tests: see
 * {@code docs/extending.md}.
 */
final class TunnelTable {
    /** A registration: the IP protocol number or UDP port {@code key} carries {@code tunnel}. */
    record Row(int key, TunnelDecoder tunnel) {
    }

    /** Recognises a tunnel by its payload, on any UDP port. */
    @FunctionalInterface
    interface Detector {
        /** Whether the UDP payload {@code [off, end)} is this tunnel's. */
        boolean detected(ByteBuffer buf, int off, int end);
    }

    /** A tunnel found by {@code detector} where no port names one. */
    record Detection(Detector detector, TunnelDecoder tunnel) {
    }

    /** IP protocol number → the tunnel in the IP payload (Zeek's IP analyzer → IPTunnel, GRE). */
    static final Row[] BY_IP_PROTOCOL = {
        new Row(IpInIp.PROTOCOL_IPV4, IpInIp::ipv4),
        new Row(IpInIp.PROTOCOL_IPV6, IpInIp::ipv6),
        new Row(Gre.PROTOCOL, Gre::decode),
    };

    /** UDP port → the tunnel Zeek registers on it; which of the two ports counts is {@link Decapsulation}'s rule. */
    static final Row[] BY_UDP_PORT = {
        new Row(Vxlan.PORT, Vxlan::decode),
        new Row(Geneve.PORT, Geneve::decode),
        new Row(Teredo.PORT, Teredo::decode),
        new Row(Ayiya.PORT, Ayiya::decode),
        new Row(GtpV1.PORT_USER_DATA, GtpV1::decode),
        new Row(GtpV1.PORT_CONTROL, GtpV1::decode),
        new Row(GreOverUdp.PORT, GreOverUdp::decode),
    };

    /** Tunnels Zeek recognises by their payload on a UDP port no tunnel is registered for, tried in order. */
    static final Detection[] ON_ANY_UDP_PORT = {
        new Detection(Teredo::detected, Teredo::decode),
    };

    /** IP protocol numbers are one byte. */
    private static final int IP_PROTOCOLS = 256;
    /** {@link #BY_IP_PROTOCOL} indexed by protocol number. */
    private static final TunnelDecoder[] IP_PROTOCOL_TUNNELS = new TunnelDecoder[IP_PROTOCOLS];
    /** {@link #BY_UDP_PORT} as two arrays, for a scan that reads only ints. */
    private static final int[] UDP_PORTS = new int[BY_UDP_PORT.length];
    private static final TunnelDecoder[] UDP_PORT_TUNNELS = new TunnelDecoder[BY_UDP_PORT.length];

    static {
        for (final Row row : BY_IP_PROTOCOL) {
            IP_PROTOCOL_TUNNELS[row.key()] = row.tunnel();
        }
        for (int i = 0; i < BY_UDP_PORT.length; i++) {
            UDP_PORTS[i] = BY_UDP_PORT[i].key();
            UDP_PORT_TUNNELS[i] = BY_UDP_PORT[i].tunnel();
        }
    }

    private TunnelTable() {
    }

    /** The tunnel IP protocol {@code protocol} carries, or null. */
    static TunnelDecoder ofIpProtocol(final int protocol) {
        return protocol >= 0 && protocol < IP_PROTOCOLS ? IP_PROTOCOL_TUNNELS[protocol] : null;
    }

    /** The tunnel registered on UDP port {@code port}, or null. */
    static TunnelDecoder ofUdpPort(final int port) {
        for (int i = 0; i < UDP_PORTS.length; i++) {
            if (UDP_PORTS[i] == port) {
                return UDP_PORT_TUNNELS[i];
            }
        }
        return null;
    }

    /** The first tunnel whose detector recognises the UDP payload {@code [off, end)}, or null. */
    static TunnelDecoder detected(final ByteBuffer buf, final int off, final int end) {
        for (final Detection d : ON_ANY_UDP_PORT) {
            if (d.detector().detected(buf, off, end)) {
                return d.tunnel();
            }
        }
        return null;
    }
}
