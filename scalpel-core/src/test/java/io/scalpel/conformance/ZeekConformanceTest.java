package io.scalpel.conformance;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.testing.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance report: every row of Zeek's own conn.log baselines
 * ({@code ../shared/corpus/zeek/expected.tsv}) sliced from its trace, the frames scalpel selects
 * compared with Zeek's {@code orig_pkts + resp_pkts}.
 *
 * <p>Three things are asserted, so that a regression anywhere fails:
 * <ol>
 *   <li>every row's outcome (Zeek's count, scalpel's count, verdict) equals the committed table
 *       {@code docs/conformance.tsv}, row by row;</li>
 *   <li>every difference carries a reason from the closed list {@link ConformanceReason}, and
 *       where the reason can be checked mechanically it is: the frames of the extract that Zeek
 *       discards by that rule (a bad checksum recomputed by tshark, a fragment beyond the first of
 *       its datagram, a frame cut by the snaplen), or the packets it finds beyond one in a frame
 *       (an aggregate), are exactly the difference;</li>
 *   <li>at least 99 % of the judged rows are exact or differ only by a mechanically checked
 *       Zeek accounting rule, and the per-trace summary in {@code docs/conformance.md} is the one
 *       this run computes.</li>
 * </ol>
 *
 * <p>Rows that cannot be judged are reported apart with their reason: the baselines mask
 * {@code ts}, so a row is judged only when its key (proto and both endpoints, either direction;
 * with the VLAN tags for a VLAN-aware test) is unique in its log, which lets the capture give the
 * time window. zeek-cut subsets without a 5-tuple or without packet counts cannot be judged.
 *
 * <p>After a deliberate change, {@code -Dscalpel.conformance.update=true} rewrites both files; the
 * reasons already given for a row are kept, a new difference is written as {@code unexplained}
 * and fails the next run until a reason from the closed list is given by hand.
 */
class ZeekConformanceTest {
    /**
     * Judged rows that must be exact or differ only by a Zeek accounting rule checked on the
     * extract ({@link ConformanceReason#mechanical()}): every frame Zeek saw is in the extract,
     * so a row may differ where Zeek counts differently (a bad checksum, a reassembled datagram),
     * never where frames are missing or unexplained.
     */
    static final double REQUIRED_ACCOUNTED_SHARE = 0.99;

    /** Tests that ran Zeek with the VLAN-aware connection key (their SOURCE.txt: vlan_fivetuple). */
    private static final Set<String> VLAN_AWARE = Set.of(
        "scripts.policy.frameworks.conn_key.vlan_fivetuple-2",
        "scripts.policy.frameworks.conn_key.vlan_fivetuple-3");

    @TempDir
    Path work;

    @Test
    void shouldMatchZeekOnEveryJudgedRowAndExplainEveryDifference() throws Exception {
        final Path corpus = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("corpus").normalize();
        final Path expectedTsv = corpus.resolve("zeek/expected.tsv");
        assumeTrue(Files.isRegularFile(expectedTsv), () -> "skipped: Zeek baselines " + expectedTsv + " are absent");
        final Path docs = Path.of(System.getProperty("scalpel.testdata.dir", "../testdata")).resolveSibling("docs").normalize();
        final Path table = docs.resolve("conformance.tsv");
        final Path report = docs.resolve("conformance.md");
        final boolean update = Boolean.getBoolean("scalpel.conformance.update");

        final List<BaselineRow> rows = BaselineRow.readAll(expectedTsv);
        final Map<String, ConformanceRow> committed = Files.isRegularFile(table)
            ? ConformanceRow.readTable(table) : Map.of();
        final List<ConformanceRow> outcomes = new ArrayList<>();
        final List<Executable> checks = new ArrayList<>();

        final Map<String, List<BaselineRow>> byBaseline = new LinkedHashMap<>();
        rows.forEach(r -> byBaseline.computeIfAbsent(r.test() + "\t" + r.baseline(), k -> new ArrayList<>()).add(r));
        final Map<String, Scalpel> opened = new HashMap<>();
        try {
            for (List<BaselineRow> log : byBaseline.values()) {
                final boolean vlanAware = VLAN_AWARE.contains(log.get(0).test());
                final Map<String, Integer> keys = new HashMap<>();
                log.stream().map(r -> r.key(vlanAware)).filter(k -> k != null).forEach(k -> keys.merge(k, 1, Integer::sum));
                final Path trace = corpus.resolve(log.get(0).trace());
                final Scalpel scalpel = opened.computeIfAbsent(trace + "\t" + vlanAware, k -> open(trace, vlanAware));
                for (BaselineRow row : log) {
                    final ConformanceRow outcome = judge(scalpel, row, keys, vlanAware);
                    final ConformanceRow before = committed.get(outcome.id());
                    final ConformanceRow kept = outcome.differs() && before != null && before.differs()
                        ? outcome.withReason(before.reason()) : outcome;
                    outcomes.add(kept);
                    if (!update) {
                        checks.add(() -> assertEquals(before, kept,
                            "row " + kept.id() + " (" + row.trace() + ") against docs/conformance.tsv"));
                    }
                    if (kept.differs()) {
                        checks.add(() -> checkReason(scalpel, row, kept));
                    }
                }
            }
        } finally {
            for (Scalpel s : opened.values()) {
                s.close();
            }
        }

        final ConformanceSummary summary = new ConformanceSummary(outcomes);
        System.out.print(summary.console());
        if (update) {
            ConformanceRow.writeTable(table, outcomes);
            summary.rewrite(report);
        } else {
            checks.add(() -> assertEquals(committed.size(), outcomes.size(),
                "docs/conformance.tsv has rows that expected.tsv no longer has"));
            final String explained = ConformanceSummary.differencesSection(report);
            outcomes.stream().filter(ConformanceRow::differs).forEach(r -> checks.add(() -> assertTrue(
                explained.contains("`" + r.baseline() + "` `" + r.uid() + "`"),
                r.id() + " differs but the Differences section of docs/conformance.md does not explain it")));
            checks.add(() -> assertEquals(summary.markdownTable(), ConformanceSummary.committedTable(report),
                "the per-trace table in docs/conformance.md is not this run's (rerun with -Dscalpel.conformance.update=true)"));
        }
        assertAll(checks);
        assertTrue(summary.judged() > 0, "no row could be judged");
        assertTrue(summary.accountedShare() >= REQUIRED_ACCOUNTED_SHARE, String.format(
            "%d of %d judged rows exact or differing by a mechanically checked Zeek rule (%.2f %%), below %.0f %%",
            summary.accounted(), summary.judged(), 100.0 * summary.accountedShare(), 100 * REQUIRED_ACCOUNTED_SHARE));
    }

