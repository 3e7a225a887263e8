package io.scalpel.slice.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.scalpel.decode.Addresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The query language: what each term means on a layer written out by hand (the expected values
 * follow the grammar in docs/cli.md, not the code), the precedence of not, and, or, the time
 * forms, and the column every error names.
 */
class ExpressionParserTest {
    private static final long NOW = 1_700_000_000_000_000_000L;

    /** A TCP layer 10.0.0.1:40000 -> 192.168.1.5:443 on VLAN 10, at 1700000000 s. */
    private static Layer tcp() {
        return new Layer("10.0.0.1", 40000, "192.168.1.5", 443, 6, 10, -1, NOW, NOW, true, false);
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "host 10.0.0.1;true", "host 10.0.0.2;false", "src host 10.0.0.1;true", "dst host 10.0.0.1;false",
        "net 192.168.0.0/16;true", "dst net 192.168.1.0/24;true", "src net 192.168.0.0/16;false", "net 10.0.0.0/31;true",
        "net 0.0.0.0/0;true", "port 443;true", "src port 443;false", "dst port 443;true", "portrange 400-500;true",
        "src portrange 40000-40000;true", "tcp;true", "udp;false", "icmp;false", "ip proto 6;true", "proto 17;false",
        "ip;true", "ip6;false", "vlan 10;true", "vlan 11;false", "vlan;true", "vlan and tcp;true", "not vlan;false",
        "vlan or udp;true", "(vlan) and port 443;true", "tcp port 443;true", "udp port 443;false",
        "tcp dst port 40000;false", "not tcp;false", "! udp;true", "tcp and not port 80;true", "udp or port 443;true",
        "udp or port 80 and tcp;false", "(udp or port 443) and tcp;true", "not udp and not icmp;true",
        "not (udp or icmp);true", "host 10.0.0.1 && port 443 || udp;true", "after 1699999999;true", "after 1700000001;false",
        "before 2023-11-14T22:13:20Z;true", "before 1699999999.999999999;false", "after 1m ago;true", "before 1m ago;false",
        "HOST 10.0.0.1 AND TCP;true", "host 2001:db8::1;false"})
    void shouldMeanWhatTheGrammarSays(final String text, final boolean expected) {
        final int value = ExpressionParser.parse(text, NOW + 30_000_000_000L).eval(tcp());
        assertEquals(expected ? Expression.TRUE : Expression.FALSE, value, text);
    }

    @Test
    void shouldMatchIpv6HostsAndNetworksOnTheWholeAddress() {
        final Layer v6 = new Layer("2001:db8:1::5", 53, "2001:db8:2::1", 5353, 17, -1, -1, NOW, NOW, true, false);
        assertEquals(Expression.TRUE, ExpressionParser.parse("host 2001:db8:1::5", NOW).eval(v6));
        assertEquals(Expression.FALSE, ExpressionParser.parse("host 2001:db8:1::6", NOW).eval(v6));
        assertEquals(Expression.TRUE, ExpressionParser.parse("net 2001:db8:2::/48 and udp", NOW).eval(v6));
        assertEquals(Expression.FALSE, ExpressionParser.parse("net 2001:db8:2::/127 and host 2001:db8:2::3", NOW).eval(v6));
        assertEquals(Expression.TRUE, ExpressionParser.parse("net 2001:db8:1::4/126", NOW).eval(v6));
        assertEquals(Expression.TRUE, ExpressionParser.parse("net 2001:db8:1::4/127", NOW).eval(v6));
        assertEquals(Expression.FALSE, ExpressionParser.parse("net 2001:db8:1::6/127", NOW).eval(v6));
    }

    @Test
    void shouldTakeVlanWithoutAnIdAsAnyTag() {
        final Layer untagged = new Layer("10.0.0.1", 1, "10.0.0.2", 2, 17, -1, -1, NOW, NOW, true, false);
        final Layer qinq = new Layer("10.0.0.1", 1, "10.0.0.2", 2, 17, 100, 200, NOW, NOW, true, false);
        assertEquals(Expression.FALSE, ExpressionParser.parse("vlan", NOW).eval(untagged));
        assertEquals(Expression.TRUE, ExpressionParser.parse("not vlan and udp", NOW).eval(untagged));
        assertEquals(Expression.TRUE, ExpressionParser.parse("vlan", NOW).eval(qinq));
        assertEquals(Expression.TRUE, ExpressionParser.parse("vlan 200 and vlan", NOW).eval(qinq));
        assertEquals(Expression.FALSE, ExpressionParser.parse("vlan 300 or not vlan", NOW).eval(qinq));
    }

    @Test
    void shouldLeaveUndecidedWhatASubjectCannotTell() {
        // A flow row spanning a time, a fragment without ports.
        final Layer span = new Layer("10.0.0.1", 1, "10.0.0.2", 2, 17, -1, -1, NOW - 10, NOW + 10, true, false);
        assertEquals(Expression.MAYBE, ExpressionParser.parse("after " + seconds(NOW), NOW).eval(span));
        assertEquals(Expression.MAYBE, ExpressionParser.parse("not before " + seconds(NOW), NOW).eval(span));
        assertEquals(Expression.FALSE, ExpressionParser.parse("after " + seconds(NOW) + " and tcp", NOW).eval(span));
        assertEquals(Expression.TRUE, ExpressionParser.parse("after " + seconds(NOW) + " or udp", NOW).eval(span));
        final Layer fragment = new Layer("10.0.0.1", 0, "10.0.0.2", 0, 17, -1, -1, NOW, NOW, false, true);
        assertEquals(Expression.MAYBE, ExpressionParser.parse("port 53", NOW).eval(fragment));
        assertEquals(Expression.FALSE, ExpressionParser.parse("port 53 and tcp", NOW).eval(fragment));
    }

    @Test
    void shouldBoundTheWindowByItsTimeTerms() {
        final Expression e = ExpressionParser.parse("after 100 and (before 200 or before 300) and host 10.0.0.1", NOW);
        assertEquals(100_000_000_000L, e.window()[0]);
        assertEquals(300_000_000_000L, e.window()[1]);
        assertEquals(Long.MIN_VALUE, ExpressionParser.parse("after 100 or tcp", NOW).window()[0]);
        assertEquals(Long.MAX_VALUE, ExpressionParser.parse("not before 100", NOW).window()[1]);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|1|the expression is empty",
        "host|5|the expression ends where an address was expected",
        "host 10.0.0.1 andd port 80|15|expected 'and', 'or' or the end, got 'andd'",
        "port 80 and prot 443|13|unknown term 'prot'",
        "port 65536|6|port 65536 is out of range (0-65535)",
        "port http|6|expected a port, got 'http'",
        "portrange 90-80|11|port range 90-80 runs backwards",
        "portrange 80|11|'80' is not a port range N-M",
        "portrange 1-x|13|expected a port, got 'x'",
        "host 10.0.0.300|6|'10.0.0.300' is not an IP address",
        "host 10.0.0.0/8|6|a host is one address; write 'net 10.0.0.0/8' for a network",
        "net 10.0.0.0/33|14|prefix length 33 is out of range (0-32)",
        "(tcp or udp|12|expected ')'",
        "tcp)|4|expected 'and', 'or' or the end, got ')'",
        "vlan 5000|6|VLAN id 5000 is out of range (0-4095)",
        "vlan 12x|6|expected a VLAN id, got '12x'",
        "vlan -5|6|expected 'and', 'or' or the end, got '-5'",
        "ip proto tcp|10|expected a protocol number, got 'tcp'",
        "after yesterday|7|'yesterday' is not a time",
        "tcp src host 10.0.0.1|9|expected port or portrange, got 'host'",
        "not|4|the expression ends where a term"})
    void shouldNameTheColumnOfAnError(final String text, final int column, final String what) {
        final ExpressionException e = assertThrows(ExpressionException.class, () -> ExpressionParser.parse(text, NOW));
        assertEquals(column, e.column(), e.getMessage());
        assertEquals(true, e.getMessage().startsWith("'" + text + "': column " + column + ": " + what), e.getMessage());
    }

    @Test
    void shouldRefuseNestingDeeperThanItsLimitNamingTheColumn() {
        final String deep = "(".repeat(ExpressionParser.MAX_NESTING + 1) + "tcp" + ")".repeat(ExpressionParser.MAX_NESTING + 1);
        final ExpressionException e = assertThrows(ExpressionException.class, () -> ExpressionParser.parse(deep, NOW));
        assertEquals(ExpressionParser.MAX_NESTING + 1, e.column());
        final String nots = "not ".repeat(ExpressionParser.MAX_NESTING) + "tcp";
        assertEquals(Expression.TRUE, ExpressionParser.parse(nots, NOW).eval(tcp()), "100 nots: tcp");
        final String ok = "(".repeat(ExpressionParser.MAX_NESTING) + "tcp" + ")".repeat(ExpressionParser.MAX_NESTING);
        assertEquals(Expression.TRUE, ExpressionParser.parse(ok, NOW).eval(tcp()));
    }

    @Test
    void shouldRefuseMoreTermsThanItsLimitNamingTheColumn() {
        final String most = "udp or ".repeat(ExpressionParser.MAX_TERMS - 1) + "tcp";
        assertEquals(Expression.TRUE, ExpressionParser.parse(most, NOW).eval(tcp()));
        final ExpressionException e = assertThrows(ExpressionException.class, () -> ExpressionParser.parse(most + " or udp", NOW));
        assertEquals(most.length() + 5, e.column(), e.getMessage());
        assertEquals(true, e.getMessage().endsWith("more than " + ExpressionParser.MAX_TERMS + " terms"), e.getMessage());
    }

    @Test
    void shouldReadTheTimeForms() {
        assertEquals(1_714_564_800_000_000_000L, TimeText.parse("2024-05-01T12:00:00Z", NOW));
        assertEquals(1_714_564_800_000_000_000L, TimeText.parse("2024-05-01T14:00:00+02:00", NOW));
        assertEquals(1_714_564_800_000_000_000L, TimeText.parse("2024-05-01T12:00:00", NOW));
        assertEquals(1_714_564_800_500_000_000L, TimeText.parse("1714564800.5", NOW));
        assertEquals(NOW - 15 * 60_000_000_000L, TimeText.parse("15m ago", NOW));
        assertEquals(NOW - 2 * 3_600_000_000_000L, TimeText.parse("2h ago", NOW));
        assertEquals(NOW - 86_400_000_000_000L, TimeText.parse("1d ago", NOW));
        assertEquals(NOW - 30_000_000_000L, TimeText.parse("30s ago", NOW));
        assertEquals("'soon' is not a time: give " + TimeText.FORMS,
            assertThrows(IllegalArgumentException.class, () -> TimeText.parse("soon", NOW)).getMessage());
        assertEquals(true, assertThrows(IllegalArgumentException.class, () -> TimeText.parse("99999999999", NOW)).getMessage()
            .startsWith("'99999999999' is out of range"));
    }

    private static String seconds(final long nanos) {
        return nanos / 1_000_000_000L + "." + String.format("%09d", nanos % 1_000_000_000L);
    }

    /** One layer written out by hand. */
    private record Layer(String src, int srcPort, String dst, int dstPort, int protocol, int vlan, int innerVlan, long firstTs,
                         long lastTs, boolean portsKnown, boolean isFragment) implements Expression.Subject {
        @Override public int ipVersion() { return Addresses.parse(src).ipVersion(); }
        @Override public long srcHi() { return Addresses.parse(src).hi(); }
        @Override public long srcLo() { return Addresses.parse(src).lo(); }
        @Override public long dstHi() { return Addresses.parse(dst).hi(); }
        @Override public long dstLo() { return Addresses.parse(dst).lo(); }
    }
}
