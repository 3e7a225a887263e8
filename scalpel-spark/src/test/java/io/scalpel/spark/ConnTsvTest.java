package io.scalpel.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scalpel.zeek.ConnLogListener;
import io.scalpel.zeek.ConnLogReader;
import io.scalpel.zeek.ConnRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * Conn rows in Spark's types written as Zeek TSV: the text expected, written out by hand, and what
 * the core's conn.log reader then reads from it (no Spark session: rows are plain values).
 */
class ConnTsvTest {
    private static final List<String> NAMES = List.of("ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto",
        "duration", "tunnel_parents", "vlan");

    @Test
    void shouldWriteSparksTypesAsZeekWritesThemAndTheReaderReadsThemBack() throws IOException {
        final List<Row> rows = List.of(
            // the capture column first, as a task's rows have it; then JSON's types: ts a double, ports longs, a set an array
            RowFactory.create("/c.pcap", 1700000000.020676, "CaB1", "10.0.0.1", 49283L, "10.0.0.53", 53L, "udp", 0.000303,
                scala.jdk.javaapi.CollectionConverters.asScala(List.of("Cx1", "Cx2")).toSeq(), null),
            // a Spark timestamp (microseconds), an empty set, a uid with a tab and a backslash in it
            RowFactory.create("/c.pcap", Timestamp.from(Instant.ofEpochSecond(1700000001, 500_000)), "Cb\t\\2", "2001:db8::1", 443,
                "2001:db8::2", 80, "tcp", "1.5", List.of(), 7L));

        final String tsv = new String(ConnTsv.of(rows, NAMES, 1), StandardCharsets.UTF_8);

        assertEquals(String.join("\n",
            "#separator \\x09",
            "#set_separator\t,",
            "#empty_field\t(empty)",
            "#unset_field\t-",
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\ttunnel_parents\tvlan",
            "1700000000.020676\tCaB1\t10.0.0.1\t49283\t10.0.0.53\t53\tudp\t0.000303\tCx1,Cx2\t-",
            "1700000001.000500000\tCb\\x09\\x5c2\t2001:db8::1\t443\t2001:db8::2\t80\ttcp\t1.5\t(empty)\t7", ""), tsv);
        try (ConnLogReader reader = ConnLogReader.open(new ByteArrayInputStream(tsv.getBytes(StandardCharsets.UTF_8)), "rows",
            ConnLogListener.IGNORE)) {
            final ConnRecord a = reader.next();
            assertEquals(1_700_000_000_020_676_000L, a.tsNanos());
            assertEquals(303_000L, a.durationNanos());
            assertEquals(List.of("Cx1", "Cx2"), a.tunnelParents());
            assertEquals(-1, a.vlan());
            final ConnRecord b = reader.next();
            assertEquals("Cb\t\\2", b.uid());
            assertEquals(1_700_000_001_000_500_000L, b.tsNanos());
            assertEquals(0, b.tsUncertaintyNanos(), "a Spark timestamp is as fine as Zeek's microseconds");
            assertEquals(List.of(), b.tunnelParents());
            assertEquals(7, b.vlan());
            assertEquals(6, b.ipVersion());
        }
    }
}