    private Scalpel open(final Path trace, final boolean vlanAware) {
        try {
            final Path index = Files.createTempDirectory(work, trace.getFileName().toString()).resolve("index.scalpel");
            return Scalpel.open(trace, Scalpel.Options.defaults().withIndex(index).withVlanAware(vlanAware));
        } catch (IOException e) {
            throw new AssertionError("indexing " + trace + " failed: " + e.getMessage(), e);
        }
    }

    private static ConformanceRow judge(final Scalpel scalpel, final BaselineRow row, final Map<String, Integer> keys,
                                        final boolean vlanAware) throws IOException {
        final String key = row.key(vlanAware);
        if (key == null) {
            return ConformanceRow.notJudged(row, ConformanceReason.NO_FIVE_TUPLE);
        }
        if (!row.hasPacketCounts()) {
            return ConformanceRow.notJudged(row, ConformanceReason.NO_PACKET_COUNTS);
        }
        if (row.tsMasked() && keys.get(key) > 1) {
            return ConformanceRow.notJudged(row, ConformanceReason.REPEATED_MASKED_KEY);
        }
        final long frames = scalpel.select(List.of(row.toConnRecord())).offsets(0).length;
        return ConformanceRow.judged(row, frames);
    }

    /** The mechanical check of a difference's reason, on the extract of the row's frames, with tshark as the oracle. */
    private void checkReason(final Scalpel scalpel, final BaselineRow row, final ConformanceRow outcome) throws Exception {
        final ConformanceReason reason = outcome.reason();
        if (!reason.explainsDifference()) {
            fail(outcome.id() + " (" + row.trace() + "): " + outcome.scalpel() + " frames, Zeek " + outcome.zeek()
                + ": no reason from the closed list (" + reason.code() + "); give one in docs/conformance.tsv");
        }
        if (!reason.mechanical()) {
            return;
        }
        ExternalTools.require(ExternalTools.TSHARK);
        final long[] offsets = scalpel.select(List.of(row.toConnRecord())).offsets(0);
        final Path extract = Files.createTempFile(work, "extract", ".cap");
        scalpel.write(offsets, scalpel.captureFormat(), extract, w -> { });
        final List<TsharkFrame> frames = TsharkFrame.read(extract);
        assertEquals(offsets.length, frames.size(), outcome.id() + ": tshark's frame count of the extract");
        final long explained = reason.expectedDifference(frames);
        assertEquals(outcome.scalpel() - outcome.zeek(), explained, outcome.id() + " (" + row.trace() + "): the reason '"
            + reason.code() + "' accounts for a difference of " + explained + " in the extract (tshark), the difference is "
            + (outcome.scalpel() - outcome.zeek()));
    }

    /** Per-trace counts, as printed and as committed in docs/conformance.md. */
    static final class ConformanceSummary {
        static final String BEGIN = "<!-- conformance-table:begin (generated by ZeekConformanceTest) -->";
        static final String END = "<!-- conformance-table:end -->";
        private final List<ConformanceRow> rows;

