package io.scalpel.conformance;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalpel.api.Scalpel;
import io.scalpel.decode.Addresses;
import io.scalpel.testing.ExternalTools;
import io.scalpel.zeek.ConnRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance report: every row of Zeek's own conn.log baselines sliced from its trace, the
 * frames scalpel selects compared with Zeek's {@code orig_pkts + resp_pkts}.
 *
 * <p>Each baseline (listed with its trace in {@code ../shared/corpus/zeek/expected.tsv}) is read
 * with the product's own {@link io.scalpel.zeek.ConnLogReader}, {@code zeek-cut} subsets included
 * ({@link BaselineLog}); what it reads is checked against the corpus's table. A log written with
 * Zeek's VLAN-aware key ({@code id.ctx.vlan}) is joined VLAN-aware because the log says so, as for
 * any user.
 *
 * <p>The baselines mask {@code ts}, so a row's window comes from the capture. A row whose key
 * (proto and both endpoints, either direction; and its tags when the log is keyed by VLAN) is
 * unique in its log is judged alone. Rows that share a masked key are judged together: the
 * extract of the key holds the frames of all of them. Where tshark's conversations (TCP and UDP
 * stream numbers, VLAN ids) split that extract into as many parts as there are rows, with the
 * rows' counts, each row is judged by its frame set: scalpel, given the part's window and VLAN,
 * must select exactly the part's frames ({@code frame-set}). Otherwise the sum of the rows' counts
 * is compared with the extract ({@code group-sum}).
 *
 * <p>Asserted, so that a regression anywhere fails:
 * <ol>
 *   <li>every row's outcome equals the committed table {@code docs/conformance.tsv}, row by row;</li>
 *   <li>every difference carries a reason from the closed list {@link ConformanceReason}, checked
 *       on the extract of the row or group with tshark: the frames Zeek discards by that rule (a
 *       bad checksum, a fragment beyond the first of its datagram, a frame cut by the snaplen), or
 *       the packets it finds beyond one in a frame (an aggregate), are exactly the difference;</li>
 *   <li>no judged row is unexplained, and the per-trace summary in {@code docs/conformance.md} is
 *       the one this run computes.</li>
 * </ol>
 *
 * <p>zeek-cut subsets without a 5-tuple (the reader refuses them) or without packet counts
 * cannot be judged. After a deliberate change, {@code -Dscalpel.conformance.update=true}
 * rewrites both files; the reasons already given for a row are kept, a new difference is written
 * as {@code unexplained} and fails the next run until a reason from the closed list is given by hand.
 */
@Tag("corpus")
@Tag("external")
class ZeekConformanceTest {
    @TempDir
    Path work;

    /**
     * Frames judged together: one row's, or a group's; {@code zeek} is the count (or the sum of
     * counts) they are compared with; {@code group} is the group's whole extract for a row judged
     * in a group (itself for a group judged by the sum), else null.
     */
    private record Unit(String trace, Scalpel scalpel, long[] offsets, long zeek, Unit group) {
    }

