package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz tests of the conn.log reader (see docs/robustness.md): any bytes end in rows, skipped
 * lines or one {@link ConnLogFormatException}; every row has the required fields in range and
 * every message is safe to print (no control character). Without {@code JAZZER_FUZZ} the
 * committed inputs under {@code ConnLogFuzzTestInputs/} run as regression tests.
 */
class ConnLogFuzzTest {
    /** Zeek's own conn.log header, so that the fuzzer spends its time in the rows. */
    private static final byte[] TSV_HEADER = String.join("\n",
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tconn",
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\ttunnel_parents\tvlan\tinner_vlan\torig_pkts",
        "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tset[string]\tint\tint\tcount",
        "").getBytes(StandardCharsets.US_ASCII);
    /** A CSV export's header line, with other names for the columns, so that the fuzzer spends its time in CSV rows. */
    private static final byte[] CSV_HEADER = "ts,uid,id_orig_h,orig_p,id.resp_h,resp_p,proto,duration,tunnel_parents,ctx_vlan,orig_pkts\n"
        .getBytes(StandardCharsets.US_ASCII);
    private static final String SOURCE = "fuzz.log";
    /** DEFLATE's largest expansion: a gzip'd log holds at most this many bytes (so lines) per byte. */
    private static final int DEFLATE_MAX_RATIO = 1032;

    /** Zeek TSV rows after a valid header. */
    @FuzzTest(maxDuration = "4m")
    void tsvRows(final byte[] rows) throws IOException {
        readAll(concat(TSV_HEADER, rows));
    }

    /** CSV rows after a valid header line. */
    @FuzzTest(maxDuration = "4m")
    void csvRows(final byte[] rows) throws IOException {
        readAll(concat(CSV_HEADER, rows));
    }

    /** Any bytes as a conn.log: JSON lines, a TSV header of its own or a header line, CSV, gzip, or garbage. */
    @FuzzTest(maxDuration = "4m")
    void anyLog(final byte[] log) throws IOException {
        readAll(log);
    }

    private static byte[] concat(final byte[] header, final byte[] rows) {
        final byte[] log = new byte[header.length + rows.length];
        System.arraycopy(header, 0, log, 0, header.length);
        System.arraycopy(rows, 0, log, header.length, rows.length);
        return log;
    }

    private static void readAll(final byte[] log) throws IOException {
        final boolean gzip = log.length >= 2 && (log[0] & 0xFF) == 0x1F && (log[1] & 0xFF) == 0x8B;
        final long maxLines = (long) log.length * (gzip ? DEFLATE_MAX_RATIO : 1) + 1;
        final long[] skipped = {0};
        final ConnLogListener listener = (source, line, message) -> {
            skipped[0]++;
            assertEquals(SOURCE, source);
            assertTrue(line >= 1 && line <= maxLines, () -> "line " + line);
            assertPrintable(message);
        };
        long rows = 0;
        try (ConnLogReader reader = ConnLogReader.open(new ByteArrayInputStream(log), SOURCE, listener)) {
            ConnRecord r;
            while ((r = reader.next()) != null) {
                rows++;
                checkRow(r);
                assertTrue(rows <= maxLines, "more rows than lines");
            }
            assertEquals(skipped[0], reader.malformedLines(), "skipped lines reported vs counted");
        } catch (ConnLogFormatException e) {
            assertPrintable(e.getMessage());
            assertTrue(e.getMessage().startsWith(SOURCE), e::getMessage);
        }
    }

    private static void checkRow(final ConnRecord r) {
        assertTrue(r.uid() != null && !r.uid().isEmpty(), "uid");
        assertTrue(r.proto() != null, "proto");
        assertTrue(r.origPort() >= 0 && r.origPort() <= 0xFFFF && r.respPort() >= 0 && r.respPort() <= 0xFFFF,
            () -> "ports " + r.origPort() + " " + r.respPort());
        assertTrue(r.ipVersion() == 4 || r.ipVersion() == 6, () -> "IP version " + r.ipVersion());
        assertTrue(r.line() >= 1, () -> "line " + r.line());
        assertTrue(r.tunnelParents() != null, "tunnel_parents");
        assertTrue(r.tsUncertaintyNanos() >= 0 && r.tsUncertaintyNanos() <= 1_000_000_000L, () -> "ts coarseness " + r.tsUncertaintyNanos());
        assertTrue(r.tsNanos() == ConnRecord.NO_TIMESTAMP || r.tsNanos() >= 0, () -> "ts " + r.tsNanos());
    }

    private static void assertPrintable(final String message) {
        for (int i = 0; i < message.length(); i++) {
            final char c = message.charAt(i);
            final int at = i;
            assertTrue(!Character.isISOControl(c), () -> "control character " + (int) c + " at " + at + " in: " + message);
        }
    }
}
