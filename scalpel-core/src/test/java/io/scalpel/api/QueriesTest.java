package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import io.scalpel.slice.TcpEnding;
import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The queries a capture and a capture set select by, made under their options: the oracle is the
 * hand-written conn.log rows (their ts, keys and columns) and the options given.
 */
class QueriesTest {
    private static final String HEADER = "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration";

    @Test
    void shouldEndATcpRowsTailWhereTheNextRowOfItsKeyStartsInEitherDirection() throws IOException {
        final List<ConnRecord> rows = read(HEADER + "\n"
            + "10.000000\tCa\t10.0.0.1\t1000\t10.0.0.2\t80\ttcp\t1.000000\n"
            + "20.000000\tCb\t10.0.0.2\t80\t10.0.0.1\t1000\ttcp\t1.000000\n"
            + "30.000000\tCc\t10.0.0.1\t1000\t10.0.0.2\t80\tudp\t1.000000\n");
        final long delay = 2_000_000_000L;
        final List<Query> queries = new Queries(Scalpel.Options.defaults().withTcpCloseDelayNanos(delay)).ofRows(rows);
        assertEquals(List.of("Ca", "Cb", "Cc"), queries.stream().map(Query::label).toList());
        assertEquals(new TcpEnding(delay, 20_000_000_000L), queries.get(0).tcpEnding(), "Cb has Ca's key, reversed");
        assertEquals(new TcpEnding(delay, TcpEnding.NO_NEXT_ROW), queries.get(1).tcpEnding(), "no later row of Cb's key");
        assertNull(queries.get(2).tcpEnding(), "a UDP row has no tail");
    }

    @Test
    void shouldJoinARowVlanAwareAsTheOptionsSayForItsLog() throws IOException {
        final ConnRecord tagged = read(HEADER + "\tvlan\n10.000000\tCa\t10.0.0.1\t1000\t10.0.0.2\t80\tudp\t1.000000\t7\n").get(0);
        final ConnRecord keyed = read(HEADER.replace("id.resp_p", "id.resp_p\tid.ctx.vlan")
            + "\n10.000000\tCk\t10.0.0.1\t1000\t10.0.0.2\t80\t7\tudp\t1.000000\n").get(0);
        assertFalse(tagged.vlanKeyed());
        assertTrue(keyed.vlanKeyed());
        assertFalse(vlanAware(Scalpel.VlanKey.AS_LOGGED, tagged), "a vlan column alone is not Zeek's VLAN-aware key");
        assertTrue(vlanAware(Scalpel.VlanKey.AS_LOGGED, keyed));
        assertTrue(vlanAware(Scalpel.VlanKey.AWARE, tagged));
        assertFalse(vlanAware(Scalpel.VlanKey.BLIND, keyed));
        assertEquals(7, ((FlowQuery) new Queries(Scalpel.Options.defaults()).of(keyed, TcpEnding.NO_NEXT_ROW)).vlan());
    }

    @Test
    void shouldSelectARowWithoutItsFiveTupleByItsCommunityIdUnderTheOptionsSeed() throws IOException {
        final String id = "1:wCb3OG7yAFWelaUydu0D+125CLM=";
        final ConnRecord row = read("#separator \\x09\n#fields\tuid\tts\tduration\tcommunity_id\nCz\t10.000000\t1.000000\t" + id + "\n")
            .get(0);
        final Query q = new Queries(Scalpel.Options.defaults().withCommunityIdSeed(9)).of(row, TcpEnding.NO_NEXT_ROW);
        final CommunityIdQuery byId = assertInstanceOf(CommunityIdQuery.class, q);
        assertEquals(id, byId.communityId());
        assertEquals(9, byId.seed());
        assertNull(new Queries(Scalpel.Options.defaults()).communityIdOf(row), "no 5-tuple, no Community ID of it");
    }

    @Test
    void shouldLabelEachCommunityIdQueryWithItsIdAndRefuseAMalformedOne() {
        final Queries queries = new Queries(Scalpel.Options.defaults().withCommunityIdSeed(3));
        final List<Query> q = queries.ofCommunityIds(List.of("1:wCb3OG7yAFWelaUydu0D+125CLM=", "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
            5, 6);
        assertEquals(List.of("1:wCb3OG7yAFWelaUydu0D+125CLM=", "1:LQU9qZlK+B5F3KDmev6m5PMibrg="), q.stream().map(Query::label).toList());
        assertEquals(3, ((CommunityIdQuery) q.get(1)).seed());
        assertEquals(5, q.get(1).from());
        assertEquals(6, q.get(1).to());
        assertThrows(IllegalArgumentException.class, () -> queries.ofCommunityIds(List.of("1:short"), 0, 1));
    }

    @Test
    void shouldParseFlowsAndRefuseOneThatIsNoFlow() {
        final List<Query> flows = Queries.ofFlows(List.of("udp 10.0.0.1:53 10.0.0.2:5353"), 1, 2, true);
        final FlowQuery f = (FlowQuery) flows.get(0);
        assertEquals(53, f.origPort());
        assertEquals(5353, f.respPort());
        assertTrue(f.vlanAware());
        assertThrows(IllegalArgumentException.class, () -> Queries.ofFlows(List.of("not a flow"), 1, 2, false));
    }

    private static boolean vlanAware(final Scalpel.VlanKey key, final ConnRecord row) {
        return ((FlowQuery) new Queries(Scalpel.Options.defaults().withVlanKey(key)).of(row, TcpEnding.NO_NEXT_ROW)).vlanAware();
    }

    private static List<ConnRecord> read(final String log) throws IOException {
        final List<ConnRecord> rows = new ArrayList<>();
        final ConnLogListener strict = (source, line, message) -> {
            throw new AssertionError(source + ":" + line + ": " + message);
        };
        try (ConnLogReader r = ConnLogReader.open(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), "test", strict)) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                rows.add(c);
            }
        }
        return rows;
    }
}
