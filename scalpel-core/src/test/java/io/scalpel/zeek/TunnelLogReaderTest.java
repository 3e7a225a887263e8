package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.FlowKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunnelLogReaderTest {
    /** Zeek's tunnel.log header as its ASCII writer prints it; 8 lines, so the first row is line 9. */
    private static final String HEADER = String.join("\n",
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\ttunnel",
        "#open\t2024-01-01-00-00-00",
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttunnel_type\taction",
        "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tenum") + "\n";

    @TempDir
    Path tmp;

    @Test
    void shouldReadZeekTsvRowsWithTheirKeyTypeAndAction() throws IOException {
        final String log = HEADER
            + "1700000000.000100\tCHhAvVGS1DHFjwGM9\t172.27.1.66\t0\t66.59.109.137\t0\tTunnel::GRE\tTunnel::DISCOVER\n"
            + "1700000001.250000\tC4J4Th3PJpwUYZZ6gc\t2001:db8::1\t48134\t2001:db8::2\t4789\tTunnel::VXLAN\tTunnel::CLOSE\n";
        try (TunnelLogReader r = open(log, (s, l, m) -> { throw new AssertionError(m); })) {
            final TunnelRecord gre = r.next();
            assertEquals("CHhAvVGS1DHFjwGM9", gre.uid());
            assertEquals(9, gre.line());
            assertEquals(1_700_000_000_000_100_000L, gre.tsNanos());
            assertEquals(FlowKey.IPV4, gre.ipVersion());
            assertEquals(Addresses.parse("172.27.1.66").lo(), gre.origLo());
            assertEquals(Addresses.parse("66.59.109.137").lo(), gre.respLo());
            assertEquals(0, gre.origPort());
            assertEquals("Tunnel::GRE", gre.tunnelType());
            assertEquals(TunnelRecord.DISCOVER, gre.action());
            final TunnelRecord vxlan = r.next();
            assertEquals(FlowKey.IPV6, vxlan.ipVersion());
            assertEquals(48134, vxlan.origPort());
            assertEquals(4789, vxlan.respPort());
            assertEquals(TunnelRecord.CLOSE, vxlan.action());
            assertNull(r.next());
        }
    }

    @Test
    void shouldJoinEachUidsRowsIntoItsDiscoverToCloseWindow() throws IOException {
        final String log = HEADER
            + "100.000000\tCa\t10.0.0.1\t0\t10.0.0.2\t0\tTunnel::GRE\tTunnel::DISCOVER\n"
            + "150.000000\tCb\t10.0.0.3\t0\t10.0.0.4\t0\tTunnel::IP\tTunnel::DISCOVER\n"
            + "200.500000\tCa\t10.0.0.1\t0\t10.0.0.2\t0\tTunnel::GRE\tTunnel::CLOSE\n"
            + "XXXXXXXXXX.XXXXXX\tCc\t10.0.0.5\t0\t10.0.0.6\t0\tTunnel::GRE\tTunnel::DISCOVER\n"
            + "XXXXXXXXXX.XXXXXX\tCc\t10.0.0.5\t0\t10.0.0.6\t0\tTunnel::GRE\tTunnel::CLOSE\n"
            + "300.000000\tCd\t10.0.0.7\t0\t10.0.0.8\t0\tTunnel::GRE\tTunnel::DISCOVER\n"
            + "310.000000\tCd\t10.0.0.7\t0\t10.0.0.8\t0\tTunnel::GRE\tTunnel::EXPIRE\n";
        final Map<String, Tunnel> tunnels;
        try (TunnelLogReader r = open(log, ConnLogListener.IGNORE)) {
            tunnels = r.tunnels();
        }
        assertEquals(List.of("Ca", "Cb", "Cc", "Cd"), List.copyOf(tunnels.keySet()), "in order of first appearance");
        assertEquals(100_000_000_000L, tunnels.get("Ca").fromNanos());
        assertEquals(200_500_000_000L, tunnels.get("Ca").toNanos());
        assertEquals(150_000_000_000L, tunnels.get("Cb").fromNanos());
        assertEquals(Tunnel.OPEN, tunnels.get("Cb").toNanos(), "no CLOSE: open to the end of the capture");
        assertEquals(ConnRecord.NO_TIMESTAMP, tunnels.get("Cc").fromNanos(), "masked: the whole capture");
        assertEquals(Tunnel.OPEN, tunnels.get("Cc").toNanos());
        assertEquals(310_000_000_000L, tunnels.get("Cd").toNanos(), "an EXPIRE ends the tunnel like a CLOSE");
        assertEquals("Tunnel::IP", tunnels.get("Cb").tunnelType());
    }

    @Test
    void shouldReadGzippedJsonLines() throws IOException {
        final String json = "{\"ts\":1700000000.5,\"uid\":\"CHhAvVGS1DHFjwGM9\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":0,"
            + "\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":0,\"tunnel_type\":\"Tunnel::IP\",\"action\":\"Tunnel::DISCOVER\"}\n"
            + "{\"ts\":\"2023-11-14T22:13:21Z\",\"uid\":\"CHhAvVGS1DHFjwGM9\",\"id\":{\"orig_h\":\"10.0.0.1\",\"orig_p\":0,"
            + "\"resp_h\":\"10.0.0.2\",\"resp_p\":0},\"tunnel_type\":\"Tunnel::IP\",\"action\":\"Tunnel::CLOSE\"}\n";
        final ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(json.getBytes(StandardCharsets.UTF_8));
        }
        final Path file = Files.write(tmp.resolve("tunnel.log.gz"), gz.toByteArray());
        try (TunnelLogReader r = TunnelLogReader.open(file, ConnLogListener.IGNORE)) {
            final Tunnel t = r.tunnels().get("CHhAvVGS1DHFjwGM9");
            assertEquals(1_700_000_000_500_000_000L, t.fromNanos());
            assertEquals(1_700_000_001_000_000_000L, t.toNanos());
        }
    }

    @Test
    void shouldReportAndSkipARowWithoutTunnelType() throws IOException {
        final String log = HEADER
            + "1.000000\tCa\t10.0.0.1\t0\t10.0.0.2\t0\t-\tTunnel::DISCOVER\n"
            + "2.000000\tCb\t10.0.0.1\t0\t10.0.0.2\t0\tTunnel::GRE\tTunnel::DISCOVER\n";
        final List<String> problems = new ArrayList<>();
        try (TunnelLogReader r = open(log, (s, l, m) -> problems.add(s + " line " + l + ": " + m))) {
            assertEquals("Cb", r.next().uid());
            assertNull(r.next());
            assertEquals(1, r.malformedLines());
        }
        assertEquals(List.of("test line 9: tunnel_type is missing or unset"), problems);
    }

    @Test
    void shouldRefuseAConnLogGivenAsTunnelLog() {
        final String conn = HEADER.replace("tunnel_type\taction", "proto\tservice").replace("#path\ttunnel", "#path\tconn");
        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> open(conn + "1.0\tCa\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\t-\n", ConnLogListener.IGNORE).next());
        assertTrue(e.getMessage().startsWith("test line 7: #fields has no tunnel_type column"), e.getMessage());
        assertTrue(e.getMessage().endsWith("is this a tunnel.log?"), e.getMessage());
    }

    @Test
    void shouldRefuseContentThatIsNoLogNamingTheTunnelLog() {
        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> open("ts uid\n", ConnLogListener.IGNORE));
        assertTrue(e.getMessage().startsWith("test line 1: not a Zeek tunnel.log: starting with byte 0x74 ('t')"), e.getMessage());
    }

    private static TunnelLogReader open(final String text, final ConnLogListener listener) throws IOException {
        return TunnelLogReader.open(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test", listener);
    }
}
