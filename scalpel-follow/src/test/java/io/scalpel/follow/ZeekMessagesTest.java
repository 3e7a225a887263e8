package io.scalpel.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.zeek.ConnRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The records of Zeek's Kafka writer, as the writer's documentation shows them, told apart: a conn
 * record flat, tagged by {@code _path} or wrapped in {@code {"conn": ...}}; the records of other
 * logs (which carry uid and id.* too) ignored; what is no record at all bad. The expected values
 * are written here by hand from the records' text.
 */
class ZeekMessagesTest {
    private static final String FLAT = "{\"ts\":1700000000.123456,\"uid\":\"CAbc1\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":40000,"
        + "\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":80,\"proto\":\"tcp\",\"duration\":1.5,\"orig_pkts\":3,\"resp_pkts\":2,"
        + "\"conn_state\":\"SF\"}";
    private static final String DNS = "{\"ts\":1700000000.2,\"uid\":\"CDns1\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":5353,"
        + "\"id.resp_h\":\"10.0.0.53\",\"id.resp_p\":53,\"proto\":\"udp\",\"query\":\"example.com\"}";

    private static ZeekMessages.Classified classify(final String text) {
        return ZeekMessages.classify(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ConnRecord parseOne(final ZeekMessages.Classified c) throws Exception {
        final ZeekMessages.Parsed p = ZeekMessages.parse(List.of(), List.of(c.line()), "test");
        assertNull(p.errors()[0], () -> "parsed: " + new String(c.line(), StandardCharsets.UTF_8));
        return p.records()[0];
    }

    @Test
    void shouldTakeAFlatUntaggedConnRecordByItsConnOnlyFields() throws Exception {
        final ZeekMessages.Classified c = classify(FLAT);
        assertEquals(ZeekMessages.Kind.CONN, c.kind());
        final ConnRecord r = parseOne(c);
        assertEquals("CAbc1", r.uid());
        assertEquals(1_700_000_000_123_456_000L, r.tsNanos());
        assertEquals(1_500_000_000L, r.durationNanos());
        assertEquals(80, r.respPort());
    }

    @Test
    void shouldTakeAConnRecordWrappedInItsTag() throws Exception {
        final ZeekMessages.Classified c = classify("{\"conn\": " + FLAT + "}");
        assertEquals(ZeekMessages.Kind.CONN, c.kind());
        assertEquals("CAbc1", parseOne(c).uid());
    }

    @Test
    void shouldTakeAConnRecordByItsPathEvenWithoutConnOnlyFields() throws Exception {
        final ZeekMessages.Classified c = classify("{\"_path\":\"conn\",\"ts\":1700000000,\"uid\":\"CAbc2\",\"id.orig_h\":\"10.0.0.1\","
            + "\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":2,\"proto\":\"udp\"}");
        assertEquals(ZeekMessages.Kind.CONN, c.kind());
        assertEquals("CAbc2", parseOne(c).uid());
    }

    @Test
    void shouldReadTsAsMillisecondsAndAsIso8601() throws Exception {
        final ConnRecord millis = parseOne(classify(FLAT.replace("1700000000.123456", "1700000000123")));
        assertEquals(1_700_000_000_123_000_000L, millis.tsNanos());
        assertEquals(1_000_000L, millis.tsUncertaintyNanos(), "milliseconds are as coarse as a millisecond");
        final ConnRecord iso = parseOne(classify(FLAT.replace("1700000000.123456", "\"2023-11-14T22:13:20.123456Z\"")));
        assertEquals(1_700_000_000_123_456_000L, iso.tsNanos());
    }

    @Test
    void shouldIgnoreOtherLogsWhetherFlatTaggedOrWrapped() {
        assertEquals(ZeekMessages.Kind.OTHER, classify(DNS).kind(), "untagged dns: uid and id.* but no conn field");
        assertEquals(ZeekMessages.Kind.OTHER, classify(DNS.replace("{\"ts\"", "{\"_path\":\"dns\",\"ts\"")).kind());
        assertEquals(ZeekMessages.Kind.OTHER, classify("{\"dns\": " + DNS + "}").kind());
        assertEquals(ZeekMessages.Kind.OTHER, classify(FLAT.replace("{\"ts\"", "{\"_path\":\"conn_long\",\"ts\"")).kind(),
            "a _path that is not conn wins over the fields");
    }

    @Test
    void shouldCallWhatIsNoJsonObjectBad() {
        assertEquals(ZeekMessages.Kind.BAD, classify("not json").kind());
        assertTrue(classify("not json").reason().startsWith("not JSON"), classify("not json").reason());
        assertEquals("not a JSON object", classify("[1,2]").reason());
        assertEquals("empty record", ZeekMessages.classify(new byte[0]).reason());
    }

    @Test
    void shouldPutAPrettyPrintedRecordOnOneLine() throws Exception {
        final ZeekMessages.Classified c = classify(FLAT.replace(",", ",\n  "));
        assertEquals(ZeekMessages.Kind.CONN, c.kind());
        assertTrue(new String(c.line(), StandardCharsets.UTF_8).indexOf('\n') < 0);
        assertEquals("CAbc1", parseOne(c).uid());
    }

    @Test
    void shouldSayWhyAConnRecordCannotBeParsedAndReadTheOthers() throws Exception {
        final byte[] good = FLAT.getBytes(StandardCharsets.UTF_8);
        final byte[] noProto = FLAT.replace("\"proto\":\"tcp\",", "").getBytes(StandardCharsets.UTF_8);
        final ZeekMessages.Parsed p = ZeekMessages.parse(List.of(), List.of(good, noProto, good), "kafka");
        assertEquals("CAbc1", p.records()[0].uid());
        assertNull(p.records()[1]);
        assertTrue(p.errors()[1].contains("proto"), p.errors()[1]);
        assertEquals("CAbc1", p.records()[2].uid());
    }
}
