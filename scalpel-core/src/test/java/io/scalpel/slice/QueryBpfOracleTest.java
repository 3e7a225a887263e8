package io.scalpel.slice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.index.SmallChunks;
import io.scalpel.slice.expr.ExpressionParser;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TruthFrame;
import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --query} against libpcap: for many expressions built from a generated capture's
 * connections (hosts, nets, ports, port ranges, protocols, sides, combinations, negations, time
 * bounds), the frames a query selects are exactly those {@code tcpdump -r CAPTURE -w - 'EXPR'}
 * writes, on plain, VLAN (one and two tags), IPv6 and fragmented captures. The BPF expression says
 * what the query means where libpcap needs it said (through VLAN tags, ICMPv6 with ICMP, the IP
 * protocol of IPv6); a time bound cuts tcpdump's output by time. Frames libpcap cannot see into
 * (IP in LLC/SNAP, IPv6 extension headers) are left out of both sides. Fragmented captures are
 * compared on expressions without ports and time bounds: libpcap tests ports in first fragments
 * only, and a fragment joins at its datagram's time (docs/cli.md).
 */
@Tag("external")
class QueryBpfOracleTest {
    private static final long NANOS_PER_MICRO = 1_000;

    @TempDir
    static Path dir;

    static Stream<Arguments> captures() {
        return Stream.of(
            Arguments.of("plain", GeneratorSpec.defaults(7101).withIpv6(false), false),
            Arguments.of("ipv6", GeneratorSpec.defaults(7102), false),
            Arguments.of("vlan", GeneratorSpec.defaults(7103).withVlan(true), false),
            Arguments.of("qinq", GeneratorSpec.defaults(7104).withVlan(true).withQinq(true), false),
            Arguments.of("fragments", GeneratorSpec.defaults(7105).withFragments(true).withIpv6(false), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void shouldSelectExactlyTheFramesTcpdumpSelects(final String name, final GeneratorSpec spec, final boolean fragments)
        throws Exception {
        ExternalTools.require(ExternalTools.TCPDUMP);
        final Path capture = dir.resolve(name + ".pcap");
        final Generated truth = CaptureGenerator.generate(spec, capture, dir.resolve(name + "-conn.log"));
        final List<String> expressions = expressions(truth, !fragments);
        assertTrue(expressions.size() >= 20, "expressions: " + expressions.size());
        final List<Long> times = truth.frames().stream().filter(TruthFrame::hasTimestamp).map(TruthFrame::tsNanos).sorted().toList();
        final long middle = times.get(times.size() / 2);
        final long late = times.get(times.size() * 3 / 4);
        // Chunks of 256 rows: the flows table has a row group per chunk, which the queries' bloom
        // filters, dictionaries and statistics prune (FlowPruning), here against tcpdump.
        SmallChunks.index(capture, dir.resolve(name + ".idx"), 256);
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve(name + ".idx")))) {
            for (String e : expressions) {
                check(scalpel, capture, e, bpf(e), Long.MIN_VALUE, Long.MAX_VALUE);
            }
            // Time bounds: after, before, and both, on some of the expressions. A fragment joins at
            // its datagram's time, which tcpdump does not know: no time bounds on fragments.
            for (int i = 0; i < expressions.size() && !fragments; i += 4) {
                final String e = expressions.get(i);
                check(scalpel, capture, "(" + e + ") and after " + seconds(middle), bpf(e), middle, Long.MAX_VALUE);
                check(scalpel, capture, "before " + seconds(middle) + " and (" + e + ")", bpf(e), Long.MIN_VALUE, middle);
                check(scalpel, capture, "(" + e + ") and after " + seconds(middle) + " and before " + seconds(late), bpf(e), middle,
                    late);
            }
            // `vlan` without an id: any tag. libpcap's `vlan` reads one tag and moves on past it, so
            // a tagged frame is `vlan and (X or (vlan and (X or vlan and X)))`, an untagged one X.
            for (int i = 0; i < expressions.size(); i += 5) {
                final String x = "(ip or ip6) and (" + bpfTerms(expressions.get(i)) + ")";
                final String tagged = "vlan and (" + x + " or (vlan and (" + x + " or (vlan and " + x + "))))";
                check(scalpel, capture, "vlan and (" + expressions.get(i) + ")", tagged, Long.MIN_VALUE, Long.MAX_VALUE);
                check(scalpel, capture, "not vlan and (" + expressions.get(i) + ")", x, Long.MIN_VALUE, Long.MAX_VALUE);
            }
        }
    }

    /** The query's frames against tcpdump's for the filter {@code bpf}, cut to [{@code from}, {@code to}]. */
    private static void check(final Scalpel scalpel, final Path capture, final String query, final String bpf, final long from,
                              final long to) throws Exception {
        final ExpressionQuery q = ExpressionQuery.of(query, ExpressionParser.parse(query, 0), Long.MIN_VALUE, Long.MAX_VALUE);
        final long[] seen = tcpdump(capture, bpf(SEEN), Long.MIN_VALUE, Long.MAX_VALUE);
        final long[] selected = Arrays.stream(scalpel.selectQueries(List.of(q)).offsets(0))
            .filter(o -> Arrays.binarySearch(seen, o) >= 0).toArray();
        final long[] expected = Arrays.stream(tcpdump(capture, bpf, from, to)).filter(o -> Arrays.binarySearch(seen, o) >= 0)
            .toArray();
        assertArrayEquals(expected, selected, () -> "query '" + query + "' vs tcpdump '" + bpf + "': only the query has "
            + Arrays.toString(Arrays.stream(selected).filter(o -> Arrays.stream(expected).noneMatch(x -> x == o)).toArray())
            + ", only tcpdump has " + Arrays.toString(Arrays.stream(expected).filter(o -> Arrays.stream(selected).noneMatch(x -> x == o))
            .toArray()));
    }

