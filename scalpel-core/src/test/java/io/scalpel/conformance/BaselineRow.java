package io.scalpel.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code corpus/zeek/expected.tsv}: a conn.log row of a Zeek baseline, with its trace,
 * as the corpus's curators tabulated it. The conformance test reads the baselines themselves with
 * the product's reader and checks what it reads against these rows.
 */
record BaselineRow(Map<String, String> fields) {
    static final String UNSET = "-";

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

    boolean hasPacketCounts() { return get("orig_pkts").matches("\\d+") && get("resp_pkts").matches("\\d+"); }

    long zeekPackets() { return Long.parseLong(get("orig_pkts")) + Long.parseLong(get("resp_pkts")); }
}
