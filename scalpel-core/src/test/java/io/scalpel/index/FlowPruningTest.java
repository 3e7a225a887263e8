package io.scalpel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.slice.expr.ExpressionParser;
import io.scalpel.slice.expr.FlowPruning;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query's pruning of the flows table (bloom filters on addresses and ports, dictionaries,
 * statistics: {@link FlowPruning}, {@link FlowRowFilter}) on an index of many row groups (chunks of
 * 128 rows): a host or a port of one connection skips most row groups, and every row that can match
 * is still read. The oracle is the whole flows table read without pruning, each row tested on its
 * text and numbers here; that the frames a query then selects are libpcap's is
 * {@code QueryBpfOracleTest}'s, on indexes of many row groups too.
 */
class FlowPruningTest {
    @TempDir
    static Path dir;

    private static Generated truth;
    private static PacketIndex index;
    /** Every flow row, read without pruning: (chunk, flow) to its key. */
    private static final Map<Long, Row> ALL = new HashMap<>();
    private static long rowGroups;

    private record Row(String src, String dst, int srcPort, int dstPort, boolean portsKnown, int proto) {
    }

    @BeforeAll
    static void build() throws IOException {
        final Path capture = dir.resolve("c.pcap");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(4242).withConnections(300), capture, dir.resolve("conn.log"));
        SmallChunks.index(capture, dir.resolve("idx"), 128);
        index = PacketIndex.open(capture, dir.resolve("idx"));
        index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, FlowRowFilter.ANY, r -> ALL.put(PacketIndex.flowRow(r.chunk(), r.flow()),
            new Row(r.src(), r.dst(), r.srcPort(), r.dstPort(), r.portsKnown(), r.proto())));
        final long[] counts = index.flowRowGroups();
        rowGroups = counts[0] + counts[1];
        assertEquals(0, counts[1], "nothing skipped without a filter");
        assertTrue(rowGroups >= 20, "many row groups: " + rowGroups);
    }

    /** The row groups a query read and skipped, and checks that it read every row {@code can} says may match. */
    private static long[] prune(final String query, final Predicate<Row> can) throws IOException {
        final long[] before = index.flowRowGroups();
        final Set<Long> read = new HashSet<>();
        index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, FlowPruning.of(ExpressionParser.parse(query, 0)),
            r -> read.add(PacketIndex.flowRow(r.chunk(), r.flow())));
        final long[] after = index.flowRowGroups();
        final long[] counts = {after[0] - before[0], after[1] - before[1]};
        assertEquals(rowGroups, counts[0] + counts[1], query + ": every row group read or skipped");
        final List<Long> missed = new ArrayList<>();
        ALL.forEach((k, row) -> {
            if (can.test(row) && !read.contains(k)) {
                missed.add(k);
            }
        });
        assertEquals(List.of(), missed, query + ": rows that may match, not read");
        assertTrue(read.stream().anyMatch(k -> can.test(ALL.get(k))), query + ": some row matches");
        return counts;
    }

    /** A connection whose responder address is in few flow rows, and its ports. */
    private static TruthConn rare() {
        TruthConn best = null;
        long fewest = Long.MAX_VALUE;
        for (TruthConn c : truth.conns()) {
            final long rows = ALL.values().stream().filter(r -> r.src().equals(c.respH()) || r.dst().equals(c.respH())).count();
            if (rows > 0 && rows < fewest && !c.proto().equals("icmp")) {
                fewest = rows;
                best = c;
            }
        }
        return best;
    }

    @Test
    void shouldSkipTheRowGroupsWithoutAHostAndReadEveryRowWithIt() throws IOException {
        final String host = rare().respH();
        final long[] counts = prune("host " + host, r -> r.src().equals(host) || r.dst().equals(host));
        assertTrue(counts[1] > rowGroups / 2, "most row groups skipped: " + counts[1] + " of " + rowGroups);
    }

    @Test
    void shouldSkipTheRowGroupsWithoutAPortAndKeepRowsWithoutPorts() throws IOException {
        final int port = rare().origP();
        final long[] counts = prune("port " + port, r -> !r.portsKnown() || r.srcPort() == port || r.dstPort() == port);
        assertTrue(counts[1] > rowGroups / 2, "most row groups skipped: " + counts[1] + " of " + rowGroups);
    }

    @Test
    void shouldPruneByBothTermsOfAnAndAndByEitherOfAnOr() throws IOException {
        final TruthConn c = rare();
        final String host = c.respH();
        final int port = c.origP();
        final long[] and = prune("host " + host + " and port " + port,
            r -> (r.src().equals(host) || r.dst().equals(host)) && (!r.portsKnown() || r.srcPort() == port || r.dstPort() == port));
        assertTrue(and[1] > rowGroups / 2, "most row groups skipped: " + and[1] + " of " + rowGroups);
        final String other = truth.conns().get(0).origH();
        final long[] or = prune("host " + host + " or host " + other,
            r -> r.src().equals(host) || r.dst().equals(host) || r.src().equals(other) || r.dst().equals(other));
        assertTrue(or[1] <= and[1], "an or skips no more than an and: " + or[1] + " vs " + and[1]);
    }

    @Test
    void shouldPruneNothingForANegationAndReadEveryRowOfANetwork() throws IOException {
        final String host = rare().respH();
        assertEquals(0, prune("not host " + host, r -> !r.src().equals(host) || !r.dst().equals(host))[1], "not host");
        final String v4 = truth.conns().stream().map(TruthConn::origH).filter(h -> !h.contains(":")).findFirst().orElseThrow();
        final String net = v4.substring(0, v4.lastIndexOf('.') + 1);
        prune("net " + net + "0/24", r -> r.src().startsWith(net) || r.dst().startsWith(net));
    }

    @Test
    void shouldPruneByProtocolThroughTheDictionary() throws IOException {
        final boolean sctp = ALL.values().stream().anyMatch(r -> r.proto() == 132);
        prune("tcp", r -> r.proto() == 6);
        if (!sctp) {
            final long[] none = index.flowRowGroups();
            index.flowRows(Long.MIN_VALUE, Long.MAX_VALUE, FlowPruning.of(ExpressionParser.parse("ip proto 132", 0)), r -> { });
            final long[] after = index.flowRowGroups();
            assertEquals(rowGroups, after[1] - none[1], "a protocol in no row group skips them all");
        }
    }
}