    @Test
    void shouldMatchZeekOnEveryJudgedRowAndExplainEveryDifference() throws Exception {
        final Path corpus = Path.of(System.getProperty("scalpel.shared.dir", "../shared")).resolve("corpus").normalize();
        final Path expectedTsv = corpus.resolve("zeek/expected.tsv");
        assumeTrue(Files.isRegularFile(expectedTsv), () -> "skipped: Zeek baselines " + expectedTsv + " are absent");
        ExternalTools.require(ExternalTools.TSHARK);
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
        rows.forEach(r -> byBaseline.computeIfAbsent(r.baseline(), k -> new ArrayList<>()).add(r));
        final Map<String, Scalpel> opened = new HashMap<>();
        final Set<Unit> groups = new HashSet<>();
        try {
            for (List<BaselineRow> log : byBaseline.values()) {
                final Path trace = corpus.resolve(log.get(0).trace());
                final Scalpel scalpel = opened.computeIfAbsent(trace.toString(), k -> open(trace));
                final BaselineLog read = BaselineLog.read(corpus.resolve(log.get(0).baseline()), work.resolve("baselines"));
                checks.add(() -> checkReader(log, read));
                final Map<ConformanceRow, Unit> judged = judge(scalpel, log, read, checks);
                final Set<Unit> checkedUnits = new HashSet<>();
                for (Map.Entry<ConformanceRow, Unit> e : judged.entrySet()) {
                    final ConformanceRow outcome = e.getKey();
                    final ConformanceRow before = committed.get(outcome.id());
                    final ConformanceRow kept = outcome.differs() && before != null && before.differs()
                        ? outcome.withReason(before.reason()) : outcome;
                    outcomes.add(kept);
                    if (!update) {
                        checks.add(() -> assertEquals(before, kept, "row " + kept.id() + " (" + kept.trace() + ") against docs/conformance.tsv"));
                    }
                    if (kept.differs() && checkedUnits.add(e.getValue())) {
                        checks.add(() -> checkReason(e.getValue(), kept));
                    }
                    if (kept.inGroup()) {
                        groups.add(e.getValue().group());
                    }
                }
            }
        } finally {
            for (Scalpel s : opened.values()) {
                s.close();
            }
        }

        final ConformanceSummary summary = new ConformanceSummary(outcomes, groups.size());
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
        assertEquals(0, summary.unexplained(), "judged rows without a reason checked on the extract");
    }

    private Scalpel open(final Path trace) {
        try {
            final Path index = Files.createTempDirectory(work, trace.getFileName().toString()).resolve("index.scalpel");
            return Scalpel.open(trace, Scalpel.Options.defaults().withIndex(index));
        } catch (IOException e) {
            throw new AssertionError("indexing " + trace + " failed: " + e.getMessage(), e);
        }
    }

    /** The reader's rows are the corpus table's rows: same uids, addresses, ports, proto, counts and tags. */
    private static void checkReader(final List<BaselineRow> log, final BaselineLog read) {
        if (read.refusal() != null) {
            return; // judged below: the refusal must name a column of the 5-tuple
        }
        assertEquals(List.of(), read.skipped(), log.get(0).baseline() + ": lines the reader skipped");
        assertEquals(log.stream().map(BaselineRow::uid).collect(Collectors.toSet()), read.records().keySet(),
            log.get(0).baseline() + ": uids");
        for (BaselineRow row : log) {
            final ConnRecord r = read.records().get(row.uid());
            final String where = row.baseline() + " " + row.uid();
            assertEquals(row.get("orig_h"), r.hasFiveTuple() ? Addresses.format(r.ipVersion(), r.origHi(), r.origLo()) : "-", where);
            assertEquals(row.get("resp_h"), r.hasFiveTuple() ? Addresses.format(r.ipVersion(), r.respHi(), r.respLo()) : "-", where);
            assertEquals(row.get("orig_p"), r.origPort() < 0 ? "-" : Integer.toString(r.origPort()), where);
            assertEquals(row.get("resp_p"), r.respPort() < 0 ? "-" : Integer.toString(r.respPort()), where);
            if (!BaselineRow.UNSET.equals(row.get("proto"))) {
                assertEquals(row.get("proto"), r.proto(), where);
            }
            assertEquals(row.get("orig_pkts"), r.origPkts() < 0 ? "-" : Long.toString(r.origPkts()), where);
            assertEquals(row.get("resp_pkts"), r.respPkts() < 0 ? "-" : Long.toString(r.respPkts()), where);
            assertEquals(row.get("vlan"), r.vlan() < 0 ? "-" : Integer.toString(r.vlan()), where);
            assertEquals(row.get("inner_vlan"), r.innerVlan() < 0 ? "-" : Integer.toString(r.innerVlan()), where);
        }
    }

