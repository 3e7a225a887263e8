package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.index.IndexSchema;
import io.scalpel.slice.FlowQuery;
import io.scalpel.testdata.CaptureFileFormat;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testing.ConnLogs;
import io.scalpel.zeek.ConnRecord;
import io.scalpel.decode.Addresses;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SQL alone over the unmodified index Parquet finds each uid's packets: DuckDB joins the packets
 * table to the flows table by the conn.log row's endpoints (as text, either direction) and time
 * window, without the flow hash scalpel computes. A TCP row's window runs on past its duration
 * for Zeek's close delay (5 s), up to the start of the log's next row with the same key: with
 * the whole log at hand that gives the packets after the close without reading TCP flags. For
 * every TCP and UDP uid of a generated capture, the offsets SQL finds are the generator's ground
 * truth, and the ones scalpel selects. (DuckDbInteropTest does the same by flow hash on the
 * contract sample, when it is present.)
 */
class DuckDbSqlJoinTest {
    private static final String BY_ENDPOINTS = "SELECT p.\"offset\" FROM read_parquet(?) p JOIN read_parquet(?) f USING (chunk, flow)"
        + " WHERE f.depth = 0 AND f.proto = ?"
        + " AND ((f.src = ? AND f.src_port = ? AND f.dst = ? AND f.dst_port = ?)"
        + "   OR (f.src = ? AND f.src_port = ? AND f.dst = ? AND f.dst_port = ?))"
        + " AND epoch_ns(coalesce(p.dgram_ts, p.ts)) >= ? AND epoch_ns(coalesce(p.dgram_ts, p.ts)) < ?"
        + " ORDER BY p.\"offset\"";

    /** Zeek's tcp_close_delay. */
    private static final long CLOSE_DELAY_NANOS = 5_000_000_000L;

    @TempDir
    Path dir;

    /** The ts of the log's next row with {@code r}'s endpoints (either direction), as SQL's LEAD() over them gives it. */
    private static long nextStart(final List<ConnRecord> log, final ConnRecord r) {
        long next = Long.MAX_VALUE;
        for (ConnRecord o : log) {
            final boolean same = o.proto().equals(r.proto()) && o.ipVersion() == r.ipVersion()
                && ((o.origHi() == r.origHi() && o.origLo() == r.origLo() && o.origPort() == r.origPort()
                    && o.respHi() == r.respHi() && o.respLo() == r.respLo() && o.respPort() == r.respPort())
                || (o.origHi() == r.respHi() && o.origLo() == r.respLo() && o.origPort() == r.respPort()
                    && o.respHi() == r.origHi() && o.respLo() == r.origLo() && o.respPort() == r.origPort()));
            if (same && o.tsNanos() > r.tsNanos()) {
                next = Math.min(next, o.tsNanos());
            }
        }
        return next;
    }

    @ParameterizedTest
    @EnumSource(value = CaptureFileFormat.class, names = {"PCAP_USEC_LE", "PCAPNG_BE"})
    void shouldFindEveryUidsPacketsBySqlOverTheIndex(final CaptureFileFormat format) throws Exception {
        final Path capture = dir.resolve("cap." + format.extension());
        final Path conn = dir.resolve("conn.log");
        final Generated truth = CaptureGenerator.generate(GeneratorSpec.defaults(5150 + format.ordinal()).withFormat(format)
            .withConnections(40), capture, conn);
        final List<ConnRecord> rows = new ArrayList<>();
        for (ConnRecord r : ConnLogs.readStrictly(conn)) {
            if ("tcp".equals(r.proto()) || "udp".equals(r.proto())) {
                rows.add(r);
            }
        }
        assertTrue(rows.size() >= 10, "TCP and UDP rows: " + rows.size());
        try (Scalpel scalpel = Scalpel.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")));
             Connection db = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement q = db.prepareStatement(BY_ENDPOINTS)) {
            final long[][] selected = scalpel.select(rows).offsets();
            for (int i = 0; i < rows.size(); i++) {
                final ConnRecord r = rows.get(i);
                final String orig = Addresses.format(r.ipVersion(), r.origHi(), r.origLo());
                final String resp = Addresses.format(r.ipVersion(), r.respHi(), r.respLo());
                int at = 1;
                q.setString(at++, dir.resolve("idx").resolve(IndexSchema.PACKETS_DIR).resolve("*.parquet").toString());
                q.setString(at++, dir.resolve("idx").resolve(IndexSchema.FLOWS_DIR).resolve("*.parquet").toString());
                q.setInt(at++, "tcp".equals(r.proto()) ? 6 : 17);
                for (Object v : new Object[] {orig, r.origPort(), resp, r.respPort(), resp, r.respPort(), orig, r.origPort()}) {
                    q.setObject(at++, v);
                }
                q.setLong(at++, r.tsNanos() - FlowQuery.WINDOW_SLACK_NANOS);
                final long end = r.tsNanos() + r.durationNanos() + FlowQuery.WINDOW_SLACK_NANOS + 1;
                q.setLong(at, "tcp".equals(r.proto()) ? Math.min(end + CLOSE_DELAY_NANOS, nextStart(rows, r)) : end);
                final List<Long> bySql = new ArrayList<>();
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        bySql.add(rs.getLong(1));
                    }
                }
                final long[] expected = truth.framesOf(r.uid()).stream().mapToLong(n -> truth.frame(n).recordOffset()).sorted().toArray();
                assertTrue(expected.length > 0, r.uid() + " has frames");
                assertArrayEquals(expected, bySql.stream().mapToLong(Long::longValue).toArray(), r.uid() + ": SQL vs the truth");
                assertArrayEquals(expected, selected[i], r.uid() + ": scalpel vs the truth");
            }
        }
    }
}
