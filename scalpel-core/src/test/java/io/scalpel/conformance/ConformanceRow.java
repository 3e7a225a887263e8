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
 * count, the frames scalpel selects, the verdict and its reason (-1 where a count does not apply),
 * and how the row was judged:
 * <ul>
 *   <li>{@code alone}: its own window or a key no other row of its log has; {@code scalpel} is
 *       its frames, compared with {@code zeek};</li>
 *   <li>{@code frame-set}: with the other rows of its masked key, told apart by tshark's
 *       conversations: {@code scalpel} is the frames scalpel selects for the row's conversation
 *       (its window and VLAN as tshark found them), which must be that conversation's frames, and
 *       {@code zeek} its count;</li>
 *   <li>{@code group-sum}: with the other rows of its masked key, which tshark cannot tell apart:
 *       {@code scalpel} is the extract of the shared key, compared with {@code group_zeek}, the
 *       sum of the group's counts (the same on every row of the group);</li>
 *   <li>{@code -}: not judged.</li>
 * </ul>
 */
record ConformanceRow(String baseline, String uid, String trace, long zeek, long scalpel, String verdict,
                      ConformanceReason reason, String judgedAs, long groupZeek) {
    static final String EXACT = "exact";
    static final String DIFFERS = "differs";
    static final String NOT_JUDGED = "not-judged";
    static final String ALONE = "alone";
    static final String FRAME_SET = "frame-set";
    static final String GROUP_SUM = "group-sum";
    static final String HEADER = "baseline\tuid\ttrace\tzeek_pkts\tscalpel_frames\tverdict\treason\tjudged\tgroup_zeek_pkts";
    private static final int COLUMNS = 9;

    static ConformanceRow notJudged(final BaselineRow row, final ConformanceReason reason) {
        final long zeek = row.hasPacketCounts() ? row.zeekPackets() : -1;
        return new ConformanceRow(row.baseline(), row.uid(), row.trace(), zeek, -1, NOT_JUDGED, reason, "-", -1);
    }

    /** A row judged alone or by its frame set: its frames against its count. */
    static ConformanceRow judged(final BaselineRow row, final long zeek, final long frames, final String judgedAs) {
        return new ConformanceRow(row.baseline(), row.uid(), row.trace(), zeek, frames, frames == zeek ? EXACT : DIFFERS,
            frames == zeek ? ConformanceReason.NONE : ConformanceReason.UNEXPLAINED, judgedAs, -1);
    }

    /** A row of a group judged by the sum of its counts against the extract of the shared key. */
    static ConformanceRow inGroup(final BaselineRow row, final long zeek, final long groupZeek, final long groupFrames) {
        return new ConformanceRow(row.baseline(), row.uid(), row.trace(), zeek, groupFrames, groupFrames == groupZeek ? EXACT : DIFFERS,
            groupFrames == groupZeek ? ConformanceReason.NONE : ConformanceReason.UNEXPLAINED, GROUP_SUM, groupZeek);
    }

    String id() { return baseline + " " + uid; }
    boolean judged() { return !NOT_JUDGED.equals(verdict); }
    boolean exact() { return EXACT.equals(verdict); }
    boolean differs() { return DIFFERS.equals(verdict); }
    boolean inGroup() { return FRAME_SET.equals(judgedAs) || GROUP_SUM.equals(judgedAs); }

    /** The difference the verdict is about: frames minus Zeek's count, of the row or of its group. */
    long difference() { return GROUP_SUM.equals(judgedAs) ? scalpel - groupZeek : scalpel - zeek; }

    ConformanceRow withReason(final ConformanceReason r) {
        return new ConformanceRow(baseline, uid, trace, zeek, scalpel, verdict, r, judgedAs, groupZeek);
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
            if (f.length != COLUMNS) {
                throw new IOException(tsv + ":" + (i + 1) + ": expected " + COLUMNS + " tab-separated fields, found " + f.length);
            }
            final ConformanceRow row = new ConformanceRow(f[0], f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), f[5],
                ConformanceReason.ofCode(f[6], tsv + ":" + (i + 1)), f[7], Long.parseLong(f[8]));
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
                .append('\t').append(r.scalpel).append('\t').append(r.verdict).append('\t').append(r.reason.code())
                .append('\t').append(r.judgedAs).append('\t').append(r.groupZeek).append('\n');
        }
        Files.writeString(tsv, s.toString(), StandardCharsets.UTF_8);
    }
}