    /** Judges every row of one baseline; each outcome comes with the frames it was judged on. */
    private Map<ConformanceRow, Unit> judge(final Scalpel scalpel, final List<BaselineRow> log, final BaselineLog read,
                                            final List<Executable> checks) throws Exception {
        final Map<ConformanceRow, Unit> outcomes = new LinkedHashMap<>();
        if (read.refusal() != null) {
            checks.add(() -> assertTrue(read.refusal().matches(".* has no (uid|id\\.orig_h|id\\.orig_p|id\\.resp_h|id\\.resp_p|proto)"
                + " column.*"), log.get(0).baseline() + ": refused for another reason than a missing 5-tuple column: " + read.refusal()));
            log.forEach(row -> outcomes.put(ConformanceRow.notJudged(row, ConformanceReason.NO_FIVE_TUPLE), null));
            return outcomes;
        }
        final Map<String, List<BaselineRow>> byKey = new LinkedHashMap<>();
        for (BaselineRow row : log) {
            final ConnRecord r = read.records().get(row.uid());
            if (r.hasFiveTuple()) {
                byKey.computeIfAbsent(key(r), k -> new ArrayList<>()).add(row);
            }
        }
        final Map<String, Map<String, ConformanceRow>> groups = new HashMap<>();
        final Map<String, Unit> groupUnits = new HashMap<>();
        for (BaselineRow row : log) {
            final ConnRecord r = read.records().get(row.uid());
            if (r.origPkts() < 0 || r.respPkts() < 0) {
                outcomes.put(ConformanceRow.notJudged(row, ConformanceReason.NO_PACKET_COUNTS), null);
                continue;
            }
            if (!r.hasFiveTuple()) {
                outcomes.put(ConformanceRow.notJudged(row, ConformanceReason.NO_FIVE_TUPLE), null);
                continue;
            }
            final List<BaselineRow> group = byKey.get(key(r));
            final long zeek = r.origPkts() + r.respPkts();
            if (r.hasTimestamp() || group.size() == 1) {
                final long[] offsets = scalpel.select(List.of(r)).offsets(0);
                outcomes.put(ConformanceRow.judged(row, zeek, offsets.length, ConformanceRow.ALONE),
                    new Unit(row.trace(), scalpel, offsets, zeek, null));
                continue;
            }
            final String key = key(r);
            if (!groups.containsKey(key)) {
                groups.put(key, judgeGroup(scalpel, group, read, checks, groupUnits, key));
            }
            outcomes.put(groups.get(key).get(row.uid()), groupUnits.get(key + " " + row.uid()));
        }
        return outcomes;
    }

    /**
     * Judges the rows of one masked key together: by their frame sets when tshark's conversations
     * tell them apart, else by the sum of their counts against the extract of the key.
     */
    private Map<String, ConformanceRow> judgeGroup(final Scalpel scalpel, final List<BaselineRow> group, final BaselineLog read,
                                                   final List<Executable> checks, final Map<String, Unit> units, final String key)
        throws Exception {
        final ConnRecord first = read.records().get(group.get(0).uid());
        final long[] offsets = scalpel.select(List.of(first)).offsets(0);
        final Map<String, List<Integer>> parts = new LinkedHashMap<>();
        final List<TsharkFrame> frames = TsharkFrame.read(extract(scalpel, offsets));
        for (int i = 0; i < frames.size(); i++) {
            parts.computeIfAbsent(frames.get(i).conversation(), k -> new ArrayList<>()).add(i);
        }
        final List<BaselineRow> byCount = new ArrayList<>(group);
        byCount.sort(Comparator.comparingLong(row -> count(read, row)));
        final List<List<Integer>> bySize = new ArrayList<>(parts.values());
        bySize.sort(Comparator.comparingInt(List::size));
        final long sum = group.stream().mapToLong(row -> count(read, row)).sum();
        final Unit whole = new Unit(group.get(0).trace(), scalpel, offsets, sum, null);
        final boolean toldApart = frames.size() == offsets.length && bySize.size() == byCount.size()
            && IntStream.range(0, bySize.size()).allMatch(i -> bySize.get(i).size() == count(read, byCount.get(i)));
        final Map<String, ConformanceRow> outcomes = new HashMap<>();
        if (toldApart) {
            final boolean byVlan = bySize.stream().map(p -> frames.get(p.get(0)).vlanIds()).distinct().count() > 1;
            for (int i = 0; i < byCount.size(); i++) {
                final BaselineRow row = byCount.get(i);
                final List<Integer> part = bySize.get(i);
                final long[] expected = part.stream().mapToLong(f -> offsets[f]).toArray();
                final TsharkFrame firstFrame = frames.get(part.get(0));
                final long[] selected = scalpel.select(List.of(partRecord(read.records().get(row.uid()), firstFrame,
                    frames.get(part.get(part.size() - 1)).tsNanos(), byVlan))).offsets(0);
                checks.add(() -> assertArrayEquals(expected, selected, row.baseline() + " " + row.uid() + ": the frames of tshark's"
                    + " conversation " + firstFrame.conversation() + " from its first to its last frame"));
                outcomes.put(row.uid(), ConformanceRow.judged(row, count(read, row), selected.length, ConformanceRow.FRAME_SET));
                units.put(key + " " + row.uid(), new Unit(row.trace(), scalpel, selected, count(read, row), whole));
            }
            return outcomes;
        }
        final Unit unit = new Unit(whole.trace(), scalpel, offsets, sum, whole);
        for (BaselineRow row : group) {
            outcomes.put(row.uid(), ConformanceRow.inGroup(row, count(read, row), sum, offsets.length));
            units.put(key + " " + row.uid(), unit);
        }
        return outcomes;
    }

