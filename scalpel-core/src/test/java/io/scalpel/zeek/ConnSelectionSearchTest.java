package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A selection of uids read through the byte search ({@link LineSieve}) against the oracle of a
 * full parse of the same log ({@link ConnSelection#read} without a selection, which parses every
 * line): the same first rows (line numbers included), the same tunnel parents, the same next rows
 * of their keys, for many random uids. The logs are written here, row by row, from rows drawn at
 * random: uids that appear in other columns only, in {@code tunnel_parents}, escaped, in the first
 * and last line, absent; reused 5-tuples; IPv6; malformed lines; a line longer than the reader's
 * chunk; CRLF; a second header block; a log's {@code #close} and a third block; gzip. Each selection
 * is read by the reader's thread alone and searched ahead on several threads ({@link SplitLineSearch},
 * in pieces of several sizes): the same rows, and the same lines reported, with the same numbers.
 */
class ConnSelectionSearchTest {
    private static final int ROWS = 600;
    private static final int DRAWS = 60;
    private static final Predicate<ConnRecord> NOT_VLAN_AWARE = r -> false;
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** The search on the reader's thread alone. */
    private static final SplitLineSearch.Plan ONE_THREAD = new SplitLineSearch.Plan(Long.MAX_VALUE, 1 << 22, 1, 1 << 17);
    /**
     * Plain logs searched ahead on several threads from their first byte, in pieces cut at many
     * places (pieces shorter than some lines), or holding so few lines found that the reader goes
     * on alone part of the way.
     */
    private static final List<SplitLineSearch.Plan> SPLIT = List.of(new SplitLineSearch.Plan(1, 1_000, 2, 1 << 17),
        new SplitLineSearch.Plan(1, 7_777, 3, 1 << 17), new SplitLineSearch.Plan(1, 3_000, 2, 5));

    @TempDir
    Path dir;

    /** One row as the generator means it; {@code uidAsWritten} may be escaped. */
    private record Row(double ts, String uid, String origH, int origP, String respH, int respP, String proto, String service,
                       List<String> parents, boolean escaped) {
    }

    enum Form { TSV, JSON, CSV }

    static List<Arguments> forms() {
        final List<Arguments> a = new ArrayList<>();
        for (Form f : Form.values()) {
            for (boolean gzip : new boolean[] {false, true}) {
                for (boolean crlf : new boolean[] {false, true}) {
                    a.add(Arguments.of(f, gzip, crlf));
                }
            }
        }
        return a;
    }

    @ParameterizedTest(name = "{0} gzip={1} crlf={2}")
    @MethodSource("forms")
    void shouldFindTheRowsAFullParseFinds(final Form form, final boolean gzip, final boolean crlf) throws IOException {
        final Random random = new Random(form.ordinal() * 4L + (gzip ? 2 : 0) + (crlf ? 1 : 0));
        final List<Row> rows = rows(random);
        final Path log = write(form, rows, gzip, crlf);
        final ConnSelection.Result full = ConnSelection.read(log.toString(), null, NOT_VLAN_AWARE, ConnLogListener.IGNORE);
        assertTrue(full.rows().size() > ROWS / 2, "the oracle reads the log: " + full.rows().size());

        final List<String> candidates = new ArrayList<>();
        rows.forEach(r -> candidates.add(r.uid()));
        rows.forEach(r -> candidates.add(r.service())); // uids named only in another column
        candidates.add("CAbsentFromTheLog0");
        for (int i = 0; i < DRAWS; i++) {
            final Set<String> uids = new LinkedHashSet<>();
            final int n = i % 5 == 0 ? 3 : 1;
            while (uids.size() < n) {
                uids.add(candidates.get(random.nextInt(candidates.size())));
            }
            assertSameAsFullParse(log, full, uids);
        }
        // The first and the last line, a row whose uid is escaped, one named only in tunnel_parents, one never written.
        assertSameAsFullParse(log, full, Set.of(rows.get(0).uid()));
        assertSameAsFullParse(log, full, Set.of(rows.get(rows.size() - 1).uid()));
        rows.stream().filter(Row::escaped).limit(3).forEach(r -> assertSameAsFullParseUnchecked(log, full, Set.of(r.uid())));
        assertSameAsFullParse(log, full, Set.of("CParentOnly0000000"));
        assertSameAsFullParse(log, full, Set.of("CAbsentFromTheLog0"));
    }

