package io.scalpel.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of the committed table {@code docs/conformance.tsv}: a baseline row, Zeek's packet
 * count, the frames scalpel selects, the verdict and its reason (-1 where a count does not apply).
 */
record ConformanceRow(String baseline, String uid, String trace, long zeek, long scalpel, String verdict,
                      ConformanceReason reason) {
    static final String EXACT = "exact";
    static final String DIFFERS = "differs";
    static final String NOT_JUDGED = "not-judged";
    static final String HEADER = "baseline\tuid\ttrace\tzeek_pkts\tscalpel_frames\tverdict\treason";

    static ConformanceRow notJudged(final BaselineRow row, final ConformanceReason reason) {
        final long zeek = row.hasPacketCounts() ? row.zeekPackets() : -1;
        return new ConformanceRow(row.baseline(), row.uid(), row.trace(), zeek, -1, NOT_JUDGED, reason);
    }

    static ConformanceRow judged(final BaselineRow row, final long frames) {
        final long zeek = row.zeekPackets();
        return frames == zeek
            ? new ConformanceRow(row.baseline(), row.uid(), row.trace(), zeek, frames, EXACT, ConformanceReason.NONE)
            : new ConformanceRow(row.baseline(), row.uid(), row.trace(), zeek, frames, DIFFERS, ConformanceReason.UNEXPLAINED);
    }

    String id() { return baseline + " " + uid; }
    boolean judged() { return !NOT_JUDGED.equals(verdict); }
    boolean exact() { return EXACT.equals(verdict); }
    boolean differs() { return DIFFERS.equals(verdict); }

    ConformanceRow withReason(final ConformanceReason r) {
        return new ConformanceRow(baseline, uid, trace, zeek, scalpel, verdict, r);
    }

    static Map<String, ConformanceRow> readTable(final Path tsv) throws IOException {
        final Map<String, ConformanceRow> rows = new LinkedHashMap<>();
        final List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#") || line.equals(HEADER)) {
                continue;
            }
            final String[] f = line.split("\t", -1);
            if (f.length != 7) {
                throw new IOException(tsv + ":" + (i + 1) + ": expected 7 tab-separated fields, found " + f.length);
            }
            final ConformanceRow row = new ConformanceRow(f[0], f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), f[5],
                ConformanceReason.ofCode(f[6], tsv + ":" + (i + 1)));
            if (rows.put(row.id(), row) != null) {
                throw new IOException(tsv + ":" + (i + 1) + ": row " + row.id() + " appears twice");
            }
        }
        return rows;
    }

    static void writeTable(final Path tsv, final List<ConformanceRow> rows) throws IOException {
        final StringBuilder s = new StringBuilder();
        s.append("# Zeek conformance, one line per conn.log row of ../shared/corpus/zeek/expected.tsv.\n");
        s.append("# Asserted row by row by ZeekConformanceTest; reasons: docs/conformance.md.\n");
        s.append(HEADER).append('\n');
        for (ConformanceRow r : rows) {
            s.append(r.baseline).append('\t').append(r.uid).append('\t').append(r.trace).append('\t').append(r.zeek)
                .append('\t').append(r.scalpel).append('\t').append(r.verdict).append('\t').append(r.reason.code()).append('\n');
        }
        Files.writeString(tsv, s.toString(), StandardCharsets.UTF_8);
    }
}
