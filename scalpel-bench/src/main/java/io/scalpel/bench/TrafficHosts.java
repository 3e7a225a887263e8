package io.scalpel.bench;

import java.util.SplittableRandom;

/**
 * The hosts of a traffic-shaped capture: internal clients (IPv4 in 10.16.0.0/12, IPv6 in
 * 2001:db8:10::/48), each on its access VLAN (none, one 802.1Q tag, or 802.1ad + 802.1Q), with its
 * own ephemeral ports handed out in turn as an operating system does; external servers, a few of
 * them much busier than the rest; and the site's DNS resolvers and NTP servers.
 *
 * <p>A client's ports run through 32768 to 60999 before one is used again, so two connections
 * share a 5-tuple only after a client opened 28 232 others: about a day of a busy client at the
 * capture's connection rate, so every conn.log row of a capture has a 5-tuple of its own.
 */
final class TrafficHosts {
    static final int CLIENTS_V4 = 3000;
    static final int CLIENTS_V6 = 600;
    private static final int SERVERS_V4 = 4000;
    private static final int SERVERS_V6 = 800;
    private static final int FIRST_EPHEMERAL_PORT = 32768;
    private static final int EPHEMERAL_PORTS = 61000 - FIRST_EPHEMERAL_PORT;
    private static final int[] ACCESS_VLANS = {10, 20, 30, 40, 100, 200, 300, 4000};
    private static final int[] CARRIER_VLANS = {100, 200};
    /** 2001:db8:10::/48, the clients' prefix (a /64 per access VLAN below it). */
    private static final long CLIENT_V6_PREFIX = 0x2001_0db8_0010_0000L;
    private static final long SERVER_V6_PREFIX = 0x2001_0db8_f000_0000L;
    private static final long RESOLVER_V6_HI = 0x2001_0db8_0053_0000L;
    private static final long RESOLVER_V6_LO = 0x53L;
    private static final int[] RESOLVERS_V4 = {0x0A00_0035, 0x0A00_0135}; // 10.0.0.53, 10.0.1.53
    private static final int[] NTP_V4 = {0x0A00_007B, 0x0A00_017B}; // 10.0.0.123, 10.0.1.123

    private final int[] clientV4 = new int[CLIENTS_V4];
    private final long[] clientV6Hi = new long[CLIENTS_V6];
    private final long[] clientV6Lo = new long[CLIENTS_V6];
    /** Per client (IPv4 ones first, then IPv6 ones): outer VLAN id or -1, inner VLAN id or -1. */
    private final int[] outerVlan = new int[CLIENTS_V4 + CLIENTS_V6];
    private final int[] innerVlan = new int[CLIENTS_V4 + CLIENTS_V6];
    private final int[] nextPort = new int[CLIENTS_V4 + CLIENTS_V6];
    private final int[] serverV4 = new int[SERVERS_V4];
    private final long[] serverV6Lo = new long[SERVERS_V6];

    TrafficHosts(final SplittableRandom rnd) {
        for (int i = 0; i < CLIENTS_V4; i++) {
            clientV4[i] = 0x0A10_0000 | (i / 200) << 8 | (10 + i % 200);
        }
        for (int i = 0; i < CLIENTS_V4 + CLIENTS_V6; i++) {
            final int roll = rnd.nextInt(100);
            outerVlan[i] = roll < 60 ? -1 : roll < 94 ? ACCESS_VLANS[rnd.nextInt(ACCESS_VLANS.length)]
                : CARRIER_VLANS[rnd.nextInt(CARRIER_VLANS.length)];
            innerVlan[i] = roll >= 94 ? ACCESS_VLANS[rnd.nextInt(ACCESS_VLANS.length)] : -1;
            nextPort[i] = rnd.nextInt(EPHEMERAL_PORTS);
        }
        for (int i = 0; i < CLIENTS_V6; i++) {
            final int vlan = innerVlan[CLIENTS_V4 + i] >= 0 ? innerVlan[CLIENTS_V4 + i] : Math.max(0, outerVlan[CLIENTS_V4 + i]);
            clientV6Hi[i] = CLIENT_V6_PREFIX | vlan;
            clientV6Lo[i] = rnd.nextLong() & 0xFDFF_FFFF_FFFF_FFFFL; // a random interface id (universal/local bit clear)
        }
        for (int i = 0; i < SERVERS_V4; i++) {
            int a;
            do {
                a = rnd.nextInt();
            } while (!routable(a));
            serverV4[i] = a;
        }
        for (int i = 0; i < SERVERS_V6; i++) {
            serverV6Lo[i] = rnd.nextLong();
        }
    }

    /** A public unicast IPv4 address: not 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 224/3. */
    private static boolean routable(final int a) {
        final int first = a >>> 24;
        final int second = (a >>> 16) & 0xFF;
        return first != 0 && first != 10 && first != 127 && first < 224 && !(first == 100 && (second & 0xC0) == 64)
            && !(first == 169 && second == 254) && !(first == 172 && (second & 0xF0) == 16) && !(first == 192 && second == 168);
    }

    /** A client, the busy ones more often: an index below {@link #CLIENTS_V4} is IPv4, else IPv6. */
    int pickClient(final SplittableRandom rnd, final boolean v6) {
        final double skewed = Math.pow(rnd.nextDouble(), 1.5);
        return v6 ? CLIENTS_V4 + (int) (skewed * CLIENTS_V6) : (int) (skewed * CLIENTS_V4);
    }

    /** The client's next ephemeral port. */
    int nextPort(final int client) {
        final int p = nextPort[client];
        nextPort[client] = p + 1 == EPHEMERAL_PORTS ? 0 : p + 1;
        return FIRST_EPHEMERAL_PORT + p;
    }

    long clientHi(final int client) {
        return client < CLIENTS_V4 ? 0 : clientV6Hi[client - CLIENTS_V4];
    }

    long clientLo(final int client) {
        return client < CLIENTS_V4 ? clientV4[client] & 0xFFFF_FFFFL : clientV6Lo[client - CLIENTS_V4];
    }

    int outerVlan(final int client) {
        return outerVlan[client];
    }

    int innerVlan(final int client) {
        return innerVlan[client];
    }

    /** An external server's address into {@code into} (hi, lo), popular ones far more often. */
    void pickServer(final SplittableRandom rnd, final boolean v6, final long[] into) {
        final double skewed = Math.pow(rnd.nextDouble(), 3);
        if (v6) {
            final int i = (int) (skewed * SERVERS_V6);
            into[0] = SERVER_V6_PREFIX | i;
            into[1] = serverV6Lo[i];
        } else {
            into[0] = 0;
            into[1] = serverV4[(int) (skewed * SERVERS_V4)] & 0xFFFF_FFFFL;
        }
    }

    /** One of the site's DNS resolvers into {@code into} (hi, lo). */
    void pickResolver(final SplittableRandom rnd, final boolean v6, final long[] into) {
        into[0] = v6 ? RESOLVER_V6_HI : 0;
        into[1] = v6 ? RESOLVER_V6_LO : RESOLVERS_V4[rnd.nextInt(RESOLVERS_V4.length)] & 0xFFFF_FFFFL;
    }

    /** One of the site's NTP servers into {@code into} (hi, lo); IPv4 only. */
    void pickNtpServer(final SplittableRandom rnd, final long[] into) {
        into[0] = 0;
        into[1] = NTP_V4[rnd.nextInt(NTP_V4.length)] & 0xFFFF_FFFFL;
    }
}
