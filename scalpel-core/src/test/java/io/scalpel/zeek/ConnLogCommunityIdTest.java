package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.slice.CommunityIdQuery;
import io.scalpel.slice.FlowQuery;
import io.scalpel.slice.Query;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conn.log's community_id column: with the 5-tuple, and standing in for it in a zeek-cut subset. */
class ConnLogCommunityIdTest {
    /** The spec's example: TCP 1.2.3.4:1122 -> 5.6.7.8:3344. */
    private static final String ID = "1:wCb3OG7yAFWelaUydu0D+125CLM=";

    private final List<String> problems = new ArrayList<>();

    private List<ConnRecord> read(final String log) throws IOException {
        final List<ConnRecord> rows = new ArrayList<>();
        try (ConnLogReader r = ConnLogReader.open(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), "test",
            (source, line, message) -> problems.add("line " + line + ": " + message))) {
            for (ConnRecord c = r.next(); c != null; c = r.next()) {
                rows.add(c);
            }
        }
        return rows;
    }

    @Test
    void shouldReadAZeekCutSubsetWithoutFiveTupleAsCommunityIdRows() throws IOException {
        final List<ConnRecord> rows = read("#separator \\x09\n#fields\tuid\tts\tduration\tcommunity_id\n"
            + "CjnUex7KLTh3VLr8Ks\t1700000007.932964\t0.985982\t" + ID + "\n"
            + "Ck98N2KD4BOE0TDOgv\t1700000012.395877\t-\t-\n");

        assertEquals(List.of("line 4: id.orig_h is missing or unset"), problems, "a row with neither is skipped");
        assertEquals(1, rows.size());
        final ConnRecord r = rows.get(0);
        assertFalse(r.hasFiveTuple());
        assertEquals(ID, r.communityId());
        assertEquals(1_700_000_007_932_964_000L, r.tsNanos());
        final Query query = Query.of(r, false, 0);
        assertTrue(query instanceof CommunityIdQuery);
        final CommunityIdQuery q = (CommunityIdQuery) query;
        assertEquals(ID, q.communityId());
        assertEquals(1_700_000_007_932_964_000L - FlowQuery.WINDOW_SLACK_NANOS, q.from());
        assertEquals(1_700_000_007_932_964_000L + 985_982_000L + FlowQuery.WINDOW_SLACK_NANOS, q.to());
    }

    @Test
    void shouldReadJsonLinesWithoutFiveTupleAsCommunityIdRows() throws IOException {
        final List<ConnRecord> rows = read("{\"ts\":1700000007.932964,\"uid\":\"CjnUex7KLTh3VLr8Ks\",\"community_id\":\"" + ID + "\"}\n"
            + "{\"ts\":1700000007.932964,\"uid\":\"CBad\",\"community_id\":\"1:nope\"}\n");

        assertEquals(List.of("line 2: community_id: '1:nope' is not a Community ID v1 (1: and 28 base64 characters)"), problems);
        assertEquals(1, rows.size());
        assertFalse(rows.get(0).hasFiveTuple());
        assertEquals(ID, rows.get(0).communityId());
    }

    @Test
    void shouldKeepTheFiveTupleJoinWhenBothArePresent() throws IOException {
        final List<ConnRecord> rows = read("#separator \\x09\n"
            + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tcommunity_id\n"
            + "1700000007.932964\tCjnUex7KLTh3VLr8Ks\t1.2.3.4\t1122\t5.6.7.8\t3344\ttcp\t" + ID + "\n"
            + "1700000007.932964\tCk98N2KD4BOE0TDOgv\t1.2.3.4\t1122\t5.6.7.8\t3344\ttcp\t-\n");

        assertEquals(List.of(), problems);
        assertTrue(rows.get(0).hasFiveTuple());
        final Query query = Query.of(rows.get(0), false, 0);
        assertFalse(query instanceof CommunityIdQuery, "joined by its 5-tuple");
        final FlowQuery q = (FlowQuery) query;
        assertEquals(ID, q.communityIdOfKey(0), "the logged ID is the 5-tuple's");
        assertEquals("1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=", q.communityIdOfKey(1), "the spec's seed-1 value for the same tuple");
        assertTrue(rows.get(1).hasFiveTuple());
        assertEquals(null, rows.get(1).communityId());
    }

    @Test
    void shouldReportACommunityIdRowWithoutUid() throws IOException {
        final List<ConnRecord> rows = read("{\"ts\":1700000007.932964,\"community_id\":\"" + ID + "\"}\n"
            + "{\"ts\":1700000007.932964,\"uid\":\"\",\"community_id\":\"" + ID + "\"}\n");

        assertEquals(List.of("line 1: uid is missing or unset", "line 2: uid is empty"), problems);
        assertEquals(List.of(), rows);
    }

    @Test
    void shouldRefuseAMalformedCommunityIdQueryOrSeed() {
        final IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
            () -> CommunityIdQuery.of("x", "1:short", 0, Long.MIN_VALUE, Long.MAX_VALUE));
        assertTrue(id.getMessage().startsWith("'1:short' is not a Community ID v1"), id.getMessage());
        final IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
            () -> CommunityIdQuery.of("x", ID, 65536, Long.MIN_VALUE, Long.MAX_VALUE));
        assertEquals("Community ID seed 65536 is not a 16-bit value (0-65535)", seed.getMessage());
        final IllegalArgumentException options = assertThrows(IllegalArgumentException.class,
            () -> io.scalpel.api.Scalpel.Options.defaults().withCommunityIdSeed(-1));
        assertEquals("Community ID seed -1 is not a 16-bit value (0-65535)", options.getMessage());
    }

    @Test
    void shouldStillRefuseAHeaderWithNeitherFiveTupleNorCommunityId() {
        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> read("#separator \\x09\n#fields\tuid\tts\tduration\n"));
        assertTrue(e.getMessage().startsWith("test line 2: #fields has no id.orig_h column"), e.getMessage());
    }

    @Test
    void shouldGiveNoIdOfKeyForAnUnknownTransportOrSctp() throws IOException {
        final List<ConnRecord> rows = read("#separator \\x09\n"
            + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tip_proto\n"
            + "1700000007.932964\tC1\t1.2.3.4\t0\t5.6.7.8\t0\tunknown_transport\t132\n"
            + "1700000007.932964\tC2\t1.2.3.4\t0\t5.6.7.8\t0\tunknown_transport\t-\n"
            + "1700000007.932964\tC3\t1.2.3.4\t0\t5.6.7.8\t0\tunknown_transport\t47\n");

        assertEquals(null, ((FlowQuery) Query.of(rows.get(0), false, 0)).communityIdOfKey(0), "SCTP: conn.log has no ports");
        assertEquals(null, ((FlowQuery) Query.of(rows.get(1), false, 0)).communityIdOfKey(0), "protocol unknown");
        // 0000 01020304 05060708 2f 00, computed with Python hashlib as in CommunityIdTest
        assertEquals("1:+mluqz76jObh6dJLwnhX08n5St4=", ((FlowQuery) Query.of(rows.get(2), false, 0)).communityIdOfKey(0), "GRE");
    }
}