    /**
     * The frames whose IP header and transport libpcap finds where it looks: IPv4, IPv6 with the
     * transport header right after the fixed header, behind up to two VLAN tags. Not: IP in LLC/SNAP,
     * IPv6 extension headers before the transport header (docs/cli.md).
     */
    private static final String SEEN = "ip or (ip6 and (ip6 proto 6 or ip6 proto 17 or ip6 proto 58 or ip6 proto 132))";

    /** The BPF filter that means what the query means: IP layers only, seen through up to three VLAN tags. */
    static String bpf(final String query) {
        final String e = bpfTerms(query);
        return "((ip or ip6) and (" + e + ")) or (vlan and (ip or ip6) and (" + e + ")) or (vlan and vlan and (ip or ip6) and ("
            + e + ")) or (vlan and vlan and vlan and (ip or ip6) and (" + e + "))";
    }

    /** The query's terms as libpcap says them: ICMP with ICMPv6, a protocol number of IPv4 or IPv6. */
    private static String bpfTerms(final String query) {
        return query.replace("icmp", "(icmp or icmp6)").replaceAll("ip proto (\\d+)", "(ip proto $1 or ip6 proto $1)");
    }

    /** Expressions over the capture's own hosts, nets and ports, alone and combined. */
    private static List<String> expressions(final Generated truth, final boolean ports) {
        final List<String> out = new ArrayList<>();
        final List<TruthConn> conns = truth.conns();
        for (int i = 0; i < conns.size() && out.size() < 60; i += 3) {
            final TruthConn c = conns.get(i);
            final TruthConn d = conns.get((i + 7) % conns.size());
            out.add("host " + c.origH());
            out.add("src host " + c.respH() + " or dst host " + d.origH());
            out.add("not host " + c.origH() + " and not host " + d.respH());
            out.add(c.origH().contains(":") ? "net " + prefix64(c.origH()) + "/64" : "net " + c.origH().replaceAll("\\.\\d+$", ".0")
                + "/24");
            out.add(c.proto().equals("icmp") ? "icmp and host " + c.respH() : c.proto() + " and not host " + c.respH());
            if (ports && !c.proto().equals("icmp")) {
                out.add("port " + c.respP());
                out.add(c.proto() + " dst port " + c.respP() + " or src port " + d.origP());
                out.add("portrange " + Math.max(0, c.respP() - 100) + "-" + (c.respP() + 5) + " and not tcp");
                out.add("host " + c.origH() + " and (port " + c.origP() + " or port " + d.respP() + ")");
                out.add("not (port " + c.respP() + " or icmp)");
            }
        }
        out.add("ip proto 17");
        out.add("tcp or udp");
        out.add("not tcp");
        out.add("icmp or (udp and not host " + conns.get(0).origH() + ")");
        return out;
    }

    /** The /64 network of an IPv6 address, as text (libpcap refuses host bits in a network). */
    private static String prefix64(final String address) {
        try {
            final byte[] b = java.net.InetAddress.getByName(address).getAddress();
            Arrays.fill(b, 8, 16, (byte) 0);
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** Record offsets in {@code capture} of the frames tcpdump writes for {@code bpf}, whose time is in [from, to]. */
    private static long[] tcpdump(final Path capture, final String bpf, final long from, final long to) throws Exception {
        final Path out = Files.createTempFile(dir, "tcpdump", ".pcap");
        ExternalTools.run(List.of("tcpdump", "-r", capture.toString(), "-w", out.toString(), bpf));
        final List<long[]> in = records(capture);
        final List<long[]> kept = records(out);
        final byte[] inBytes = Files.readAllBytes(capture);
        final byte[] outBytes = Files.readAllBytes(out);
        final List<Long> offsets = new ArrayList<>();
        int at = 0;
        for (long[] k : kept) {
            while (!sameRecord(inBytes, in.get(at), outBytes, k)) {
                at++;
            }
            if (in.get(at)[2] >= from && in.get(at)[2] <= to) {
                offsets.add(in.get(at)[0]);
            }
            at++;
        }
        return offsets.stream().mapToLong(Long::longValue).toArray();
    }

    /** Each record of a microsecond pcap file: offset, length with its header, timestamp in ns. */
    private static List<long[]> records(final Path pcap) throws IOException {
        final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0xa1b2c3d4) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        final List<long[]> out = new ArrayList<>();
        int at = 24;
        while (at + 16 <= b.limit()) {
            final int caplen = b.getInt(at + 8);
            final long ts = b.getInt(at) * 1_000_000_000L + (b.getInt(at + 4) & 0xFFFFFFFFL) * NANOS_PER_MICRO;
            out.add(new long[] {at, 16 + caplen, ts});
            at += 16 + caplen;
        }
        return out;
    }

    /** Whether two records hold the same frame: the same captured bytes. */
    private static boolean sameRecord(final byte[] a, final long[] ra, final byte[] b, final long[] rb) {
        return ra[1] == rb[1] && ra[2] == rb[2]
            && Arrays.equals(a, (int) ra[0] + 16, (int) (ra[0] + ra[1]), b, (int) rb[0] + 16, (int) (rb[0] + rb[1]));
    }

    private static String seconds(final long nanos) {
        return nanos / 1_000_000_000L + "." + String.format("%09d", nanos % 1_000_000_000L);
    }
}