    /** A JSON log is read to its end for its keying, also when no wanted row is TCP (whose read would stop at its row otherwise). */
    @ParameterizedTest(name = "nested={0} {1}")
    @MethodSource("jsonForms")
    void shouldStillTellAVlanKeyedJsonLogFromALaterRowThatHoldsNoWantedUid(final boolean nested, final String proto) throws IOException {
        final String ctx = nested ? "\"id\":{\"ctx\":{\"vlan\":7}}" : "\"id.ctx.vlan\":7";
        final Path log = dir.resolve("vlan.json");
        Files.writeString(log, """
            {"ts":1.0,"uid":"CWanted00000000001","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"10.0.0.2","id.resp_p":2,"proto":"%s"}
            {"ts":2.0,"uid":"COther000000000001","id.orig_h":"10.0.0.3","id.orig_p":1,"id.resp_h":"10.0.0.4","id.resp_p":2,"proto":"%s",%s}
            """.formatted(proto, proto, ctx));

        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of("CWanted00000000001"), NOT_VLAN_AWARE,
            ConnLogListener.IGNORE);

        assertTrue(r.vlanKeyed(), "a later row named id.ctx.vlan");
        assertTrue(r.rows().get("CWanted00000000001").vlanKeyed());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("textForms")
    void shouldReportOnlyTheMalformedLinesThatHoldAWantedUidBeforeItsRow(final boolean wantedOnTheBrokenLine) throws IOException {
        final Path log = dir.resolve("broken.log");
        writeZeekLog(log,
            "0.5\t" + (wantedOnTheBrokenLine ? "CWanted00000000001" : "COther000000000001") + "\tnot-an-address\t1\t10.0.0.2\t2\ttcp",
            "1.0\tCWanted00000000001\t10.0.0.1\t1\t10.0.0.2\t2\ttcp",
            "2.0\tCWanted00000000001\tnot-an-address-either\t1\t10.0.0.2\t2\ttcp",
            "3.0\tCOther000000000002\ttoo\tfew\tcolumns",
            "");
        final List<Long> reported = new ArrayList<>();

        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of("CWanted00000000001"), NOT_VLAN_AWARE,
            (source, line, message) -> reported.add(line));
        final ConnSelection.Result full = ConnSelection.read(log.toString(), null, NOT_VLAN_AWARE, ConnLogListener.IGNORE);

