package io.scalpel.bench;

import io.scalpel.decode.Addresses;
import io.scalpel.decode.FlowKey;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The conn.log of a traffic-shaped capture, as Zeek writes it: TSV with Zeek's header lines and
 * its full default column set plus {@code vlan} and {@code inner_vlan}, and/or JSON lines. A row
 * is written when its connection ends, as Zeek does, so rows are not in {@code ts} order.
 * {@code ts} and {@code duration} have six decimals; a zero duration is unset, and so are the
 * byte counts then.
 */
final class TrafficConnLog implements AutoCloseable {
    private static final String FIELDS = "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration"
        + "\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes"
        + "\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto\tvlan\tinner_vlan";
    private static final String TYPES = "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring"
        + "\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount\tint\tint";
    private static final DateTimeFormatter OPEN_CLOSE = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH-mm-ss").withZone(ZoneOffset.UTC);
    private static final String UNSET = "-";

    private final Writer tsv;
    private final Writer json;
    private final StringBuilder line = new StringBuilder(320);
    private long lastTs;

    /** Either writer may be null; the TSV header is written now, for a capture starting at {@code openMicros}. */
    TrafficConnLog(final Writer tsv, final Writer json, final long openMicros) throws IOException {
        this.tsv = tsv;
        this.json = json;
        this.lastTs = openMicros;
        if (tsv != null) {
            tsv.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t"
                + OPEN_CLOSE.format(Instant.ofEpochSecond(openMicros / 1_000_000)) + "\n#fields\t" + FIELDS + "\n#types\t" + TYPES + "\n");
        }
    }

    /** Logs {@code c}, which sent at least one packet. */
    void write(final TrafficConnection c) throws IOException {
        final ConnTally t = c.tally();
        lastTs = Math.max(lastTs, t.firstTs() + t.duration());
        final int version = c.v6 ? FlowKey.IPV6 : FlowKey.IPV4;
        final String orig = Addresses.format(version, c.origHi, c.origLo);
        final String resp = Addresses.format(version, c.respHi, c.respLo);
        final String proto = c.proto == TrafficConnection.PROTO_TCP ? "tcp" : c.proto == TrafficConnection.PROTO_UDP ? "udp" : "icmp";
        final int ipProto = c.proto == TrafficConnection.PROTO_ICMP && c.v6 ? TrafficConnection.PROTO_ICMPV6 : c.proto;
        final boolean hasDuration = t.duration() > 0;
        final String history = t.history().isEmpty() ? UNSET : t.history();
        if (tsv != null) {
            line.setLength(0);
            seconds(line, t.firstTs()).append('\t').append(c.uid).append('\t').append(orig).append('\t').append(c.origPort)
                .append('\t').append(resp).append('\t').append(c.respPort).append('\t').append(proto).append('\t')
                .append(c.service()).append('\t');
            if (hasDuration) {
                seconds(line, t.duration()).append('\t').append(t.origBytes()).append('\t').append(t.respBytes());
            } else {
                line.append(UNSET).append('\t').append(UNSET).append('\t').append(UNSET);
            }
            line.append('\t').append(t.connState()).append("\t-\t-\t0\t").append(history).append('\t').append(t.origPkts())
                .append('\t').append(t.origIpBytes()).append('\t').append(t.respPkts()).append('\t').append(t.respIpBytes())
                .append("\t-\t").append(ipProto).append('\t');
            vlan(line, c.outerVlan).append('\t');
            vlan(line, c.innerVlan).append('\n');
            tsv.append(line);
        }
        if (json != null) {
            line.setLength(0);
            seconds(line.append("{\"ts\":"), t.firstTs()).append(",\"uid\":\"").append(c.uid).append("\",\"id.orig_h\":\"").append(orig)
                .append("\",\"id.orig_p\":").append(c.origPort).append(",\"id.resp_h\":\"").append(resp).append("\",\"id.resp_p\":")
                .append(c.respPort).append(",\"proto\":\"").append(proto).append('"');
            if (!UNSET.equals(c.service())) {
                line.append(",\"service\":\"").append(c.service()).append('"');
            }
            if (hasDuration) {
                seconds(line.append(",\"duration\":"), t.duration()).append(",\"orig_bytes\":").append(t.origBytes())
                    .append(",\"resp_bytes\":").append(t.respBytes());
            }
            line.append(",\"conn_state\":\"").append(t.connState()).append("\",\"missed_bytes\":0");
            if (!t.history().isEmpty()) {
                line.append(",\"history\":\"").append(t.history()).append('"');
            }
            line.append(",\"orig_pkts\":").append(t.origPkts()).append(",\"orig_ip_bytes\":").append(t.origIpBytes())
                .append(",\"resp_pkts\":").append(t.respPkts()).append(",\"resp_ip_bytes\":").append(t.respIpBytes())
                .append(",\"ip_proto\":").append(ipProto);
            if (c.outerVlan >= 0) {
                line.append(",\"vlan\":").append(c.outerVlan);
            }
            if (c.innerVlan >= 0) {
                line.append(",\"inner_vlan\":").append(c.innerVlan);
            }
            json.append(line.append("}\n"));
        }
    }

    /** Writes Zeek's closing line (TSV). */
    @Override
    public void close() throws IOException {
        if (tsv != null) {
            tsv.write("#close\t" + OPEN_CLOSE.format(Instant.ofEpochSecond(lastTs / 1_000_000)) + "\n");
        }
    }

    /** µs as Zeek prints times and intervals: seconds with six decimals. */
    private static StringBuilder seconds(final StringBuilder sb, final long micros) {
        final long frac = micros % 1_000_000;
        sb.append(micros / 1_000_000).append('.');
        for (long d = 100_000; d > 1 && frac < d; d /= 10) {
            sb.append('0');
        }
        return sb.append(frac);
    }

    private static StringBuilder vlan(final StringBuilder sb, final int id) {
        return id < 0 ? sb.append(UNSET) : sb.append(id);
    }
}
