package io.scalpel.decode.tunnel;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dispatch table: one row per registration, and the lookups give each row's tunnel and nothing else. */
class TunnelTableTest {
    @Test
    void shouldRegisterEachIpProtocolAndUdpPortOnceSoThatNoRowIsShadowed() {
        for (final TunnelTable.Row[] table : new TunnelTable.Row[][] {TunnelTable.BY_IP_PROTOCOL, TunnelTable.BY_UDP_PORT}) {
            final Set<Integer> keys = new HashSet<>();
            for (final TunnelTable.Row row : table) {
                assertTrue(keys.add(row.key()), "registered twice: " + row.key());
            }
        }
    }

    @Test
    void shouldLookUpEveryRowsTunnelAndNoneForAnythingElse() {
        final Set<Integer> protocols = new HashSet<>();
        for (final TunnelTable.Row row : TunnelTable.BY_IP_PROTOCOL) {
            assertSame(row.tunnel(), TunnelTable.ofIpProtocol(row.key()), "IP protocol " + row.key());
            protocols.add(row.key());
        }
        for (int protocol = -1; protocol <= 256; protocol++) {
            if (!protocols.contains(protocol)) {
                assertNull(TunnelTable.ofIpProtocol(protocol), "IP protocol " + protocol);
            }
        }
        final Set<Integer> ports = new HashSet<>();
        for (final TunnelTable.Row row : TunnelTable.BY_UDP_PORT) {
            assertSame(row.tunnel(), TunnelTable.ofUdpPort(row.key()), "UDP port " + row.key());
            ports.add(row.key());
        }
        for (int port = 0; port <= 65535; port++) {
            if (!ports.contains(port)) {
                assertNull(TunnelTable.ofUdpPort(port), "UDP port " + port);
            }
        }
    }
}
