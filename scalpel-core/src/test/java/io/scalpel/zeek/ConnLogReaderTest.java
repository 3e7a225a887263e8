package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.FlowKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnLogReaderTest {
    /** Zeek's header as its ASCII writer prints it; 8 lines, so the first row is line 9. */
    private static final String HEADER = lines(
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tconn",
        "#open\t2024-01-01-00-00-00",
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\tresp_pkts\ttunnel_parents",
        "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tset[string]");
    private static final int FIRST_ROW_LINE = 9;

    private static final String ROW_A = tsv("1700000007.932964", "CjnUex7KLTh3VLr8Ks", "10.2.129.108", "8", "10.3.159.59", "0",
        "icmp", "0.985982", "6", "2", "-");
    private static final String ROW_B = tsv("1700000012.395877", "Ck98N2KD4BOE0TDOgv", "2001:db8:4e69:ffea:2e77:6938:f76c:48fa",
        "56330", "2001:db8:be38:db28:e267:7f02:f9f7:503e", "22", "udp", "0.387041", "2", "0", "-");

    @TempDir
    Path tmp;

    // ---- Zeek TSV ----

    @Test
    void shouldReturnOnlyTheWantedUidsWithoutParsingTheOthers() throws IOException {
        final String garbled = ROW_A.replace("CjnUex7KLTh3VLr8Ks", "CGarbledRow0000000").replace("10.2.129.108", "not-an-address");
        final List<String> problems = new ArrayList<>();
        final String log = HEADER + garbled + ROW_A + ROW_B;
        try (ConnLogReader reader = ConnLogReader.open(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), "test",
            (s, l, m) -> problems.add(m))) {
            reader.onlyUids(u -> u.equals("Ck98N2KD4BOE0TDOgv"));
            final Result r = drain(reader, problems);
            assertEquals(List.of("Ck98N2KD4BOE0TDOgv"), uids(r));
            assertEquals(List.of(), problems, "an unwanted row is not parsed, so its bad address is not reported");
        }
    }

    @Test
    void shouldReadZeekTsvRows() throws IOException {
        final Result r = read(HEADER + ROW_A + ROW_B + "#close\t2024-01-01-00-10-00\n");

        assertEquals(List.of(), r.problems);
        assertEquals(2, r.records.size());
        final ConnRecord a = r.records.get(0);
        assertEquals("CjnUex7KLTh3VLr8Ks", a.uid());
        assertEquals(FIRST_ROW_LINE, a.line());
        assertEquals(1_700_000_007_932_964_000L, a.tsNanos());
        assertTrue(a.hasTimestamp());
        assertEquals(985_982_000L, a.durationNanos());
        assertEquals("icmp", a.proto());
        assertEquals(FlowKey.IPV4, a.ipVersion());
        assertEquals("10.2.129.108", Addresses.format(a.ipVersion(), a.origHi(), a.origLo()));
        assertEquals(8, a.origPort());
        assertEquals("10.3.159.59", Addresses.format(a.ipVersion(), a.respHi(), a.respLo()));
        assertEquals(0, a.respPort());
        assertEquals(6, a.origPkts());
        assertEquals(2, a.respPkts());
        assertEquals(List.of(), a.tunnelParents());
        assertEquals(ConnRecord.UNSET, a.vlan());
        assertEquals(ConnRecord.UNSET, a.innerVlan());
        assertEquals(ConnRecord.UNSET, a.ipProto());
        assertNull(a.communityId());

        final ConnRecord b = r.records.get(1);
        assertEquals(FlowKey.IPV6, b.ipVersion());
        assertEquals("2001:db8:4e69:ffea:2e77:6938:f76c:48fa", Addresses.format(b.ipVersion(), b.origHi(), b.origLo()));
        assertEquals("2001:db8:be38:db28:e267:7f02:f9f7:503e", Addresses.format(b.ipVersion(), b.respHi(), b.respLo()));
        assertEquals(56330, b.origPort());
        assertEquals(22, b.respPort());
    }

    @Test
    void shouldFindColumnsByNameInAnyOrder() throws IOException {
        final String log = lines(
            "#separator \\x09",
            "#fields\tproto\tid.resp_p\tcommunity_id\tid.resp_h\tvlan\tuid\tinner_vlan\tid.orig_p\tip_proto\tid.orig_h\tservice",
            "tcp\t443\t1:LQU9qZlK+B5F3KDmev6m5PMibrg=\t192.0.2.2\t10\tCx1\t20\t51234\t6\t192.0.2.1\tssl");

        final ConnRecord r = single(read(log));

        assertEquals("Cx1", r.uid());
        assertEquals("tcp", r.proto());
        assertEquals("192.0.2.1", Addresses.format(r.ipVersion(), r.origHi(), r.origLo()));
        assertEquals(51234, r.origPort());
        assertEquals("192.0.2.2", Addresses.format(r.ipVersion(), r.respHi(), r.respLo()));
        assertEquals(443, r.respPort());
        assertEquals(10, r.vlan());
        assertEquals(20, r.innerVlan());
        assertEquals(6, r.ipProto());
        assertEquals("1:LQU9qZlK+B5F3KDmev6m5PMibrg=", r.communityId());
        assertEquals(ConnRecord.NO_TIMESTAMP, r.tsNanos(), "no ts column: no time window");
        assertFalse(r.hasTimestamp());
        assertEquals(0, r.durationNanos());
        assertEquals(ConnRecord.UNSET, r.origPkts());
    }

    @Test
    void shouldHonourSeparatorHeader() throws IOException {
        final String log = lines(
            "#separator \\x2c",
            "#set_separator,;",
            "#empty_field,(empty)",
            "#unset_field,-",
            "#fields,ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,tunnel_parents",
            "1.5,CAbc,10.0.0.1,1,10.0.0.2,2,udp,Cp1;Cp2",
            "2.5,CDef\\x2cx,10.0.0.1,1,10.0.0.2,2,udp,(empty)");

        final Result r = read(log);

        assertEquals(List.of(), r.problems);
        assertEquals(List.of("Cp1", "Cp2"), r.records.get(0).tunnelParents());
        assertEquals(1_500_000_000L, r.records.get(0).tsNanos());
        assertEquals("CDef,x", r.records.get(1).uid(), "an escaped separator inside a value is data");
        assertEquals(List.of(), r.records.get(1).tunnelParents());
    }

    @Test
    void shouldHonourUnsetAndEmptyFieldHeaders() throws IOException {
        final String log = lines(
            "#separator \\x09",
            "#set_separator\t,",
            "#empty_field\tEMPTY",
            "#unset_field\tNONE",
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts\ttunnel_parents\tcommunity_id\tvlan",
            "NONE\tC1\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\tNONE\tNONE\tEMPTY\tEMPTY\tNONE",
            // with these headers "-" and "(empty)" are ordinary values
            "1\tC2\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\t1\t3\t(empty)\t-\t7");

        final Result r = read(log);

        assertEquals(List.of(), r.problems);
        final ConnRecord unset = r.records.get(0);
        assertEquals(ConnRecord.NO_TIMESTAMP, unset.tsNanos());
        assertEquals(0, unset.durationNanos(), "unset duration is zero");
        assertEquals(ConnRecord.UNSET, unset.origPkts());
        assertEquals(List.of(), unset.tunnelParents());
        assertEquals("", unset.communityId(), "empty string");
        assertEquals(ConnRecord.UNSET, unset.vlan());
        final ConnRecord literal = r.records.get(1);
        assertEquals(List.of("(empty)"), literal.tunnelParents());
        assertEquals("-", literal.communityId());
    }

    @Test
    void shouldTreatDashAsUnsetAndEmptyAsEmptySet() throws IOException {
        final String log = HEADER
            + tsv("-", "C1", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "(empty)")
            + tsv("5", "C2", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "0", "0", "0", "CParent1,CParent2");

        final Result r = read(log);

        assertEquals(List.of(), r.problems);
        final ConnRecord unset = r.records.get(0);
        assertEquals(ConnRecord.NO_TIMESTAMP, unset.tsNanos());
        assertEquals(0, unset.durationNanos());
        assertEquals(ConnRecord.UNSET, unset.origPkts());
        assertEquals(ConnRecord.UNSET, unset.respPkts());
        assertEquals(List.of(), unset.tunnelParents());
        final ConnRecord set = r.records.get(1);
        assertEquals(5_000_000_000L, set.tsNanos());
        assertEquals(0, set.origPkts());
        assertEquals(List.of("CParent1", "CParent2"), set.tunnelParents());
    }

    @Test
    void shouldUndoZeekHexEscapes() throws IOException {
        final String log = HEADER
            + tsv("1", "C\\x09tab\\x5cslash\\xc3\\xa9", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "Ca\\x2cb,Cc");

        final ConnRecord r = single(read(log));

        assertEquals("C\ttab\\slash\u00e9", r.uid(), "\\xNN are bytes, decoded as UTF-8");
        assertEquals(List.of("Ca,b", "Cc"), r.tunnelParents(), "an escaped set separator is part of the element");
    }

    @Test
    void shouldRestartTheColumnMappingAtEachHeaderBlock() throws IOException {
        final String second = lines(
            "#separator \\x09",
            "#fields\tuid\tproto\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p",
            "C2\tudp\t10.0.0.3\t3\t10.0.0.4\t4");

        final Result r = read(HEADER + ROW_A + "#close\tx\n" + "\n" + second);

        assertEquals(List.of(), r.problems);
        assertEquals(2, r.records.size());
        final ConnRecord b = r.records.get(1);
        assertEquals("C2", b.uid());
        assertEquals("udp", b.proto());
        assertEquals(3, b.origPort());
        assertEquals(FIRST_ROW_LINE + 5, b.line());
        assertEquals(ConnRecord.NO_TIMESTAMP, b.tsNanos(), "the second block has no ts column");
    }

    @Test
    void shouldReadCrLfLines() throws IOException {
        final Result r = read((HEADER + ROW_A).replace("\n", "\r\n"));

        assertEquals(List.of(), r.problems);
        assertEquals(2, single(r).respPkts(), "the CR is not part of the last column");
    }

    @Test
    void shouldReadALastLineWithoutNewline() throws IOException {
        final Result r = read(HEADER + ROW_A + ROW_B.stripTrailing());

        assertEquals(2, r.records.size());
        assertEquals(0, r.records.get(1).respPkts());
    }

    @Test
    void shouldReturnNothingForAnEmptyLog() throws IOException {
        assertEquals(0, read("").records.size());
        assertEquals(0, read("\n\n  \n").records.size());
        assertEquals(0, read(HEADER).records.size());
    }

    @Test
    void shouldAcceptVlanTagsOfTheVlanAwareConnKey() throws IOException {
        final String log = lines(
            "#separator \\x09",
            "#fields\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tid.ctx.vlan\tid.ctx.inner_vlan\tproto",
            "C1\t10.0.0.1\t1\t10.0.0.2\t2\t42\t-\ttcp");

        final ConnRecord r = single(read(log));

        assertEquals(42, r.vlan());
        assertEquals(ConnRecord.UNSET, r.innerVlan());
    }

    // ---- JSON lines ----

    @Test
    void shouldReadFlatJsonLines() throws IOException {
        final String log = lines(
            "{\"ts\":1700000007.932964,\"uid\":\"CjnUex7KLTh3VLr8Ks\",\"id.orig_h\":\"10.2.129.108\",\"id.orig_p\":8,"
                + "\"id.resp_h\":\"10.3.159.59\",\"id.resp_p\":0,\"proto\":\"icmp\",\"duration\":0.985982,"
                + "\"orig_bytes\":2000,\"conn_state\":\"SF\",\"local_orig\":false,\"orig_pkts\":6,\"resp_pkts\":2,"
                + "\"tunnel_parents\":[\"CA\",\"CB\"],\"vlan\":7,\"inner_vlan\":8,\"community_id\":\"1:abc=\",\"ip_proto\":1}",
            "{\"uid\":\"C2\",\"id.orig_h\":\"::1\",\"id.orig_p\":1,\"id.resp_h\":\"::2\",\"id.resp_p\":2,\"proto\":\"udp\"}");

        final Result r = read(log);

        assertEquals(List.of(), r.problems);
        final ConnRecord a = r.records.get(0);
        assertEquals("CjnUex7KLTh3VLr8Ks", a.uid());
        assertEquals(1, a.line());
        assertEquals(1_700_000_007_932_964_000L, a.tsNanos());
        assertEquals(985_982_000L, a.durationNanos());
        assertEquals("10.2.129.108", Addresses.format(a.ipVersion(), a.origHi(), a.origLo()));
        assertEquals(8, a.origPort());
        assertEquals(0, a.respPort());
        assertEquals(6, a.origPkts());
        assertEquals(2, a.respPkts());
        assertEquals(List.of("CA", "CB"), a.tunnelParents());
        assertEquals(7, a.vlan());
        assertEquals(8, a.innerVlan());
        assertEquals("1:abc=", a.communityId());
        assertEquals(1, a.ipProto());
        final ConnRecord b = r.records.get(1);
        assertEquals(FlowKey.IPV6, b.ipVersion());
        assertEquals(2, b.line());
        assertEquals(ConnRecord.NO_TIMESTAMP, b.tsNanos());
        assertEquals(List.of(), b.tunnelParents());
    }

    @Test
    void shouldReadNestedJsonLines() throws IOException {
        final String log = "{\"ts\":1.5,\"uid\":\"CN\",\"id\":{\"orig_h\":\"192.0.2.1\",\"orig_p\":1234,\"resp_h\":\"192.0.2.2\","
            + "\"resp_p\":53,\"ctx\":{\"vlan\":5}},\"proto\":\"udp\",\"extra\":{\"deep\":{\"deeper\":{\"deepest\":[1,{\"a\":2}]}}},"
            + "\"tunnel_parents\":null}\n";

        final Result r = read(log);

        assertEquals(List.of(), r.problems);
        final ConnRecord n = single(r);
        assertEquals("CN", n.uid());
        assertEquals("192.0.2.1", Addresses.format(n.ipVersion(), n.origHi(), n.origLo()));
        assertEquals(1234, n.origPort());
        assertEquals(53, n.respPort());
        assertEquals(5, n.vlan());
        assertEquals(1_500_000_000L, n.tsNanos());
    }

    @Test
    void shouldReadIso8601JsonTimestamps() throws IOException {
        final String log = lines(
            json("C1", "\"ts\":\"2023-11-14T22:13:27.932964Z\""),
            json("C2", "\"ts\":\"2023-11-14T23:13:27.932964+01:00\""),
            json("C3", "\"ts\":\"2023-11-14T22:13:27.932964123Z\""));

        final Result r = read(log);

        assertEquals(List.of(), r.problems);
        assertEquals(1_700_000_007_932_964_000L, r.records.get(0).tsNanos());
        assertEquals(1_700_000_007_932_964_000L, r.records.get(1).tsNanos());
        assertEquals(1_700_000_007_932_964_123L, r.records.get(2).tsNanos());
    }

    @Test
    void shouldParseJsonNumbersFromTheirText() throws IOException {
        final String log = lines(
            json("C1", "\"ts\":1700000007.932964,\"duration\":0.000001"),
            json("C2", "\"ts\":1.7e9,\"duration\":1E-6"),
            json("C3", "\"ts\":\"1700000007.932964\",\"duration\":\"2\",\"orig_pkts\":\"3\""));

        final Result r = read(log);

        assertEquals(List.of(), r.problems);
        assertEquals(1_700_000_007_932_964_000L, r.records.get(0).tsNanos());
        assertEquals(1_000L, r.records.get(0).durationNanos());
        assertEquals(1_700_000_000_000_000_000L, r.records.get(1).tsNanos());
        assertEquals(1_000L, r.records.get(1).durationNanos());
        assertEquals(1_700_000_007_932_964_000L, r.records.get(2).tsNanos());
        assertEquals(2_000_000_000L, r.records.get(2).durationNanos());
        assertEquals(3, r.records.get(2).origPkts());
    }

    // ---- exact numbers ----

    @Test
    void shouldParseTimestampsExactlyToTheNanosecond() throws IOException {
        final String[] ts = {"1.000001", "1700000007.932964", "4294967296.999999", "1.123456789", "1.1234567891999", "7", "0.5"};
        final long[] expected = {1_000_001_000L, 1_700_000_007_932_964_000L, 4_294_967_296_999_999_000L, 1_123_456_789L,
            1_123_456_789L, 7_000_000_000L, 500_000_000L};
        final StringBuilder log = new StringBuilder(HEADER);
        for (String t : ts) {
            log.append(tsv(t, "C", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", t, "-", "-", "-"));
        }

        final Result r = read(log.toString());

        assertEquals(List.of(), r.problems);
        for (int i = 0; i < ts.length; i++) {
            assertEquals(expected[i], r.records.get(i).tsNanos(), ts[i]);
            assertEquals(expected[i], r.records.get(i).durationNanos(), ts[i]);
        }
        // through a double, 1700000007.932964 s would be 1700000007932963840 ns
        assertTrue((long) (1700000007.932964 * 1e9) != expected[1]);
    }

    @Test
    void shouldTreatAMaskedTimestampAsNoTimestamp() throws IOException {
        final Result r = read(HEADER + tsv("XXXXXXXXXX.XXXXXX", "C1", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "0.5", "1", "1", "-"));

        assertEquals(List.of(), r.problems);
        assertEquals(ConnRecord.NO_TIMESTAMP, single(r).tsNanos());
        assertEquals(Long.MIN_VALUE, ConnRecord.NO_TIMESTAMP);
        assertEquals(500_000_000L, single(r).durationNanos());
    }

    // ---- compression and streams ----

    @Test
    void shouldReadGzippedTsvWhateverTheFileName() throws IOException {
        final Path file = tmp.resolve("conn.log");
        Files.write(file, gzip(HEADER + ROW_A + ROW_B));

        final Result r = read(file);

        assertEquals(List.of(), r.problems);
        assertEquals(2, r.records.size());
        assertEquals("Ck98N2KD4BOE0TDOgv", r.records.get(1).uid());
    }

    @Test
    void shouldReadGzippedJsonLines() throws IOException {
        final Path file = tmp.resolve("conn.json.gz");
        Files.write(file, gzip(lines(json("C1", "\"ts\":1"), json("C2", "\"ts\":2"))));

        final Result r = read(file);

        assertEquals(List.of(), r.problems);
        assertEquals(List.of("C1", "C2"), uids(r));
    }

    @Test
    void shouldReadMultiMemberGzip() throws IOException {
        final ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.write(gzip(HEADER + ROW_A));
        both.write(gzip(ROW_B));

        final Result r = read(new ByteArrayInputStream(both.toByteArray()), "<stdin>");

        assertEquals(List.of(), r.problems);
        assertEquals(List.of("CjnUex7KLTh3VLr8Ks", "Ck98N2KD4BOE0TDOgv"), uids(r));
    }

    @Test
    void shouldNameStdinInMessages() throws IOException {
        final InputStream stdin = new SequenceInputStream(
            new ByteArrayInputStream(HEADER.getBytes(StandardCharsets.UTF_8)),
            new ByteArrayInputStream((tsv("1", "C1", "10.0.0.1", "99999", "10.0.0.2", "2", "tcp", "-", "-", "-", "-") + ROW_A)
                .getBytes(StandardCharsets.UTF_8)));

        final Result r = read(stdin, "<stdin>");

        assertEquals(List.of("<stdin>:9: id.orig_p: '99999' is not a port (0-65535)"), r.problems);
        assertEquals(List.of("CjnUex7KLTh3VLr8Ks"), uids(r));
    }

    @Test
    void shouldCloseTheStream() throws IOException {
        final boolean[] closed = {false};
        final InputStream in = new ByteArrayInputStream((HEADER + ROW_A).getBytes(StandardCharsets.UTF_8)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        try (ConnLogReader reader = ConnLogReader.open(in, "<stdin>", ConnLogListener.IGNORE)) {
            assertEquals("<stdin>", reader.source());
        }
        assertTrue(closed[0]);
    }

    // ---- bad lines ----

    @Test
    void shouldKeepReadingAfterAMalformedLine() throws IOException {
        final String log = HEADER
            + ROW_A                                                                                          // 9
            + tsv("1", "CBadPort", "10.0.0.1", "65536", "10.0.0.2", "2", "tcp", "-", "-", "-", "-")          // 10
            + tsv("1", "CBadAddr", "10.0.0.300", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-")            // 11
            + "1\tCShort\t10.0.0.1\t1\n"                                                                     // 12
            + tsv("1", "CBadTs", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-").replace("1\tCBadTs", "1,5\tCBadTs") // 13
            + tsv("1", "CBadDur", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-0.5", "-", "-", "-")            // 14
            + tsv("1", "CBadCount", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "x", "-", "-")             // 15
            + tsv("1", "-", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-")                     // 16
            + tsv("1", "CMixed", "10.0.0.1", "1", "::2", "2", "tcp", "-", "-", "-", "-")                     // 17
            + tsv("1", "(empty)", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-")               // 18
            + tsv("99999999999", "CBig", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-")        // 19
            + ROW_B;                                                                                         // 20

        final Result r = read(log);

        assertEquals(List.of("CjnUex7KLTh3VLr8Ks", "Ck98N2KD4BOE0TDOgv"), uids(r));
        assertEquals(20, r.records.get(1).line());
        assertEquals(List.of(
            "test:10: id.orig_p: '65536' is not a port (0-65535)",
            "test:11: id.orig_h: '10.0.0.300' is not an IP address",
            "test:12: has 4 columns where #fields (line 7) names 11",
            "test:13: ts: '1,5' is not a time (epoch seconds like 1700000007.932964, epoch milliseconds like 1700000007932,"
                + " or ISO 8601 like 2023-11-14T22:13:27.932964Z)",
            "test:14: duration: '-0.5' is not a duration in seconds",
            "test:15: orig_pkts: 'x' is not a count",
            "test:16: uid is missing or unset",
            "test:17: id.orig_h '10.0.0.1' and id.resp_h '::2' are of different IP versions",
            "test:18: uid is empty",
            "test:19: ts: '99999999999' is outside 1970-01-01T00:00:00Z .. 2262-04-11T23:47:16Z"), r.problems);
        assertEquals(10, r.malformed);
    }

    @Test
    void shouldReportInvalidJsonLinesAndKeepReading() throws IOException {
        final String log = lines(
            json("C1", "\"ts\":1"),                                       // 1
            "{\"uid\":\"C2\",\"id.orig_h\":",                              // 2
            "[1,2]",                                                      // 3
            json("C4", "\"vlan\":true"),                                  // 4
            "{\"uid\":7,\"id.orig_h\":\"10.0.0.1\"}",                      // 5
            json("C6", "\"ts\":1} {\"x\":1"),                              // 6
            "{\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":2,\"proto\":\"tcp\"}", // 7
            json("C8", "\"tunnel_parents\":[\"a\",3]"),                   // 8
            json("C9", "\"ts\":\"yesterday\""),                           // 9
            json("C10", "\"ts\":2"),                                      // 10
            json("C11", "\"vlan\":4096"),                                 // 11
            json("C12", "\"ip_proto\":256"),                              // 12
            json("C13", "\"tunnel_parents\":\"CA\""),                     // 13
            json("C14", "\"ts\":\"2023-11-14T25:13:27.932964Z\""),         // 14
            json("C15", "\"id.resp_p\":80.0"));                           // 15

        final Result r = read(log);

        assertEquals(List.of("C1", "C10"), uids(r));
        assertEquals(10, r.records.get(1).line());
        assertEquals(13, r.problems.size(), r.problems.toString());
        assertTrue(r.problems.get(0).startsWith("test:2: invalid JSON at column "), r.problems.get(0));
        assertEquals("test:3: not a JSON object", r.problems.get(1));
        assertEquals("test:4: vlan: expected a number, found a boolean", r.problems.get(2));
        assertEquals("test:5: uid: expected a string, found the number '7'", r.problems.get(3));
        assertTrue(r.problems.get(4).startsWith("test:6: trailing data after the JSON object"), r.problems.get(4));
        assertEquals("test:7: uid is missing or unset", r.problems.get(5));
        assertEquals("test:8: tunnel_parents: expected an array of strings, found a number in it", r.problems.get(6));
        assertTrue(r.problems.get(7).startsWith("test:9: ts: 'yesterday' is not a time"), r.problems.get(7));
        assertEquals("test:11: vlan: '4096' is not a VLAN id (0-4095)", r.problems.get(8));
        assertEquals("test:12: ip_proto: '256' is not an IP protocol number (0-255)", r.problems.get(9));
        assertEquals("test:13: tunnel_parents: expected an array of strings, found a string", r.problems.get(10));
        assertEquals("test:14: ts: '2023-11-14T25:13:27.932964Z' is not a valid date and time", r.problems.get(11));
        assertEquals("test:15: id.resp_p: '80.0' is not a port (0-65535)", r.problems.get(12));
    }

    @Test
    void shouldMakeHostileValuesSafeToPrint() throws IOException {
        final String hostile = "\u001b[2J\u001b]0;owned\u0007" + "A".repeat(500) + "\u202e";
        final Result r = read(HEADER + tsv("1", "C1", hostile, "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-") + ROW_A);

        assertEquals(1, r.problems.size());
        final String message = r.problems.get(0);
        assertTrue(message.startsWith("test:9: id.orig_h: '\\x1b[2J\\x1b]0;owned\\x07AAA"), message);
        assertTrue(message.contains("more)"), "truncated: " + message);
        assertTrue(message.length() < 200, message);
        assertTrue(message.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x202e), message);
    }

    @Test
    void shouldSkipAnOverlongLineWithoutHoldingIt() throws IOException {
        final String huge = "1\tChuge\t" + "9".repeat(5 * 1024 * 1024) + "\n";
        final Result r = read(HEADER + ROW_A + huge + ROW_B);

        assertEquals(List.of("CjnUex7KLTh3VLr8Ks", "Ck98N2KD4BOE0TDOgv"), uids(r));
        assertEquals(List.of("test:10: line is longer than 1048576 bytes (5242888 bytes); skipped"), r.problems);
        assertEquals(11, r.records.get(1).line());
    }

    @Test
    void shouldSkipAnOverlongBlankFirstLine() throws IOException {
        final Result r = read(" ".repeat(2 * 1024 * 1024) + "\n" + HEADER + ROW_A);

        assertEquals(List.of("test:1: line is longer than 1048576 bytes (2097152 bytes); skipped"), r.problems);
        assertEquals(List.of("CjnUex7KLTh3VLr8Ks"), uids(r));
    }

    @Test
    void shouldReturnAUidWithPathCharactersAndNulVerbatim() throws IOException {
        final String tsvLog = HEADER + tsv("1", "../x\u0000y", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-")
            + tsv("1", "..\\x2fz\\x00", "10.0.0.1", "1", "10.0.0.2", "2", "tcp", "-", "-", "-", "-");
        final String jsonLog = json("../x\\u0000y", "\"ts\":1") + "\n";

        final Result t = read(tsvLog);
        final Result j = read(jsonLog);

        assertEquals(List.of(), t.problems);
        assertEquals(List.of("../x\u0000y", "../z\u0000"), uids(t));
        assertEquals(List.of(), j.problems);
        assertEquals(List.of("../x\u0000y"), uids(j));
    }

    // ---- structural errors ----

    @Test
    void shouldRefuseDataBeforeAFieldsHeader() {
        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> read("#separator \\x09\n#path\tconn\n" + ROW_A));

        assertTrue(e.getMessage().startsWith("test line 3: data before a #fields header"), e.getMessage());
        assertEquals(3, e.line());
        assertEquals("test", e.source());
    }

    @Test
    void shouldRefuseAFieldsHeaderWithoutConnLogColumns() {
        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> read("#separator \\x09\n#fields\tts\tuid\tquery\n"));

        assertTrue(e.getMessage().startsWith("test line 2: #fields has no id.orig_h column"), e.getMessage());
    }

    @Test
    void shouldRefuseSeparatorHeadersWithoutValue() {
        final ConnLogFormatException separator = assertThrows(ConnLogFormatException.class,
            () -> read("#separator \n"));
        final ConnLogFormatException setSeparator = assertThrows(ConnLogFormatException.class,
            () -> read("#separator \\x09\n#set_separator\t\n"));

        assertEquals("test line 1: #separator has no value", separator.getMessage());
        assertEquals("test line 2: #set_separator has no value", setSeparator.getMessage());
    }

    @Test
    void shouldRefuseBinaryGarbage() throws IOException {
        final byte[] garbage = {0x00, 0x01, (byte) 0xD4, (byte) 0xC3, (byte) 0xB2, (byte) 0xA1, '\n', '#'};
        final Path file = tmp.resolve("conn.log");
        Files.write(file, garbage);

        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> read(file));

        assertEquals(file + " line 1: not a Zeek conn.log: starting with byte 0x00; Zeek TSV starts with '#', JSON lines"
            + " with '{', and zeek-cut or CSV output with a line naming its columns, such as uid and id.orig_h (zeek-cut keeps"
            + " it with -m or -c)", e.getMessage());
    }

    @Test
    void shouldRefuseHeaderlessZeekCutOutput() {
        final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
            () -> read("1700000007.932964\tC1\t10.0.0.1\n"));

        assertTrue(e.getMessage().contains("starting with byte 0x31 ('1')"), e.getMessage());
    }

    @Test
    void shouldNameOtherCompressionsAndParquet() {
        final ConnLogFormatException zstd = assertThrows(ConnLogFormatException.class,
            () -> read(new ByteArrayInputStream(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0}), "x"));
        final ConnLogFormatException bzip2 = assertThrows(ConnLogFormatException.class,
            () -> read(new ByteArrayInputStream("BZh91AY&SY".getBytes(StandardCharsets.ISO_8859_1)), "x"));
        final ConnLogFormatException parquet = assertThrows(ConnLogFormatException.class,
            () -> read(new ByteArrayInputStream("PAR1\u0015\u0000".getBytes(StandardCharsets.ISO_8859_1)), "x"));

        assertEquals("x line 1: unreadable zstd data: Truncated source", zstd.getMessage());
        assertTrue(bzip2.getMessage().contains("bzip2-compressed"), bzip2.getMessage());
        assertTrue(parquet.getMessage().contains("a Parquet file"), parquet.getMessage());
    }

    @Test
    void shouldRefuseUnreadableGzip() {
        final byte[] notGzip = {0x1F, (byte) 0x8B, 0x00, 0x00, 0x00};
        final ConnLogFormatException header = assertThrows(ConnLogFormatException.class,
            () -> read(new ByteArrayInputStream(notGzip), "conn.log.gz"));
        assertTrue(header.getMessage().startsWith("conn.log.gz: unreadable gzip data"), header.getMessage());

        final byte[] whole = gzip(HEADER + ROW_A.repeat(1000));
        final byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        final ConnLogFormatException cut = assertThrows(ConnLogFormatException.class,
            () -> read(new ByteArrayInputStream(truncated), "conn.log.gz"));
        assertTrue(cut.getMessage().matches("conn\\.log\\.gz line \\d+: unreadable gzip data: .*"), cut.getMessage());
    }

    // ---- helpers ----

    private record Result(List<ConnRecord> records, List<String> problems, long malformed) {
    }

    private static Result read(final String log) throws IOException {
        return read(new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)), "test");
    }

    private static Result read(final Path file) throws IOException {
        final List<String> problems = new ArrayList<>();
        try (ConnLogReader reader = ConnLogReader.open(file, (s, l, m) -> problems.add(s + ":" + l + ": " + m))) {
            return drain(reader, problems);
        }
    }

    private static Result read(final InputStream in, final String name) throws IOException {
        final List<String> problems = new ArrayList<>();
        try (ConnLogReader reader = ConnLogReader.open(in, name, (s, l, m) -> problems.add(s + ":" + l + ": " + m))) {
            return drain(reader, problems);
        }
    }

    private static Result drain(final ConnLogReader reader, final List<String> problems) throws IOException {
        final List<ConnRecord> records = new ArrayList<>();
        for (ConnRecord r = reader.next(); r != null; r = reader.next()) {
            records.add(r);
        }
        assertNull(reader.next(), "stays at the end");
        return new Result(records, problems, reader.malformedLines());
    }

    private static ConnRecord single(final Result r) {
        assertEquals(List.of(), r.problems);
        assertEquals(1, r.records.size());
        return r.records.get(0);
    }

    private static List<String> uids(final Result r) {
        return r.records.stream().map(ConnRecord::uid).toList();
    }

    private static String tsv(final String... columns) {
        return String.join("\t", columns) + "\n";
    }

    private static String lines(final String... lines) {
        return String.join("\n", lines) + "\n";
    }

    /** A JSON line with the required fields, uid given, plus extra members. */
    private static String json(final String uid, final String extra) {
        return "{\"uid\":\"" + uid + "\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":1,\"id.resp_h\":\"10.0.0.2\","
            + "\"id.resp_p\":2,\"proto\":\"tcp\"," + extra + "}";
    }

    private static byte[] gzip(final String text) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