    /** The row's key in the window of one of tshark's conversations: from its first frame to its last, on its VLAN. */
    private static ConnRecord partRecord(final ConnRecord r, final TsharkFrame first, final long lastNanos, final boolean byVlan) {
        final int[] tags = first.vlanTags();
        return new ConnRecord(r.uid(), r.line(), first.tsNanos(), 0, lastNanos - first.tsNanos(), r.proto(), r.ipProto(),
            r.ipVersion(), r.origHi(), r.origLo(), r.origPort(), r.respHi(), r.respLo(), r.respPort(), tags[0], tags[1], byVlan,
            null, r.tunnelParents(), r.origPkts(), r.respPkts());
    }

    private static long count(final BaselineLog read, final BaselineRow row) {
        final ConnRecord r = read.records().get(row.uid());
        return r.origPkts() + r.respPkts();
    }

    /** Proto and both endpoints, unordered, with the tags when the log is keyed by VLAN. */
    private static String key(final ConnRecord r) {
        final String a = Addresses.format(r.ipVersion(), r.origHi(), r.origLo()) + "/" + r.origPort();
        final String b = Addresses.format(r.ipVersion(), r.respHi(), r.respLo()) + "/" + r.respPort();
        // unknown_transport rows of different IP protocols are different connections (the query keeps ip_proto)
        final String protocol = "unknown_transport".equals(r.proto()) && r.ipProto() >= 0 ? r.proto() + "/" + r.ipProto() : r.proto();
        return protocol + " " + (a.compareTo(b) < 0 ? a + " " + b : b + " " + a)
            + (r.vlanKeyed() ? " vlan " + r.vlan() + "/" + r.innerVlan() : "");
    }

    private Path extract(final Scalpel scalpel, final long[] offsets) throws IOException {
        final Path extract = Files.createTempFile(work, "extract", ".cap");
        scalpel.write(offsets, scalpel.captureFormat(), extract, w -> { });
        return extract;
    }

    /** The mechanical check of a difference's reason, on the extract of the row's (or group's) frames, with tshark as the oracle. */
    private void checkReason(final Unit unit, final ConformanceRow outcome) throws Exception {
        final ConformanceReason reason = outcome.reason();
        if (!reason.explainsDifference()) {
            fail(outcome.id() + " (" + unit.trace() + "): " + unit.offsets().length + " frames, Zeek " + unit.zeek()
                + ": no reason from the closed list (" + reason.code() + "); give one in docs/conformance.tsv");
        }
        final List<TsharkFrame> frames = TsharkFrame.read(extract(unit.scalpel(), unit.offsets()));
        assertEquals(unit.offsets().length, frames.size(), outcome.id() + ": tshark's frame count of the extract");
        final long explained = reason.expectedDifference(frames);
        assertEquals(unit.offsets().length - unit.zeek(), explained, outcome.id() + " (" + unit.trace() + "): the reason '"
            + reason.code() + "' accounts for a difference of " + explained + " in the extract (tshark), the difference is "
            + (unit.offsets().length - unit.zeek()));
    }