        assertEquals(wantedOnTheBrokenLine ? List.of(3L) : List.of(), reported,
            "lines without the uid are never parsed, nor the lines after its row that hold only the uid");
        assertEquals(3, full.malformedLines(), "a full parse reports all three");
        assertEquals(Set.of("CWanted00000000001"), r.rows().keySet());
        assertEquals(4, r.rows().get("CWanted00000000001").line());
    }

    /**
     * Only a TCP row's packets may run past its window, up to its key's next row: once every wanted
     * row is read and none is TCP, the rest of a plain file is not read (a header block there that
     * cannot be read never throws), while a TCP row's read goes on to the end for its key's later
     * rows. A gzip'd log, whose corrupt tail only a read to its end finds, a JSON log, whose keying a
     * later row may still tell, and a stream, whose writer must never be cut off, are read to the end.
     */
    @ParameterizedTest(name = "{0} gzip={1}")
    @MethodSource("protos")
    void shouldReadAFileNoFurtherThanItsWantedRowsWhenNoneIsTcp(final String proto, final boolean gzip) throws IOException {
        final Path plain = dir.resolve("stop.log");
        writeZeekLog(plain,
            "1.0\tCWanted00000000001\t10.0.0.1\t1\t10.0.0.2\t2\t" + proto,
            "5.0\tCLater000000000001\t10.0.0.1\t1\t10.0.0.2\t2\t" + proto,
            "#fields\tnot\tconn\tcolumns",
            "9.0\tCWanted00000000001\t10.0.0.1\t1\t10.0.0.2\t2\t" + proto,
            "");
        final Path log = gzip ? dir.resolve("stop.log.gz") : plain;
        if (gzip) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(log))) {
                out.write(Files.readAllBytes(plain));
            }
        }
        final Set<String> wanted = Set.of("CWanted00000000001");

        if (proto.equals("tcp") || gzip) {
            final ConnLogFormatException e = assertThrows(ConnLogFormatException.class,
                () -> ConnSelection.read(log.toString(), wanted, NOT_VLAN_AWARE, ConnLogListener.IGNORE));
            assertEquals(5, e.line(), e.getMessage());
            return;
        }
        for (SplitLineSearch.Plan plan : List.of(ONE_THREAD, SPLIT.get(0))) {
            final ConnSelection.Result r = ConnSelection.read(log.toString(), wanted, NOT_VLAN_AWARE, ConnLogListener.IGNORE, plan);
            assertEquals(1_000_000_000L, r.rows().get("CWanted00000000001").tsNanos(), plan.toString());
            assertEquals(3, r.rows().get("CWanted00000000001").line(), plan.toString());
        }
    }

    /** A named pipe's writer is never cut off: the read of a stream goes on to its end even when its wanted row is read. */
    @Test
    void shouldReadAPipeToItsEndWhenItsWantedRowIsRead() throws Exception {
        final Path fifo = dir.resolve("conn.fifo");
        final Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("skipped: no mkfifo on this machine (" + e.getMessage() + ")");
            return;
        }
        assertEquals(0, mkfifo.waitFor());
        final StringBuilder text = new StringBuilder("#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n");
        text.append("1.0\tCWanted00000000001\t10.0.0.1\t1\t10.0.0.2\t2\tudp\n");
        for (int i = 0; i < 20_000; i++) {
            text.append(2 + i).append(".0\tCOther").append(String.format("%012d", i)).append("\t10.0.1.1\t1\t10.0.0.2\t2\tudp\n");
        }
        final java.util.concurrent.CompletableFuture<Void> writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(fifo, text); // far more than a pipe holds: written only as the read takes it
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        final ConnSelection.Result r = ConnSelection.read(fifo.toString(), Set.of("CWanted00000000001"), NOT_VLAN_AWARE,
            ConnLogListener.IGNORE);

        assertEquals(Set.of("CWanted00000000001"), r.rows().keySet());
        writer.get(30, java.util.concurrent.TimeUnit.SECONDS); // throws when the pipe was closed under the writer
    }

    static List<Arguments> jsonForms() {
        final List<Arguments> a = new ArrayList<>();
        for (boolean nested : new boolean[] {false, true}) {
            for (String proto : new String[] {"tcp", "udp"}) {
                a.add(Arguments.of(nested, proto));
            }
        }
        return a;
    }

    static List<Arguments> protos() {
        final List<Arguments> a = new ArrayList<>();
        for (String proto : new String[] {"tcp", "udp", "icmp"}) {
            a.add(Arguments.of(proto, false));
            a.add(Arguments.of(proto, true));
        }
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherAddressForms")
    void shouldFindTheNextRowOfAKeyWhoseAddressesAreNotWrittenAsZeekWritesThem(final String orig) throws IOException {
        final Path log = dir.resolve("forms.log");
        writeZeekLog(log,
            "1.0\tCWanted00000000001\t" + orig + "\t1\t2001:db8::2\t2\ttcp",
            "5.0\tCLater000000000001\t" + orig + "\t1\t2001:db8::2\t2\ttcp",
            "");

        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of("CWanted00000000001"), NOT_VLAN_AWARE,
            ConnLogListener.IGNORE);

        assertEquals(5_000_000_000L, r.nextStart(r.rows().get("CWanted00000000001")));
    }

    @Test
    void shouldFindTheNextRowsOfMoreKeysThanOneSieveHolds() throws IOException {
        final Random random = new Random(99);
        final List<Row> rows = rows(random);
        final Path log = write(Form.TSV, rows, false, false);
        final ConnSelection.Result full = ConnSelection.read(log.toString(), null, NOT_VLAN_AWARE, ConnLogListener.IGNORE);
        final Set<String> uids = new LinkedHashSet<>();
        for (int i = 0; uids.size() < 12; i += 37) {
            if (!rows.get(i).escaped()) {
                uids.add(rows.get(i).uid()); // 12 uids and their addresses: more byte strings than a sieve searches for
            }
        }
        assertSameAsFullParse(log, full, uids);
    }

    /**
     * Zeek logs a connection when it ends and has one connection of a key at a time, so a key's
     * next row is logged after its row: the rows of a key before the wanted row are not looked for.
     */
    @Test
    void shouldFindTheNextRowOfAKeyAfterItsRowOnly() throws IOException {
        final Path log = dir.resolve("order.log");
        writeZeekLog(log,
            "9.0	CBefore00000000001	10.0.0.1	1	10.0.0.2	2	tcp",
            "1.0	CWanted00000000001	10.0.0.1	1	10.0.0.2	2	tcp",
            "5.0	CLater000000000001	10.0.0.2	2	10.0.0.1	1	tcp",
            "7.0	CLater000000000002	10.0.0.1	1	10.0.0.2	2	tcp",
            "");

        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of("CWanted00000000001"), NOT_VLAN_AWARE,
            ConnLogListener.IGNORE);
        final ConnSelection.Result full = ConnSelection.read(log.toString(), null, NOT_VLAN_AWARE, ConnLogListener.IGNORE);

        assertEquals(5_000_000_000L, r.nextStart(r.rows().get("CWanted00000000001")), "the earliest later row logged after it");
        assertEquals(5_000_000_000L, full.nextStart(full.rows().get("CWanted00000000001")));
        assertEquals(SameKeyRows.NONE, r.nextStart(full.rows().get("CLater000000000002")), "rows before the wanted one: not read");
    }

    static List<Arguments> otherAddressForms() {
        return List.of(Arguments.of("2001:0db8:0:0:0:0:0:1"), Arguments.of("2001:DB8::1"));
    }

    static List<Arguments> textForms() {
        return List.of(Arguments.of(false), Arguments.of(true));
    }

    @ParameterizedTest(name = "uid {0}")
    @MethodSource("unsearchableUids")
    void shouldParseEveryLineForAUidThatABytesSearchCouldMiss(final String uid) throws IOException {
        final Path log = dir.resolve("odd.log");
        writeZeekLog(log,
            "1.0\t" + uid.replace(",", "\\x2c") + "\t10.0.0.1\t1\t10.0.0.2\t2\ttcp",
            "");

        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of(uid), NOT_VLAN_AWARE, ConnLogListener.IGNORE);

        assertEquals(Set.of(uid), r.rows().keySet());
        assertFalse(LineSieve.searchable(uid));
    }

    /**
     * Zeek's ASCII writer escapes bytes that a searched value may hold too (its formatter's
     * {@code escapeReservedContent}): a value that is the whole {@code #unset_field} or
     * {@code #empty_field} is written with its first byte as {@code \x..}, so a uid {@code -} is
     * written {@code \x2d}; and so is a separator made of such bytes inside a value. The line is
     * found by its backslash, which is why Zeek's TSV keeps it among the bytes searched for.
     */
    @Test
    void shouldFindAUidThatZeeksWriterEscapesBecauseItIsTheUnsetField() throws IOException {
        final Path log = dir.resolve("unset.log");
        writeZeekLog(log,
            "1.0\tCOther000000000001\t10.0.0.1\t1\t10.0.0.2\t2\ttcp",
            "2.0\t\\x2d\t10.0.0.3\t3\t10.0.0.4\t4\tudp", // no other '-' on the line
            "3.0\tCOther000000000003\t10.0.0.5\t5\t10.0.0.6\t6\ttcp",
            "");

        final ConnSelection.Result r = ConnSelection.read(log.toString(), Set.of("-"), NOT_VLAN_AWARE, ConnLogListener.IGNORE);

        assertEquals(Set.of("-"), r.rows().keySet());
        assertEquals(3, r.rows().get("-").origPort());
        assertTrue(LineSieve.searchable("-"), "found by the backslash, not by its own bytes");
    }

    /** Zeek TSV with the 5-tuple's columns, then {@code rows} (ts, uid, id.orig_h, id.orig_p, id.resp_h, id.resp_p, proto). */
    private static void writeZeekLog(final Path log, final String... rows) throws IOException {
        Files.writeString(log, "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
            + String.join("\n", rows));
    }

    static List<Arguments> unsearchableUids() {
        return List.of(Arguments.of("C,comma"), Arguments.of("Cé"), Arguments.of("C space"));
    }

    private void assertSameAsFullParseUnchecked(final Path log, final ConnSelection.Result full, final Set<String> uids) {
        try {
            assertSameAsFullParse(log, full, uids);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertSameAsFullParse(final Path log, final ConnSelection.Result full, final Set<String> uids)
        throws IOException {
        final List<String> reported = new ArrayList<>();
        final ConnSelection.Result alone = ConnSelection.read(log.toString(), uids, NOT_VLAN_AWARE,
            (source, line, message) -> reported.add(line + ": " + message), ONE_THREAD);
        assertSameRows(full, uids, alone, "one thread");
        for (SplitLineSearch.Plan plan : SPLIT) {
            final List<String> reportedSplit = new ArrayList<>();
            final ConnSelection.Result split = ConnSelection.read(log.toString(), uids, NOT_VLAN_AWARE,
                (source, line, message) -> reportedSplit.add(line + ": " + message), plan);
            assertSameRows(full, uids, split, plan.toString());
            assertEquals(reported, reportedSplit, "the lines parsed and reported, " + plan);
            assertEquals(alone.vlanKeyed(), split.vlanKeyed(), plan.toString());
        }
    }

    private static void assertSameRows(final ConnSelection.Result full, final Set<String> uids, final ConnSelection.Result found,
                                       final String how) {
        final Map<String, ConnRecord> expected = new LinkedHashMap<>();
        full.rows().forEach((uid, r) -> {
            if (uids.contains(uid)) {
                expected.put(uid, r);
            }
        });
        assertEquals(expected, found.rows(), "rows of " + uids + ", " + how);
        final Set<String> parents = new LinkedHashSet<>(full.tunnelParents());
        parents.retainAll(uids);
        parents.removeAll(expected.keySet());
        assertEquals(parents, found.tunnelParents(), "tunnel parents without a row of their own among " + uids + ", " + how);
        for (ConnRecord r : expected.values()) {
            if (r.mayRunPastItsWindow()) { // the only rows whose packets a later row of their key bounds
                assertEquals(full.nextStart(r), found.nextStart(r), "next row of the key of " + r.uid() + ", " + how);
            }
        }
    }

    private static List<Row> rows(final Random random) {
        final List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            pairs.add(i % 4 == 0
                ? new String[] {"2001:db8::" + Integer.toHexString(1 + i), "2001:db8:1::" + Integer.toHexString(100 + i)}
                : new String[] {"10.0." + (i % 3) + "." + (1 + i), "192.168.1." + (i % 7 + 1)});
        }
        final List<Row> rows = new ArrayList<>();
        final List<String> uids = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            uids.add(uid(random));
        }
        for (int i = 0; i < ROWS; i++) {
            final String[] pair = pairs.get(random.nextInt(pairs.size()));
            final boolean swap = random.nextInt(5) == 0;
            final String service = random.nextInt(6) == 0 ? uids.get(random.nextInt(ROWS)) // a uid in another column
                : random.nextInt(4) == 0 ? uid(random) : "dns";
            final List<String> parents = i == ROWS / 2 ? List.of("CParentOnly0000000")
                : random.nextInt(12) == 0 ? List.of(uids.get(random.nextInt(ROWS)), uids.get(random.nextInt(ROWS))) : List.of();
            final String uid = random.nextInt(40) == 0 && i > 0 ? uids.get(random.nextInt(i)) : uids.get(i); // a uid seen before
            rows.add(new Row(1_700_000_000.0 + i * 0.5, uid, swap ? pair[1] : pair[0], 1000 + random.nextInt(4),
                swap ? pair[0] : pair[1], 53, random.nextBoolean() ? "tcp" : "udp",
                i == 7 ? "x".repeat(70_000) + service : service, parents, random.nextInt(25) == 0));
        }
        return rows;
    }

    private static String uid(final Random random) {
        final StringBuilder b = new StringBuilder("C");
        for (int i = 0; i < 17; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private Path write(final Form form, final List<Row> rows, final boolean gzip, final boolean crlf) throws IOException {
        final StringBuilder text = new StringBuilder();
        final String tsvHeader = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
            + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\ttunnel_parents\n";
        final String tsvHeaderReordered = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            + "#fields\tuid\tts\tproto\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttunnel_parents\tservice\n";
        if (form == Form.TSV) {
            text.append(tsvHeader);
        } else if (form == Form.CSV) {
            text.append("ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,tunnel_parents\n");
        }
        for (int i = 0; i < rows.size(); i++) {
            final Row r = rows.get(i);
            if (i % 97 == 50) { // a malformed line that names a uid of the log
                text.append(form == Form.JSON ? "{\"uid\":\"" + rows.get(i / 2).uid() + "\",broken\n"
                    : rows.get(i / 2).uid() + (form == Form.CSV ? ",x\n" : "\tx\n"));
            }
            if (form == Form.TSV && i == rows.size() / 3) {
                text.append(tsvHeaderReordered); // a second header block (logs concatenated), columns in another order
            }
            if (form == Form.TSV && i == rows.size() * 2 / 3) {
                text.append("#close\t2023-11-14-23-08-07\n").append(tsvHeader); // another log after the first one's end
            }
            final boolean reordered = form == Form.TSV && i >= rows.size() / 3 && i < rows.size() * 2 / 3;
            text.append(line(form, r, reordered));
        }
        String s = text.toString();
        if (crlf) {
            s = s.replace("\n", "\r\n");
        }
        final Path log = dir.resolve("conn." + form + (gzip ? ".gz" : ""));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = gzip ? new GZIPOutputStream(bytes) : bytes) {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        }
        Files.write(log, bytes.toByteArray());
        return log;
    }

    private static String line(final Form form, final Row r, final boolean reordered) {
        final String ts = String.format("%.6f", r.ts());
        switch (form) {
            case TSV -> {
                final String uid = r.escaped() ? "\\x43" + r.uid().substring(1) : r.uid();
                final String parents = r.parents().isEmpty() ? "(empty)" : String.join(",", r.parents());
                return reordered
                    ? String.join("\t", uid, ts, r.proto(), r.origH(), "" + r.origP(), r.respH(), "" + r.respP(), parents, r.service())
                    + "\n"
                    : String.join("\t", ts, uid, r.origH(), "" + r.origP(), r.respH(), "" + r.respP(), r.proto(), r.service(), parents)
                    + "\n";
            }
            case JSON -> {
                final String uid = r.escaped() ? "\\u0043" + r.uid().substring(1) : r.uid();
                final StringBuilder parents = new StringBuilder();
                for (String p : r.parents()) {
                    parents.append(parents.length() == 0 ? "" : ",").append('"').append(p).append('"');
                }
                return "{\"ts\":" + ts + ",\"uid\":\"" + uid + "\",\"id.orig_h\":\"" + r.origH() + "\",\"id.orig_p\":" + r.origP()
                    + ",\"id.resp_h\":\"" + r.respH() + "\",\"id.resp_p\":" + r.respP() + ",\"proto\":\"" + r.proto()
                    + "\",\"service\":\"" + r.service() + "\",\"tunnel_parents\":[" + parents + "]}\n";
            }
            default -> {
                final String uid = r.escaped() ? "\"" + r.uid() + "\"" : r.uid();
                return String.join(",", ts, uid, r.origH(), "" + r.origP(), r.respH(), "" + r.respP(), r.proto(), r.service(),
                    "\"" + String.join(",", r.parents()) + "\"") + "\n";
            }
        }
    }
}
