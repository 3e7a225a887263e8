package io.scalpel.conformance;

import io.scalpel.decode.Addresses;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One row of {@code corpus/zeek/expected.tsv}: a conn.log row of a Zeek baseline, with its trace. */
record BaselineRow(Map<String, String> fields) {
    private static final String UNSET = "-";
    /** zeek-cut subsets without proto: the service logged says which transport it ran over. */
    private static final Map<String, String> PROTO_OF_SERVICE = Map.of("http", "tcp", "ssh", "tcp", "ftp", "tcp");

    static List<BaselineRow> readAll(final Path expectedTsv) throws IOException {
        final List<String> lines = Files.readAllLines(expectedTsv);
        final String[] header = lines.get(0).split("\t");
        final List<BaselineRow> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            final String[] f = line.split("\t", -1);
            final Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], i < f.length && !f[i].isEmpty() ? f[i] : UNSET);
            }
            rows.add(new BaselineRow(Map.copyOf(row)));
        }
        return rows;
    }

    String get(final String field) { return fields.getOrDefault(field, UNSET); }
    String test() { return get("test"); }
    String trace() { return get("trace"); }
    String baseline() { return get("baseline"); }
    String uid() { return get("uid"); }

    boolean tsMasked() { return !get("ts").matches("\\d+(\\.\\d+)?"); }

    boolean hasPacketCounts() { return get("orig_pkts").matches("\\d+") && get("resp_pkts").matches("\\d+"); }

    long zeekPackets() { return Long.parseLong(get("orig_pkts")) + Long.parseLong(get("resp_pkts")); }

    /** Proto and both endpoints, unordered (plus the VLAN tags when VLAN-aware); null without a 5-tuple. */
    String key(final boolean vlanAware) {
        final String proto = proto();
        if (proto == null || UNSET.equals(get("orig_h")) || !get("orig_p").matches("\\d+")
            || UNSET.equals(get("resp_h")) || !get("resp_p").matches("\\d+")) {
            return null;
        }
        final String a = get("orig_h") + "/" + get("orig_p");
        final String b = get("resp_h") + "/" + get("resp_p");
        final String endpoints = a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
        // unknown_transport rows of different IP protocols are different connections (the query keeps ip_proto)
        final String ipProto = get("ip_proto");
        final String protocol = "unknown_transport".equals(proto) && ipProto.matches("\\d+") ? proto + "/" + ipProto : proto;
        return protocol + " " + endpoints + (vlanAware ? " vlan " + get("vlan") + "/" + get("inner_vlan") : "");
    }

    private String proto() {
        final String proto = get("proto");
        return UNSET.equals(proto) ? PROTO_OF_SERVICE.get(get("service")) : proto;
    }

    /** The row as the conn.log reader would give it; a masked ts leaves the time window open. */
    ConnRecord toConnRecord() {
        final Addresses.Parsed orig = Addresses.parse(get("orig_h"));
        final Addresses.Parsed resp = Addresses.parse(get("resp_h"));
        final long tsNanos = tsMasked() ? ConnRecord.NO_TIMESTAMP : new BigDecimal(get("ts")).movePointRight(9).longValue();
        final String duration = get("duration");
        final long durationNanos = duration.matches("\\d+(\\.\\d+)?") ? new BigDecimal(duration).movePointRight(9).longValue() : 0;
        final String ipProto = get("ip_proto");
        return new ConnRecord(uid(), 0, tsNanos, durationNanos, proto(),
            ipProto.matches("\\d+") ? Integer.parseInt(ipProto) : ConnRecord.UNSET, orig.ipVersion(),
            orig.hi(), orig.lo(), Integer.parseInt(get("orig_p")), resp.hi(), resp.lo(), Integer.parseInt(get("resp_p")),
            tag(get("vlan")), tag(get("inner_vlan")), null, List.of(),
            Long.parseLong(get("orig_pkts")), Long.parseLong(get("resp_pkts")));
    }

    private static int tag(final String text) {
        return text.matches("\\d+") ? Integer.parseInt(text) : ConnRecord.UNSET;
    }
}
