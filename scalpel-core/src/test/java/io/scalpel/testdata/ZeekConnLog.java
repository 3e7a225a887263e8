package io.scalpel.testdata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@link TruthConn}s as Zeek writes conn.log: TSV with Zeek's header lines, or JSON lines.
 * Rows come in the order Zeek logs them, when the connection ends (then by ts and uid), not by
 * ts. {@code ts} and {@code duration} are printed with six decimals, rounded half up from the
 * nanosecond values; a zero duration is unset, and so are the byte counts then (as in Zeek's
 * base/protocols/conn).
 */
final class ZeekConnLog {
    static final String[] FIELDS = {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
        "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
        "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents", "ip_proto"};
    static final String[] TYPES = {"time", "string", "addr", "port", "addr", "port", "enum", "string", "interval",
        "count", "count", "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]",
        "count"};
    static final String[] VLAN_FIELDS = {"vlan", "inner_vlan"};
    static final String[] VLAN_TYPES = {"int", "int"};

    private static final String UNSET = "-";
    private static final DateTimeFormatter OPEN_CLOSE = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss")
        .withZone(ZoneOffset.UTC);

    private ZeekConnLog() {
    }

    static List<TruthConn> inLogOrder(final List<TruthConn> conns) {
        final List<TruthConn> rows = new ArrayList<>(conns);
        rows.sort(Comparator.comparingLong(TruthConn::endNanos).thenComparingLong(TruthConn::tsNanos)
            .thenComparing(TruthConn::uid));
        return rows;
    }

    static void writeTsv(final List<TruthConn> conns, final boolean vlanColumns, final long openNanos,
                         final long closeNanos, final Path path) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            out.write("#separator \\x09\n");
            out.write("#set_separator\t,\n");
            out.write("#empty_field\t(empty)\n");
            out.write("#unset_field\t-\n");
            out.write("#path\tconn\n");
            out.write("#open\t" + OPEN_CLOSE.format(Instant.ofEpochSecond(Math.floorDiv(openNanos, 1_000_000_000L))) + "\n");
            out.write("#fields\t" + String.join("\t", FIELDS) + (vlanColumns ? "\t" + String.join("\t", VLAN_FIELDS) : "") + "\n");
            out.write("#types\t" + String.join("\t", TYPES) + (vlanColumns ? "\t" + String.join("\t", VLAN_TYPES) : "") + "\n");
            for (final TruthConn c : inLogOrder(conns)) {
                final boolean hasDuration = c.durationNanos() > 0;
                final List<String> row = new ArrayList<>(List.of(
                    seconds(c.tsNanos()), c.uid(), c.origH(), Integer.toString(c.origP()), c.respH(),
                    Integer.toString(c.respP()), c.proto(), UNSET,
                    hasDuration ? seconds(c.durationNanos()) : UNSET,
                    hasDuration ? Long.toString(c.origBytes()) : UNSET,
                    hasDuration ? Long.toString(c.respBytes()) : UNSET,
                    c.connState(), UNSET, UNSET, "0", c.history().isEmpty() ? UNSET : c.history(),
                    Long.toString(c.origPkts()), Long.toString(c.origIpBytes()), Long.toString(c.respPkts()),
                    Long.toString(c.respIpBytes()), UNSET, Integer.toString(c.ipProto())));
                if (vlanColumns) {
                    row.add(c.vlan() < 0 ? UNSET : Integer.toString(c.vlan()));
                    row.add(c.innerVlan() < 0 ? UNSET : Integer.toString(c.innerVlan()));
                }
                out.write(String.join("\t", row));
                out.write('\n');
            }
            out.write("#close\t" + OPEN_CLOSE.format(Instant.ofEpochSecond(Math.floorDiv(closeNanos, 1_000_000_000L))) + "\n");
        }
    }

    /** Zeek's JSON logs: one object per line, flat dotted keys, unset fields left out, times as numbers. */
    static void writeJson(final List<TruthConn> conns, final Path path) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            for (final TruthConn c : inLogOrder(conns)) {
                final StringBuilder json = new StringBuilder(400);
                json.append("{\"ts\":").append(seconds(c.tsNanos()));
                json.append(",\"uid\":\"").append(c.uid()).append('"');
                json.append(",\"id.orig_h\":\"").append(c.origH()).append('"');
                json.append(",\"id.orig_p\":").append(c.origP());
                json.append(",\"id.resp_h\":\"").append(c.respH()).append('"');
                json.append(",\"id.resp_p\":").append(c.respP());
                json.append(",\"proto\":\"").append(c.proto()).append('"');
                if (c.durationNanos() > 0) {
                    json.append(",\"duration\":").append(seconds(c.durationNanos()));
                    json.append(",\"orig_bytes\":").append(c.origBytes());
                    json.append(",\"resp_bytes\":").append(c.respBytes());
                }
                json.append(",\"conn_state\":\"").append(c.connState()).append('"');
                json.append(",\"missed_bytes\":0");
                if (!c.history().isEmpty()) {
                    json.append(",\"history\":\"").append(c.history()).append('"');
                }
                json.append(",\"orig_pkts\":").append(c.origPkts());
                json.append(",\"orig_ip_bytes\":").append(c.origIpBytes());
                json.append(",\"resp_pkts\":").append(c.respPkts());
                json.append(",\"resp_ip_bytes\":").append(c.respIpBytes());
                json.append(",\"ip_proto\":").append(c.ipProto());
                if (c.vlan() >= 0) {
                    json.append(",\"vlan\":").append(c.vlan());
                }
                if (c.innerVlan() >= 0) {
                    json.append(",\"inner_vlan\":").append(c.innerVlan());
                }
                json.append("}\n");
                out.write(json.toString());
            }
        }
    }

    /** Nanoseconds as Zeek prints a time or interval: seconds with six decimals, rounded half up. */
    static String seconds(final long nanos) {
        final long micros = Math.floorDiv(nanos + 500, 1000);
        return Math.floorDiv(micros, 1_000_000L) + "." + String.format(Locale.ROOT, "%06d", Math.floorMod(micros, 1_000_000L));
    }
}