    /** Per-trace counts, as printed and as committed in docs/conformance.md. */
    static final class ConformanceSummary {
        static final String BEGIN = "<!-- conformance-table:begin (generated by ZeekConformanceTest) -->";
        static final String END = "<!-- conformance-table:end -->";
        private final List<ConformanceRow> rows;
        /** Groups of rows judged together (0 where not counted: the per-trace lines). */
        private final long groups;

        ConformanceSummary(final List<ConformanceRow> rows, final long groups) {
            this.rows = rows;
            this.groups = groups;
        }

        long judged() { return rows.stream().filter(ConformanceRow::judged).count(); }
        long alone() { return rows.stream().filter(r -> ConformanceRow.ALONE.equals(r.judgedAs())).count(); }
        long inGroups() { return rows.stream().filter(ConformanceRow::inGroup).count(); }
        long byFrameSet() { return rows.stream().filter(r -> ConformanceRow.FRAME_SET.equals(r.judgedAs())).count(); }
        long exact() { return rows.stream().filter(ConformanceRow::exact).count(); }
        long accounted() {
            return rows.stream().filter(r -> r.differs() && r.reason().mechanical()).count();
        }
        long unexplained() { return rows.stream().filter(r -> r.differs() && !r.reason().mechanical()).count(); }

        String markdownTable() {
            final Map<String, List<ConformanceRow>> byTrace = new TreeMap<>();
            rows.forEach(r -> byTrace.computeIfAbsent(r.trace(), k -> new ArrayList<>()).add(r));
            final StringBuilder md = new StringBuilder();
            md.append("| Trace | Rows | Judged alone | Judged in groups | Exact | Differences (reason) | Not judged (reason) |\n");
            md.append("| --- | ---: | ---: | ---: | ---: | --- | --- |\n");
            for (Map.Entry<String, List<ConformanceRow>> e : byTrace.entrySet()) {
                final List<ConformanceRow> t = e.getValue();
                final ConformanceSummary s = new ConformanceSummary(t, 0);
                md.append("| `").append(e.getKey().replaceFirst("^zeek/traces/", "")).append("` | ").append(t.size())
                    .append(" | ").append(s.alone()).append(" | ").append(s.inGroups())
                    .append(" | ").append(s.exact())
                    .append(" | ").append(reasons(t, true))
                    .append(" | ").append(reasons(t, false)).append(" |\n");
            }
            md.append("| **all** | ").append(rows.size()).append(" | ").append(alone()).append(" | ").append(inGroups())
                .append(" | ").append(exact()).append(" | ").append(reasons(rows, true)).append(" | ").append(reasons(rows, false))
                .append(" |\n");
            md.append('\n').append(String.format("%d rows judged: %d alone, %d in %d groups of rows sharing a masked key (%d of"
                    + " these rows by their frame sets, %d by the sum of their group's counts). Exact: %d. Differing by a Zeek"
                    + " accounting rule checked on the extract (accounted): %d. Unexplained: %d. Not judged: %d.%n", judged(), alone(),
                inGroups(), groups, byFrameSet(), inGroups() - byFrameSet(), exact(), accounted(), unexplained(),
                rows.size() - judged()));
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
                "  differs %-20s %s: %d frames, Zeek %d (%s), reason %s%n", r.uid(), r.baseline(), r.scalpel(),
                ConformanceRow.GROUP_SUM.equals(r.judgedAs()) ? r.groupZeek() : r.zeek(), r.judgedAs(), r.reason().code())));
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
