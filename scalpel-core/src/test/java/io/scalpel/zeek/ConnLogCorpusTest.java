package io.scalpel.zeek;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.decode.Addresses;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Reads the conn.logs that Zeek itself wrote (its BTest baselines) and the contract sample, and
 * checks them against their own text: every data line becomes one row, none is reported.
 */
class ConnLogCorpusTest {

    private static Path shared() {
        final String dir = System.getProperty("scalpel.shared.dir");
        return dir == null ? null : Paths.get(dir);
    }

    private static Path baselines() {
        final Path shared = shared();
        final Path dir = shared == null ? null : shared.resolve("corpus/zeek/baselines");
        Assumptions.assumeTrue(dir != null && Files.isDirectory(dir),
            "Zeek baseline corpus absent (scalpel.shared.dir=" + shared + "): skipping the conn.log corpus check");
        return dir;
    }

    private static List<Path> connLogs(final Path baselines) throws IOException {
        try (Stream<Path> files = Files.walk(baselines)) {
            return files.filter(Files::isRegularFile)
                .filter(p -> p.getFileName().toString().startsWith("conn") && p.getFileName().toString().contains(".log"))
                .sorted()
                .toList();
        }
    }

    private static boolean hasFieldsHeader(final Path log) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().anyMatch(l -> l.startsWith("#fields"));
    }

    /**
     * Every data line of every baseline with a {@code #fields} header becomes one row, none is
     * reported, and the row says what the line's text says (split here naively on tabs, which is
     * enough for these files; ts compared through BigDecimal, masked ts as no timestamp).
     */
    @Tag("corpus")
    @Test
    void shouldReadEveryZeekBaselineConnLogWithoutMalformedLines() throws IOException {
        final List<Path> logs = connLogs(baselines());
        assertFalse(logs.isEmpty(), "no conn*.log in the baseline corpus");
        int read = 0;
        for (Path log : logs) {
            if (!hasFieldsHeader(log)) {
                continue; // zeek-cut output: see shouldRefuseHeaderlessZeekCutBaselinesClearly
            }
            final List<String[]> expected = new ArrayList<>();
            List<String> fields = List.of();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("#fields\t")) {
                    fields = List.of(line.substring("#fields\t".length()).split("\t", -1));
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    expected.add(line.split("\t", -1));
                }
            }
            final List<String> problems = new ArrayList<>();
            final List<ConnRecord> rows = new ArrayList<>();
            try (ConnLogReader reader = ConnLogReader.open(log, (s, l, m) -> problems.add(s + ":" + l + ": " + m))) {
                for (ConnRecord r = reader.next(); r != null; r = reader.next()) {
                    rows.add(r);
                }
            }
            assertEquals(List.of(), problems, log.toString());
            assertEquals(expected.size(), rows.size(), log.toString());
            for (int i = 0; i < rows.size(); i++) {
                final ConnRecord r = rows.get(i);
                final String[] cols = expected.get(i);
                final String where = log + ":" + r.line();
                assertEquals(cols[fields.indexOf("uid")], r.uid(), where);
                final String ts = cols[fields.indexOf("ts")];
                assertEquals(ts.startsWith("X") ? ConnRecord.NO_TIMESTAMP
                    : new BigDecimal(ts).movePointRight(9).longValueExact(), r.tsNanos(), where);
                assertEquals(cols[fields.indexOf("id.orig_h")], Addresses.format(r.ipVersion(), r.origHi(), r.origLo()), where);
                assertEquals(cols[fields.indexOf("id.resp_h")], Addresses.format(r.ipVersion(), r.respHi(), r.respLo()), where);
                assertEquals(cols[fields.indexOf("id.orig_p")], Integer.toString(r.origPort()), where);
                assertEquals(cols[fields.indexOf("id.resp_p")], Integer.toString(r.respPort()), where);
                assertEquals(cols[fields.indexOf("proto")], r.proto(), where);
                assertEquals(cols[fields.indexOf("orig_pkts")], Long.toString(r.origPkts()), where);
                assertEquals(cols[fields.indexOf("resp_pkts")], Long.toString(r.respPkts()), where);
                assertEquals(cols[fields.indexOf("ip_proto")], Integer.toString(r.ipProto()), where);
                final String parents = cols[fields.indexOf("tunnel_parents")];
                assertEquals(parents.equals("-") ? List.of() : List.of(parents.split(",")), r.tunnelParents(), where);
            }
            read++;
        }
        assertTrue(read >= 40, "expected most baselines to carry a #fields header, read " + read);
    }

    /**
     * Some baselines ({@code *.log.cut} and a few {@code conn.log}) are {@code zeek-cut -m} output: a
     * BTest comment line, a line of column names without {@code #fields}, then rows. The reader takes
     * the line of names as the header; none of these subsets has every column a conn.log row needs
     * (proto, or id.orig_p, or the addresses are cut away), so each is refused at that line, naming
     * the first column the header lacks, as this test finds it in the text.
     */
    @Tag("corpus")
    @Test
    void shouldTakeTheHeaderLineOfZeekCutBaselinesAndNameTheMissingColumn() throws IOException {
        final List<String> required = List.of("uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto");
        int refused = 0;
        for (Path log : connLogs(baselines())) {
            if (hasFieldsHeader(log)) {
                continue;
            }
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            int headerLine = 0;
            while (lines.get(headerLine).startsWith("#")) {
                headerLine++;
            }
            final List<String> names = List.of(lines.get(headerLine).split("\t", -1));
            final String missing = required.stream().filter(n -> !names.contains(n)).findFirst().orElseThrow(
                () -> new AssertionError(log + " has every column: read it, do not expect a refusal"));
            final ConnLogFormatException e = assertThrows(ConnLogFormatException.class, () -> {
                try (ConnLogReader reader = ConnLogReader.open(log, ConnLogListener.IGNORE)) {
                    while (reader.next() != null) {
                        // reading until refused
                    }
                }
            }, log.toString());
            assertEquals(headerLine + 1, e.line(), e.getMessage());
            assertTrue(e.getMessage().contains("header line has no " + missing + " column"), e.getMessage());
            refused++;
        }
        Assumptions.assumeTrue(refused > 0, "no zeek-cut baseline in the corpus");
    }

    @Test
    void shouldReadTheContractSample() throws IOException {
        final Path shared = shared();
        final Path sample = shared == null ? null : shared.resolve("contract/sample-conn.log");
        Assumptions.assumeTrue(sample != null && Files.isRegularFile(sample),
            "contract sample-conn.log absent (scalpel.shared.dir=" + shared + "): skipping");
        final long dataLines = Files.readAllLines(sample, StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .count();

        final List<String> problems = new ArrayList<>();
        final List<ConnRecord> rows = new ArrayList<>();
        try (ConnLogReader reader = ConnLogReader.open(sample, (s, l, m) -> problems.add(s + ":" + l + ": " + m))) {
            for (ConnRecord r = reader.next(); r != null; r = reader.next()) {
                rows.add(r);
            }
        }

        assertEquals(List.of(), problems);
        assertEquals(dataLines, rows.size());
        // 1700000007.932964	CjnUex7KLTh3VLr8Ks	10.2.129.108	8	10.3.159.59	0	icmp	-	0.985982	...	6	0	2	0	-
        final ConnRecord first = rows.get(0);
        assertEquals("CjnUex7KLTh3VLr8Ks", first.uid());
        assertEquals(9, first.line());
        assertEquals(1_700_000_007_932_964_000L, first.tsNanos());
        assertEquals(985_982_000L, first.durationNanos());
        assertEquals("icmp", first.proto());
        assertEquals("10.2.129.108", Addresses.format(first.ipVersion(), first.origHi(), first.origLo()));
        assertEquals(8, first.origPort());
        assertEquals("10.3.159.59", Addresses.format(first.ipVersion(), first.respHi(), first.respLo()));
        assertEquals(0, first.respPort());
        assertEquals(6, first.origPkts());
        assertEquals(2, first.respPkts());
        assertEquals(List.of(), first.tunnelParents());
        assertEquals(ConnRecord.UNSET, first.ipProto(), "the sample has no ip_proto column");
        assertEquals(ConnRecord.UNSET, first.vlan());
    }
}