        ConformanceSummary(final List<ConformanceRow> rows) {
            this.rows = rows;
        }

        long judged() { return rows.stream().filter(ConformanceRow::judged).count(); }
        long exact() { return rows.stream().filter(ConformanceRow::exact).count(); }
        double exactShare() { return judged() == 0 ? 0 : (double) exact() / judged(); }
        long accounted() {
            return rows.stream().filter(r -> r.exact() || (r.differs() && r.reason().mechanical())).count();
        }
        double accountedShare() { return judged() == 0 ? 0 : (double) accounted() / judged(); }

        String markdownTable() {
            final Map<String, List<ConformanceRow>> byTrace = new TreeMap<>();
            rows.forEach(r -> byTrace.computeIfAbsent(r.trace(), k -> new ArrayList<>()).add(r));
            final StringBuilder md = new StringBuilder();
            md.append("| Trace | Rows | Judged | Exact | Differences (reason) | Not judged (reason) |\n");
            md.append("| --- | ---: | ---: | ---: | --- | --- |\n");
            for (Map.Entry<String, List<ConformanceRow>> e : byTrace.entrySet()) {
                final List<ConformanceRow> t = e.getValue();
                md.append("| `").append(e.getKey().replaceFirst("^zeek/traces/", "")).append("` | ").append(t.size())
                    .append(" | ").append(t.stream().filter(ConformanceRow::judged).count())
                    .append(" | ").append(t.stream().filter(ConformanceRow::exact).count())
                    .append(" | ").append(reasons(t, true))
                    .append(" | ").append(reasons(t, false)).append(" |\n");
            }
            final long all = rows.size();
            md.append("| **all** | ").append(all).append(" | ").append(judged()).append(" | ").append(exact())
                .append(" | ").append(reasons(rows, true)).append(" | ").append(reasons(rows, false)).append(" |\n");
            md.append('\n').append(String.format("%d of %d judged rows exact: %.2f %%. Exact or differing only by a Zeek"
                + " accounting rule checked on the extract: %d, %.2f %%.%n", exact(), judged(), 100.0 * exactShare(),
                accounted(), 100.0 * accountedShare()));
            return md.toString();
        }

        private static String reasons(final List<ConformanceRow> rows, final boolean differences) {
            final Map<String, Integer> counts = new TreeMap<>();
            rows.stream().filter(r -> differences ? r.differs() : !r.judged())
                .forEach(r -> counts.merge(r.reason().code(), 1, Integer::sum));
            if (counts.isEmpty()) {
                return "—";
            }
            final StringBuilder s = new StringBuilder();
            counts.forEach((code, n) -> s.append(s.length() == 0 ? "" : ", ").append(n).append(" `").append(code).append('`'));
            return s.toString();
        }

        String console() {
            final StringBuilder s = new StringBuilder("Zeek conformance:\n");
            s.append(markdownTable());
            rows.stream().filter(ConformanceRow::differs).forEach(r -> s.append(String.format(
                "  differs %-20s %s: %d frames, Zeek %d, reason %s%n", r.uid(), r.baseline(), r.scalpel(), r.zeek(),
                r.reason().code())));
            return s.toString();
        }

        static String committedTable(final Path report) throws IOException {
            if (!Files.isRegularFile(report)) {
                return "(docs/conformance.md is missing)";
            }
            final String text = Files.readString(report, StandardCharsets.UTF_8);
            final int begin = text.indexOf(BEGIN);
            final int end = text.indexOf(END);
            if (begin < 0 || end < begin) {
                return "(docs/conformance.md has no generated table markers)";
            }
            return text.substring(begin + BEGIN.length(), end).strip() + "\n";
        }

        /** The hand-written Differences section of docs/conformance.md (empty when it is missing). */
        static String differencesSection(final Path report) throws IOException {
            if (!Files.isRegularFile(report)) {
                return "";
            }
            final String text = Files.readString(report, StandardCharsets.UTF_8);
            final int begin = text.indexOf("<!-- differences:begin -->");
            final int end = text.indexOf("<!-- differences:end -->");
            return begin >= 0 && end > begin ? text.substring(begin, end) : "";
        }

        void rewrite(final Path report) throws IOException {
            final String block = BEGIN + "\n" + markdownTable() + END;
            final String text = Files.isRegularFile(report) ? Files.readString(report, StandardCharsets.UTF_8) : "";
            final int begin = text.indexOf(BEGIN);
            final int end = text.indexOf(END);
            final String updated = begin >= 0 && end > begin
                ? text.substring(0, begin) + block + text.substring(end + END.length())
                : text + "\n" + block + "\n";
            Files.writeString(report, updated, StandardCharsets.UTF_8);
        }
    }
}
