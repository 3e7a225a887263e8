package io.scalpel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.TruthConn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a slice by uid says when there is much to say: the first ten malformed lines and the first
 * ten rows whose community_id is not their 5-tuple's are warned of one by one and the rest counted;
 * with every uid, the uids without packets are told in one note (naming them when there are ten
 * or fewer), and asked uids without packets are each a problem. Oracle: the lines and rows the
 * test itself broke or added to the generator's conn.log, and the generator's truth that every
 * generated connection has packets.
 */
class SliceReportLimitsTest {
    private static final String WRONG_ID = "1:AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private static final int UID_COLUMN = 1;
    private static final int PROTO_COLUMN = 6;

    @TempDir
    Path dir;
    private Path capture;
    private Path zeekLog;

    /** Keeps what a slice says. */
    private static final class Said implements SliceListener {
        final List<String> warnings = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        @Override
        public void warning(final String message) {
            warnings.add(message);
        }

        @Override
        public void note(final String message) {
            notes.add(message);
        }

        List<String> warnings(final Predicate<String> which) {
            return warnings.stream().filter(which).toList();
        }
    }

    @Test
    void shouldWarnOfTheFirstTenRowsWhoseCommunityIdIsNotTheirFiveTuplesAndCountTheRest() throws IOException {
        final Generated truth = generate(4401);
        final Set<String> tampered = new HashSet<>();
        final List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(zeekLog)) {
            if (line.startsWith("#fields")) {
                lines.add(line + "\tcommunity_id");
            } else if (line.startsWith("#types")) {
                lines.add(line + "\tstring");
            } else if (line.startsWith("#")) {
                lines.add(line);
            } else {
                final String[] cols = line.split("\t", -1);
                final boolean tcpOrUdp = cols[PROTO_COLUMN].equals("tcp") || cols[PROTO_COLUMN].equals("udp");
                if (tcpOrUdp && tampered.size() < 13) {
                    tampered.add(cols[UID_COLUMN]);
                    lines.add(line + "\t" + WRONG_ID);
                } else {
                    lines.add(line + "\t-");
                }
            }
        }
        assertEquals(13, tampered.size(), "the generator's log has 13 TCP or UDP rows");
        final Path conn = Files.write(dir.resolve("conn.log"), lines);

