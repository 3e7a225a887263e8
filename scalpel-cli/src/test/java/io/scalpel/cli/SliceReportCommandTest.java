package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scalpel.testdata.CaptureGenerator;
import io.scalpel.testdata.Generated;
import io.scalpel.testdata.GeneratorSpec;
import io.scalpel.testdata.RotatedCaptures;
import io.scalpel.testdata.TruthConn;
import io.scalpel.testdata.TunnelScenario;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a slice by uid reports beyond its packets, as a first-time user meets it: unknown uids
 * counted, logs whose windows cannot separate connections, a uid only tunnel.log has, a log of
 * another time than the capture, a capture-set member changed since the set was indexed.
 */
class SliceReportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Generated truth;
    private Path capture;
    private Path conn;

    @BeforeEach
    void generate() throws IOException {
        capture = dir.resolve("cap.pcap");
        conn = dir.resolve("conn.log");
        truth = CaptureGenerator.generate(GeneratorSpec.defaults(5511).withConnections(12), capture, conn);
    }

    @Test
    void shouldCountAnUnknownUidAmongTheRequestedOnes() throws IOException {
        final TruthConn known = truth.conns().get(0);
        final Path out = dir.resolve("out.pcap");
        final Cli r = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", known.uid() + ",CnoSuchUid00000001",
            "-w", out.toString());
        assertEquals(ExitCode.PARTIAL.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("of 1 of 2 uids"), r::toString);
        assertTrue(r.err().contains("CnoSuchUid00000001 (not in " + conn + ")"), r::toString);

        final Cli j = Cli.run("slice", capture.toString(), "--conn", conn.toString(), "--uid", known.uid() + ",CnoSuchUid00000001",
            "-w", dir.resolve("out2.pcap").toString(), "--json");
        final JsonNode s = JSON.readTree(j.out());
        assertEquals(2, s.get("requested").asInt(), j::toString);
        assertEquals(1, s.get("unknown").asInt(), j::toString);
        assertEquals(1, s.get("matched").asInt(), j::toString);
    }

    @Test
    void shouldWarnOnceThatRowsWithoutTsCannotSeparateReusedTuples() throws IOException {
        final List<String> masked = Files.readAllLines(conn, StandardCharsets.UTF_8).stream()
            .map(l -> l.startsWith("#") ? l : "XXXXXXXXXX.XXXXXX" + l.substring(l.indexOf('\t'))).collect(Collectors.toList());
        final Path maskedLog = dir.resolve("masked.log");
        Files.write(maskedLog, masked, StandardCharsets.UTF_8);
        final Cli r = Cli.run("slice", capture.toString(), "--conn", maskedLog.toString(), "--all", "-w", dir.resolve("m.pcap").toString());
        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final long warnings = r.err().lines().filter(l -> l.contains("no usable ts")).count();
        assertEquals(1, warnings, r::toString);
        assertTrue(r.err().contains(truth.conns().size() + " of " + truth.conns().size() + " rows have no usable ts"), r::toString);
    }

    @Test
    void shouldPointAtTunnelLogForAUidThatOnlyTunnelLogHas() throws IOException {
        final TunnelScenario.Written t = TunnelScenario.write(Files.createDirectories(dir.resolve("tunnels")));
        final Cli r = Cli.run("slice", t.capture().toString(), "--conn", t.connLog().toString(), "--uid", TunnelScenario.GRE_1,
            "-w", dir.resolve("gre.pcap").toString());
        assertEquals(ExitCode.NOTHING_FOUND.code(), r.exit(), r::toString);
        assertTrue(r.err().contains(TunnelScenario.GRE_1 + " (not in " + t.connLog()) && r.err().contains("--tunnel-log"), r::toString);

        final Cli withLog = Cli.run("slice", t.capture().toString(), "--conn", t.connLog().toString(), "--tunnel-log",
            t.tunnelLog().toString(), "--uid", TunnelScenario.GRE_1, "-w", dir.resolve("gre2.pcap").toString());
        assertEquals(ExitCode.OK.code(), withLog.exit(), withLog::toString);
    }

    @Test
    void shouldSayWhenTheLogAndTheCaptureDoNotOverlapInTime() throws IOException {
        final long day = 86_400L;
        final List<String> shifted = Files.readAllLines(conn, StandardCharsets.UTF_8).stream().map(l -> {
            if (l.startsWith("#")) {
                return l;
            }
            final int tab = l.indexOf('\t');
            return new BigDecimal(l.substring(0, tab)).add(BigDecimal.valueOf(day)).toPlainString() + l.substring(tab);
        }).collect(Collectors.toList());
        final Path later = dir.resolve("next-day.log");
        Files.write(later, shifted, StandardCharsets.UTF_8);
        final Cli r = Cli.run("slice", capture.toString(), "--conn", later.toString(), "--all", "-w", dir.resolve("x.pcap").toString());
        assertEquals(ExitCode.NOTHING_FOUND.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("do not overlap"), r::toString);
        assertTrue(r.err().contains("the conn.log rows span "), r::toString);
    }

    @Test
    void shouldAdviseReindexingTheSetWhenAMemberChanged() throws IOException {
        final Path set = Files.createDirectories(dir.resolve("set"));
        final List<RotatedCaptures.Piece> pieces = RotatedCaptures.cutEvenly(capture, truth, set, "trace-%02d.%s", false, false);
        assertEquals(0, Cli.run("index", "-q", set.toString()).exit());
        final Path member = pieces.get(0).file();
        // The member loses its last record (a rotated file rewritten): not the capture that was indexed.
        final RotatedCaptures.Piece first = pieces.get(0);
        final long lastOffset = first.offsets().get(first.offsets().size() - 1);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(member, StandardOpenOption.WRITE)) {
            ch.truncate(lastOffset);
        }
        final String uid = first.frames().stream().filter(f -> !f.uids().isEmpty()).findFirst().orElseThrow().uids().iterator().next();
        final Cli stale = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--uid", uid, "-w", dir.resolve("s.pcap").toString());
        assertEquals(ExitCode.BAD_INPUT.code(), stale.exit(), stale::toString);
        assertTrue(stale.err().contains("`scalpel index " + set + "`"), stale::toString);

        assertEquals(0, Cli.run("index", "-q", set.toString()).exit(), "the advice works");
        final Cli again = Cli.run("slice", set.toString(), "--conn", conn.toString(), "--uid", uid, "-w", dir.resolve("s2.pcap").toString());
        assertEquals(ExitCode.OK.code(), again.exit(), again::toString);
    }

    @Test
    void shouldSummariseEachCommandInAWholeSentenceInTheTopLevelHelp() {
        final Cli r = Cli.run("--help");
        assertEquals(0, r.exit(), r::toString);
        final String commands = r.out().substring(r.out().indexOf("Commands:"), r.out().indexOf("Exit codes:"));
        final List<String> entries = new java.util.ArrayList<>();
        for (String line : commands.lines().skip(1).toList()) {
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                entries.add(line.strip());
            } else if (!line.isBlank() && !entries.isEmpty()) {
                entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
            }
        }
        assertTrue(entries.size() >= 3, commands);
        for (String entry : entries) {
            assertTrue(entry.endsWith("."), "the summary ends its sentence: " + entry);
        }
    }
}
