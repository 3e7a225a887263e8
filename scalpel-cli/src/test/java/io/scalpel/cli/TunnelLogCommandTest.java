package io.scalpel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scalpel.testdata.TunnelScenario;
import io.scalpel.testing.PcapFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slice --tunnel-log} on a generated capture of tunnelled traffic, judged by the generator's truth. */
class TunnelLogCommandTest {
    private static final String GRE_TCP = "CinGreTcpaaaaaaaa1";

    @TempDir
    Path dir;
    TunnelScenario.Written scenario;
    PcapFile pcap;

    @BeforeEach
    void generate() throws IOException {
        scenario = TunnelScenario.write(dir);
        pcap = PcapFile.read(scenario.capture());
    }

    @Test
    void shouldWriteATunnelLogParentAndItsInnerConnectionEachFrameOnce() throws IOException {
        final Path out = dir.resolve("gre.pcap");
        final Cli r = Cli.run("slice", scenario.capture().toString(), "--conn", scenario.connLog().toString(),
            "--tunnel-log", scenario.tunnelLog().toString(), "--uid", TunnelScenario.GRE_1 + "," + GRE_TCP, "-w", out.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        final long[] gre = scenario.offsetsOf(TunnelScenario.GRE_1);
        final long[] tcp = scenario.offsetsOf(GRE_TCP);
        assertTrue(LongStream.of(gre).boxed().collect(java.util.stream.Collectors.toSet())
            .containsAll(LongStream.of(tcp).boxed().toList()), "the inner connection's frames are the tunnel's");
        assertArrayEquals(copies(gre), Files.readAllBytes(out), "the tunnel's records, each once, byte for byte");
        assertTrue(r.err().contains("wrote " + gre.length + " packets of 2 of 2 uids"), r::toString);
    }

    @Test
    void shouldSplitEveryUidOfBothLogsWithTunnelLogAlone() throws IOException {
        final Path split = dir.resolve("split");
        final Cli r = Cli.run("slice", scenario.capture().toString(), "--tunnel-log", scenario.tunnelLog().toString(),
            "--all", "--split-dir", split.toString());

        assertEquals(ExitCode.OK.code(), r.exit(), r::toString);
        assertEquals(scenario.tunnels().size(), Files.list(split).count(), r::toString);
        for (TunnelScenario.TunnelRow t : scenario.tunnels()) {
            assertArrayEquals(copies(scenario.offsetsOf(t.uid())), Files.readAllBytes(split.resolve(t.uid() + ".pcap")), t.uid());
        }
    }

    @Test
    void shouldNameBothLogsForAUidInNeither() {
        final Cli r = Cli.run("slice", scenario.capture().toString(), "--conn", scenario.connLog().toString(),
            "--tunnel-log", scenario.tunnelLog().toString(), "--uid", "CNoSuchUid000000", "-w", dir.resolve("x.pcap").toString());

        assertEquals(ExitCode.NOTHING_FOUND.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: uid CNoSuchUid000000 (not in " + scenario.connLog() + " or " + scenario.tunnelLog() + ")"),
            r::toString);
    }

    @Test
    void shouldRefuseAGarbledTunnelLogAsBadInput() throws IOException {
        final Path garbled = Files.writeString(dir.resolve("garbled.log"), "ts uid id.orig_h\n");
        final Cli r = Cli.run("slice", scenario.capture().toString(), "--tunnel-log", garbled.toString(), "--all",
            "-w", dir.resolve("x.pcap").toString());

        assertEquals(ExitCode.BAD_INPUT.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("scalpel: " + garbled + " line 1: not a Zeek tunnel.log: starting with byte 0x74 ('t')"),
            r::toString);
    }

    @Test
    void shouldRefuseBothLogsOnStdinAsAUsageError() {
        final Cli r = Cli.run("slice", scenario.capture().toString(), "--conn", "-", "--tunnel-log", "-", "--all",
            "-w", dir.resolve("x.pcap").toString());

        assertEquals(ExitCode.USAGE.code(), r.exit(), r::toString);
        assertTrue(r.err().contains("--conn and --tunnel-log cannot both read stdin"), r::toString);
    }

    /** The capture's file header followed by the records at {@code offsets}, as an extract must be. */
    private byte[] copies(final long[] offsets) throws IOException {
        final byte[] capture = Files.readAllBytes(scenario.capture());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(capture, 0, PcapFile.FILE_HEADER_LENGTH);
        final TreeSet<Long> wanted = new TreeSet<>();
        Arrays.stream(offsets).forEach(wanted::add);
        for (PcapFile.Record rec : pcap.records) {
            if (wanted.contains(rec.offset())) {
                out.write(capture, (int) rec.offset(), rec.length());
            }
        }
        return out.toByteArray();
    }
}