        for (boolean all : new boolean[] {true, false}) {
            final Said said = new Said();
            final SliceOutcome outcome = slice(capture, request(conn, all, truth), said);
            final List<String> shown = said.warnings(w -> w.contains(" is not the Community ID of its 5-tuple with seed 0"));
            assertEquals(10, shown.size(), said.warnings::toString);
            for (String w : shown) {
                final String uid = w.replaceFirst("^.* line \\d+: uid (\\S+): community_id .*$", "$1");
                assertTrue(tampered.contains(uid), w);
            }
            assertEquals(List.of(conn + ": 3 more rows whose community_id is not that of their 5-tuple"),
                said.warnings(w -> w.contains("more rows whose community_id")));
            assertEquals(13, outcome.communityIdMismatches());
        }
    }

    @Test
    void shouldWarnOfTheFirstTenMalformedLinesAndCountTheRest() throws IOException {
        final Generated truth = generate(4402);
        final List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(zeekLog)) {
            lines.add(line);
            if (line.startsWith("#types")) {
                for (int i = 0; i < 14; i++) {
                    lines.add("broken\tline " + i);
                }
            }
        }
        final Path conn = Files.write(dir.resolve("conn.log"), lines);

        for (boolean all : new boolean[] {true, false}) {
            final Said said = new Said();
            slice(capture, request(conn, all, truth), said);
            assertEquals(10, said.warnings(w -> w.endsWith("(line skipped)")).size(), said.warnings::toString);
            assertEquals(List.of(conn + ": 4 more malformed lines skipped"), said.warnings(w -> w.contains("more malformed lines")));
        }
    }

    @Test
    void shouldTellTheUidsWithoutPacketsInOneNoteWithEveryUidAndAsAProblemEachOtherwise() throws IOException {
        final Generated truth = generate(4403);
        assertTrue(truth.conns().stream().map(TruthConn::uid).allMatch(u -> !truth.framesOf(u).isEmpty()),
            "every generated connection has packets");
        final int real = truth.conns().size();

        final Path many = withoutPackets(zeekLog, 12, dir.resolve("conn-12.log"));
        final Said all = new Said();
        final SliceOutcome everyUid = slice(capture, request(many, true, truth), all);
        assertEquals(List.of("12 of " + (real + 12) + " uids have no packets in " + capture),
            all.notes.stream().filter(n -> n.contains("uids have no packets")).toList());
        assertEquals(List.of(), everyUid.problems(), "with every uid, a uid without packets is no problem");

        final Path few = withoutPackets(zeekLog, 3, dir.resolve("conn-3.log"));
        final Said some = new Said();
        slice(capture, request(few, true, truth), some);
        final List<String> note = some.notes.stream().filter(n -> n.contains("uids have no packets")).toList();
        assertEquals(1, note.size(), some.notes::toString);
        final String prefix = "3 of " + (real + 3) + " uids have no packets in " + capture + ": ";
        assertTrue(note.get(0).startsWith(prefix), note.get(0));
        assertEquals(Set.of("Cnopackets00", "Cnopackets01", "Cnopackets02"),
            new HashSet<>(Arrays.asList(note.get(0).substring(prefix.length()).split(", "))));

        final List<String> uids = new ArrayList<>(truth.conns().stream().map(TruthConn::uid).toList());
        for (int i = 0; i < 12; i++) {
            uids.add(String.format("Cnopackets%02d", i));
        }
        final Said asked = new Said();
        final SliceOutcome byUid = slice(capture, SliceRequest.builder().conn(many.toString()).uids(uids)
            .write(dir.resolve("asked.pcap")).build(), asked);
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            expected.add(String.format("uid Cnopackets%02d (no packets in %s)", i, capture));
        }
        assertEquals(Set.copyOf(expected), Set.copyOf(byUid.problems()));
        assertEquals(12, byUid.problems().size());
        assertEquals(SliceOutcome.Status.PARTIAL, byUid.status());
        assertTrue(asked.notes.stream().noneMatch(n -> n.contains("uids have no packets")), asked.notes::toString);
    }

    /** A generated capture ({@link #capture}) and its conn.log as Zeek writes it ({@link #zeekLog}). */
    private Generated generate(final long seed) throws IOException {
        capture = dir.resolve("trace.pcap");
        zeekLog = dir.resolve("zeek-conn.log");
        return CaptureGenerator.generate(GeneratorSpec.defaults(seed), capture, zeekLog);
    }

    /** The generator's log with {@code n} more rows, copies of its first rows under new uids in 1970: no packets. */
    private static Path withoutPackets(final Path zeekLog, final int n, final Path out) throws IOException {
        final List<String> lines = new ArrayList<>();
        final List<String> copies = new ArrayList<>();
        for (String line : Files.readAllLines(zeekLog)) {
            if (!line.startsWith("#") && copies.size() < n) {
                final String[] cols = line.split("\t", -1);
                cols[0] = "100.000000";
                cols[UID_COLUMN] = String.format("Cnopackets%02d", copies.size());
                copies.add(String.join("\t", cols));
            }
            if (line.startsWith("#close")) {
                lines.addAll(copies);
                copies.clear();
            }
            lines.add(line);
        }
        lines.addAll(copies);
        return Files.write(out, lines);
    }

    /** Every uid of {@code conn}, or the generator's uids asked one by one. */
    private SliceRequest request(final Path conn, final boolean all, final Generated truth) {
        return SliceRequest.builder().conn(conn.toString()).all(all)
            .uids(all ? List.of() : truth.conns().stream().map(TruthConn::uid).toList())
            .write(dir.resolve(all ? "all.pcap" : "asked.pcap")).build();
    }

    private SliceOutcome slice(final Path capture, final SliceRequest request, final SliceListener listener) throws IOException {
        try (Captures captures = Captures.open(capture, Scalpel.Options.defaults().withIndex(dir.resolve("idx")))) {
            return Slices.run(captures, request, listener);
        }
    }
}
